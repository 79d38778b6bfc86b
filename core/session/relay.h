// Relay: hyperscope as a man in the middle that the user sets up on purpose (docs/relay.md).
//
// App A dials the relay instead of node B. For every accepted connection the relay dials the
// upstream address and runs two independent sessions, the legs of one RelayedSession:
//
//   A  <-- client leg (relay = responder) -->  relay  <-- server leg (relay = initiator) -->  B
//
// Each leg has its own Engine and SessionDriver: its own Noise handshake, transport keys,
// keepalives and timeout. What one peer sends is decrypted on its leg, reported, and sent again,
// re-encoded and re-encrypted, on the other leg:
//  - Open: capabilities are bound to each leg's handshake, so the relay must know the feed key of
//    every channel it forwards. A channel whose key it knows is opened on both legs; an Open for
//    an unknown key is held (reported with warning()) until the key is added or the session ends.
//  - Messages on channels (all types); Options verbatim, on channels and on the stream (the same
//    extension names in the same order, so an extension id keeps meaning what its sender meant,
//    and ack and unknown fields); extension frames with their id unchanged, on channels and on
//    the stream; Close.
//  - Not forwarded: keepalives (each leg has its own), handshakes. The relay announces no
//    extensions of its own.
// Backpressure, not buffering: while one leg's socket holds more than relaylimits::PauseAbove
// unwritten bytes, the relay stops reading the other leg (see relaylimits for the bound). A leg
// paused this way does not time out while its peer keeps talking (SessionDriver::setReadingPaused).
#pragma once

#include "engine.h"
#include "filter.h"
#include "relayforwarder.h"
#include "sessionserver.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hyperscope {

class SessionDriver;

/// "client" or "server", for messages and logs.
QString relayLegName(RelayLeg leg);

/// The numbers behind the relay's memory bound (docs/relay.md, "Backpressure").
namespace relaylimits {
/// A leg whose socket holds more unwritten bytes than this stops the relay reading the other leg.
inline constexpr qint64 PauseAbove = 1024 * 1024;
/// ... and reading resumes once the socket has written down to this.
inline constexpr qint64 ResumeBelow = 256 * 1024;
/// What a SessionDriver reads in one go (its ReadChunk) and what Qt buffers for it unread (its
/// SocketReadBuffer): the forwarding that can still happen after a pause was decided.
inline constexpr qint64 ReadChunk = 64 * 1024;
inline constexpr qint64 SocketReadBuffer = 1024 * 1024;
/// The most unwritten bytes one leg's socket holds because of the other peer, whatever the peers
/// do (docs/relay.md, "Backpressure"). After the pause is decided, two bursts can still reach the
/// socket: the rest of the read chunk being processed, and, when the other peer closes, what Qt
/// had buffered from it (read to the end: it belongs to the session). Each burst forwards at most
/// one frame begun before it (up to MaxFrameSize) plus what it read (at most SocketReadBuffer),
/// which re-encoding at most doubles (a 2-byte frame on a small channel id can become 4 bytes).
/// 21 MiB; with frames below ReadChunk and no close, PauseAbove + 2 * ReadChunk.
inline constexpr qint64 MaxQueuedPerLeg =
    PauseAbove + 2 * (qint64(MaxFrameSize) + 2 * SocketReadBuffer);
} // namespace relaylimits

/// One relayed connection: the client leg (accepted) and the server leg (dialed upstream).
///
/// Created by Relay for every accepted connection; it dials the upstream at once. What is forwarded
/// is decided by a RelayForwarder (core/protocol/relayforwarder.h, shared with the fuzzer); this
/// object adds the sockets: dialing, pausing for backpressure, and ending both legs. All signals
/// are emitted synchronously from inside the legs' engines (connect in the same thread); reference
/// arguments are valid only during the emission. Every event names its leg. The object deletes
/// nothing it does not own: the client leg's driver belongs to the Relay's SessionServer, the
/// server leg's driver to this object.
class RelayedSession : public QObject
{
    Q_OBJECT
public:
    /// @p client has not adopted its socket yet (SessionServer::sessionStarted). @p keys maps
    /// discovery keys to feed keys. @p options apply to both legs (initiator is set per leg).
    RelayedSession(SessionDriver *client, const QString &upstreamHost, quint16 upstreamPort,
                   EngineOptions options, std::map<Key32, Key32> keys, SessionIds *ids,
                   QObject *parent = nullptr);
    ~RelayedSession() override;

    /// The leg's driver; null once the client leg's driver was deleted by its server.
    SessionDriver *driver(RelayLeg leg) const;
    /// "127.0.0.1:4000" as dialed: the upstream of this session.
    QString upstreamAddress() const { return m_upstreamAddress; }
    bool hasEnded(RelayLeg leg) const { return m_legs[index(leg)].ended; }
    /// Both legs ended (finished() was emitted).
    bool isFinished() const { return m_legs[0].ended && m_legs[1].ended; }
    /// Discovery keys of the channels held on @p leg (the peer opened them, the key is unknown).
    std::vector<Key32> heldChannels(RelayLeg leg) const { return m_forwarder.heldChannels(leg); }

