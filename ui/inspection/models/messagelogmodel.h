// MessageLogModel: every frame of every session, both directions, plus handshake messages,
// warnings and errors, as one flat table (Wireshark's packet list).
//
// Built to hold a million rows:
//  - a row is a compact Record (48 bytes); the frame's bytes live in a shared ByteArena;
//  - display text is built in data(), lazily, by decoding the stored bytes of visible rows only;
//  - appends go to a pending vector flushed by a timer with one beginInsertRows() per batch, so a
//    flood of frames costs one view update per tick, not one per frame;
//  - the wire bytes of an encrypted frame are not stored: they are recomputed on demand from the
//    plaintext, its stream offset and the session's transport keys (XSalsa20 has no MAC and is a
//    pure keystream XOR), unless the keys are unknown, in which case they are stored too.
//
// Filtering goes through MessageLogFilterModel (a proxy), never through row removal here.
//
// Sessions. The log is the one place that knows which sessions it holds: sessions() lists them
// in the order they appeared, sessionLabel() names them, and sessionAdded(),
// sessionLabelChanged() and sessionsCleared() announce every change. A session counts from the
// moment it gets a label (setSessionLabel(): a live session as it starts, a capture's session as
// it is read back) or a row of its own is flushed into the model, whichever comes first; it
// stops counting when clear() removes every row (the log removes rows nowhere else, so
// sessionsCleared() is the only way sessions go). Everything that lists sessions (the log pane's
// session filter, the flow graph's numbering) follows these signals instead of scanning rows or
// asking other models. Session ids are ints everywhere, the rows included: a listener that runs
// long enough to number more than 65,535 sessions never folds two of them into one.
#pragma once

#include "bytearena.h"
#include "crypto.h"
#include "trace.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QTimer>

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace hyperscope::feed {
struct Verdict;
}

