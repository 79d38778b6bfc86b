// hyperscope-bench: the protocol stack's side of the benchmark of issue 5, and the hardware limits.
//
//   hyperscope-bench memory     --size S --count N [--trace off|empty|copy]
//   hyperscope-bench tcp        --size S --count N
//   hyperscope-bench limits     --size S --count N     raw loopback TCP and XSalsa20 of the same
//   bytes hyperscope-bench x25519     [--ms 500]             X25519 operation rates
//   hyperscope-bench handshakes --count N [--concurrency C]
//   hyperscope-bench memory-handshakes --count N  the same with two engines back to back
//   hyperscope-bench idle       --sessions N [--warmup W]   memory per idle handshaken session
//
// Every workload prints one JSON line (see benchutil.h); bench/run.sh runs them and the reference
// scripts in bench/reference/ and bench/report.js makes the table. A workload sends Data messages
// {index, value: S bytes} on one channel, encrypted (the default mode: Noise + XSalsa20).
// "Wire bytes" are the transport bytes (frames, encrypted), counted once per direction of travel.

#include "benchutil.h"

#include "crypto.h"
#include "engine.h"
#include "framer.h"
#include "messages.h"
#include "sessiondriver.h"
#include "sessionserver.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QProcess>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sodium.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <future>
#include <iostream>
#include <memory>
#include <thread>

using namespace hyperscope;
using bench::Clock;

namespace {

// A fixed feed key: every workload replicates "one feed" over one channel.
Key32 feedKey()
{
    Key32 key;
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] = std::uint8_t(i * 7 + 1);
    return key;
}

