// RelayForwarder: the relay's forwarding decisions, sans IO (docs/relay.md).
//
// A relayed connection is two protocol sessions, the legs, each with its own Engine. What one
// peer says arrives as EngineHandler events on its leg; the forwarder decides what the other leg
// sends for it, and says what it could not forward. It owns no engine, no socket and no clock:
// it acts on each leg through a RelayPort, which is a SessionDriver in the real relay
// (core/session/relay.h: actions flush at once) and a bare Engine in the fuzzer
// (fuzz/fuzz_relay.cpp: the harness moves the bytes). What needs a socket (backpressure, ending the
// other leg) stays with the caller; RelayForwarder::Listener::forwardedInto() marks the moments to
// look.
//
// The decisions:
//  - an Open (onDiscoveryKey) whose feed key is known opens the channel on both legs; an unknown
//    key is held (reported) until addKey() or until its peer takes it back (onRemoteChannelClosed);
//  - messages on a channel, channel Options included, are sent on the other leg's channel, as
//    they are (unknown fields kept); a Close closes the channel on the other leg;
//  - stream Options are sent verbatim as a raw frame on channel 0; extension frames as raw frames
//    with the sender's id, on the stream or on the other leg's channel;
//  - nothing is forwarded into a leg that has ended or on a channel the other leg has not open:
//    that is reported with a warning naming both legs.
#pragma once

#include "crypto.h"
#include "engine.h"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hyperscope {

/// The two sides of a relayed connection.
enum class RelayLeg {
    Client, ///< The peer that dialed the relay; the relay is the Noise responder.
    Server, ///< The upstream peer the relay dialed; the relay is the Noise initiator.
};

/// "client" or "server".
std::string_view relayLegId(RelayLeg leg);

inline RelayLeg otherLeg(RelayLeg leg)
{
    return leg == RelayLeg::Client ? RelayLeg::Server : RelayLeg::Client;
}

/// What the forwarder can do on one leg. The actions are the Engine's; an implementation that
/// owns a transport flushes the engine's output after each.
class RelayPort
{
public:
    virtual ~RelayPort() = default;
    /// The leg's engine, or null once it is gone.
    virtual const Engine *engine() const = 0;
    /// false once the leg has ended (nothing more is sent into it).
    virtual bool isAlive() const = 0;
    virtual Error openChannel(const Key32 &key) = 0;
    virtual Error closeChannel(const Key32 &discoveryKey) = 0;
    virtual Error send(const Key32 &discoveryKey, const Message &message) = 0;
    virtual Error sendFrame(std::uint64_t channel, std::uint8_t type, ByteView payload) = 0;
};

/// A RelayPort on a bare Engine: the caller moves its output (tests, the fuzzer).
class EngineRelayPort : public RelayPort
{
public:
    explicit EngineRelayPort(Engine *engine)
        : m_engine(engine)
    {}
    const Engine *engine() const override { return m_engine; }
    bool isAlive() const override { return m_engine->state() != Engine::State::Ended; }
    Error openChannel(const Key32 &key) override { return m_engine->openChannel(key); }
    Error closeChannel(const Key32 &discoveryKey) override
    {
        return m_engine->closeChannel(discoveryKey);
    }
    Error send(const Key32 &discoveryKey, const Message &message) override
    {
        return m_engine->send(discoveryKey, message);
    }
    Error sendFrame(std::uint64_t channel, std::uint8_t type, ByteView payload) override
    {
        return m_engine->sendFrame(channel, type, payload);
    }

private:
    Engine *m_engine;
};

class RelayForwarder
{
public:
    /// What the forwarder reports. All methods have empty defaults; called synchronously.
    class Listener
    {
    public:
        virtual ~Listener() = default;
        /// The peer on @p leg opened a channel whose feed key is unknown: its Open is held.
        virtual void channelHeld(RelayLeg leg, const Key32 &discoveryKey)
        {
            (void)leg, (void)discoveryKey;
        }
        /// The peer on @p leg closed a channel that was held: it is no longer held.
        virtual void heldChannelClosed(RelayLeg leg, const Key32 &discoveryKey)
        {
            (void)leg, (void)discoveryKey;
        }
        /// The channel is established on both legs (reported once per opening).
        virtual void channelForwarded(const Key32 &discoveryKey) { (void)discoveryKey; }
        /// Something from the peer on @p leg was not forwarded, or a forward failed: one sentence.
        virtual void warning(RelayLeg leg, const std::string &message) { (void)leg, (void)message; }
        /// Something was just sent into @p to on behalf of the other peer (the moment to look at
        /// @p to's queue for backpressure).
        virtual void forwardedInto(RelayLeg to) { (void)to; }
    };

    /// @p client and @p server are not owned and must outlive the forwarder; @p listener may be
    /// null. @p keys maps discovery keys to feed keys.
    RelayForwarder(RelayPort *client, RelayPort *server, Listener *listener,
                   std::map<Key32, Key32> keys = {});

    // --- Events from a leg's engine (its EngineHandler's) ----------------------------------------

    void onDiscoveryKey(RelayLeg from, const Key32 &discoveryKey);
    void onChannelOpen(RelayLeg from, const ChannelInfo &channel);
    void onMessage(RelayLeg from, const ChannelInfo &channel, const Message &message);
    void onStreamOptions(RelayLeg from, const schema::Options &options);
    void onRemoteChannelClosed(RelayLeg from, const Key32 &discoveryKey);
    void onExtension(RelayLeg from, const std::optional<Key32> &discoveryKey, std::uint64_t id,
                     ByteView payload);
    void onChannelClose(RelayLeg from, const ChannelInfo &channel);

    // --- Control ---------------------------------------------------------------------------------

    /// Makes @p feedKey known: a channel held for it opens on both legs now.
    void addKey(const Key32 &feedKey);
    bool knowsKey(const Key32 &discoveryKey) const { return m_keys.count(discoveryKey) != 0; }
    /// Closes the channel on @p leg only (a held one is refused, and no longer held).
    Error close(RelayLeg leg, const Key32 &discoveryKey);
    /// Discovery keys of the channels held on @p leg.
    std::vector<Key32> heldChannels(RelayLeg leg) const;
    /// The sender's name for extension @p id on @p leg's scope, empty when unannounced.
    std::string remoteExtensionName(RelayLeg leg, const std::optional<Key32> &discoveryKey,
                                    std::uint64_t id) const;

private:
    static int index(RelayLeg leg) { return leg == RelayLeg::Client ? 0 : 1; }
    RelayPort &port(RelayLeg leg) { return *m_ports[std::size_t(index(leg))]; }
    void openOnBothLegs(const Key32 &discoveryKey, const Key32 &feedKey);
    void warn(RelayLeg leg, std::string message);
    /// The other leg's port when it is alive, else null (with a warning).
    RelayPort *target(RelayLeg from, std::string_view what);
    /// The other leg's local channel id for @p discoveryKey, or nullopt (with a warning).
    std::optional<std::uint64_t> targetChannel(RelayLeg from, const Key32 &discoveryKey,
                                               std::string_view what);
    void forwarded(RelayLeg from, const Error &result, std::string_view what);

    std::array<RelayPort *, 2> m_ports;
    Listener *m_listener;
    std::map<Key32, Key32> m_keys; ///< discovery key -> feed key
    /// Held Opens: discovery key -> on which legs (index()) a peer opened it.
    std::map<Key32, std::array<bool, 2>> m_held;
    std::vector<Key32> m_forwarded; ///< Established on both legs (channelForwarded reported).
};

} // namespace hyperscope
