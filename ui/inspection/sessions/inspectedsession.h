// InspectedSession: one connection as the inspector sees it.
//
// Owns the SessionDriver (the socket and the engine), the InspectorTrace subscribed to the
// engine, and the per-session models (channels, extensions) and handshake record. The message
// log is shared by all sessions and passed in. Application actions go through here so that the
// GUI gets errors as text.
//
// A relayed connection (docs/relay.md) is one InspectedSession too, the one the sidebar lists:
// it watches the client leg, and owns a second InspectedSession, serverLeg(), that watches the
// server leg. Both have the same id and feed the shared log, each row marked with its leg
// (MessageLogModel::Leg), and each keeps its own handshake, channel and extension models, since
// each leg is a protocol session of its own (own keys, channel ids, stream offsets). Actions on a
// leg's object go to that leg only, through the RelayedSession (inject, injectExtension, close):
// nothing injected is forwarded.
//
// A session opened from a capture file (Origin::Capture) has no driver: CaptureReplay fills its
// handshake record, channel and extension models and counters from the file's rows and header,
// through the same models a live session's trace feeds, so every tab shows it as it was. It is
// read-only (every action returns why not), has ended, and is numbered within its file
// ("capture1.jsonl #1"), apart from the live sessions' numbers. A captured relayed session is a
// read-only relayed pair, as it was live: isRelayed() and isCapture() both hold, the object the
// sidebar lists is the client leg and owns serverLeg(), each leg rebuilt from its own rows; there
// is no relay behind it (relay() is null), and the channels the relay held come from the rows.
#pragma once

#include "channeltablemodel.h"
#include "extensionmodel.h"
#include "feedtracker.h"
#include "messagelogmodel.h"
#include "relay.h"
#include "sessiondriver.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>

#include <array>
#include <memory>
#include <optional>
#include <vector>

namespace hyperscope {

class InspectorTrace;
class MessageLogModel;

/// One Noise handshake message as the ladder shows it.
struct HandshakeStep
{
    bool seen = false;
    Direction direction = Direction::Outbound;
    QString tokens;
    int wireSize = 0;
    int payloadSize = 0;
    std::optional<Key32> ephemeralKey;
    std::optional<Key32> staticKey;
    std::optional<Nonce24> payloadNonce;
    QString error;
    qint64 atMs = 0; ///< Milliseconds since the session started.
    /// What the Noise state machine did for this message, token by token (the handshake lesson);
    /// holds the secret ck and k values, shown only when a person reveals the secrets.
    std::vector<NoiseStep> noiseSteps;
};

/// Everything the handshake view shows about one session.
struct HandshakeRecord
{
    bool noise = true;
    bool encrypted = true;
    bool initiator = true;
    Key32 localStaticKey{};
    std::array<HandshakeStep, 3> steps;
    bool complete = false;
    std::optional<Key32> remoteStaticKey;
    std::optional<Hash64> handshakeHash;
    std::optional<Nonce24> localNonce;
    std::optional<Nonce24> remoteNonce;
    /// Set when the handshake failed: which message (0..2, or -1 when not tied to one) and why.
    int failedStep = -1;
    QString failure;
    /// The transport never came up (refused, unresolvable, timed out while connecting): no
    /// handshake message was sent, so none failed. failure says why; failedStep stays -1.
    bool neverConnected = false;
};

class InspectedSession : public QObject
{
    Q_OBJECT
public:
    enum class State { Connecting, Handshaking, Open, Ended };
    enum class Origin { Dialed, Accepted, Demo, Relayed, Capture };
    using Leg = MessageLogModel::Leg;

    /// Installs the trace on @p driver's engine; call before the driver connects or adopts its
    /// socket so that no step is missed. A driver without parent becomes our child; one owned by
    /// a SessionServer stays the server's (which deletes it after it ended): the session then
    /// keeps what it showed (handshake, channels, extensions, counters) without the driver.
    InspectedSession(int id, SessionDriver *driver, Origin origin, MessageLogModel *log,
                     QObject *parent = nullptr);
    /// A relayed connection, as the sidebar lists it: watches @p relay's client leg and creates
    /// serverLeg() for the other. Call from Relay::sessionStarted (before any byte was read).
    /// Neither leg's driver is owned (the relay's server and session own them).
    InspectedSession(int id, RelayedSession *relay, MessageLogModel *log,
                     QObject *parent = nullptr);
    /// A session read from capture file @p captureName, the @p captureNumber-th (from 1) of that
    /// file; CaptureReplay fills it. @p id is the log's id of its rows.
    InspectedSession(int id, const QString &captureName, int captureNumber, MessageLogModel *log,
                     QObject *parent = nullptr);
    ~InspectedSession() override;