/// A Data message with a value of @p size bytes, built once and re-indexed for every send: the
/// application's cost of producing values is not the protocol's.
Message dataMessage(std::size_t size)
{
    Message message(std::in_place_index<std::size_t(MessageType::Data)>);
    std::string value(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        value[i] = char(i * 131 + 7);
    std::get<schema::Data>(message).set_index(0);
    std::get<schema::Data>(message).set_value(std::move(value));
    return message;
}

/// Transport bytes of the whole workload: frame sizes of Data {index i, value} for i < count.
std::uint64_t workloadWireBytes(std::size_t size, std::uint64_t count)
{
    Message message = dataMessage(size);
    std::uint64_t total = 0;
    // The index varint grows at 128, 16384, 2^21...: sum by ranges rather than per message.
    std::uint64_t lower = 0;
    for (std::uint64_t upper = 128; lower < count; upper *= 128) {
        const std::uint64_t end = std::min(upper, count);
        std::get<schema::Data>(message).set_index(lower);
        total += (end - lower) * frameSize(1, messageSize(message));
        lower = end;
    }
    return total;
}

// --- Trace sinks for "tracing on" -------------------------------------------------------------

/// Copies what the inspector copies for each frame: the plaintext into an append-only arena and
/// a fixed-size row (MessageLogModel::appendFrame; the wire bytes are recomputed on demand, not
/// stored, when the transport keys are known). Past 64 MiB the same storage is filled again, so
/// that a long run measures the copying rather than the kernel handing out fresh pages (the
/// inspector-ingest row measures a log that really grows).
class CopyingSink : public TraceSink
{
public:
    CopyingSink()
    {
        // Touch the storage before the clock starts: page faults are the log's growth, measured
        // by the inspector row, not the cost of tracing.
        for (std::size_t i = 0; i < Recycle / ChunkSize; ++i) {
            m_arena.emplace_back(ChunkSize, std::uint8_t(0));
            m_arena.back().clear();
        }
        m_rows.resize(Recycle / 64);
        m_rows.clear();
    }
    struct Row
    {
        std::uint64_t offset, channel;
        std::uint32_t chunk, at, size, key;
        std::uint16_t session;
        std::uint8_t type, direction, flags;
    };
    void traceFrame(const FrameTrace &frame) override
    {
        if (m_arena[m_current].size() + frame.plain.size() > ChunkSize) {
            ++m_current;
            if (m_current * ChunkSize >= Recycle) {
                m_current = 0;
                m_rows.clear();
            }
            if (m_current == m_arena.size()) {
                m_arena.emplace_back();
                m_arena.back().reserve(ChunkSize);
            }
            m_arena[m_current].clear();
        }
        Bytes &chunk = m_arena[m_current];
        Row row{};
        row.offset = frame.streamOffset;
        row.channel = frame.channel;
        row.chunk = std::uint32_t(m_current);
        row.at = std::uint32_t(chunk.size());
        row.size = std::uint32_t(frame.plain.size());
        row.type = frame.type;
        row.direction = std::uint8_t(frame.direction);
        row.flags = frame.message ? 0 : 1;
        chunk.insert(chunk.end(), frame.plain.begin(), frame.plain.end());
        m_rows.push_back(row);
    }

private:
    static constexpr std::size_t ChunkSize = 4 * 1024 * 1024;
    static constexpr std::size_t Recycle = 64 * 1024 * 1024;
    std::vector<Bytes> m_arena;
    std::size_t m_current = 0;
    std::vector<Row> m_rows;
};

// --- In memory: two engines back to back ------------------------------------------------------

struct Counter : EngineHandler
{
    std::uint64_t messages = 0;
    std::uint64_t valueBytes = 0;
    void onMessage(const ChannelInfo &, const Message &message) override
    {
        ++messages;
        if (const auto *data = std::get_if<schema::Data>(&message))
            valueBytes += data->value().size();
    }
};

void exchange(Engine &from, Engine &to, Millis now)
{
    if (from.outputSize() == 0)
        return;
    // As SessionDriver does: one buffer goes back and forth (takeOutput swaps storage) and is
    // decrypted where it is (receiveInPlace), with no copy.
    static Bytes buffer;
    from.takeOutput(buffer);
    to.receiveInPlace(buffer, now);
}

void settle(Engine &a, Engine &b, Millis now)
{
    for (int i = 0; i < 16 && (a.outputSize() || b.outputSize()); ++i) {
        exchange(a, b, now);
        exchange(b, a, now);
    }
}

int runMemory(const bench::Options &options)
{
    const std::size_t size = std::size_t(options.number("size", 1024));
    const std::uint64_t count = std::uint64_t(options.number("count", 100000));
    const std::string trace = options.text("trace", "off");

    std::unique_ptr<TraceSink> sinkA, sinkB;
    if (trace == "empty") {
        sinkA = std::make_unique<TraceSink>();
        sinkB = std::make_unique<TraceSink>();
    } else if (trace == "copy") {
        sinkA = std::make_unique<CopyingSink>();
        sinkB = std::make_unique<CopyingSink>();
    }
    EngineOptions optionsA;
    optionsA.initiator = true;
    EngineOptions optionsB;
    Counter counter;
    Engine a(optionsA, nullptr, sinkA.get());
    Engine b(optionsB, &counter, sinkB.get());
    const Millis now{0};
    a.start(now);
    b.start(now);
    settle(a, b, now);
    const Key32 key = feedKey();
    const Key32 discoveryKey = crypto::discoveryKey(key);
    a.openChannel(key);
    b.openChannel(key);
    settle(a, b, now);
    if (!a.channel(discoveryKey) || !a.channel(discoveryKey)->established) {
        std::cerr << "memory: channel not established\n";
        return 1;
    }

    // Output is handed over in socket-sized pieces, as a driver would after one readyRead.
    constexpr std::size_t Handover = 64 * 1024;
    Message message = dataMessage(size);
    auto &data = std::get<schema::Data>(message);
    const std::uint64_t sentBefore = a.bytesSent();
    const auto start = Clock::now();
    for (std::uint64_t i = 0; i < count; ++i) {
        data.set_index(i);
        a.send(discoveryKey, message);
        if (a.outputSize() >= Handover)
            exchange(a, b, now);
    }
    exchange(a, b, now);
    const double seconds = bench::secondsSince(start);
    if (counter.messages != count || b.state() != Engine::State::Open) {
        std::cerr << "memory: received " << counter.messages << " of " << count << "\n";
        return 1;
    }
    const std::uint64_t wire = a.bytesSent() - sentBefore;
    bench::Result("memory")
        .add("size", (long long)size)
        .add("trace", trace)
        .add("count", count)
        .add("wire_bytes", wire)
        .add("seconds", seconds)
        .add("msgs_per_s", count / seconds)
        .add("mb_per_s", wire / seconds / 1e6)
        .print();
    return 0;
}

// --- Threads with an event loop ----------------------------------------------------------------

/// Runs @p body in a new thread with its own event loop; @p body creates that thread's objects
/// (they must be deleted there too: give them a parent created in @p body or use the cleanup).
class LoopThread : public QThread
{
public:
    explicit LoopThread(std::function<void()> body)
        : m_body(std::move(body))
    {}
    ~LoopThread() override
    {
        quit();
        wait();
    }

protected:
    void run() override
    {
        QObject scope; // parent of everything made in this thread; destroyed in this thread
        m_body();
        m_scope = &scope;
        exec();
        m_scope = nullptr;
    }

public:
    /// Null until the thread runs; queue calls to it to run code in the thread.
    QObject *scope() const { return m_scope; }

private:
    std::function<void()> m_body;
    std::atomic<QObject *> m_scope = nullptr;
};

// --- Loopback TCP: two SessionDrivers, one thread each -------------------------------------------

int runTcp(const bench::Options &options)
{
    const std::size_t size = std::size_t(options.number("size", 1024));
    const std::uint64_t count = std::uint64_t(options.number("count", 100000));
    const Key32 key = feedKey();
    const Key32 discoveryKey = crypto::discoveryKey(key);

    std::promise<quint16> portPromise;
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::int64_t> doneNs{0};
    QEventLoop loop; // the sender's (this thread's) loop; the receiver quits it when done

    // Receiver: a SessionServer in its own thread that accepts the channel and counts Data
    // messages. Its objects are made by a queued call, in that thread, once its loop runs.
    LoopThread receiver([] {});
    receiver.start();
    while (!receiver.scope())
        QThread::yieldCurrentThread();
    QMetaObject::invokeMethod(
        receiver.scope(),
        [&] {
            auto *server = new SessionServer(nullptr, receiver.scope());
            QObject::connect(
                server, &SessionServer::sessionStarted, server, [&, key](SessionDriver *driver) {
                    QObject::connect(driver, &SessionDriver::discoveryKeyReceived, driver,
                                     [driver, key](const Key32 &) { driver->openChannel(key); });
                    QObject::connect(driver, &SessionDriver::messageReceived, driver,
                                     [&, count](const ChannelInfo &, const Message &message) {
                                         if (message.index() != std::size_t(MessageType::Data))
                                             return;
                                         if (received.fetch_add(1) + 1 != count)
                                             return;
                                         doneNs = Clock::now().time_since_epoch().count();
                                         QMetaObject::invokeMethod(&loop, &QEventLoop::quit,
                                                                   Qt::QueuedConnection);
                                     });
                });
            server->listen(QHostAddress::LocalHost, 0);
            portPromise.set_value(server->port());
        },
        Qt::QueuedConnection);
    const quint16 port = portPromise.get_future().get();

    // Sender: this thread.
    EngineOptions senderOptions;
    senderOptions.initiator = true;
    SessionDriver sender(1, senderOptions);
    Message message = dataMessage(size);
    auto &data = std::get<schema::Data>(message);
    std::uint64_t sent = 0;
    std::uint64_t wireBefore = 0;
    Clock::time_point start;
    QTcpSocket *socket = nullptr;
    // Backpressure: keep at most this much queued in Qt's write buffer (the kernel's socket
    // buffer holds more); continue on bytesWritten.
    constexpr qint64 HighWater = 1024 * 1024;
    auto pump = [&] {
        while (sent < count && socket->bytesToWrite() < HighWater) {
            data.set_index(sent++);
            sender.send(discoveryKey, message);
        }
    };
    QObject::connect(&sender, &SessionDriver::handshakeCompleted, &sender,
                     [&](const HandshakeInfo &) { sender.openChannel(key); });
    QObject::connect(&sender, &SessionDriver::channelOpened, &sender, [&](const ChannelInfo &) {
        socket = sender.findChild<QTcpSocket *>();
        QObject::connect(socket, &QTcpSocket::bytesWritten, &sender, pump);
        // Not from inside this signal: it is emitted within an engine call, and the driver only
        // writes to the socket when the outermost engine call returns.
        QMetaObject::invokeMethod(
            &sender,
            [&] {
                wireBefore = sender.engine().bytesSent();
                start = Clock::now();
                pump();
            },
            Qt::QueuedConnection);
    });
    QObject::connect(&sender, &SessionDriver::ended, &sender, [&](const Error &reason) {
        std::cerr << "tcp: sender ended early: " << reason.message << "\n";
        std::exit(1);
    });
    sender.connectToHost(QStringLiteral("127.0.0.1"), port);
    const double cpuBefore = bench::processCpuSeconds();
    loop.exec();
    // Both peers' threads: comparable with the reference's two processes whatever share of the
    // machine the scheduler gave each (includes the handshake, a few ms).
    const double cpu = bench::processCpuSeconds() - cpuBefore;
    const Clock::time_point end{Clock::duration(doneNs.load())};
    const double seconds = std::chrono::duration<double>(end - start).count();
    const std::uint64_t wire = sender.engine().bytesSent() - wireBefore;
    bench::Result("tcp")
        .add("size", (long long)size)
        .add("count", count)
        .add("wire_bytes", wire)
        .add("seconds", seconds)
        .add("msgs_per_s", count / seconds)
        .add("mb_per_s", wire / seconds / 1e6)
        .add("cpu_seconds", cpu)
        .add("mb_per_cpu_s", wire / cpu / 1e6)
        .print();
    QObject::disconnect(&sender, &SessionDriver::ended, nullptr, nullptr);
    return 0;
}

// --- Limits: raw loopback TCP and XSalsa20 over the same bytes -----------------------------------

/// Moves @p total bytes over a loopback TCP connection in 64 KiB writes (reader in a thread).
double rawTcpSeconds(std::uint64_t total)
{
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address);
    ::listen(listener, 1);
    socklen_t length = sizeof address;
    ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length);

    constexpr std::size_t Chunk = 64 * 1024;
    Clock::time_point end;
    std::thread reader([&] {
        const int fd = ::accept(listener, nullptr, nullptr);
        std::vector<char> buffer(Chunk);
        std::uint64_t got = 0;
        while (got < total) {
            const ssize_t n = ::read(fd, buffer.data(), buffer.size());
            if (n <= 0)
                break;
            got += std::uint64_t(n);
        }
        end = Clock::now();
        ::close(fd);
    });
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    std::vector<char> buffer(Chunk, 'x');
    const auto start = Clock::now();
    std::uint64_t left = total;
    while (left > 0) {
        const ssize_t n = ::write(fd, buffer.data(), std::min<std::uint64_t>(left, Chunk));
        if (n <= 0)
            break;
        left -= std::uint64_t(n);
    }
    reader.join();
    ::close(fd);
    ::close(listener);
    return std::chrono::duration<double>(end - start).count();
}

