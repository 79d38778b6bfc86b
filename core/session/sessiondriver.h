// SessionDriver: the one object that owns a socket and drives a protocol Engine over it.
//
// On readyRead it feeds the engine and drains the engine's output to the socket; one QTimer is
// armed from Engine::nextDeadline(). Engine events come out as Qt signals (emitted
// synchronously from inside the engine: connect with Qt::DirectConnection or the default auto
// connection in the same thread; the signal arguments are only valid during the emission when
// they are references).
//
// Application actions (openChannel, send, ...) go through the driver so that the output they
// produce is flushed to the socket at once.
#pragma once

#include "engine.h"
#include "interceptor.h"

#include <QAbstractSocket>
#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <functional>
#include <optional>
#include <string>
#include <vector>

class QIODevice;
class QTcpSocket;

namespace hyperscope {

namespace limits {
/// Bytes of output the driver lets pile up in the socket for a peer that does not read; past
/// it, the session ends with OutputOverflow. Enforced here, not by the engine: the engine's
/// output is drained after every call, only the socket's write buffer can grow.
inline constexpr std::size_t MaxQueuedOutput = 64 * 1024 * 1024;
} // namespace limits

class SessionDriver : public QObject, private EngineHandler
{
    Q_OBJECT
public:
    /// @p id numbers sessions for people and JSON output (1, 2, ...).
    SessionDriver(int id, EngineOptions options, QObject *parent = nullptr);
    ~SessionDriver() override;

    /// Dials @p host:@p port; the engine starts once the TCP connection is up.
    void connectToHost(const QString &host, quint16 port);
    /// Adopts an accepted socket (reparented to this driver) and starts the engine at once.
    void adoptSocket(QTcpSocket *socket);
    /// Adopts any open QIODevice (pipes, QBuffer in tests); not owned: it must outlive us.
    void attachDevice(QIODevice *device);

    int id() const { return m_id; }
    Engine &engine() { return m_engine; }
    const Engine &engine() const { return m_engine; }
    /// "127.0.0.1:4000" once known, else the address as dialed ("example.org:4000"), from the
    /// moment connectToHost() is called: a connection that never comes up keeps its name.
    QString remoteAddress() const { return m_remoteAddress; }
    /// Why the transport failed, as a short stable name: "connection-refused", "host-not-found",
    /// "network-unreachable", "timed-out", ... (transportFailureName()); empty while it works,
    /// after a clean end and when the session ended for a protocol reason. Set before the
    /// engine ends, so trace sinks and ended() receivers can read it. The engine's ErrorCode
    /// for these stays ConnectionLost or Timeout; this says which socket failure it was.
    QString transportFailure() const { return m_transportFailure; }
    /// Whether the transport ever came up (the engine started): a failure before that is a
    /// connection that never existed, not a lost one.
    bool wasConnected() const { return m_everStarted; }

    /// The stable name of a socket error; @p connecting says whether the socket was still
    /// trying to connect (a network error then means the network is unreachable).
    static QString transportFailureName(QAbstractSocket::SocketError error, bool connecting);
    bool isInitiator() const { return m_engine.isInitiator(); }
    /// Milliseconds since the driver was created.
    qint64 ageMs() const { return m_clock.elapsed(); }

    /// Optional filter for the remote static key (e.g. a listener's allow list).
    void setRemoteKeyFilter(std::function<bool(const Key32 &)> filter)
    {
        m_keyFilter = std::move(filter);
    }

    // Actions: each calls the engine and flushes its output.
    Error openChannel(const Key32 &key);
    Error closeChannel(const Key32 &discoveryKey);
    Error send(const Key32 &discoveryKey, const Message &message);
    Error sendFrame(std::uint64_t channel, std::uint8_t type, ByteView payload);
    Error registerExtension(const std::optional<Key32> &discoveryKey, const std::string &name);
    Error sendExtension(const std::optional<Key32> &discoveryKey, const std::string &name,
                        ByteView payload);
    Error ping();
    /// Ends the session cleanly (or with @p reason) and closes the socket.
    void disconnectFromPeer(Error reason = {});