    // --- Sessions opened from a capture ----------------------------------------------------------

    bool isCapture() const { return m_origin == Origin::Capture; }
    /// The capture file's name as the session's label shows it ("capture1.jsonl"); empty for a
    /// live session.
    QString captureName() const { return m_captureName; }
    /// The session's number within its capture (1, 2, ...); 0 for a live session.
    int captureNumber() const { return m_captureNumber; }
    /// How the sidebar and the title number the session: "#2" for a live one, "capture1.jsonl #1"
    /// for one opened from a file.
    QString numberText() const;
    /// Why an action cannot run on a capture ("capture1.jsonl #1 is a capture opened from a file:
    /// it is read-only"); empty for a live session.
    QString readOnlyReason() const;

    // --- Relayed sessions ------------------------------------------------------------------------

    /// The relay behind a relayed session (either leg's object); null otherwise, once the relay
    /// deleted it after both legs ended, and for a captured relayed session.
    RelayedSession *relay() const { return m_relay; }
    /// Either leg of a relayed session, live (origin Relayed) or opened from a capture (origin
    /// Capture, isCapture() too).
    bool isRelayed() const { return m_leg != Leg::None; }
    /// The leg this object watches: None for an ordinary session.
    Leg leg() const { return m_leg; }
    RelayLeg relayLeg() const { return m_leg == Leg::Server ? RelayLeg::Server : RelayLeg::Client; }
    /// The object watching @p leg: this for the client leg (or an ordinary session), the owned
    /// server-leg object for the server leg (null for an ordinary session).
    InspectedSession *legSession(Leg leg);
    const InspectedSession *legSession(Leg leg) const;
    InspectedSession *serverLeg() const { return m_serverLeg; }
    /// The client leg's object, from either leg (this for an ordinary session).
    InspectedSession *relayRoot();
    const InspectedSession *relayRoot() const;
    /// label(), and for a leg of a relayed session which one: "#1, server leg (to the server
    /// only)"; for the panes that work on one leg.
    QString legLabel() const;
    /// "127.0.0.1:51234 → 127.0.0.1:4000" (client → upstream) for a relayed session.
    QString relayText() const;
    /// One leg in one line, for the sidebar: "client · open · ↓ 1.2 KB  ↑ 340 B · 127.0.0.1:51234".
    QString legSummary() const;
    /// Discovery keys of the channels held on this leg for a missing feed key (of a capture:
    /// those still held when it was saved, as the rows tell).
    std::vector<Key32> heldChannels() const;
    /// Adds @p feedKey to the relay for this relayed session (a held channel opens on both legs).
    QString addRelayKey(const Key32 &feedKey);

    int id() const { return m_id; }
    SessionDriver *driver() const { return m_driver; }
    /// Null once a server-owned driver was deleted after the session ended.
    Engine *engine() const { return m_driver ? &m_driver->engine() : nullptr; }
    Origin origin() const { return m_origin; }

    /// "#2 127.0.0.1:40312"; "capture1.jsonl #1 127.0.0.1:4000" for a capture.
    QString label() const;
    QString peerAddress() const;
    /// "initiator (dialed)" / "responder (accepted)".
    QString roleText() const;
    /// Ended once the session's end was reported (ended()), in the same step as its channel
    /// table closes its channels; while the engine has stopped but the driver has not reported
    /// yet, the state it was in (stateText() says "ending").
    State state() const;
    QString stateText() const;
    /// The end reason, empty while running or after a clean end.
    QString endReason() const { return m_endReason; }
    bool endedWithError() const { return m_endedWithError; }
    /// Milliseconds since the session was created (frozen once it ended).
    qint64 durationMs() const;
    quint64 bytesSent() const;
    quint64 bytesReceived() const;
    quint64 framesSent() const { return m_framesSent; }
    quint64 framesReceived() const { return m_framesReceived; }
    quint64 warnings() const { return m_warnings; }
    /// A short mode description: "Noise + XSalsa20", "Noise, plaintext", "plaintext".
    QString modeText() const;

    const HandshakeRecord &handshake() const { return m_handshake; }

    /// Secret key material, for a person who asked to see it (SecretsPanel); never logged.
    struct Secrets
    {
        std::optional<Key32> staticSecretKey;           ///< Nullopt once the engine wiped it.
        std::optional<crypto::SplitKeys> transportKeys; ///< Nullopt before Split or without Noise.
        /// The engine wiped its transport keys (the session ended); these are the inspector's
        /// own copy, kept to recompute the wire bytes of logged frames.
        bool transportKeysFromLog = false;
    };
    Secrets secrets() const;
    ChannelTableModel *channels() const { return m_channels; }
    ExtensionModel *extensions() const { return m_extensions; }
    MessageLogModel *log() const { return m_log; }
    /// The feed layer of this session (of this leg, for a relayed one): Data verdicts, Have/Want
    /// ranges and each channel's block sets (the Feed tab, the field tree).
    FeedTracker *feed() const { return m_feed; }

