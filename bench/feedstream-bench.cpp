// A real feed's Data stream through hyperscope-cli, verification on against off (issue 13:
// "verification must not slow the inspector or the relay").
//
//   hyperscope-bench-feedstream --cli PATH --receiver cli|relay --verify on|off
//                               [--count N] [--block-size 1024] [--events FILE]
//
// The feed: N blocks of --block-size bytes built with core/feed's FeedBuilder and signed with a
// fresh Ed25519 key. The stream: for every block in order, the Data a hypercore 9 writer sends a
// sequential clone (FeedBuilder::data with the clone's Request digest: the value, the proof nodes
// the clone lacks, the signature when the proof has to reach the roots), i.e. what
// `hyperscope-cli --serve` answers such a clone. All of it is built before the clock starts.
//
// This process is the sender: a SessionDriver (encrypted, over loopback TCP) that opens the feed's
// channel and sends the stream as fast as backpressure allows (at most 1 MiB in Qt's write
// buffer, more on bytesWritten), then half-closes the connection (EOF).
//  - cli: to `hyperscope-cli listen --key K [--no-verify]`, stdout to /dev/null (or
//    --events FILE, to check the verdicts by hand), which prints a "message" event per Data with
//    its verdict. It closes the connection only after handling every byte before the EOF: that
//    stops the clock.
//  - relay: through `hyperscope-cli relay --key K [--no-verify]` (events to /dev/null) to a
//    receiver `hyperscope-cli listen --key K --no-verify` (events to /dev/null), so that
//    only the relay's verification changes between on and off. The relay closes our leg when
//    it has handled and forwarded everything: the clock stops.
// The ports are picked free here and the sender's dial retries until the port accepts. The CLIs
// run without --once: they must still be there when their CPU time is read (once it has stopped
// growing, after the clock stops); then they are sent SIGTERM and must exit with status 0.
//
// One JSON line (benchutil.h): rates by wall clock, and per CPU-second of every process (this
// sender, the CLI, the relay's receiver: /proc schedstat, from the first send until it stops
// growing after the clock stops), each process's CPU seconds, and the floor of what verifying
// adds per Data ("hash_floor_us": the leaf hash of a block and a parent hash per proof node,
// measured here). Wire bytes are the sender's transport bytes (frames, encrypted).
#include "benchutil.h"

#include "crypto.h"
#include "feedbuilder.h"
#include "messages.h"
#include "schema.pb.h"
#include "sessiondriver.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QHostAddress>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <sys/socket.h>

#include <iostream>
#include <memory>

using namespace hyperscope;
using bench::Clock;

namespace {

/// Bytes queued in Qt's write buffer before the sender waits for bytesWritten (as the tcp
/// workload of hyperscope-bench).
constexpr qint64 HighWater = 1024 * 1024;
/// How long the dial retries while the CLI starts listening, and how long a CLI gets to exit.
constexpr int StartMs = 20000;
constexpr int ExitMs = 10000;

[[noreturn]] void fail(const std::string &why)
{
    std::cerr << "hyperscope-bench-feedstream: " << why << "\n";
    std::exit(1);
}

/// CPU time process @p pid has used so far: the sum over its threads of /proc/PID/task/*/schedstat
/// (nanoseconds on a CPU), where the clock-tick counts of /proc/PID/stat (10 ms) would be too
/// coarse for a run of a fraction of a second.
double cpuSecondsOf(qint64 pid)
{
    double nanoseconds = 0;
    const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
    for (const QString &task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        std::ifstream schedstat(tasks.filePath(task + QStringLiteral("/schedstat")).toStdString());
        double onCpu = 0;
        if (schedstat >> onCpu)
            nanoseconds += onCpu;
    }
    return nanoseconds / 1e9;
}

/// A port nothing listens on right now (the CLI binds it a moment later).
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        fail("no free port");
    return probe.serverPort();
}

/// One hyperscope-cli process; its stdout goes to @p events (/dev/null by default).
class CliProcess
{
public:
    CliProcess(const QString &program, const QStringList &arguments, const QString &events)
    {
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.setStandardOutputFile(events);
        m_process.setStandardInputFile(QProcess::nullDevice()); // no commands: stdin at EOF
        m_process.start(program, arguments);
        if (!m_process.waitForStarted(StartMs))
            fail("cannot start " + program.toStdString());
    }
    ~CliProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(ExitMs);
        }
    }
    double cpuSeconds() const { return cpuSecondsOf(m_process.processId()); }
    /// Sends SIGTERM and waits for the exit; false when it did not exit, or not with status 0.
    bool stop()
    {
        m_process.terminate();
        // waitForFinished() is false for a process that has already finished.
        if (m_process.state() != QProcess::NotRunning && !m_process.waitForFinished(ExitMs)) {
            std::cerr << "hyperscope-cli did not exit within " << ExitMs << " ms\n";
            return false;
        }
        if (m_process.exitStatus() != QProcess::NormalExit || m_process.exitCode() != 0) {
            std::cerr << "hyperscope-cli exited with status " << m_process.exitCode()
                      << (m_process.exitStatus() == QProcess::NormalExit ? "" : " (crashed)")
                      << "\n";
            return false;
        }
        return true;
    }