namespace hyperscope {

class MessageLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        NumberColumn,
        TimeColumn,
        SessionColumn,
        DirectionColumn,
        LegColumn, ///< "client" / "server" for a relayed session's rows, else empty.
        ChannelColumn,
        TypeColumn,
        SizeColumn,
        SummaryColumn,
        ColumnCount
    };

    enum Role {
        KindRole = Qt::UserRole + 1, ///< Kind, as int.
        SessionRole,                 ///< Session id (int).
        DirectionRole,               ///< Direction, as int (0 inbound, 1 outbound).
        ChannelRole,                 ///< The sender's channel id (qulonglong).
        ChannelKeyRole,              ///< Interned discovery key index (uint, 0 = unknown).
        TypeRole,                    ///< Frame type 0..15; handshake message index; else -1.
        SeverityRole,                ///< Severity, as int.
        PlainBytesRole,              ///< QByteArray: the frame in clear (handshake: the message).
        WireBytesRole,               ///< QByteArray: the same bytes as they crossed the socket.
        StreamOffsetRole, ///< qulonglong: the frame's position in its direction's stream.
        LegRole,          ///< Leg, as int (0 none, 1 client, 2 server).
        RoleCount
    };

    enum class Kind : quint8 {
        Frame,     ///< A transport frame of types 0..15.
        KeepAlive, ///< An empty frame.
        Handshake, ///< One of the three Noise messages.
        Warning,   ///< A protocol violation the engine tolerated.
        Error,     ///< A fatal error: the session ended.
        Event,     ///< A session event worth a line (connected, ended, ...).
    };

    enum class Severity : quint8 { Normal, Quiet, Warning, Error };

    /// Which leg of a relayed session a row belongs to (docs/relay.md). A relayed session is one
    /// session id with two legs, each its own protocol session (own handshake, keys, channel ids
    /// and stream offsets), so every row of it says which leg it was seen on; rows of ordinary
    /// sessions have None. "Inbound" on a leg is what that leg's peer sent to the relay.
    enum class Leg : quint8 {
        None = 0,
        Client = 1, ///< The peer that dialed the relay.
        Server = 2, ///< The upstream peer the relay dialed.
    };

    enum Flag : quint8 {
        Malformed = 1,       ///< The payload did not decode (types 0..10, 15).
        PlainOnWire = 2,     ///< The transport was not encrypted: wire bytes == plain bytes.
        BytesDropped = 4,    ///< The log's memory budget was exhausted: bytes not kept.
        HandshakeFailed = 8, ///< A handshake step that failed.
        Outbound = 16,       ///< Sent by us (else received).
    };

    /// One row. Kept small (48 bytes): the log holds a million of them. The members are laid
    /// out largest first, so that the int session id and the four byte-sized fields share the
    /// last 8 bytes exactly (the relay's leg took the last byte of padding: still 48 bytes).
    struct Record
    {
        /// Microseconds on the row's session clock: for live rows the log's own (since the
        /// model was made; clear() does not restart it), for rows read back from a capture the
        /// clock of the log that saved them. Shown relative to the session's first row, to the
        /// previous row, or as wall-clock time (TimeFormat).
        qint64 timeUs = 0;
        quint64 streamOffset = 0; ///< Position in this direction's transport stream.
        ByteArena::Slot bytes;    ///< Plain frame / handshake message / note text (UTF-8).
        quint32 extra = 0;        ///< 1-based index into the side table, 0 = none.
        quint32 channelKey = 0;   ///< Interned discovery key, 0 = unknown.
        /// The header's channel id (the sender's id), saturated at 2^32 - 1: ids that large
        /// only come from hostile peers, and the field tree still shows the exact value.
        quint32 channel = 0;
        int session = 0; ///< The session id, as everywhere else (see sessions()).
        quint8 type = 0; ///< Frame type, or handshake message index.
        Kind kind = Kind::Frame;
        quint8 flags = 0;    ///< Flag bits (the direction is one of them).
        Leg leg = Leg::None; ///< The leg of a relayed session the row was seen on.

        Direction direction() const
        {
            return (flags & Outbound) ? Direction::Outbound : Direction::Inbound;
        }
    };

    explicit MessageLogModel(QObject *parent = nullptr);
    ~MessageLogModel() override;

    // --- Feeding (from InspectorTrace) ---------------------------------------------------------

    /// How the wire bytes of a frame are kept.
    enum class WireStorage {
        SameAsPlain, ///< The transport is not encrypted.
        Recompute,   ///< Encrypted; setTransportKeys() was called, recompute on demand.
        Store,       ///< Encrypted with unknown keys: store the wire bytes too.
    };

    /// Appends a transport frame. @p extensionName: the extension's name for type 15 when known.
    /// @p leg: the leg of a relayed session it was seen on (every append takes one).
    void appendFrame(int session, const FrameTrace &frame, WireStorage wire,
                     const QString &extensionName = {}, Leg leg = Leg::None);
    /// Appends a handshake message (its wire bytes; the failure text when it failed).
    void appendHandshake(int session, const HandshakeTrace &step, Leg leg = Leg::None);
    /// Appends a warning, error or event line.
    void appendNote(int session, Kind kind, Direction direction, quint64 streamOffset,
                    const QString &text, Leg leg = Leg::None);

    /// Appends a row as it was logged before (a capture file read back, see capturefile.h).
    /// @p record's kind, flags, times and ids are kept; its bytes are @p plain (none when the
    /// record has BytesDropped), with @p wire stored beside them when not empty and the record
    /// is not PlainOnWire, @p note as its note and @p discoveryKey as its channel.
    void appendRecord(Record record, ByteView plain, ByteView wire, const QString &note,
                      const std::optional<Key32> &discoveryKey);

    /// Lets wireBytes() recompute encrypted frames of @p session (of its @p leg: each leg of a
    /// relayed session has its own keys) instead of storing them.
    void setTransportKeys(int session, const crypto::SplitKeys &split, const Nonce24 &localNonce,
                          const Nonce24 &remoteNonce, Leg leg = Leg::None);
    /// Names @p session ("#1 127.0.0.1:4000"). A session the log does not hold yet is added
    /// (sessionAdded()); a known one whose label changes emits sessionLabelChanged() and
    /// dataChanged() over the Session column. Labels outlive clear(): a session that logs again
    /// afterwards comes back under its name.
    void setSessionLabel(int session, const QString &label);
    /// Gives @p session a short name other than "#<id>", for views that number rows by session
    /// (the Flow tab): a capture's session is "capture1.jsonl #1" while its id is large.
    /// Kept across clear(), like labels.
    void setSessionNumber(int session, const QString &number)
    {
        m_sessionNumbers.insert(session, number);
    }

    /// The largest number of frame bytes kept (default 2 GiB); after that rows keep no bytes.
    void setByteBudget(std::size_t bytes) { m_byteBudget = bytes; }

    /// Moves pending rows into the model now (the timer does it every 50 ms).
    void flush();
    /// Interval of the flush timer.
    void setFlushInterval(int ms) { m_flushTimer.setInterval(ms); }
    /// Rows appended but not yet flushed.
    int pendingCount() const { return int(m_pending.size()); }
    /// Removes every row (one model reset), and with them every session: sessions() is empty
    /// afterwards and sessionsCleared() follows the reset.
    void clear();

    // --- Sessions ------------------------------------------------------------------------------

    /// The sessions the log holds (labelled, or with flushed rows), in the order they appeared.
    /// Every flushed row's session is among them by the time rowsInserted() announces the row.
    QList<int> sessions() const { return m_sessions; }
    /// How many sessions sessions() lists (cheap: for views that ask on every paint).
    int sessionCount() const { return int(m_sessions.size()); }
    bool hasSession(int session) const { return m_sessionSet.contains(session); }
    /// The session's label; "#<id>" when it never got one.
    QString sessionLabel(int session) const;
    /// The session's short name: "#<id>", or what setSessionNumber() gave it.
    QString sessionNumber(int session) const
    {
        return m_sessionNumbers.value(session, QStringLiteral("#%1").arg(session));
    }
    /// A flushed row belongs to a leg of a relayed session (until clear()): the Flow tab then
    /// draws three lifelines and the log pane shows its Leg column.
    bool hasLegs() const { return m_hasLegs; }
    /// A flushed row of @p session belongs to a leg of a relayed session (until clear()).
    bool sessionHasLegs(int session) const { return m_sessionsWithLegs.contains(session); }

    // --- Endpoints (the Flow tab's lifelines) ------------------------------------------------

    /// Where one connection runs: our socket's address and the peer's, as "127.0.0.1:4000" or
    /// "[::1]:4000" (an IPv4-mapped IPv6 address written as IPv4). Empty when unknown: a capture
    /// written without them, a session over a pipe, a connection that never came up.
    struct Endpoints
    {
        QString local;
        QString peer;
        bool operator==(const Endpoints &) const = default;
    };
    /// Records the endpoints of @p session (of its @p leg: each leg of a relayed session is a
    /// connection of its own) and emits sessionEndpointsChanged() when they changed. Two
    /// sessions of one process talking to each other show up as one's local address being the
    /// other's peer: the flow graph draws them as one conversation. Kept across clear(), like
    /// labels. Does not add the session to sessions().
    void setSessionEndpoints(int session, const Endpoints &endpoints, Leg leg = Leg::None);
    /// What setSessionEndpoints() recorded; empty strings when nothing was.
    Endpoints sessionEndpoints(int session, Leg leg = Leg::None) const
    {
        return m_endpoints.value(keysOf(session, leg));
    }

    // --- Time ----------------------------------------------------------------------------------
    // The Time column's text is built in data(), in the format chosen here (View › Time Display
    // Format). The Record keeps one clock value per row; what relates those values to a session's
    // start and to the wall clock is kept once per session (SessionClock), not per row.

    /// How the Time column shows a row's time.
    enum class TimeFormat : quint8 {
        SinceSessionStart, ///< Seconds since the first row of the row's session (the default).
        SincePrevious,     ///< Seconds since the previous row (through MessageLogFilterModel:
                           ///< the previous row the filter shows).
        WallClock,         ///< Local time of day, "hh:mm:ss.zzz".
    };
    static constexpr int TimeFormatCount = 3;
    /// Changes the format: dataChanged() over the Time column, headerDataChanged() and
    /// timeFormatChanged() follow (nothing when it is the current one).
    void setTimeFormat(TimeFormat format);
    TimeFormat timeFormat() const { return m_timeFormat; }
    /// The Time column's text for source row @p row in the current format. @p previousRow is the
    /// row SincePrevious counts from (-1: none, the time is 0). The difference between rows of two
    /// sessions needs a common clock: live rows share the log's, captured rows have one when
    /// setSessionWallClock() gave their session a wall clock; otherwise the text is "–".
    QString timeText(int row, int previousRow) const;
    /// The time of @p session's first row on its session clock (see Record::timeUs), if any row of
    /// it was ever appended (kept across clear(), as the labels are).
    std::optional<qint64> sessionStartUs(int session) const;
    /// When row @p row was logged, by the wall clock: known for live rows; for the rows of a
    /// capture only once setSessionWallClock() said when the capture's clock started.
    std::optional<QDateTime> wallClockTime(int row) const;
    /// Tells the log that @p session's clock read 0 at @p msecsSinceEpoch (UTC): for a capture
    /// that records when its log started, so that its rows get wall-clock times and compare
    /// with other sessions' rows.
    void setSessionWallClock(int session, qint64 msecsSinceEpoch);
    /// The wall clock (ms since epoch, UTC) at which @p session's clock read 0, when known: what
    /// a capture writer would save for setSessionWallClock() to give back.
    std::optional<qint64> sessionWallClock(int session) const;
    /// True while the log announces a change of display text that no filter looks at (the
    /// Time column's format or wall clock, a session's label): MessageLogFilterModel keeps its
    /// rows then instead of testing each again.
    bool isChangingTextOnly() const { return m_changingTextOnly; }

    // --- Reading -------------------------------------------------------------------------------

    const Record &record(int row) const { return m_records[std::size_t(row)]; }
    /// The frame in clear (for handshake rows: the message as sent).
    QByteArray plainBytes(int row) const;
    /// The stored bytes of @p record without a copy (the frame in clear, the handshake message;
    /// empty for notes and dropped bytes): for filters that test a million rows. Valid until
    /// clear().
    ByteView recordBytes(const Record &record) const { return m_arena.view(record.bytes); }
    /// The bytes as they crossed the socket (recomputed for encrypted frames).
    QByteArray wireBytes(int row) const;
    /// The discovery key of an interned index.
    std::optional<Key32> channelKey(quint32 index) const;
    /// Number of interned keys + 1 (index 0 is "unknown").
    quint32 channelKeyCount() const { return quint32(m_keys.size()); }
    /// The interned index of @p key, 0 when it never appeared.
    quint32 channelKeyIndex(const Key32 &key) const;
    /// Type column text ("Want", "Keepalive", "Handshake 2/3", "Warning").
    QString typeText(const Record &record) const;
    /// One line describing the row (the Summary column).
    QString summaryText(const Record &record) const;
    /// The Dir column: "in" / "out", or for a relayed row who sent it to whom ("client → relay",
    /// "relay → server", ...).
    QString directionText(const Record &record) const;
    /// "client", "server", or empty for Leg::None.
    static QString legName(Leg leg);
    /// The note kept with a row (extension name, failure text), if any.
    QString noteText(const Record &record) const;
    Severity severity(const Record &record) const;
    /// Bytes held by the arena (for the status bar).
    std::size_t storedBytes() const { return m_arena.used(); }

    // QAbstractItemModel
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // --- The feed layer's verdicts (for the filter's `verified`, `verdict`, `verifyError`) ------

    /// Finds the verdict on a row: the sessions' FeedTrackers know them, the log does not. Set
    /// by SessionManager; without one no row has a verdict.
    using FeedVerdictLookup = std::function<const feed::Verdict *(int row)>;
    void setFeedVerdictLookup(FeedVerdictLookup lookup) { m_feedVerdicts = std::move(lookup); }
    /// The verdict on source row @p row (a Data on a channel whose feed key is known), or null.
    /// Valid until the next row is flushed. Asking may make the session's FeedTracker read the
    /// rows flushed so far, so that a filter testing a row as it is inserted sees its verdict.
    const feed::Verdict *feedVerdict(int row) const
    {
        return m_feedVerdicts ? m_feedVerdicts(row) : nullptr;
    }
    /// Announces feedVerdictsChanged() (a FeedTracker judged rows already in the log again).
    void notifyFeedVerdictsChanged() { emit feedVerdictsChanged(); }