    /// Unwritten bytes in @p leg's socket now, and the most it held after any forwarding so far
    /// (checked after every forwarded frame: this is where the queue grows).
    qint64 queuedBytes(RelayLeg leg) const;
    qint64 peakQueuedBytes(RelayLeg leg) const { return m_legs[index(leg)].peakQueued; }
    /// Times the relay stopped reading @p leg because the other leg could not keep up.
    int backpressurePauses(RelayLeg leg) const { return m_legs[index(leg)].pauses; }

    /// Makes @p feedKey known: a channel held for it is opened on both legs now.
    void addKey(const Key32 &feedKey);
    /// Sends @p message into @p leg only (nothing is forwarded for it). Close closes the channel
    /// on that leg only (as close()); Open is refused (a channel is opened by a peer or a key).
    Error inject(RelayLeg leg, const Key32 &discoveryKey, const Message &message);
    /// Sends a raw extension frame, id @p id, into @p leg only: on the stream when
    /// @p discoveryKey is empty, else on that channel. The peer reads @p id against the names it
    /// heard for that scope, which are the other peer's (forwarded Options).
    Error injectExtension(RelayLeg leg, const std::optional<Key32> &discoveryKey, quint64 id,
                          ByteView payload);
    /// Closes the channel on @p leg only. What the other leg's peer then sends on it is not
    /// forwarded (reported with warning()).
    Error close(RelayLeg leg, const Key32 &discoveryKey);
    /// Ends both legs cleanly.
    void end();

    // --- Intercept (interceptor.h) ---------------------------------------------------------------
    // Each leg's driver holds the incoming messages that match, before they are forwarded to the
    // other leg (a message is held once, on the leg it arrived on; what the relay sends into a
    // leg is not intercepted again). Resume and drop through driver(leg): resumeIntercepted()
    // forwards the message (or its edit), dropIntercepted() forwards nothing. Its signals
    // (messageIntercepted, interceptReleased, interceptDropped, interceptWarning) are the leg
    // driver's; a leg that ends drops what it holds.

    /// Sets the intercept expression on both legs (empty: off, everything held is forwarded).
    void setInterceptFilter(const filter::Filter &filter);
    /// The leg holding message @p id (not yet resumed), or nullopt.
    std::optional<RelayLeg> legHolding(std::uint64_t id) const;

signals:
    /// The leg's TCP connection is up (@p address is the peer's).
    void legConnected(hyperscope::RelayLeg leg, const QString &address);
    void handshakeCompleted(hyperscope::RelayLeg leg, const hyperscope::HandshakeInfo &info);
    /// The channel is established on @p leg (both that peer and the relay opened it).
    void channelOpened(hyperscope::RelayLeg leg, const hyperscope::ChannelInfo &channel);
    /// The peer on @p leg opened a channel whose feed key the relay does not know: held.
    void channelHeld(hyperscope::RelayLeg leg, const hyperscope::Key32 &discoveryKey);
    /// The peer on @p leg closed a channel the relay was holding: it is no longer held.
    void heldChannelClosed(hyperscope::RelayLeg leg, const hyperscope::Key32 &discoveryKey);
    /// The channel is established on both legs: messages flow both ways.
    void channelForwarded(const hyperscope::Key32 &discoveryKey);
    /// A message arrived on @p leg, reported before it is forwarded.
    void messageReceived(hyperscope::RelayLeg leg, const hyperscope::ChannelInfo &channel,
                         const hyperscope::Message &message);
    /// The peer on @p leg announced extension names (the stream when @p discoveryKey is empty).
    void extensionNamesReceived(hyperscope::RelayLeg leg,
                                const std::optional<hyperscope::Key32> &discoveryKey,
                                const std::vector<std::string> &names);
    /// An extension frame arrived on @p leg, reported before it is forwarded. @p name is the
    /// sender's name for @p id (from its last Options on that scope), empty when unannounced.
    void extensionReceived(hyperscope::RelayLeg leg,
                           const std::optional<hyperscope::Key32> &discoveryKey,
                           const QString &name, quint64 id, const QByteArray &payload);
    void channelClosed(hyperscope::RelayLeg leg, const hyperscope::ChannelInfo &channel);
    /// The relay stopped (true) or resumed (false) reading @p leg for backpressure.
    void readingPaused(hyperscope::RelayLeg leg, bool paused);
    /// Something was not forwarded, or a forward failed; one sentence naming the leg.
    void warning(hyperscope::RelayLeg leg, const QString &message);
    /// @p leg ended; reason.ok() for a clean end. Emitted once per leg.
    void ended(hyperscope::RelayLeg leg, const hyperscope::Error &reason);
    /// Both legs have ended. The Relay deletes the session later.
    void finished();

private:
    enum PauseReason : unsigned {
        PausedForPeer = 1,         ///< The other leg is not open yet: nowhere to forward to.
        PausedForBackpressure = 2, ///< The other leg's socket is full.
    };
    /// One leg as the forwarder acts on it: its driver, flushed after every action.
    class DriverPort : public RelayPort
    {
    public:
        DriverPort(RelayedSession *session, RelayLeg leg)
            : m_session(session)
            , m_leg(leg)
        {}
        const Engine *engine() const override;
        bool isAlive() const override;
        Error openChannel(const Key32 &key) override;
        Error closeChannel(const Key32 &discoveryKey) override;
        Error send(const Key32 &discoveryKey, const Message &message) override;
        Error sendFrame(std::uint64_t channel, std::uint8_t type, ByteView payload) override;

