#include "demorunner.h"

#include "bitfieldrle.h"
#include "crypto.h"
#include "sessiondriver.h"
#include "sessionserver.h"

#include <QHostAddress>

#include <algorithm>

namespace hyperscope {

namespace {

const std::string ChatExtension = "hyperscope/chat";
const std::string PresenceExtension = "hyperscope/presence";
const std::string EchoExtension = "hyperscope/echo";

template<typename T> Message make(const std::function<void(T &)> &fill)
{
    Message message(std::in_place_type<T>);
    fill(std::get<T>(message));
    return message;
}

ByteView viewOf(const std::string &text)
{
    return asView(text);
}

/// The served feed's block size: the text below (40 lines, about 3.7 KiB) makes 15 blocks.
constexpr std::size_t DemoBlockSize = 256;

/// The served feed's bytes: a few KiB of text that says what the demo shows.
std::string demoFeedText()
{
    std::string text;
    for (int line = 0; line < 40; ++line) {
        text += "Line " + std::to_string(line) +
                " of the demo feed: each block is a leaf of a Merkle tree whose roots the "
                "writer signs.\n";
    }
    return text;
}

} // namespace

DemoRunner::DemoRunner(SessionIds *ids, QObject *parent)
    : QObject(parent)
    , m_ids(ids)
    , m_feed(feed::FeedBuilder::fromBytes(asView(demoFeedText()), DemoBlockSize,
                                          feed::generateSigningKeyPair()))
    , m_servedChannel(m_feed)
{
    m_timer.setInterval(DefaultIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &DemoRunner::tick);
    for (Key32 &key : m_keys)
        crypto::randomBytes(key);
    m_keys[0] = m_feed.key(); // the served feed
    buildScript();
}

DemoRunner::~DemoRunner()
{
    m_timer.stop();
}

quint16 DemoRunner::port() const
{
    return m_server ? m_server->port() : 0;
}

Key32 DemoRunner::dk(int index) const
{
    return crypto::discoveryKey(m_keys[std::size_t(index)]);
}

bool DemoRunner::start(QString *error)
{
    if (m_running)
        return true;
    EngineOptions options; // the reference's defaults: Noise and XSalsa20
    m_server = new SessionServer(m_ids, this);
    m_server->setOptions(options);
    connect(m_server, &SessionServer::sessionStarted, this, [this](SessionDriver *driver) {
        if (m_responder)
            return; // only the demo's own dialer is expected here
        m_responder = driver;
        connect(driver, &SessionDriver::discoveryKeyReceived, this,
                [this, driver](const Key32 &key) { onDiscoveryKey(driver, key); });
        connect(driver, &SessionDriver::messageReceived, this,
                [this, driver](const ChannelInfo &channel, const Message &message) {
                    answer(driver, channel, message);
                });
        connect(driver, &SessionDriver::extensionReceived, this,
                [driver](const std::optional<Key32> &scope, const std::optional<std::string> &name,
                         quint64, const QByteArray &payload) {
                    if (!name)
                        return;
                    if (*name == ChatExtension) {
                        const std::string reply = "hi back, I got: " + payload.toStdString();
                        driver->sendExtension(scope, *name, viewOf(reply));
                    } else if (*name == EchoExtension) {
                        driver->sendExtension(
                            scope, *name,
                            ByteView(reinterpret_cast<const std::uint8_t *>(payload.constData()),
                                     std::size_t(payload.size())));
                    }
                });
        emit sessionCreated(driver, true);
    });
    QString listenError;
    if (!m_server->listen(QHostAddress::LocalHost, 0, &listenError)) {
        if (error)
            *error = listenError;
        delete m_server;
        m_server = nullptr;
        return false;
    }
    // The demo's listener serves only its own dialer.
    options.initiator = true;
    auto *driver = new SessionDriver(m_ids->next(), options, this);
    m_initiator = driver;
    connect(driver, &SessionDriver::discoveryKeyReceived, this,
            [this, driver](const Key32 &key) { onDiscoveryKey(driver, key); });
    connect(driver, &SessionDriver::handshakeCompleted, this, [this] {
        m_server->close();
        m_timer.start();
    });
    connect(driver, &SessionDriver::ended, this, [this] {
        m_timer.stop();
        m_running = false;
        emit stopped();
    });
    emit sessionCreated(driver, false);
    driver->connectToHost(QStringLiteral("127.0.0.1"), m_server->port());
    m_running = true;
    return true;
}

void DemoRunner::stop()
{
    m_timer.stop();
    if (m_initiator)
        m_initiator->disconnectFromPeer();
    if (m_server)
        m_server->close();
}

void DemoRunner::onDiscoveryKey(SessionDriver *driver, const Key32 &discoveryKey)
{
    // Both peers know the first three feeds; only the initiator knows the fourth, which the
    // responder refuses with Close {discoveryKey}.
    for (int i = 0; i < 3; ++i) {
        if (dk(i) == discoveryKey) {
            driver->openChannel(m_keys[std::size_t(i)]);
            return;
        }
    }
    driver->closeChannel(discoveryKey);
}

void DemoRunner::answer(SessionDriver *driver, const ChannelInfo &channel, const Message &message)
{
    if (channel.discoveryKey == dk(0)) {
        serve(driver, channel.discoveryKey, message);
        return;
    }
    // On the other feeds the responder acts like a peer that has their first 16 blocks (and
    // answers no Request: it has no proofs for them).
    if (const auto *want = std::get_if<schema::Want>(&message)) {
        driver->send(channel.discoveryKey, make<schema::Have>([&](schema::Have &have) {
                         have.set_start(want->start());
                         have.set_length(16);
                         // Blocks 0-15 as a real peer sends them: bitfield-rle, not raw bits.
                         const Bytes allSixteen{0xff, 0xff};
                         const Bytes encoded = feed::bitfieldrle::encode(allSixteen);
                         have.set_bitfield(std::string(encoded.begin(), encoded.end()));
                     }));
    }
}

void DemoRunner::serve(SessionDriver *driver, const Key32 &discoveryKey, const Message &message)
{
    // The script is the story, so the responder sends no opening Want of its own (the initiator
    // wants first), and the responder's warnings are dropped: the one Request it leaves
    // unanswered (by byte offset) is cancelled by the script right away.
    for (const Message &answer : m_servedChannel.respond(message).messages)
        driver->send(discoveryKey, answer);
}

std::vector<std::uint64_t> DemoRunner::blocksRequestedOnPass(int cycle, std::uint64_t length)
{
    // Sparse first: two blocks from the middle, as a reader that seeks. Then the rest in order,
    // four per pass, until the clone is complete; then one block per pass, round and round.
    const std::vector<std::uint64_t> sparse{5 % length, 12 % length};
    if (cycle < int(sparse.size()))
        return {sparse[std::size_t(cycle)]};
    std::vector<std::uint64_t> rest;
    for (std::uint64_t block = 0; block < length; ++block) {
        if (std::find(sparse.begin(), sparse.end(), block) == sparse.end())
            rest.push_back(block);
    }
    constexpr std::size_t PerPass = 4;
    const std::size_t first = std::size_t(cycle - int(sparse.size())) * PerPass;
    if (first < rest.size())
        return {rest.begin() + std::ptrdiff_t(first),
                rest.begin() + std::ptrdiff_t(std::min(rest.size(), first + PerPass))};
    return {std::uint64_t(cycle) % length};
}

void DemoRunner::buildScript()
{
    auto a = [this] {
        return m_initiator.data();
    };
    auto b = [this] {
        return m_responder.data();
    };
    const auto stream = std::optional<Key32>();
    m_script = {
        // Extensions on the stream: the responder has one the initiator lacks.
        [=, this] {
            a()->registerExtension(stream, ChatExtension);
            if (b()) {
                b()->registerExtension(stream, ChatExtension);
                b()->registerExtension(stream, PresenceExtension);
            }
        },
        [=, this] { a()->openChannel(m_keys[0]); },
        [=, this] {
            if (b())
                b()->openChannel(m_keys[1]);
        },
        [=, this] {
            a()->registerExtension(dk(0), EchoExtension);
            if (b())
                b()->registerExtension(dk(0), EchoExtension);
            a()->send(dk(0), make<schema::Status>([](schema::Status &s) {
                          s.set_uploading(false);
                          s.set_downloading(true);
                      }));
        },
        [=, this] {
            // hypercore answers Wants of whole bitfield pages (8192 blocks).
            a()->send(dk(0), make<schema::Want>([](schema::Want &w) {
                          w.set_start(0);
                          w.set_length(8192);
                      }));
        },
        [=, this] {
            // The clone: sparse, then complete (see blocksRequestedOnPass).
            for (const std::uint64_t block : blocksRequestedOnPass(m_cycles, m_feed.length())) {
                a()->send(dk(0), make<schema::Request>(
                                     [block](schema::Request &r) { r.set_index(block); }));
            }
        },
        [=, this] {
            const std::string text = "hello #" + std::to_string(m_cycles) + " from the initiator";
            a()->sendExtension(stream, ChatExtension, viewOf(text));
        },
        [=, this] {
            const std::uint64_t index = std::uint64_t(m_cycles % 16 + 1);
            a()->send(dk(0), make<schema::Request>([index](schema::Request &r) {
                          r.set_index(index);
                          r.set_bytes(4096);
                      }));
            a()->send(dk(0), make<schema::Cancel>([index](schema::Cancel &c) {
                          c.set_index(index);
                          c.set_bytes(4096);
                      }));
        },
        [=, this] {
            if (!b())
                return;
            const std::uint64_t start = std::uint64_t(16 + m_cycles);
            b()->send(dk(1), make<schema::Have>([start](schema::Have &h) {
                          h.set_start(start);
                          h.set_length(1);
                      }));
            b()->send(dk(1),
                      make<schema::Unhave>([start](schema::Unhave &u) { u.set_start(start); }));
        },
        [=, this] {
            std::string bytes(12, '\0');
            crypto::randomBytes({reinterpret_cast<std::uint8_t *>(bytes.data()), bytes.size()});
            a()->sendExtension(dk(0), EchoExtension, viewOf(bytes));
        },
        [=, this] {
            a()->send(dk(0), make<schema::Unwant>([](schema::Unwant &u) {
                          u.set_start(32);
                          u.set_length(32);
                      }));
            a()->send(dk(1), make<schema::Want>([](schema::Want &w) { w.set_start(0); }));
        },
        // A feed only the initiator knows: the responder refuses it.
        [=, this] { a()->openChannel(m_keys[3]); },
        [=, this] {
            a()->ping();
            if (b())
                b()->ping();
        },
        [=, this] {
            // Every other pass, a frame of an unassigned type: the receiver warns and ignores it.
            if (m_cycles % 2 == 0) {
                const std::string payload = "unassigned";
                a()->sendFrame(0, 12, viewOf(payload));
            } else {
                a()->send(dk(0), make<schema::Status>([](schema::Status &s) {
                              s.set_uploading(true);
                              s.set_downloading(true);
                          }));
            }
        },
        [=, this] { a()->closeChannel(dk(1)); },
        [=, this] {
            if (b())
                b()->send(dk(0),
                          make<schema::Status>([](schema::Status &s) { s.set_uploading(true); }));
        },
    };
}

void DemoRunner::tick()
{
    if (!m_initiator || m_initiator->engine().state() != Engine::State::Open) {
        m_timer.stop();
        return;
    }
    m_script[m_next]();
    ++m_steps;
    emit stepped(int(m_next));
    if (++m_next == m_script.size()) {
        // The first step (extension registration) is done once; later passes start at step 1.
        m_next = 1;
        ++m_cycles;
    }
}

} // namespace hyperscope