/// XSalsa20 over @p total bytes, @p passes times, in 64 KiB pieces of one continuous stream.
double xsalsa20Seconds(std::uint64_t total, int passes)
{
    crypto::ensureInitialized();
    constexpr std::size_t Chunk = 64 * 1024;
    std::vector<std::uint8_t> buffer(Chunk, 0x5a);
    Key32 key{};
    Nonce24 nonce{};
    crypto::randomBytes(key);
    const auto start = Clock::now();
    for (int pass = 0; pass < passes; ++pass) {
        std::uint64_t block = 0;
        for (std::uint64_t done = 0; done < total; done += Chunk) {
            const std::size_t n = std::size_t(std::min<std::uint64_t>(Chunk, total - done));
            crypto_stream_xsalsa20_xor_ic(buffer.data(), buffer.data(), n, nonce.data(), block,
                                          key.data());
            block += Chunk / 64;
        }
    }
    return bench::secondsSince(start);
}

int runLimits(const bench::Options &options)
{
    const std::size_t size = std::size_t(options.number("size", 1024));
    const std::uint64_t count = std::uint64_t(options.number("count", 100000));
    const std::uint64_t wire = workloadWireBytes(size, count);
    const double tcp = rawTcpSeconds(wire);
    const double xor1 = xsalsa20Seconds(wire, 1);
    const double xor2 = xsalsa20Seconds(wire, 2);
    auto report = [&](const char *name, double seconds) {
        bench::Result(name, "limit")
            .add("size", (long long)size)
            .add("count", count)
            .add("wire_bytes", wire)
            .add("seconds", seconds)
            .add("msgs_per_s", count / seconds)
            .add("mb_per_s", wire / seconds / 1e6)
            .print();
    };
    report("raw_tcp", tcp);
    report("xsalsa20", xor1);
    report("xsalsa20_x2", xor2);
    return 0;
}