    /// Our local id of the channel for @p discoveryKey when we have it open, else nullopt. The
    /// engine answers openChannel() for such a channel with success and sends nothing: a pane
    /// asks this first to say "already open as local id N" rather than "Open sent".
    std::optional<std::uint64_t> openLocalId(const Key32 &discoveryKey) const;

    // Actions: each returns an empty string on success, otherwise what went wrong.
    QString openChannel(const Key32 &key);
    QString closeChannel(const Key32 &discoveryKey);
    QString send(const Key32 &discoveryKey, const Message &message);
    QString sendFrame(std::uint64_t channel, std::uint8_t type, const QByteArray &payload);
    QString registerExtension(const std::optional<Key32> &discoveryKey, const QString &name);
    QString sendExtension(const std::optional<Key32> &discoveryKey, const QString &name,
                          const QByteArray &payload);
    QString ping();
    void disconnectFromPeer();

    /// Whether the transport failed before it ever came up (SessionDriver::transportFailure():
    /// refused, unresolvable, timed out while connecting) with nothing of the handshake seen:
    /// then no handshake message failed.
    bool neverConnected() const;

    /// Text of an engine error for people: "unknown-channel: no channel ...".
    static QString errorText(const Error &error);
    /// errorText(), naming a transport failure by what happened to the socket rather than by the
    /// engine's code: "connection-refused: connection to 127.0.0.1:1 failed: Connection refused"
    /// instead of "connection-lost: ..." for a connection that never existed.
    QString describeError(const Error &error) const;

signals:
    /// State, counters or identity changed (throttled by the caller's refresh).
    void changed();
    void handshakeChanged();
    /// The session ended (once). @p reason is empty for a clean end.
    void ended(const QString &reason);
    /// Emitted first thing in the destructor, while every accessor still works.
    void aboutToBeDestroyed();

private:
    friend class InspectorTrace;
    friend class CaptureReplay;
    /// The server leg's object (created by the relayed constructor).
    InspectedSession(int id, RelayedSession *relay, InspectedSession *root, MessageLogModel *log);
    /// The server leg's object of a captured relayed session (created by becomeCapturedRelay()).
    explicit InspectedSession(InspectedSession *captureRoot);
    /// Makes this fresh capture (still Leg::None) the client leg of a captured relayed pair: it
    /// creates serverLeg() and watches the log's client-leg rows for the Feed tab. For
    /// CaptureReplay, before it fills the legs.
    void becomeCapturedRelay();
    void watchDriver(SessionDriver *driver);
    void watchRelay();
    /// The state of this object's own driver (state() combines both legs of a relay).
    State ownState() const;
    /// The engine has ended and the driver has not reported it yet.
    bool ending() const;
    QString stateText(State state) const;
    void onEnded(const Error &reason);
    QString result(const Error &error);

    int m_id;
    Origin m_origin;
    Leg m_leg = Leg::None;
    QPointer<RelayedSession> m_relay;
    InspectedSession *m_serverLeg = nullptr; ///< Owned (a child); relayed client leg only.
    InspectedSession *m_root = nullptr;      ///< The client leg's object, server leg only.
    QPointer<SessionDriver> m_driver;
    MessageLogModel *m_log;
    ChannelTableModel *m_channels;
    ExtensionModel *m_extensions;
    std::unique_ptr<InspectorTrace> m_trace;
    HandshakeRecord m_handshake;
    QElapsedTimer m_clock;
    qint64 m_endedAtMs = -1;
    bool m_transportUp = false;
    bool m_endedWithError = false;
    QString m_endReason;
    quint64 m_framesSent = 0;
    quint64 m_framesReceived = 0;
    quint64 m_warnings = 0;
    quint64 m_bytesSentAtEnd = 0;
    quint64 m_bytesReceivedAtEnd = 0;
    QString m_peerAddress;
    QString m_captureName;
    int m_captureNumber = 0;
    /// What the capture's header said about the session's origin ("dialed", ...), if anything.
    QString m_capturedOrigin;
    /// A captured relay leg: the channels its peer opened and the relay held (heldChannels()).
    std::vector<Key32> m_capturedHeld;
    /// Made last: it reads the rows of m_id / m_leg and the keys of m_channels.
    FeedTracker *m_feed = makeFeedTracker();
    FeedTracker *makeFeedTracker();
};

} // namespace hyperscope
