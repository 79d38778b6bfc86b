// TraceFanOut: several observers watching one engine through its one sink slot.
#include "enginepair.h"
#include "tracefanout.h"

#include <QtTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

Key32 filled(std::uint8_t fill)
{
    Key32 key;
    key.fill(fill);
    return key;
}

/// Fixed keys, seeds and nonces: two runs of the same session trace the same records.
EngineOptions fixedOptions(std::uint8_t seed)
{
    EngineOptions options;
    options.staticKeyPair = crypto::keyPairFromSeed(filled(seed));
    options.ephemeralSeed = filled(static_cast<std::uint8_t>(seed + 1));
    Nonce24 nonce;
    nonce.fill(static_cast<std::uint8_t>(seed + 2));
    options.payloadNonce = nonce;
    return options;
}

QString hexOf(ByteView bytes)
{
    return QString::fromStdString(toHex(bytes));
}

/// Writes every record as one line of text with every field, so that two observers' logs
/// compare equal exactly when they saw the same records.
struct LineSink : TraceSink
{
    QStringList lines;

    void traceHandshake(const HandshakeTrace &t) override
    {
        lines << QString("handshake %1 %2 %3 wire=%4 payload=%5 nonce=%6 e=%7 s=%8 error=%9")
                     .arg(t.index)
                     .arg(int(t.direction))
                     .arg(QString::fromUtf8(t.tokens.data(), qsizetype(t.tokens.size())))
                     .arg(hexOf(t.wire), hexOf(t.payload),
                          t.payloadNonce ? hexOf(*t.payloadNonce) : "-",
                          t.ephemeralKey ? hexOf(*t.ephemeralKey) : "-",
                          t.staticKey ? hexOf(*t.staticKey) : "-", QString::fromStdString(t.error));
    }
    void traceHandshakeComplete(const HandshakeInfo &info) override
    {
        lines << "complete " + hexOf(info.remotePublicKey) + " " + hexOf(info.handshakeHash);
    }
    void traceFrame(const FrameTrace &t) override
    {
        lines << QString("frame %1 @%2 plain=%3 wire=%4 ka=%5 ch=%6 type=%7 msg=%8 ext=%9 dk=%10")
                     .arg(int(t.direction))
                     .arg(t.streamOffset)
                     .arg(hexOf(t.plain), hexOf(t.wire))
                     .arg(t.keepAlive)
                     .arg(t.channel)
                     .arg(t.type)
                     .arg(t.message ? QString::fromStdString(summarize(*t.message)) : "-",
                          t.extension ? QString::number(t.extension->id) : "-",
                          t.discoveryKey ? hexOf(*t.discoveryKey) : "-");
    }
    void traceChannel(const ChannelTrace &t) override
    {
        lines << QString("channel %1 %2 local=%3 remote=%4 verified=%5 established=%6")
                     .arg(int(t.event))
                     .arg(hexOf(t.channel.discoveryKey))
                     .arg(t.channel.localId ? QString::number(*t.channel.localId) : "-",
                          t.channel.remoteId ? QString::number(*t.channel.remoteId) : "-")
                     .arg(t.channel.remoteVerified)
                     .arg(t.channel.established);
    }
    void traceExtensions(const ExtensionTrace &t) override
    {
        QStringList names;
        for (const std::string &name : t.names)
            names << QString::fromStdString(name);
        lines << QString("extensions %1 %2 %3")
                     .arg(int(t.kind))
                     .arg(t.discoveryKey ? hexOf(*t.discoveryKey) : "-", names.join(','));
    }
    void traceWarning(const WarningTrace &t) override
    {
        lines << QString("warning %1 @%2 %3")
                     .arg(int(t.direction))
                     .arg(t.streamOffset)
                     .arg(QString::fromStdString(t.message));
    }
    void traceError(const Error &error) override
    {
        lines << "error " + QString::fromStdString(error.message);
    }
};