// --- X25519 ------------------------------------------------------------------------------------

/// CPU time (both sides, one process) of one loopback TCP connection's life with the traffic of
/// a handshake and a channel (connect, accept, 5 small writes taking turns, close), on plain
/// blocking sockets: the kernel's share of the handshake workload, which no protocol avoids.
double tcpConnectionCpuSeconds(int connections)
{
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address);
    ::listen(listener, 64);
    socklen_t length = sizeof address;
    ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length);
    // Sizes of what each side writes in turn: message 1, 2, 3 + Open, Open, Close.
    static constexpr std::size_t Turns[] = {50, 150, 130, 40, 5};
    auto exchange = [](int fd, bool client) {
        char buffer[256] = {};
        for (std::size_t turn = 0; turn < std::size(Turns); ++turn) {
            if ((turn % 2 == 0) == client) {
                if (::write(fd, buffer, Turns[turn]) < 0)
                    return;
            } else {
                std::size_t got = 0;
                while (got < Turns[turn]) {
                    const ssize_t n = ::read(fd, buffer, Turns[turn] - got);
                    if (n <= 0)
                        return;
                    got += std::size_t(n);
                }
            }
        }
    };
    const double before = bench::processCpuSeconds();
    std::thread server([&] {
        for (int i = 0; i < connections; ++i) {
            const int fd = ::accept(listener, nullptr, nullptr);
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            exchange(fd, false);
            char end;
            (void)::read(fd, &end, 1); // EOF
            ::close(fd);
        }
    });
    for (int i = 0; i < connections; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0)
            exchange(fd, true);
        ::close(fd);
    }
    server.join();
    ::close(listener);
    return (bench::processCpuSeconds() - before) / connections;
}