signals:
    /// Verdicts on rows already in the log changed (a channel's feed key became known late).
    void feedVerdictsChanged();
    /// Rows were flushed into the model (after endInsertRows()).
    void rowsFlushed(int first, int last);
    /// A discovery key was seen for the first time (see channelKey()).
    void channelKeyAdded(quint32 index);
    /// @p session is now in sessions(): it got a label, or its first rows were flushed (then
    /// this follows rowsInserted(), before rowsFlushed()).
    void sessionAdded(int session);
    /// The label of @p session, already in sessions(), changed.
    void sessionLabelChanged(int session);
    /// clear() dropped every session (after the model reset): sessions() is empty.
    void sessionsCleared();
    /// setTimeFormat() changed the format.
    void timeFormatChanged(hyperscope::MessageLogModel::TimeFormat format);
    /// setSessionEndpoints() changed the endpoints of @p session (of one of its legs).
    void sessionEndpointsChanged(int session);

private:
    struct Extra
    {
        QString note;
        ByteArena::Slot wire; ///< Stored wire bytes when they cannot be recomputed.
    };
    struct TransportKeys
    {
        crypto::SplitKeys split;
        Nonce24 localNonce{};
        Nonce24 remoteNonce{};
    };

    /// What relates a session's row times to its start and to the wall clock.
    struct SessionClock
    {
        qint64 startUs = 0;                 ///< The earliest row time seen (Record::timeUs).
        std::optional<qint64> wallAtZeroMs; ///< Wall clock (ms since epoch) at time 0, if known.
    };

    Record makeRecord(int session, Kind kind, Direction direction, Leg leg);
    void noteSessionTime(int session, qint64 timeUs, std::optional<qint64> wallAtZeroMs);
    /// dataChanged() over every row of @p column, for display text only (isChangingTextOnly()).
    void emitTextChanged(Column column);
    /// Microseconds since the epoch of @p record, when its session's wall clock is known.
    std::optional<qint64> absoluteUs(const Record &record) const;
    /// The key of m_transportKeys: a session's legs have their own keys.
    static qint64 keysOf(int session, Leg leg) { return (qint64(session) << 2) | qint64(leg); }
    ByteArena::Slot store(ByteView bytes, Record &record);
    quint32 addExtra(Extra extra);
    quint32 intern(const Key32 &key);
    void enqueue(const Record &record);
    void addSession(int session);
    ByteView payloadOf(const Record &record, std::uint64_t *headerEnd = nullptr) const;

    /// A deque, not a vector: growing a million-row log never copies it in one go (a 48 MB
    /// reallocation would stall the GUI for tens of milliseconds).
    std::deque<Record> m_records;
    std::vector<Record> m_pending;
    std::vector<Extra> m_extras;
    ByteArena m_arena;
    std::vector<Key32> m_keys{Key32{}}; ///< Index 0 = unknown.
    std::map<Key32, quint32> m_keyIndex;
    QHash<qint64, TransportKeys> m_transportKeys; ///< By keysOf().
    QHash<int, QString> m_sessionLabels;          ///< Kept across clear().
    QHash<int, QString> m_sessionNumbers;         ///< setSessionNumber(); kept across clear().
    QList<int> m_sessions;                        ///< sessions(), in order of appearance.
    QSet<int> m_sessionSet;                       ///< The same, for lookups while flushing.
    QHash<int, SessionClock> m_sessionClocks;     ///< Kept across clear(), like the labels.
    QElapsedTimer m_clock;
    qint64 m_wallAtZeroMs = 0; ///< The wall clock when m_clock started.
    TimeFormat m_timeFormat = TimeFormat::SinceSessionStart;
    bool m_changingTextOnly = false;
    QTimer m_flushTimer;
    bool m_hasLegs = false;
    QSet<int> m_sessionsWithLegs;         ///< sessionHasLegs(), filled while flushing.
    QHash<qint64, Endpoints> m_endpoints; ///< By keysOf(); kept across clear().
    std::size_t m_byteBudget = std::size_t(2) * 1024 * 1024 * 1024;
    FeedVerdictLookup m_feedVerdicts;
};

/// "6b7ecf9c" (the first 4 bytes of a key, for tables).
QString shortKeyHex(const Key32 &key);

} // namespace hyperscope
