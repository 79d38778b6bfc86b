// Helpers of the hostile-peer and load tests: a scripted peer over a real QTcpSocket, a recorder
// of what a SessionDriver reports, and /proc readers for memory and file descriptors. The
// hyperscope-cli listener they attack is a CliProcess (tests/common/jsonprocess.h).
#pragma once

#include "builders.h"
#include "engine.h"
#include "sessiondriver.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QList>
#include <QObject>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <sys/resource.h>
#include <unistd.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace hyperscope::test {

/// A peer the test scripts byte by byte. It runs a real Engine (so it can complete the Noise
/// handshake and encrypt like an honest peer), but the test decides what reaches the socket:
/// everything the engine writes (pass()), or raw, truncated or forged bytes (writeRaw()), or
/// nothing at all (silent).
class ScriptedPeer : public QObject, public EngineHandler
{
public:
    explicit ScriptedPeer(EngineOptions options = {})
        : m_engine(withInitiator(std::move(options)), this)
    {
        m_clock.start();
        QObject::connect(&socket, &QTcpSocket::connected, this, [this] {
            m_engine.start(now());
            pass();
        });
        QObject::connect(&socket, &QTcpSocket::readyRead, this, [this] {
            if (!reading)
                return;
            const QByteArray bytes = socket.readAll();
            m_engine.receive(ByteView(reinterpret_cast<const std::uint8_t *>(bytes.constData()),
                                      std::size_t(bytes.size())),
                             now());
            if (!silent)
                pass();
        });
        QObject::connect(&socket, &QTcpSocket::disconnected, this, [this] {
            ++disconnects;
            if (reading)
                m_engine.receiveEnd(now()); // Qt delivered the last bytes with readyRead
        });
        // Keepalives, as an honest peer sends them, until the script goes silent.
        m_timer.setInterval(100);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            if (silent || m_engine.state() == Engine::State::Ended)
                return;
            m_engine.handleTimers(now());
            pass();
        });
        m_timer.start();
    }

    ~ScriptedPeer() override
    {
        // The socket is destroyed after the engine and reports its own abort: not to us.
        m_timer.stop();
        socket.disconnect(this);
    }

    void connectTo(quint16 port) { socket.connectToHost(QStringLiteral("127.0.0.1"), port); }

    Engine &engine() { return m_engine; }
    /// Writes whatever the engine has produced.
    void pass()
    {
        const Bytes bytes = m_engine.takeOutput();
        writeRaw(bytes);
    }
    /// The engine's pending output, taken without writing it (to truncate or corrupt it).
    Bytes take() { return m_engine.takeOutput(); }
    void writeRaw(ByteView bytes)
    {
        if (!bytes.empty() && socket.state() == QAbstractSocket::ConnectedState)
            socket.write(reinterpret_cast<const char *>(bytes.data()), qint64(bytes.size()));
    }
    void writeRaw(const QByteArray &bytes) { socket.write(bytes); }
    bool handshaken() const { return handshake.has_value(); }
    /// Transport bytes written so far: the position of our send keystream.
    std::uint64_t transportSent() const { return m_engine.bytesSent() - transportStart; }

    // EngineHandler
    void onHandshake(const HandshakeInfo &info) override
    {
        handshake = info;
        transportStart = m_engine.bytesSent(); // message 3 is written, no transport byte yet
    }
    void onChannelOpen(const ChannelInfo &) override { ++channelsOpened; }
    void onMessage(const ChannelInfo &, const Message &) override { ++messages; }
    void onEnd(const Error &reason) override { ended = reason; }

    QTcpSocket socket;
    /// false: stop taking bytes from the socket (with a small read buffer, TCP pushes back).
    bool reading = true;
    /// true: write nothing more on our own (no handshake replies, no keepalives).
    bool silent = false;
    std::optional<HandshakeInfo> handshake;
    std::uint64_t transportStart = 0;
    std::optional<Error> ended;
    int channelsOpened = 0;
    int messages = 0;
    int disconnects = 0;

private:
    static EngineOptions withInitiator(EngineOptions options)
    {
        options.initiator = true;
        return options;
    }
    Millis now() const { return Millis(m_clock.elapsed()); }

    Engine m_engine;
    QElapsedTimer m_clock;
    QTimer m_timer;
};

/// What one SessionDriver reported. Messages are counted, and only the last few kept, so that a
/// flood of a million frames does not turn into a million stored messages.
struct DriverEvents
{
    SessionDriver *driver = nullptr;
    bool handshake = false;
    int channelsOpened = 0;
    std::size_t messages = 0;
    std::deque<Message> lastMessages;
    std::vector<std::pair<std::optional<std::string>, quint64>> extensions;
    int ended = 0;
    Error endReason;

    void attach(SessionDriver *d)
    {
        driver = d;
        QObject::connect(d, &SessionDriver::handshakeCompleted, d,
                         [this](const HandshakeInfo &) { handshake = true; });
        QObject::connect(d, &SessionDriver::channelOpened, d,
                         [this](const ChannelInfo &) { ++channelsOpened; });
        QObject::connect(d, &SessionDriver::messageReceived, d,
                         [this](const ChannelInfo &, const Message &message) {
                             ++messages;
                             lastMessages.push_back(message);
                             if (lastMessages.size() > 8)
                                 lastMessages.pop_front();
                         });
        QObject::connect(d, &SessionDriver::extensionReceived, d,
                         [this](const std::optional<Key32> &,
                                const std::optional<std::string> &name, quint64 id,
                                const QByteArray &) { extensions.emplace_back(name, id); });
        QObject::connect(d, &SessionDriver::ended, d, [this](const Error &reason) {
            ++ended;
            endReason = reason;
        });
    }
};

/// Collects the engine's warnings (tolerated violations) of one session.
class WarningRecorder : public TraceSink
{
public:
    std::vector<std::string> warnings;
    void traceWarning(const WarningTrace &warning) override
    {
        if (warnings.size() < 64)
            warnings.push_back(warning.message);
    }
};

/// "VmRSS" (or another field) of /proc/PID/status, in KiB; -1 when unreadable.
inline qint64 procStatusKiB(qint64 pid, const char *field)
{
    QFile file(QStringLiteral("/proc/%1/status").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

/// User + system CPU time a process has used, in milliseconds (/proc/PID/stat); -1 on error.
inline qint64 cpuTimeMs(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray stat = file.readAll();
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return -1;
    const qint64 ticks = fields.at(11).toLongLong() + fields.at(12).toLongLong(); // utime, stime
    return ticks * 1000 / sysconf(_SC_CLK_TCK);
}

/// Open file descriptors of a process.
inline int openDescriptors(qint64 pid)
{
    return int(QDir(QStringLiteral("/proc/%1/fd").arg(pid))
                   .entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System)
                   .size());
}

/// Sets the descriptor limit (soft and hard) of another process of ours.
inline bool setDescriptorLimit(qint64 pid, rlim_t value)
{
    const rlimit limit{value, value};
    return prlimit(pid_t(pid), RLIMIT_NOFILE, &limit, nullptr) == 0;
}

/// Raises this process's soft descriptor limit to at least @p wanted (children inherit it).
/// Returns the soft limit in force afterwards.
inline rlim_t raiseDescriptorLimit(rlim_t wanted)
{
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur = std::min(wanted, limit.rlim_max);
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

} // namespace hyperscope::test