int runX25519(const bench::Options &options)
{
    crypto::ensureInitialized();
    const double budget = double(options.number("ms", 500)) / 1000.0;
    std::uint8_t secret[32], point[32], out[32];
    randombytes_buf(secret, sizeof secret);
    crypto_scalarmult_base(point, secret);
    // Rates per second of this thread's CPU time: the machine is shared, and what a handshake
    // costs is CPU time, whoever else runs.
    auto rate = [&](auto &&op) {
        std::uint64_t n = 0;
        const double start = bench::threadCpuSeconds();
        double elapsed = 0;
        do {
            for (int i = 0; i < 64; ++i)
                op();
            n += 64;
            elapsed = bench::threadCpuSeconds() - start;
        } while (elapsed < budget);
        return n / elapsed;
    };
    const double base = rate([&] {
        crypto_scalarmult_base(out, secret);
        secret[0] ^= out[0];
    });
    const double dh = rate([&] {
        if (crypto_scalarmult(out, secret, point) != 0)
            std::abort();
        secret[0] ^= out[0];
    });
    // An XX handshake, per side: one ephemeral key pair (a base-point multiplication) and three
    // DH (ee, es, se): 2 base + 6 variable-base multiplications for the two sides together.
    const double perHandshake = 2.0 / base + 6.0 / dh;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const double tcp = tcpConnectionCpuSeconds(int(options.number("connections", 2000)));
    bench::Result("x25519", "limit")
        .add("base_per_s", base)
        .add("dh_per_s", dh)
        .add("cores", (long long)cores)
        .add("handshakes_per_cpu_s", 1.0 / perHandshake)
        .add("handshakes_per_s", cores / perHandshake)
        .add("tcp_connection_cpu_us", tcp * 1e6)
        .add("with_tcp_per_cpu_s", 1.0 / (perHandshake + tcp))
        .print();
    return 0;
}

