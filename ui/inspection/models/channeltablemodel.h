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
        CapabilityRole,                      ///< CapabilityStatus, as int.
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

    /// Where the check of the remote's capability stands. Only Failed is a problem: a channel
    /// the remote opened alone waits for us, which is normal (the key is ours to give or not).
    enum class CapabilityStatus {
        NotApplicable,     ///< The session runs without Noise: Open carries no capability.
        WaitingForRemote,  ///< We opened; the remote's Open (and its capability) has not come.
        WaitingForOurOpen, ///< The remote opened; only we can check it, once we open the key.
        Verified,          ///< The remote's capability matched the one computed for this key.
        Failed,            ///< Both opened and the capability did not match: the engine ended
                           ///< the session ("capability mismatch").
        None,              ///< Neither side has the channel open (closed or refused).
    };

    /// Frames and bytes of one channel, per direction.
    struct Counts
    {
        quint64 messagesIn = 0;
        quint64 messagesOut = 0;
        quint64 bytesIn = 0;
        quint64 bytesOut = 0;
    };

    struct Row : Counts
    {
        Key32 discoveryKey{};
        std::optional<Key32> key;
        std::optional<std::uint64_t> localId;
        std::optional<std::uint64_t> remoteId;
        State state = State::OpenedLocally;
        bool verified = false;
        bool localOpen = false;
        bool keyGivenByUser = false;   ///< The key came from setKnownKey(), not from our Open.
        bool capabilityFailed = false; ///< Set when the session ended on an unverified channel.
        QStringList localExtensions;
        QStringList remoteExtensions;
    };

    explicit ChannelTableModel(QObject *parent = nullptr);

    /// Whether the session uses Noise: without it there are no capabilities to verify.
    void setNoise(bool noise);

    void applyEvent(const ChannelTrace &event);
    /// Counts one frame on the channel of @p discoveryKey. An Open is traced before the event that
    /// adds its channel's row (ours before OpenedLocally, the remote's before OpenedByRemote): its
    /// count is kept until that row comes. Frames of channels that never get a row are ignored.
    void countFrame(const Key32 &discoveryKey, Direction direction, quint64 bytes);
    void setLocalExtensions(const Key32 &discoveryKey, const QStringList &names);
    void setRemoteExtensions(const Key32 &discoveryKey, const QStringList &names);
    /// The session ended: channels still open are marked so (the engine sends no Close then).
    void markSessionEnded();
    /// A person gave the feed key of a channel (e.g. one only the remote opened): fills in the
    /// Key column of the row whose discovery key it derives to. Returns that row, or -1 when no
    /// channel of this session has that discovery key (nothing changes then).
    int setKnownKey(const Key32 &feedKey);
    /// Publishes dirty counters now (the timer does it every 250 ms).
    void flush();

    int rowOf(const Key32 &discoveryKey) const;
    const Row &row(int row) const { return m_rows[std::size_t(row)]; }
    static QString stateText(State state);
    CapabilityStatus capabilityStatus(int row) const;
    static QString capabilityText(CapabilityStatus status);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    int ensureRow(const Key32 &discoveryKey);
    void markDirty(int row);
    static void addCount(Counts &counts, Direction direction, quint64 bytes);

    std::vector<Row> m_rows;
    std::map<Key32, int> m_index;
    std::map<Key32, Counts> m_uncounted; ///< Opens counted before their channel's row existed.
    int m_dirtyFirst = -1;
    int m_dirtyLast = -1;
    QTimer m_timer;
    bool m_noise = true;
};

/// "1.2 KiB" for tables.
QString formatBytes(quint64 bytes);

} // namespace hyperscope
