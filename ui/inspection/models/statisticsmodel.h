// StatisticsModel: messages and bytes per session, per channel and per message type, in each
// direction (Wireshark's Statistics › Conversations and Protocol Hierarchy, for one protocol).
//
// A three-level tree over a MessageLogModel (read, not owned):
//   session ("#1 127.0.0.1:4000 · initiator")
//     channel ("channel 6b7ecf9c", by discovery key; "connection" for what belongs to no
//              channel: the handshake, keepalives and stream-level messages on channel id 0;
//              "channel id 7 (key unknown)" for frames on a channel nobody opened; on a relayed
//              session each leg's channels are apart: "client leg · channel 6b7ecf9c")
//       message type ("Data", "Keepalive", "Handshake")
// Each row counts messages and bytes received (in) and sent (out); the bytes are the frames'
// sizes, length prefix included, as the log's Size column shows them. Warning, error and event
// lines are not messages and are not counted here (ExpertInfoModel counts the problems).
//
// refresh() aggregates the whole log in one pass, with no object per row (a million rows take
// tens of milliseconds), and resets the model; nothing happens between two refreshes, so the
// caller decides how live it is (StatisticsDialog: a Refresh button and a once-a-second timer).
#pragma once

#include "messagelogmodel.h"

#include <QAbstractItemModel>
#include <QString>

#include <array>
#include <memory>
#include <vector>

namespace hyperscope {

class StatisticsModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        MessagesColumn,    ///< In + out.
        MessagesInColumn,  ///< Received.
        MessagesOutColumn, ///< Sent.
        BytesColumn,
        BytesInColumn,
        BytesOutColumn,
        ColumnCount
    };

    enum Role {
        SortRole = Qt::UserRole + 1, ///< Numbers as numbers, names as text.
        NodeKeyRole,                 ///< QString naming the row across refreshes ("s3/c1:4").
        SessionRole,                 ///< int: the row's session id.
        RoleCount
    };

    /// Messages and bytes in each direction (index: Direction, 0 in, 1 out).
    struct Counts
    {
        std::array<quint64, 2> messages{};
        std::array<quint64, 2> bytes{};

        quint64 totalMessages() const { return messages[0] + messages[1]; }
        quint64 totalBytes() const { return bytes[0] + bytes[1]; }
        void add(int direction, quint64 size)
        {
            ++messages[std::size_t(direction)];
            bytes[std::size_t(direction)] += size;
        }
        void add(const Counts &other);
    };

    /// The whole log at the last refresh() (Statistics › Summary).
    struct Summary
    {
        int sessions = 0;
        quint64 rows = 0;     ///< Every row of the log, notes included.
        Counts counts;        ///< Messages only.
        quint64 problems = 0; ///< Rows of severity Warning or Error.
        qint64 firstUs = 0;   ///< Time of the earliest counted message (log time).
        qint64 lastUs = 0;    ///< Time of the latest one.
        double seconds() const { return double(lastUs - firstUs) / 1e6; }
    };

    /// A model over @p log (not owned, must outlive the model); empty until refresh().
    explicit StatisticsModel(const MessageLogModel *log, QObject *parent = nullptr);
    ~StatisticsModel() override;

    /// Aggregates the log again, in one pass, and resets the model.
    void refresh();
    /// The log's row count at the last refresh() (to tell whether a refresh would change
    /// anything).
    int refreshedRows() const { return m_refreshedRows; }
    const Summary &summary() const { return m_summary; }
    /// The counts of the row at @p index (the total of a session or channel).
    Counts counts(const QModelIndex &index) const;

    // QAbstractItemModel
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Node;
    const Node *nodeOf(const QModelIndex &index) const;

    const MessageLogModel *m_log;
    std::unique_ptr<Node> m_root;
    Summary m_summary;
    int m_refreshedRows = 0;
};

} // namespace hyperscope