// --- Handshakes in memory: the engines' share ---------------------------------------------------

/// The handshake workload with two engines back to back: what the protocol engine costs per
/// handshake, without sockets, Qt or the kernel.
int runMemoryHandshakes(const bench::Options &options)
{
    const int count = int(options.number("count", 2000));
    const Key32 key = feedKey();
    const Key32 discoveryKey = crypto::discoveryKey(key);
    EngineOptions serverOptions;
    serverOptions.staticKeyPair = crypto::generateKeyPair();
    EngineOptions clientOptions;
    clientOptions.initiator = true;
    clientOptions.staticKeyPair = crypto::generateKeyPair();
    struct Accept : EngineHandler
    {
        Engine *engine = nullptr;
        Key32 key{};
        void onDiscoveryKey(const Key32 &) override { engine->openChannel(key); }
    };
    int completed = 0;
    const double cpuBefore = bench::threadCpuSeconds();
    const auto start = Clock::now();
    for (int i = 0; i < count; ++i) {
        Accept accept;
        accept.key = key;
        Engine client(clientOptions);
        Engine server(serverOptions, &accept);
        accept.engine = &server;
        const Millis now{0};
        client.start(now);
        server.start(now);
        client.openChannel(key);
        settle(client, server, now);
        const auto channel = client.channel(discoveryKey);
        if (channel && channel->established)
            ++completed;
        client.closeChannel(discoveryKey);
        client.destroy();
        settle(client, server, now);
    }
    const double seconds = bench::secondsSince(start);
    const double cpu = bench::threadCpuSeconds() - cpuBefore;
    bench::Result("memory_handshakes")
        .add("count", (long long)completed)
        .add("seconds", seconds)
        .add("per_s", completed / seconds)
        .add("per_cpu_s", completed / cpu)
        .print();
    return completed == count ? 0 : 1;
}

// --- Handshakes over loopback --------------------------------------------------------------------