    /// Stops (true) or resumes (false) reading from the transport, for a caller that must not
    /// read faster than it can pass the bytes on (a relay whose other side is slow). While paused,
    /// what the peer sends waits in Qt's read buffer (at most 1 MiB) and then in the kernel: TCP
    /// flow control holds the peer back. Bytes still buffered when the peer closes are read
    /// anyway (they belong to the session). Resuming reads what is waiting from the event loop.
    /// The inactivity timeout measures the peer's silence: while paused with its bytes waiting
    /// unread, the peer is not silent and does not time out (Engine::noteRemoteActivity); a peer
    /// that sends nothing at all still does.
    void setReadingPaused(bool paused);
    bool isReadingPaused() const { return m_readingPaused; }
    /// Bytes written to the socket that the OS has not taken yet (0 without a socket).
    qint64 bytesToWrite() const;

    // --- Intercept (issue 12; interceptor.h) -----------------------------------------------------
    // Messages matching the intercept expression are held: incoming ones before messageReceived(),
    // outgoing ones (send()) before the engine sends them. send() of a held message returns ok.

    /// Sets the intercept expression (empty: off, and everything waiting is released in order).
    void setInterceptFilter(filter::Filter filter) { m_interceptor.setFilter(std::move(filter)); }
    /// Makes this driver a relay leg (@p leg != None): the expression sees `leg`, and only
    /// incoming messages are intercepted (the relay holds a message once, where it arrived).
    void setInterceptLeg(filter::Leg leg);
    /// Passes held message @p id on (delivers or sends it), or @p edited instead (same type).
    Error resumeIntercepted(std::uint64_t id, std::optional<Message> edited = std::nullopt)
    {
        return m_interceptor.resume(id, std::move(edited));
    }
    Error dropIntercepted(std::uint64_t id) { return m_interceptor.drop(id); }
    const Interceptor &interceptor() const { return m_interceptor; }

signals:
    /// The transport is up and the engine is about to start: emitted just before the engine
    /// writes its first handshake message, so that an observer can say "connected" before it
    /// (a log reads in order). Application actions belong to transportConnected().
    void transportOpened();
    /// The transport is connected and the engine started.
    void transportConnected();
    /// remoteAddress() changed: set from what connectToHost() dialed, then the peer's address
    /// once connected.
    void remoteAddressChanged(const QString &address);
    void handshakeCompleted(const hyperscope::HandshakeInfo &info);
    void discoveryKeyReceived(const hyperscope::Key32 &discoveryKey);
    void channelOpened(const hyperscope::ChannelInfo &channel);
    void messageReceived(const hyperscope::ChannelInfo &channel,
                         const hyperscope::Message &message);
    /// Options on the stream, the whole message (EngineHandler::onStreamOptions); emitted before
    /// extensionNamesReceived() for the names it announces.
    void streamOptionsReceived(const hyperscope::schema::Options &options);
    void extensionNamesReceived(const std::optional<hyperscope::Key32> &discoveryKey,
                                const std::vector<std::string> &names);
    /// @p name is empty when the id matches nothing registered locally.
    void extensionReceived(const std::optional<hyperscope::Key32> &discoveryKey,
                           const std::optional<std::string> &name, quint64 id,
                           const QByteArray &payload);
    void channelClosed(const hyperscope::ChannelInfo &channel);
    /// The peer closed a channel it opened (discoveryKeyReceived()) before we opened it.
    void remoteChannelClosed(const hyperscope::Key32 &discoveryKey);
    /// Emitted once, when the session is over and the socket closed. reason.ok(): clean end.
    void ended(const hyperscope::Error &reason);
    /// The socket handed @p bytes to the OS (QAbstractSocket::bytesWritten): bytesToWrite() fell.
    void bytesWritten(qint64 bytes);

