// DemoRunner: two in-process peers talking over loopback, so that a first launch shows a living
// session with no other software.
//
// A SessionServer listens on 127.0.0.1 (a free port) and a SessionDriver dials it. Once both
// handshakes are done, a timer plays a script, one step per tick, forever: the two sides open,
// refuse and close channels, exchange every message type (the responder answers Want with Have
// and Request with Data, like a real peer), register extensions and talk through them, ping,
// and now and then send a frame of an unassigned type so that a warning shows up.
//
// The first feed is real: a few KiB of text cut into blocks and signed (feed::FeedBuilder, a
// fresh Ed25519 key per run). The responder serves it as a hypercore 9 writer does
// (feed::FeedResponder, as hyperscope-cli --serve and Session › Serve a File… do: Have of the
// length and the bitfield for a Want aligned to 8192 blocks, Data with the proof nodes and the
// signature for a Request), and the initiator clones it, sparsely first (blocks 5, then 12), then
// fully, a few blocks per pass; every Data it receives verifies against the feed key. Once it has
// every block it goes on asking for one block per pass, so the log keeps moving.
//
// The runner announces each driver through sessionCreated() before it starts, so the inspector
// can install its trace and see every byte, handshake included.
#pragma once

#include "engine.h"
#include "feedbuilder.h"
#include "feedresponder.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <array>
#include <functional>
#include <vector>

namespace hyperscope {

class SessionDriver;
class SessionIds;
class SessionServer;

class DemoRunner : public QObject
{
    Q_OBJECT
public:
    /// Milliseconds between two steps of the script.
    static constexpr int DefaultIntervalMs = 300;

    /// @p ids numbers the sessions (shared with the rest of the inspector; not owned).
    explicit DemoRunner(SessionIds *ids, QObject *parent = nullptr);
    ~DemoRunner() override;

    void setInterval(int ms) { m_timer.setInterval(ms); }
    /// Starts listening and dialing. Returns false (and sets @p error) if it cannot listen.
    bool start(QString *error = nullptr);
    /// Ends both sessions and stops the script.
    void stop();
    bool isRunning() const { return m_running; }
    quint16 port() const;

    SessionDriver *initiator() const { return m_initiator; }
    SessionDriver *responder() const { return m_responder; }
    /// Steps played so far, and complete passes through the script.
    int steps() const { return m_steps; }
    int cycles() const { return m_cycles; }
    /// The feed keys the demo uses (both peers know the first three; the fourth only the
    /// initiator, so the responder refuses it).
    /// keys()[0] is the served feed's key.
    const std::array<Key32, 4> &keys() const { return m_keys; }
    /// The feed the responder serves on the first channel.
    const feed::FeedBuilder &servedFeed() const { return m_feed; }
    /// The blocks the initiator asks for on pass @p cycle (sparse first, then the rest).
    static std::vector<std::uint64_t> blocksRequestedOnPass(int cycle, std::uint64_t length);

signals:
    /// A driver was created; it has not started yet. @p accepted: the listening side.
    void sessionCreated(hyperscope::SessionDriver *driver, bool accepted);
    /// Emitted after each step of the script.
    void stepped(int step);
    void stopped();

private:
    void buildScript();
    void tick();
    void onDiscoveryKey(SessionDriver *driver, const Key32 &discoveryKey);
    void answer(SessionDriver *driver, const ChannelInfo &channel, const Message &message);
    /// The responder on the served feed's channel: sends what m_servedChannel answers.
    void serve(SessionDriver *driver, const Key32 &discoveryKey, const Message &message);
    Key32 dk(int index) const;

    SessionIds *m_ids;
    SessionServer *m_server = nullptr;
    QPointer<SessionDriver> m_initiator;
    QPointer<SessionDriver> m_responder;
    QTimer m_timer;
    std::array<Key32, 4> m_keys{};
    feed::FeedBuilder m_feed;
    /// The responder's side of the served feed's channel (what the initiator holds, whether it
    /// wanted yet); reads m_feed, declared before it.
    feed::FeedResponder m_servedChannel;
    std::vector<std::function<void()>> m_script;
    std::size_t m_next = 0;
    int m_steps = 0;
    int m_cycles = 0;
    bool m_running = false;
};

} // namespace hyperscope