int runHandshakes(const bench::Options &options)
{
    const int count = int(options.number("count", 2000));
    const int concurrency = int(options.number("concurrency", 16));
    const Key32 key = feedKey();
    const Key32 discoveryKey = crypto::discoveryKey(key);

    // One identity per side, as a real peer has; ephemeral keys are fresh for every handshake.
    EngineOptions serverOptions;
    serverOptions.staticKeyPair = crypto::generateKeyPair();
    EngineOptions clientOptions;
    clientOptions.initiator = true;
    clientOptions.staticKeyPair = crypto::generateKeyPair();

    std::promise<quint16> portPromise;
    LoopThread serverThread([] {});
    serverThread.start();
    while (!serverThread.scope())
        QThread::yieldCurrentThread();
    QMetaObject::invokeMethod(
        serverThread.scope(),
        [&] {
            auto *server = new SessionServer(nullptr, serverThread.scope());
            server->setOptions(serverOptions);
            QObject::connect(
                server, &SessionServer::sessionStarted, server, [key](SessionDriver *driver) {
                    QObject::connect(driver, &SessionDriver::discoveryKeyReceived, driver,
                                     [driver, key](const Key32 &) { driver->openChannel(key); });
                });
            server->listen(QHostAddress::LocalHost, 0);
            portPromise.set_value(server->port());
        },
        Qt::QueuedConnection);
    const quint16 port = portPromise.get_future().get();

    int started = 0, completed = 0, failed = 0;
    QEventLoop loop;
    std::function<void()> startOne = [&] {
        auto *driver = new SessionDriver(++started, clientOptions);
        QObject::connect(driver, &SessionDriver::handshakeCompleted, driver,
                         [driver, key](const HandshakeInfo &) { driver->openChannel(key); });
        QObject::connect(driver, &SessionDriver::channelOpened, driver,
                         [driver, discoveryKey](const ChannelInfo &) {
                             driver->closeChannel(discoveryKey);
                             driver->disconnectFromPeer();
                         });
        QObject::connect(driver, &SessionDriver::ended, driver, [&, driver](const Error &reason) {
            driver->deleteLater();
            if (reason.ok() && driver->engine().handshake())
                ++completed;
            else
                ++failed, std::cerr << "handshakes: " << reason.message << "\n";
            if (started < count)
                startOne();
            else if (completed + failed == count)
                loop.quit();
        });
        driver->connectToHost(QStringLiteral("127.0.0.1"), port);
    };
    const double cpuBefore = bench::processCpuSeconds();
    const auto start = Clock::now();
    for (int i = 0; i < concurrency && started < count; ++i)
        startOne();
    loop.exec();
    const double seconds = bench::secondsSince(start);
    // Both sides run in this process: its CPU time is what the handshakes cost, whatever share
    // of the machine the scheduler gave us.
    const double cpu = bench::processCpuSeconds() - cpuBefore;
    bench::Result("handshakes")
        .add("count", (long long)completed)
        .add("failed", (long long)failed)
        .add("concurrency", (long long)concurrency)
        .add("seconds", seconds)
        .add("per_s", completed / seconds)
        .add("cpu_seconds", cpu)
        .add("per_cpu_s", completed / cpu)
        .print();
    return failed ? 1 : 0;
}

// --- Memory per idle handshaken session ----------------------------------------------------------

