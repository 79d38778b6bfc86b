// Tests core/protocol/enginetrace.cpp's handshake records: the Noise steps each handshake message
// reports (NoiseStep), on the reference's deterministic session (tests/vectors/hypercore-wire.json)
// driven through two real engines, and what a sink that arrives late sees.
#include "enginepair.h"
#include "noise.h"
#include "noisereference.h"
#include "trace.h"
#include "vectors.h"

#include <QtTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// Keeps, per handshake message, the steps the engine reported (copied: views die with the call).
struct StepSink : TraceSink
{
    struct Message
    {
        int index = 0;
        Direction direction = Direction::Outbound;
        Bytes wire;
        std::vector<NoiseStep> steps;
    };
    std::vector<Message> messages;

    void traceHandshake(const HandshakeTrace &trace) override
    {
        messages.push_back(
            {trace.index, trace.direction, Bytes(trace.wire.begin(), trace.wire.end()),
             std::vector<NoiseStep>(trace.noiseSteps.begin(), trace.noiseSteps.end())});
    }
};

QString kinds(const std::vector<NoiseStep> &steps)
{
    static const char *const names[] = {"init", "prologue", "e",       "s",    "ee",
                                        "es",   "se",       "payload", "split"};
    QStringList list;
    for (const NoiseStep &step : steps)
        list << names[int(step.kind)];
    return list.join(' ');
}

EngineOptions sessionOptions(const char *side, bool initiator)
{
    const QJsonObject o = wireVectors()["session"].toObject()[side].toObject();
    EngineOptions options;
    options.initiator = initiator;
    options.staticKeyPair = crypto::keyPairFromSeed(hex(o["staticSeed"]));
    options.ephemeralSeed = key32(o["ephemeralSeed"]);
    const Bytes n = hex(o["payloadNonce"]);
    Nonce24 nonce{};
    std::copy(n.begin(), n.end(), nonce.begin());
    options.payloadNonce = nonce;
    return options;
}

} // namespace

class TestEngineTrace : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(crypto::ensureInitialized()); }

    void reportsNoiseStepsOfReferenceSession_data()
    {
        QTest::addColumn<bool>("initiator");
        QTest::newRow("initiator") << true;
        QTest::newRow("responder") << false;
    }

    void reportsNoiseStepsOfReferenceSession()
    {
        QFETCH(bool, initiator);
        const QJsonObject session = wireVectors()["session"].toObject();
        EngineOptions initiatorOptions = sessionOptions("initiator", true);
        EngineOptions responderOptions = sessionOptions("responder", false);
        EnginePair pair(initiatorOptions, Chunking::OneByte, &responderOptions);
        StepSink sink;
        (initiator ? pair.initiator : pair.responder).setTraceSink(&sink);
        pair.start();
        QCOMPARE(pair.initiator.state(), Engine::State::Open);

        QCOMPARE(int(sink.messages.size()), 3);
        QCOMPARE(kinds(sink.messages[0].steps), QString("init prologue e payload"));
        QCOMPARE(kinds(sink.messages[1].steps), QString("e ee s es payload"));
        QCOMPARE(kinds(sink.messages[2].steps), QString("s se payload split"));
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(sink.messages[std::size_t(i)].index, i);
            for (const NoiseStep &step : sink.messages[std::size_t(i)].steps) {
                QCOMPARE(step.recordedByInitiator, initiator);
                if (step.kind != NoiseStep::Kind::Initialize &&
                    step.kind != NoiseStep::Kind::Prologue)
                    QCOMPARE(step.message, i);
            }
        }

        // Recompute h over the bytes on the wire (each message after its varint length prefix):
        // the log must follow it step by step and end at the session's handshake hash.
        noiseref::Hash h = noiseref::initialHash("Noise_XX_25519_ChaChaPoly_BLAKE2b");
        const noiseref::Hash initialCk = h;
        QCOMPARE(hexOf(sink.messages[0].steps[0].h), hexOf(h));
        h = noiseref::mixHash(h, {});
        for (const auto &message : sink.messages) {
            std::size_t cursor = 1; // handshake messages here are < 128 bytes: a 1-byte prefix
            for (const NoiseStep &step : message.steps) {
                if (step.kind == NoiseStep::Kind::Initialize)
                    continue; // checked above: h before the prologue
                switch (step.kind) {
                case NoiseStep::Kind::E:
                case NoiseStep::Kind::S:
                case NoiseStep::Kind::Payload: {
                    const std::size_t size = step.kind == NoiseStep::Kind::Payload
                                                 ? message.wire.size() - cursor
                                                 : step.mixedSize;
                    QCOMPARE(step.mixedSize, size);
                    h = noiseref::mixHash(h, ByteView(message.wire).subspan(cursor, size));
                    cursor += size;
                    break;
                }
                default:
                    break;
                }
                QCOMPARE(hexOf(step.h), hexOf(h));
            }
        }
        QCOMPARE(hexOf(h), session["handshakeHash"].toString());
        // Message 1 holds no secret: its recomputed steps still carry the initial ck.
        QCOMPARE(hexOf(sink.messages[0].steps[3].ck), hexOf(initialCk));

        const NoiseStep &split = sink.messages[2].steps.back();
        QVERIFY(split.k && split.k2);
        QCOMPARE(hexOf(*split.k), session["initiatorSplit"].toObject()["tx"].toString().left(64));
        QCOMPARE(hexOf(*split.k2), session["initiatorSplit"].toObject()["rx"].toString().left(64));

        // The DH steps name the session's keys: ee between the two ephemerals, es the
        // initiator's ephemeral and the responder's static, se the other way round.
        const Key32 initStatic =
            crypto::keyPairFromSeed(hex(session["initiator"].toObject()["staticSeed"])).publicKey;
        const Key32 respStatic =
            crypto::keyPairFromSeed(hex(session["responder"].toObject()["staticSeed"])).publicKey;
        const Key32 initEphemeral = sink.messages[0].steps[2].publicKey;
        const Key32 respEphemeral = sink.messages[1].steps[0].publicKey;
        const NoiseStep &ee = sink.messages[1].steps[1];
        const NoiseStep &es = sink.messages[1].steps[3];
        const NoiseStep &se = sink.messages[2].steps[1];
        QCOMPARE(ee.initiatorKey, initEphemeral);
        QCOMPARE(ee.responderKey, respEphemeral);
        QCOMPARE(es.initiatorKey, initEphemeral);
        QCOMPARE(es.responderKey, respStatic);
        QCOMPARE(se.initiatorKey, initStatic);
        QCOMPARE(se.responderKey, respEphemeral);
    }

    void lateSinkSeesOnlyLaterSteps()
    {
        EngineOptions initiatorOptions = sessionOptions("initiator", true);
        EngineOptions responderOptions = sessionOptions("responder", false);
        EnginePair pair(initiatorOptions, Chunking::Whole, &responderOptions);
        pair.responder.start(pair.now);
        pair.initiator.start(pair.now); // message 1 written, untraced
        StepSink sink;
        pair.initiator.setTraceSink(&sink);
        pair.pump();
        QCOMPARE(pair.initiator.state(), Engine::State::Open);
        QCOMPARE(int(sink.messages.size()), 2);
        QCOMPARE(sink.messages[0].index, 1);
        QCOMPARE(kinds(sink.messages[0].steps), QString()); // met mid-handshake: not recorded
        QCOMPARE(kinds(sink.messages[1].steps), QString("s se payload split"));
    }
};

QTEST_APPLESS_MAIN(TestEngineTrace)
#include "tst_enginetrace.moc"