/// A session that touches every kind of record: handshake, channels, messages, extensions, a
/// warning (a frame of unassigned type), a keepalive, a close and a fatal error.
void runSession(EnginePair &pair)
{
    pair.start();
    const Key32 feed = filled(0x42);
    pair.responderEvents.acceptKeys.push_back(feed);
    QVERIFY(pair.initiator.openChannel(feed).ok());
    pair.pump();
    const Key32 discoveryKey = crypto::discoveryKey(feed);
    schema::Have have;
    have.set_start(7);
    QVERIFY(pair.initiator.send(discoveryKey, Message(have)).ok());
    QVERIFY(pair.initiator.registerExtension(std::nullopt, "ping").ok());
    const Bytes hello{1, 2, 3};
    QVERIFY(pair.initiator.sendExtension(std::nullopt, "ping", hello).ok());
    QVERIFY(pair.responder.sendFrame(0, 12, hello).ok()); // unassigned type: a warning
    QVERIFY(pair.initiator.ping().ok());
    pair.pump();
    QVERIFY(pair.initiator.closeChannel(discoveryKey).ok());
    pair.pump();
    pair.initiator.destroy({ErrorCode::Destroyed, "test over"});
}

} // namespace

class TestTraceFanOut : public QObject
{
    Q_OBJECT

private slots:
    void twoObserversSeeTheSameRecordsAsOneSink()
    {
        // The reference: the same session traced by one sink, directly.
        LineSink direct;
        {
            EngineOptions responder = fixedOptions(20);
            EnginePair pair(fixedOptions(10), Chunking::Random, &responder);
            pair.initiator.setTraceSink(&direct);
            runSession(pair);
        }
        QVERIFY(direct.lines.size() > 20);

        LineSink first, second;
        TraceFanOut fanOut;
        fanOut.add(&first);
        fanOut.add(&second);
        fanOut.add(&first); // twice: still once
        QCOMPARE(fanOut.size(), std::size_t(2));
        {
            EngineOptions responder = fixedOptions(20);
            EnginePair pair(fixedOptions(10), Chunking::Random, &responder);
            pair.initiator.setTraceSink(&fanOut);
            QCOMPARE(pair.initiator.traceSink(), &fanOut);
            runSession(pair);
        }
        QCOMPARE(first.lines, direct.lines);
        QCOMPARE(second.lines, direct.lines);
        // Every kind of record went through.
        for (const char *kind : {"handshake ", "complete ", "frame ", "channel ", "extensions ",
                                 "warning ", "error "}) {
            QVERIFY2(!first.lines.filter(QRegularExpression(QString("^") + kind)).isEmpty(), kind);
        }
    }

    void removedObserverSeesNothingMore()
    {
        LineSink kept, removed;
        TraceFanOut fanOut;
        fanOut.add(&kept);
        fanOut.add(&removed);
        EnginePair pair(EngineOptions{});
        pair.initiator.setTraceSink(&fanOut);
        pair.start();
        const qsizetype before = removed.lines.size();
        QVERIFY(before > 0);
        QCOMPARE(removed.lines, kept.lines);

        fanOut.remove(&removed);
        fanOut.remove(&removed); // not there any more: no-op
        QVERIFY(!fanOut.contains(&removed));
        QVERIFY(fanOut.contains(&kept));
        QVERIFY(pair.initiator.openChannel(filled(1)).ok());
        pair.pump();
        QCOMPARE(removed.lines.size(), before);
        QVERIFY(kept.lines.size() > before);
    }

    void observerMayRemoveItselfDuringARecord()
    {
        struct Once : LineSink
        {
            TraceFanOut *fanOut = nullptr;
            void traceHandshake(const HandshakeTrace &t) override
            {
                LineSink::traceHandshake(t);
                fanOut->remove(this);
            }
        };
        Once once;
        LineSink other;
        TraceFanOut fanOut;
        once.fanOut = &fanOut;
        fanOut.add(&once);
        fanOut.add(&other);
        EnginePair pair(EngineOptions{});
        pair.initiator.setTraceSink(&fanOut);
        pair.start();
        QCOMPARE(once.lines.size(), 1);
        QVERIFY(other.lines.size() > 1);
        QCOMPARE(other.lines.first(), once.lines.first());
    }

    void noSinkNoRecords()
    {
        LineSink observer;
        TraceFanOut fanOut;
        fanOut.add(&observer);
        EnginePair pair(EngineOptions{});
        pair.initiator.setTraceSink(&fanOut);
        pair.initiator.setTraceSink(nullptr);
        QCOMPARE(pair.initiator.traceSink(), nullptr);
        runSession(pair);
        QVERIFY(observer.lines.isEmpty());

        // An empty fan-out forwards nothing either.
        TraceFanOut empty;
        QVERIFY(empty.empty());
        empty.traceError({ErrorCode::Timeout, "nobody listens"});
        empty.traceWarning({Direction::Inbound, 0, "nobody listens"});
    }
};

QTEST_GUILESS_MAIN(TestTraceFanOut)
#include "tst_tracefanout.moc"