private:
    QProcess m_process;
};

/// The stream a sequential clone receives: block by block, with the clone's digests.
std::vector<Message> sequentialStream(const feed::FeedBuilder &feed, std::uint64_t *signatures,
                                      std::uint64_t *proofNodes)
{
    std::vector<Message> stream;
    stream.reserve(feed.length());
    feed::TreeIndex remote, clone;
    for (std::uint64_t block = 0; block < feed.length(); ++block) {
        schema::Data data = *feed.data(block, clone.digest(2 * block), remote);
        for (const schema::Data::Node &node : data.nodes())
            clone.set(node.index());
        clone.set(2 * block);
        *signatures += data.has_signature();
        *proofNodes += std::uint64_t(data.nodes_size());
        stream.emplace_back(std::in_place_index<std::size_t(MessageType::Data)>, std::move(data));
    }
    return stream;
}

} // namespace

int main(int argc, char **argv)
{
    // As hyperscope-cli (app/cli/main.cpp): Qt's own event dispatcher, not its glib integration.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    crypto::ensureInitialized();
    const bench::Options options(argc, argv, 1);
    const QString cli = QString::fromStdString(options.text("cli"));
    const std::string receiver = options.text("receiver", "cli");
    const std::string verify = options.text("verify", "on");
    const std::uint64_t count = std::uint64_t(options.number("count", 100000));
    const std::size_t blockSize = std::size_t(options.number("block-size", 1024));
    const QString events = QString::fromStdString(options.text("events", "/dev/null"));
    if (cli.isEmpty() || (receiver != "cli" && receiver != "relay") ||
        (verify != "on" && verify != "off") || count == 0 || blockSize == 0) {
        std::cerr << "usage: hyperscope-bench-feedstream --cli PATH --receiver cli|relay "
                     "--verify on|off [--count N] [--block-size B] [--events FILE]\n"
                     "  (see the comment at the top of bench/feedstream-bench.cpp)\n";
        return 2;
    }

    // The feed and its stream, before anything is timed.
    Bytes bytes(count * blockSize);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = std::uint8_t(i * 131 + (i >> 10));
    const feed::FeedBuilder feed =
        feed::FeedBuilder::fromBytes(bytes, blockSize, feed::generateSigningKeyPair());
    std::uint64_t signatures = 0, proofNodes = 0;
    const std::vector<Message> stream = sequentialStream(feed, &signatures, &proofNodes);
    // What verifying a Data cannot do without: the BLAKE2b of its leaf (value and header) and one
    // BLAKE2b parent hash per proof node it climbs with, in µs of CPU on this machine now: the
    // floor of what verification adds per Data (hash_floor_us).
    double leafHashMicroseconds = 0, parentHashMicroseconds = 0;
    {
        constexpr int Rounds = 20000;
        const ByteView block = feed.block(0);
        double before = bench::threadCpuSeconds();
        for (int i = 0; i < Rounds; ++i)
            (void)feed::leafHash(block); // libsodium: not optimised away
        leafHashMicroseconds = (bench::threadCpuSeconds() - before) * 1e6 / Rounds;
        const feed::TreeNode left = feed.node(0), right = feed.node(2);
        before = bench::threadCpuSeconds();
        for (int i = 0; i < Rounds; ++i)
            (void)feed::parentHash(left, right);
        parentHashMicroseconds = (bench::threadCpuSeconds() - before) * 1e6 / Rounds;
    }
    const Key32 key = feed.key();
    const Key32 discoveryKey = feed.discoveryKey();
    const QString keyHex = QString::fromStdString(toHex(ByteView(key.data(), key.size())));

    // The CLI processes.
    const QStringList verifyOption =
        verify == "on" ? QStringList{} : QStringList{QStringLiteral("--no-verify")};
    std::unique_ptr<CliProcess> upstream; // relay: the receiver behind it
    std::unique_ptr<CliProcess> measured; // the CLI whose verification is switched
    const quint16 port = freePort();
    if (receiver == "cli") {
        measured = std::make_unique<CliProcess>(
            cli,
            QStringList{"listen", "--port", QString::number(port), "--key", keyHex} + verifyOption,
            events);
    } else {
        const quint16 upstreamPort = freePort();
        upstream = std::make_unique<CliProcess>(cli,
                                                QStringList{"listen", "--port",
                                                            QString::number(upstreamPort), "--key",
                                                            keyHex, "--no-verify"},
                                                QProcess::nullDevice());
        measured = std::make_unique<CliProcess>(
            cli,
            QStringList{"relay", "--port", QString::number(port), "--upstream",
                        QStringLiteral("127.0.0.1:%1").arg(upstreamPort), "--key", keyHex} +
                verifyOption,
            events);
    }

    // The sender. Live (the default): our engine does not end on its own; the CLI's close ends it.
    EngineOptions senderOptions;
    senderOptions.initiator = true;
    std::unique_ptr<SessionDriver> sender;
    QEventLoop loop;
    std::uint64_t sent = 0;
    std::uint64_t wireBefore = 0;
    bool closed = false; // our half-close (EOF) is out
    bool done = false;
    Clock::time_point start, end;
    const Clock::time_point dialStart = Clock::now();

    // CPU seconds of this sender, the measured CLI and the relay's receiver, at the clock's start.
    double senderCpuStart = 0, measuredCpuStart = 0, upstreamCpuStart = 0;
    const auto pump = [&] {
        QTcpSocket *socket = sender->findChild<QTcpSocket *>();
        while (sent < count && sender->bytesToWrite() < HighWater) {
            if (const Error error = sender->send(discoveryKey, stream[sent++]))
                fail("send: " + error.message);
        }
        // Everything handed to the kernel: EOF after the last byte.
        if (sent == count && !closed && socket && socket->bytesToWrite() == 0) {
            closed = true;
            ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
        }
    };
    std::function<void()> dial = [&] {
        sender = std::make_unique<SessionDriver>(1, senderOptions);
        SessionDriver *driver = sender.get();
        QObject::connect(driver, &SessionDriver::handshakeCompleted, driver,
                         [driver, key](const HandshakeInfo &) { driver->openChannel(key); });
        QObject::connect(driver, &SessionDriver::channelOpened, driver, [&](const ChannelInfo &) {
            QObject::connect(sender.get(), &SessionDriver::bytesWritten, sender.get(), pump);
            // Not from inside this signal: the driver writes only when the engine call returns.
            QMetaObject::invokeMethod(
                sender.get(),
                [&] {
                    wireBefore = sender->engine().bytesSent();
                    senderCpuStart = bench::processCpuSeconds();
                    measuredCpuStart = measured->cpuSeconds();
                    upstreamCpuStart = upstream ? upstream->cpuSeconds() : 0.0;
                    start = Clock::now();
                    pump();
                },
                Qt::QueuedConnection);
        });
        QObject::connect(driver, &SessionDriver::ended, driver, [&, driver](const Error &reason) {
            if (closed) { // the CLI closed after the EOF: it has handled everything
                end = Clock::now();
                done = true;
                loop.quit();
                return;
            }
            if (!driver->wasConnected() && bench::secondsSince(dialStart) * 1000 < StartMs) {
                sender.release()->deleteLater(); // not listening yet: dial again shortly
                QTimer::singleShot(20, dial);
                return;
            }
            fail("the session ended before the stream was sent: " + reason.message);
        });
        driver->connectToHost(QStringLiteral("127.0.0.1"), port);
    };
    dial();
    loop.exec();
    const double senderCpu = bench::processCpuSeconds() - senderCpuStart;
    // The CLIs' CPU once it stops growing (the relay's receiver may still be reading what was
    // forwarded last, and a session's end takes a moment): at most 2 s.
    const auto cliCpu = [&] {
        return std::pair(measured->cpuSeconds(), upstream ? upstream->cpuSeconds() : 0.0);
    };
    std::pair<double, double> cliCpuNow = cliCpu();
    for (int settle = 0; settle < 100; ++settle) {
        QThread::msleep(20);
        const std::pair<double, double> later = cliCpu();
        if (later == cliCpuNow)
            break;
        cliCpuNow = later;
    }
    const double measuredCpu = cliCpuNow.first - measuredCpuStart;
    const double upstreamCpu = upstream ? cliCpuNow.second - upstreamCpuStart : 0.0;
    const double cpu = senderCpu + measuredCpu + upstreamCpu;
    const double seconds = std::chrono::duration<double>(end - start).count();
    const std::uint64_t wire = sender->engine().bytesSent() - wireBefore;
    if (!done || !measured->stop() || (upstream && !upstream->stop()))
        fail("a hyperscope-cli process did not end cleanly");

    bench::Result("feed_stream")
        .add("receiver", receiver)
        .add("verify", verify)
        .add("size", (long long)blockSize)
        .add("count", count)
        .add("signatures", signatures)
        .add("proof_nodes", proofNodes)
        .add("wire_bytes", wire)
        .add("seconds", seconds)
        .add("msgs_per_s", double(count) / seconds)
        .add("mb_per_s", double(wire) / seconds / 1e6)
        .add("cpu_seconds", cpu)
        .add("mb_per_cpu_s", double(wire) / cpu / 1e6)
        .add("msgs_per_cpu_s", double(count) / cpu)
        .add("sender_cpu_seconds", senderCpu)
        .add("cli_cpu_seconds", measuredCpu)
        .add("receiver_cpu_seconds", upstreamCpu)
        .add("leaf_hash_us", leafHashMicroseconds)
        .add("parent_hash_us", parentHashMicroseconds)
        .add("hash_floor_us",
             leafHashMicroseconds + double(proofNodes) / double(count) * parentHashMicroseconds)
        .print();
    return 0;
}
