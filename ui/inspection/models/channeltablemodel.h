// ChannelTableModel: the channels of one session, one row per discovery key.
//
// Fed by InspectorTrace: channel events insert or update rows at once (they are rare); message
// and byte counters change on every frame, so they are only marked dirty and published with one
// dataChanged() per tick of a timer.
#pragma once

#include "trace.h"

#include <QAbstractTableModel>
#include <QStringList>
#include <QTimer>

#include <map>
#include <optional>
#include <vector>

namespace hyperscope {

class ChannelTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        DiscoveryKeyColumn,
        KeyColumn,
        LocalIdColumn,
        RemoteIdColumn,
        StateColumn,
        VerifiedColumn,
        MessagesColumn,
        BytesColumn,
        ExtensionsColumn,
        ColumnCount
    };
    enum Role {
        DiscoveryKeyRole = Qt::UserRole + 1, ///< QByteArray (32 bytes).
        KeyRole,                             ///< QByteArray (32 bytes) or invalid when unknown.
        StateRole,                           ///< State, as int.
        LocalIdRole,                         ///< qulonglong or invalid.
        IsOpenRole,                          ///< bool: we have the channel open locally.
        RoleCount
    };

    /// What a channel is doing, named after its last event.
    enum class State {
        OpenedLocally,  ///< We sent Open; waiting for the remote's.
        OpenedByRemote, ///< The remote opened a discovery key we have not opened.
        Established,    ///< Both sides opened it (and the capability verified).
        ClosedLocally,
        ClosedByRemote,
        Refused,         ///< We refused the remote's Open (Close with discoveryKey).
        RefusedByRemote, ///< The remote closed a channel it never opened: it refused ours.
        SessionEnded,    ///< The channel was open when the whole session ended.
    };

    struct Row
    {
        Key32 discoveryKey{};
        std::optional<Key32> key;
        std::optional<std::uint64_t> localId;
        std::optional<std::uint64_t> remoteId;
        State state = State::OpenedLocally;
        bool verified = false;
        bool localOpen = false;
        quint64 messagesIn = 0;
        quint64 messagesOut = 0;
        quint64 bytesIn = 0;
        quint64 bytesOut = 0;
        QStringList localExtensions;
        QStringList remoteExtensions;
    };

    explicit ChannelTableModel(QObject *parent = nullptr);

    /// Whether the session uses Noise: without it there are no capabilities to verify.
    void setNoise(bool noise);

    void applyEvent(const ChannelTrace &event);
    /// Counts one frame on the channel of @p discoveryKey (no-op for unknown channels).
    void countFrame(const Key32 &discoveryKey, Direction direction, quint64 bytes);
    void setLocalExtensions(const Key32 &discoveryKey, const QStringList &names);
    void setRemoteExtensions(const Key32 &discoveryKey, const QStringList &names);
    /// The session ended: channels still open are marked so (the engine sends no Close then).
    void markSessionEnded();
    /// Publishes dirty counters now (the timer does it every 250 ms).
    void flush();

    int rowOf(const Key32 &discoveryKey) const;
    const Row &row(int row) const { return m_rows[std::size_t(row)]; }
    static QString stateText(State state);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    int ensureRow(const Key32 &discoveryKey);
    void markDirty(int row);

    std::vector<Row> m_rows;
    std::map<Key32, int> m_index;
    int m_dirtyFirst = -1;
    int m_dirtyLast = -1;
    QTimer m_timer;
    bool m_noise = true;
};

/// "1.2 KiB" for tables.
QString formatBytes(quint64 bytes);

} // namespace hyperscope