/// The measured side: a SessionServer. A child process (idle-client) dials @p warmup sessions,
/// we measure, it dials @p sessions more, we measure again: the difference over @p sessions
/// is what one more idle, handshaken session costs (one-time costs are in the warm-up).
int runIdleServer(const bench::Options &options, const char *program)
{
    const int sessions = int(options.number("sessions", 1000));
    const int warmup = int(options.number("warmup", 50));
    QEventLoop loop;
    SessionServer server;
    EngineOptions serverOptions;
    serverOptions.staticKeyPair = crypto::generateKeyPair();
    server.setOptions(serverOptions);
    int handshakes = 0;
    std::size_t rssBefore = 0, heapBefore = 0;
    QProcess client;
    auto settleThen = [](std::function<void()> next) {
        // Let stragglers (last ACKs, queued signals) arrive before measuring.
        QTimer::singleShot(500, std::move(next));
    };
    QObject::connect(&server, &SessionServer::sessionStarted, &server, [&](SessionDriver *driver) {
        QObject::connect(driver, &SessionDriver::handshakeCompleted, driver,
                         [&](const HandshakeInfo &) {
                             ++handshakes;
                             if (handshakes == warmup) {
                                 settleThen([&] {
                                     malloc_trim(0);
                                     rssBefore = bench::residentBytes();
                                     heapBefore = bench::heapInUse();
                                     client.write("go\n");
                                 });
                             } else if (handshakes == warmup + sessions) {
                                 settleThen([&] { loop.quit(); });
                             }
                         });
    });
    server.listen(QHostAddress::LocalHost, 0);
    client.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    client.start(QString::fromLocal8Bit(program),
                 {QStringLiteral("idle-client"), QStringLiteral("--port"),
                  QString::number(server.port()), QStringLiteral("--sessions"),
                  QString::number(sessions), QStringLiteral("--warmup"), QString::number(warmup)});
    QTimer::singleShot(120000, &loop, [&] {
        std::cerr << "idle: timed out with " << handshakes << " handshakes\n";
        std::exit(1);
    });
    loop.exec();
    malloc_trim(0);
    const std::size_t rssAfter = bench::residentBytes();
    const std::size_t heapAfter = bench::heapInUse();
    const int alive = int(server.sessions().size());
    client.kill();
    client.waitForFinished();
    bench::Result("idle")
        .add("sessions", (long long)sessions)
        .add("alive", (long long)alive)
        .add("rss_per_session", double(rssAfter - rssBefore) / sessions)
        .add("heap_per_session", double(heapAfter - heapBefore) / sessions)
        .print();
    return 0;
}

int runIdleClient(const bench::Options &options)
{
    const quint16 port = quint16(options.number("port", 0));
    const int sessions = int(options.number("sessions", 1000));
    const int warmup = int(options.number("warmup", 50));
    constexpr int InFlight = 32;
    EngineOptions clientOptions;
    clientOptions.initiator = true;
    clientOptions.staticKeyPair = crypto::generateKeyPair();
    int started = 0, handshaken = 0, target = warmup;
    std::function<void()> dial = [&] {
        while (started < target && started - handshaken < InFlight) {
            auto *driver = new SessionDriver(++started, clientOptions, qApp);
            QObject::connect(driver, &SessionDriver::handshakeCompleted, driver,
                             [&](const HandshakeInfo &) {
                                 ++handshaken;
                                 dial();
                             });
            QObject::connect(driver, &SessionDriver::ended, driver, [](const Error &reason) {
                std::cerr << "idle-client: a session ended: " << reason.message << "\n";
            });
            driver->connectToHost(QStringLiteral("127.0.0.1"), port);
        }
    };
    // "go" on stdin: dial the measured sessions.
    std::thread([&] {
        std::string line;
        if (std::getline(std::cin, line))
            QMetaObject::invokeMethod(qApp, [&] {
                target = warmup + sessions;
                dial();
            });
    }).detach();
    dial();
    return QCoreApplication::exec();
}

void raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

int main(int argc, char **argv)
{
    // As hyperscope-cli (app/cli/main.cpp), the headless peer this measures: Qt's own event
    // dispatcher rather than its glib integration (a wake-up write per posted event).
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    raiseFileLimit();
    crypto::ensureInitialized();
    const std::string command = argc > 1 ? argv[1] : "";
    const bench::Options options(argc, argv, 2);
    if (command == "memory")
        return runMemory(options);
    if (command == "tcp")
        return runTcp(options);
    if (command == "limits")
        return runLimits(options);
    if (command == "x25519")
        return runX25519(options);
    if (command == "handshakes")
        return runHandshakes(options);
    if (command == "memory-handshakes")
        return runMemoryHandshakes(options);
    if (command == "idle")
        return runIdleServer(options, argv[0]);
    if (command == "idle-client")
        return runIdleClient(options);
    std::cerr << "usage: hyperscope-bench memory|tcp|limits|x25519|handshakes|memory-handshakes|"
                 "idle [--options]\n"
                 "  (see the comment at the top of bench/hyperscope-bench.cpp)\n";
    return 2;
}
