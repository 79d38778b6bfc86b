// Test fixtures: two Engines wired back to back in memory on a virtual clock, and a Recorder of
// everything an Engine reports. No Qt beyond QString/QStringList (for readable event lists).
#pragma once

#include "builders.h"
#include "engine.h"

#include <QString>
#include <QStringList>

#include <random>

namespace hyperscope::test {

/// Records every EngineHandler event as a line of text (and keeps the structured bits tests need).
class Recorder : public EngineHandler
{
public:
    QStringList events;
    std::vector<std::pair<ChannelInfo, Message>> messages;
    std::vector<std::tuple<std::optional<Key32>, std::optional<std::string>, std::uint64_t, Bytes>>
        extensions;
    std::optional<HandshakeInfo> handshake;
    std::optional<Error> ended;
    /// When set, a discovery-key event is answered by opening that key.
    std::vector<Key32> acceptKeys;
    Engine *engine = nullptr;
    bool refuseRemoteKey = false;

    bool acceptRemoteKey(const Key32 &) override { return !refuseRemoteKey; }
    void onHandshake(const HandshakeInfo &info) override
    {
        handshake = info;
        events << "handshake";
    }
    void onDiscoveryKey(const Key32 &discoveryKey) override
    {
        events << "discovery-key " + QString::fromStdString(toHex(discoveryKey));
        for (const Key32 &key : acceptKeys) {
            if (crypto::discoveryKey(key) == discoveryKey)
                engine->openChannel(key);
        }
    }
    void onChannelOpen(const ChannelInfo &channel) override
    {
        events << "channel " + QString::fromStdString(toHex(channel.discoveryKey));
    }
    void onMessage(const ChannelInfo &channel, const Message &message) override
    {
        messages.emplace_back(channel, message);
        events << "message " + QString::fromUtf8(messageTypeName(
                                   static_cast<std::uint8_t>(messageType(message))));
    }
    void onExtensionNames(const ChannelInfo *channel,
                          const std::vector<std::string> &names) override
    {
        QStringList list;
        for (const auto &name : names)
            list << QString::fromStdString(name);
        events << QString("extensions %1 %2").arg(channel ? "channel" : "stream", list.join(','));
    }
    void onExtension(const ChannelInfo *channel, const std::string *name, std::uint64_t id,
                     ByteView payload) override
    {
        extensions.emplace_back(channel ? std::optional(channel->discoveryKey) : std::nullopt,
                                name ? std::optional(*name) : std::nullopt, id,
                                Bytes(payload.begin(), payload.end()));
        events << QString("extension %1 %2 %3")
                      .arg(channel ? "channel" : "stream",
                           name ? QString::fromStdString(*name) : QString("null"))
                      .arg(id);
    }
    void onChannelClose(const ChannelInfo &channel) override
    {
        events << "close " + QString::fromStdString(toHex(channel.discoveryKey));
    }
    void onEnd(const Error &reason) override
    {
        ended = reason;
        events << "end " + QString::fromStdString(reason.message);
    }
};

/// How bytes travel between the two engines.
enum class Chunking { Whole, OneByte, Random };

/// Two engines, an initiator and a responder, whose output reaches the other side when a test
/// calls pump() (or start() / advance(), which pump). @p Handler is what each engine reports to:
/// Recorder by default; a test that must not grow memory per event (the soak) brings its own.
/// A Handler has a public `Engine *engine`, set to the engine it serves.
template<typename Handler> struct BasicEnginePair
{
    Handler initiatorEvents, responderEvents;
    Engine initiator, responder;
    Millis now{0};
    Chunking chunking;
    std::mt19937 random{12345};
    bool deliverToInitiator = true;
    bool deliverToResponder = true;
    /// When set, every byte each engine wrote is kept in initiatorWire / responderWire.
    bool recordWire = false;
    Bytes initiatorWire, responderWire;

    BasicEnginePair(EngineOptions base, Chunking chunking_ = Chunking::Whole,
                    EngineOptions *responderOverride = nullptr)
        : initiator(withRole(base, true), &initiatorEvents)
        , responder(responderOverride ? withRole(*responderOverride, false) : withRole(base, false),
                    &responderEvents)
        , chunking(chunking_)
    {
        initiatorEvents.engine = &initiator;
        responderEvents.engine = &responder;
    }

    static EngineOptions withRole(EngineOptions options, bool initiator)
    {
        options.initiator = initiator;
        return options;
    }

    /// Starts both engines and pumps: with Noise, the handshake is done when this returns.
    void start()
    {
        responder.start(now);
        initiator.start(now);
        pump();
    }

    void deliver(Engine &from, Engine &to, bool enabled)
    {
        Bytes bytes = from.takeOutput();
        if (recordWire) {
            Bytes &record = &from == &initiator ? initiatorWire : responderWire;
            record.insert(record.end(), bytes.begin(), bytes.end());
        }
        if (!enabled || bytes.empty())
            return;
        std::size_t offset = 0;
        while (offset < bytes.size()) {
            std::size_t size = bytes.size() - offset;
            if (chunking == Chunking::OneByte)
                size = 1;
            else if (chunking == Chunking::Random)
                size = std::min<std::size_t>(size, 1 + random() % 97);
            to.receive(ByteView(bytes).subspan(offset, size), now);
            offset += size;
        }
    }

    /// Moves bytes both ways until both engines are quiet.
    void pump()
    {
        for (int round = 0; round < 1000; ++round) {
            if (initiator.outputSize() == 0 && responder.outputSize() == 0)
                return;
            deliver(initiator, responder, deliverToResponder);
            deliver(responder, initiator, deliverToInitiator);
        }
    }

    /// Fires the timers (keepalive, timeout) of each engine that are due at `now`; no pumping.
    void fireDueTimers()
    {
        for (Engine *engine : {&initiator, &responder}) {
            if (auto deadline = engine->nextDeadline(); deadline && *deadline <= now)
                engine->handleTimers(now);
        }
    }

    /// Advances the virtual clock in steps, firing timers and pumping as a driver would.
    void advance(Millis duration, Millis step = Millis(100))
    {
        const Millis until = now + duration;
        while (now < until) {
            now = std::min(until, now + step);
            fireDueTimers();
            pump();
        }
    }
};

using EnginePair = BasicEnginePair<Recorder>;

} // namespace hyperscope::test
