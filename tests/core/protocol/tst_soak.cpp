// Soak: one long session between two Engines, a day compressed by the virtual clock. Keepalives
// through idle stretches, periodic messages and extension messages both ways, and a channel
// opened and closed every ten minutes. What must hold: the session never ends, every message
// arrives, and the heap in use stays flat after the first hour (nothing kept per frame, per
// keepalive, per channel that came and went).
#include "enginepair.h"

#include <QtTest>

#include <malloc.h>

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define HYPERSCOPE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HYPERSCOPE_ASAN 1
#endif
#endif
#ifdef HYPERSCOPE_ASAN
// From <sanitizer/allocator_interface.h>, which GCC does not install; libasan exports it.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

using namespace hyperscope;
using namespace hyperscope::test;
using namespace std::chrono_literals;

namespace {

/// Bytes of heap in use by the whole process.
std::size_t heapInUse()
{
#ifdef HYPERSCOPE_ASAN
    return __sanitizer_get_current_allocated_bytes();
#else
    return mallinfo2().uordblks;
#endif
}

/// Counts events; keeps nothing that grows.
struct Counter : EngineHandler
{
    Engine *engine = nullptr;
    std::uint64_t messages = 0;
    std::uint64_t extensions = 0;
    std::uint64_t channelsOpened = 0;
    std::uint64_t channelsClosed = 0;
    std::optional<Error> ended;
    Key32 acceptKey{};

    void onDiscoveryKey(const Key32 &discoveryKey) override
    {
        if (discoveryKey == crypto::discoveryKey(acceptKey))
            engine->openChannel(acceptKey);
    }
    void onChannelOpen(const ChannelInfo &) override { ++channelsOpened; }
    void onMessage(const ChannelInfo &, const Message &message) override
    {
        // Options (the extension announcements) and Close are counted by the other events.
        if (message.index() != std::size_t(MessageType::Close) &&
            message.index() != std::size_t(MessageType::Options))
            ++messages;
    }
    void onExtension(const ChannelInfo *, const std::string *name, std::uint64_t, ByteView) override
    {
        if (name)
            ++extensions;
    }
    void onChannelClose(const ChannelInfo &) override { ++channelsClosed; }
    void onEnd(const Error &reason) override { ended = reason; }
};

} // namespace

class tst_Soak : public QObject
{
    Q_OBJECT

private slots:
    void longSessionLeaksNothing_data()
    {
        QTest::addColumn<bool>("encrypted");
        QTest::newRow("encrypted") << true;
        QTest::newRow("plaintext-transport") << false;
    }

    void longSessionLeaksNothing()
    {
        QFETCH(bool, encrypted);
        constexpr auto Hours = 24;
        constexpr Millis Step = 1000ms;
        EngineOptions options;
        options.encrypted = encrypted;
        options.timeout = 20000ms; // keepalives after 10 s without output
        BasicEnginePair<Counter> pair(options);
        Engine &initiator = pair.initiator;
        Engine &responder = pair.responder;
        Counter &initiatorEvents = pair.initiatorEvents;
        Counter &responderEvents = pair.responderEvents;
        const Key32 feed = keyOf(1), churn = keyOf(2);
        const Key32 feedDk = crypto::discoveryKey(feed), churnDk = crypto::discoveryKey(churn);
        responderEvents.acceptKey = churn;

        std::uint64_t keepalivesOnly = 0;
        pair.start();
        initiator.openChannel(feed);
        responder.openChannel(feed);
        for (Engine *engine : {&initiator, &responder}) {
            engine->registerExtension(std::nullopt, "soak-ext");
            engine->registerExtension(feedDk, "soak-channel-ext");
        }
        pair.pump();
        QCOMPARE(initiatorEvents.channelsOpened, 1u);

        std::uint64_t sent = 0, extensionsSent = 0, churned = 0;
        std::size_t heapAfterFirstHour = 0, heapPeak = 0;
        const Bytes value(200, 0x5a);
        for (std::int64_t second = 1; second <= Hours * 3600; ++second) {
            pair.now += Step;
            const std::int64_t inHour = second % 3600;
            // The second half of every third hour is idle: only keepalives keep it up.
            const bool idle = (second / 3600) % 3 == 2 && inHour >= 1800;
            if (!idle && second % 10 == 0) {
                schema::Have have;
                have.set_start(std::uint64_t(second));
                have.set_length(1);
                initiator.send(feedDk, Message(have));
                schema::Data data;
                data.set_index(std::uint64_t(second));
                data.set_value(value.data(), value.size());
                auto *node = data.add_nodes();
                node->set_index(std::uint64_t(second) * 2);
                node->set_hash(std::string(32, 'h'));
                node->set_size(200);
                responder.send(feedDk, Message(data));
                sent += 2;
            }
            if (!idle && second % 60 == 0) {
                initiator.sendExtension(std::nullopt, "soak-ext", value);
                responder.sendExtension(feedDk, "soak-channel-ext", value);
                extensionsSent += 2;
            }
            if (!idle && second % 600 == 100) {
                initiator.openChannel(churn);
                ++churned;
            }
            if (!idle && second % 600 == 400)
                initiator.closeChannel(churnDk);
            pair.fireDueTimers();
            if (idle && (initiator.outputSize() || responder.outputSize()))
                ++keepalivesOnly;
            pair.pump();
            QVERIFY2(!initiatorEvents.ended && !responderEvents.ended,
                     qPrintable(QStringLiteral("ended at %1 s: %2")
                                    .arg(second)
                                    .arg(QString::fromStdString((initiatorEvents.ended
                                                                     ? *initiatorEvents.ended
                                                                     : *responderEvents.ended)
                                                                    .message))));
            if (second % 3600 == 0) {
                const std::size_t heap = heapInUse();
                if (second == 3600)
                    heapAfterFirstHour = heap;
                heapPeak = std::max(heapPeak, heap);
            }
        }
        const std::size_t heapEnd = heapInUse();
        QCOMPARE(initiatorEvents.messages + responderEvents.messages, sent);
        QCOMPARE(initiatorEvents.extensions + responderEvents.extensions, extensionsSent);
        // Two idle half hours, a keepalive every 10 s from each side.
        QVERIFY2(keepalivesOnly >= 180, qPrintable(QString::number(keepalivesOnly)));
        // The churn channels came and went; only the feed channel is left.
        QCOMPARE(responderEvents.channelsOpened, 1u + churned);
        QCOMPARE(responderEvents.channelsClosed, churned);
        QCOMPARE(initiator.channels().size(), std::size_t(1));
        QCOMPARE(responder.channels().size(), std::size_t(1));
        QCOMPARE(initiator.state(), Engine::State::Open);
        qInfo("%d virtual hours: %llu messages, %llu extension messages, %llu keepalive-only "
              "seconds, %llu bytes sent by the initiator; heap in use %zu after hour 1, peak %zu, "
              "%zu at the "
              "end",
              Hours, (unsigned long long)sent, (unsigned long long)extensionsSent,
              (unsigned long long)keepalivesOnly, (unsigned long long)initiator.bytesSent(),
              heapAfterFirstHour, heapPeak, heapEnd);
        // Flat: no growth beyond allocator noise between hour 1 and the end.
        QVERIFY2(heapPeak <= heapAfterFirstHour + 64 * 1024,
                 qPrintable(QStringLiteral("%1 -> %2").arg(heapAfterFirstHour).arg(heapPeak)));
    }
};

QTEST_APPLESS_MAIN(tst_Soak)
#include "tst_soak.moc"
