// SessionListModel: the sidebar's list of sessions, live and ended.
//
// Rows are InspectedSession objects (not owned). Their counters change with every frame, so the
// model does not forward each change: a timer publishes one dataChanged() over the whole table
// per second (and at once when a session changes state).
#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QPointer>
#include <QTimer>

namespace hyperscope {

class InspectedSession;

class SessionListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        SessionColumn,
        PeerColumn,
        RoleColumn,
        StateColumn,
        MessagesColumn,
        BytesColumn,
        DurationColumn,
        ColumnCount
    };
    enum Role {
        SessionIdRole = Qt::UserRole + 1, ///< int
        StateRole,                        ///< InspectedSession::State, as int
        SubtitleRole,                     ///< QString: second line of the sidebar entry
        FailedRole,                       ///< bool: ended with an error
        ModeRole,                         ///< QString: "Noise XX + XSalsa20", ...
        IsCaptureRole,                    ///< bool: opened from a capture file (read-only)
        RoleCount
    };

    explicit SessionListModel(QObject *parent = nullptr);

    void addSession(InspectedSession *session);
    void removeSession(InspectedSession *session);
    InspectedSession *session(int row) const;
    int rowOf(const InspectedSession *session) const;
    int rowOfId(int id) const;
    const QList<InspectedSession *> &sessions() const { return m_sessions; }

    /// Publishes the counters of every row now (the timer does it every second).
    void refresh();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void scheduleRefresh();

    QList<InspectedSession *> m_sessions;
    QTimer m_refreshTimer;
    QTimer m_soonTimer;
};

/// "1:02:03" / "2:03" / "3.4 s".
QString formatDuration(qint64 ms);

} // namespace hyperscope