    private:
        SessionDriver *driver() const;
        RelayedSession *m_session;
        RelayLeg m_leg;
    };
    struct Leg
    {
        QPointer<SessionDriver> driver;
        bool open = false; ///< Handshake done (or connected, without Noise).
        bool ended = false;
        unsigned paused = 0; ///< PauseReason bits.
        qint64 peakQueued = 0;
        int pauses = 0;
    };

    static int index(RelayLeg leg) { return leg == RelayLeg::Client ? 0 : 1; }
    static RelayLeg other(RelayLeg leg) { return otherLeg(leg); }
    Leg &leg(RelayLeg leg) { return m_legs[index(leg)]; }

    /// The forwarder's reports, turned into this session's signals.
    class ForwarderEvents : public RelayForwarder::Listener
    {
    public:
        explicit ForwarderEvents(RelayedSession *session)
            : m_session(session)
        {}
        void channelHeld(RelayLeg leg, const Key32 &discoveryKey) override;
        void heldChannelClosed(RelayLeg leg, const Key32 &discoveryKey) override;
        void channelForwarded(const Key32 &discoveryKey) override;
        void warning(RelayLeg leg, const std::string &message) override;
        void forwardedInto(RelayLeg to) override;

    private:
        RelayedSession *m_session;
    };

    void watch(RelayLeg leg, SessionDriver *driver);
    void onConnected(RelayLeg leg);
    void markOpen(RelayLeg leg);
    void onEnded(RelayLeg leg, const Error &reason);
    void setPaused(RelayLeg leg, PauseReason reason, bool paused);
    void onBytesWritten(RelayLeg leg);

    std::array<Leg, 2> m_legs;
    QString m_upstreamAddress;
    DriverPort m_clientPort{this, RelayLeg::Client};
    DriverPort m_serverPort{this, RelayLeg::Server};
    ForwarderEvents m_events{this};
    RelayForwarder m_forwarder;
};

/// Listens for clients and relays each one to the upstream address.
class Relay : public QObject
{
    Q_OBJECT
public:
    /// The relay's static key pair is fresh (crypto_kx_keypair) unless setOptions() gives one.
    explicit Relay(QObject *parent = nullptr);
    ~Relay() override; // wipes the static secret key

    /// Engine options for both legs of every session started from now on (noise, encrypted,
    /// timeout, live, staticKeyPair; initiator is set per leg). Without a staticKeyPair the
    /// relay keeps its own.
    void setOptions(EngineOptions options);
    const EngineOptions &options() const { return m_options; }
    /// The relay's static public key: what both peers see as their remote.
    Key32 publicKey() const { return m_options.staticKeyPair->publicKey; }

    /// Where sessions started from now on connect to.
    void setUpstream(const QString &host, quint16 port);
    QString upstreamHost() const { return m_upstreamHost; }
    quint16 upstreamPort() const { return m_upstreamPort; }

    /// Adds a feed key the relay may forward, for new sessions and the running ones (where a
    /// channel held for it opens at once).
    void addKey(const Key32 &feedKey);
    QList<Key32> keys() const;

    /// Starts listening (see SessionServer::listen: port 0 picks one, @p error says why not).
    bool listen(const QHostAddress &address, quint16 port, QString *error = nullptr);
    bool isListening() const;
    quint16 port() const;
    /// Stops accepting; running sessions go on.
    void close();

    /// The sessions that have not finished, oldest first.
    QList<RelayedSession *> sessions() const;

signals:
    /// A client connected; the session is dialing upstream. Connect to its signals here to see
    /// all of them.
    void sessionStarted(hyperscope::RelayedSession *session);
    /// Both legs of @p session ended; it is deleted after the event loop ran.
    void sessionFinished(hyperscope::RelayedSession *session);
    /// See SessionServer::acceptFailed.
    void acceptFailed(const QString &message);

private:
    void onClient(SessionDriver *client);

    SessionIds m_ids;
    SessionServer *m_server;
    EngineOptions m_options;
    QString m_upstreamHost;
    quint16 m_upstreamPort = 0;
    std::map<Key32, Key32> m_keys;
    QList<RelayedSession *> m_sessions;
};

} // namespace hyperscope