    // Intercept. Emitted synchronously; references are valid during the emission only.
    /// A message matched the intercept expression and is held until resumed or dropped.
    void messageIntercepted(const hyperscope::InterceptedMessage &message);
    /// Held message @p id was passed on (@p edited: with the message given to resume).
    void interceptReleased(quint64 id, bool edited);
    /// Held message @p id was discarded: @p reason is "dropped" or why ("the session ended").
    void interceptDropped(quint64 id, const QString &reason);
    /// Intercept could not do what was asked (a bound was reached, a resumed send failed).
    void interceptWarning(const QString &message);

private:
    // EngineHandler
    bool acceptRemoteKey(const Key32 &remotePublicKey) override;
    void onHandshake(const HandshakeInfo &info) override;
    void onDiscoveryKey(const Key32 &discoveryKey) override;
    void onChannelOpen(const ChannelInfo &channel) override;
    void onMessage(const ChannelInfo &channel, const Message &message) override;
    void onStreamOptions(const schema::Options &options) override;
    void onExtensionNames(const ChannelInfo *channel,
                          const std::vector<std::string> &names) override;
    void onExtension(const ChannelInfo *channel, const std::string *name, std::uint64_t id,
                     ByteView payload) override;
    void onChannelClose(const ChannelInfo &channel) override;
    void onRemoteChannelClosed(const Key32 &discoveryKey) override;
    void onEnd(const Error &reason) override;

    /// Counts nested engine calls: handlers may call actions from inside the engine, and only
    /// the outermost call flushes, closes and re-arms.
    struct EngineCall
    {
        explicit EngineCall(SessionDriver *driver)
            : m_driver(driver)
        {
            ++m_driver->m_engineDepth;
        }
        ~EngineCall() { --m_driver->m_engineDepth; }
        SessionDriver *m_driver;
    };
    template<typename Call> Error act(Call &&call);

    void watchSocket(QTcpSocket *socket);
    void start();
    void onReadyRead();
    /// Feeds what the device has to the engine: at most ReadBudget bytes (then a queued call
    /// goes on), or everything when @p drain (the peer closed: its last bytes count).
    void readAvailable(bool drain);
    void onDisconnected();
    void onSocketError(QAbstractSocket::SocketError error);
    void onTimer();
    void flush();
    void destroyEngine(Error reason);
    void endWith(Error reason);
    void afterEngineCall();
    void rearmTimer();
    void closeTransport();
    void finish();
    Millis now() const;

    int m_id;
    Engine m_engine;
    QPointer<QIODevice> m_device;
    QTcpSocket *m_socket = nullptr;
    QString m_remoteAddress;
    QString m_transportFailure; ///< See transportFailure().
    bool m_everStarted = false; ///< The engine left Idle once (it may be Ended now).
    /// Armed for the engine's next deadline; while connecting or closing, for that phase's limit.
    QTimer m_timer;
    /// The engine deadline m_timer was last armed for by rearmTimer().
    std::optional<Millis> m_armedFor;
    QElapsedTimer m_clock;
    std::function<bool(const Key32 &)> m_keyFilter;
    Bytes m_writeBuffer; ///< Storage handed back to the engine by every flush.
    int m_engineDepth = 0;
    bool m_closing = false;      ///< The session is over; the transport is being closed.
    bool m_endedEmitted = false; ///< ended() is queued or delivered.
    bool m_readPending = false;  ///< readyRead arrived during an engine call.
    bool m_readQueued = false;   ///< A read beyond ReadBudget is queued.
    bool m_eofPending = false;   ///< EOF arrived during an engine call.
    Error m_pendingEnd; ///< The engine's end reason, reported by ended() once the socket closed.

    /// setReadingPaused(true): what the peer sends waits in the socket.
    bool m_readingPaused = false;

    /// The interceptor's reports, turned into this driver's signals; delivers what it releases.
    class InterceptEvents : public Interceptor::Listener
    {
    public:
        explicit InterceptEvents(SessionDriver *driver)
            : m_driver(driver)
        {}
        void deliver(Direction direction, const ChannelInfo &channel,
                     const Message &message) override;
        void held(const InterceptedMessage &message) override;
        void released(std::uint64_t id, bool edited) override;
        void dropped(std::uint64_t id, const std::string &reason) override;
        void warning(const std::string &message) override;

    private:
        SessionDriver *m_driver;
    };
    InterceptEvents m_interceptEvents{this};
    Interceptor m_interceptor{&m_interceptEvents};
};

} // namespace hyperscope
