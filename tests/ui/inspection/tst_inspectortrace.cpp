// InspectorTrace: what the inspector makes of each trace event of an engine. Events are fed by
// hand to a trace over a session whose driver never connects, so that every field of the
// handshake record, every log row and every counter comes from exactly the events given: the
// ladder's steps and which step a failure belongs to, the wire bytes kept or recomputed, the
// frame, channel and extension counters, and the notes.
#include "builders.h"
#include "crypto.h"
#include "framer.h"
#include "inspectedsession.h"
#include "inspectortrace.h"
#include "messagelogmodel.h"
#include "sessiondriver.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// A session (never connected) and a second trace over it that the test drives by hand.
struct Fixture
{
    explicit Fixture(bool noise = true, bool encrypted = true)
    {
        EngineOptions options;
        options.initiator = true;
        options.noise = noise;
        options.encrypted = encrypted;
        session = std::make_unique<InspectedSession>(1, new SessionDriver(1, options),
                                                     InspectedSession::Origin::Dialed, &log);
        trace = std::make_unique<InspectorTrace>(*session, log);
    }

    /// The log's rows so far (flushed), as {type text, note or summary}.
    QStringList notes()
    {
        log.flush();
        QStringList rows;
        for (int row = 0; row < log.rowCount(); ++row) {
            const auto &r = log.record(row);
            rows << log.typeText(r) + QStringLiteral(": ") + log.noteText(r);
        }
        return rows;
    }

    HandshakeTrace step(int index, Direction direction, std::string error = {})
    {
        HandshakeTrace t;
        t.index = index;
        t.direction = direction;
        t.tokens = index == 0 ? "e" : index == 1 ? "e, ee, s, es" : "s, se";
        t.wire = wire;
        t.payload = payload;
        t.ephemeralKey = keyOf(std::uint8_t(0x10 + index));
        if (index > 0)
            t.staticKey = keyOf(std::uint8_t(0x20 + index));
        t.error = std::move(error);
        return t;
    }

    MessageLogModel log;
    std::unique_ptr<InspectedSession> session;
    std::unique_ptr<InspectorTrace> trace;
    Bytes wire = Bytes(49, 0x5a);
    Bytes payload = Bytes(7, 0x01);
};

HandshakeInfo infoOf(const crypto::SplitKeys &split, const Nonce24 &local, const Nonce24 &remote)
{
    HandshakeInfo info;
    info.remotePublicKey = keyOf(0xcd);
    info.handshakeHash.fill(0xef);
    info.localNonce = local;
    info.remoteNonce = remote;
    info.split = split;
    return info;
}

Bytes pingFrame()
{
    Bytes frame;
    appendFrame(frame, 0, 12, asView("ping"));
    return frame;
}

Bytes encrypt(const Bytes &plain, const Key32 &key, const Nonce24 &nonce, std::uint64_t offset)
{
    Bytes wire = plain;
    const crypto::XSalsa20Stream stream(key, nonce);
    stream.applyAt(offset, wire);
    return wire;
}

} // namespace

class TestInspectorTrace : public QObject
{
    Q_OBJECT
private slots:
    void handshakeStepsFillTheLadder();
    void failedStepIsRecordedWithItsReason();
    void stepsOutsideTheLadderAreOnlyLogged();
    void handshakeStepsKeepTheirNoiseSteps();
    void completionRecordsTheOutcome();
    void encryptedWireBytesAreRecomputedFromTheKeys();
    void wrongKeysMakeTheLogStoreWireBytes();
    void plaintextSessionKeepsNoKeys();
    void framesAreCountedPerDirectionAndChannel();
    void extensionFramesAreNamedAndCounted();
    void channelEventsReachTheChannelTable();
    void channelExtensionsReachBothTables();
    void warningsAreCountedAndLogged();
    void errorsAreAttributedToAHandshakeStep_data();
    void errorsAreAttributedToAHandshakeStep();
    void errorsAfterTheHandshakeLeaveItAlone();
};

void TestInspectorTrace::handshakeStepsFillTheLadder()
{
    Fixture f;
    QSignalSpy handshakeChanged(f.session.get(), &InspectedSession::handshakeChanged);
    QSignalSpy changed(f.session.get(), &InspectedSession::changed);
    f.trace->traceHandshake(f.step(0, Direction::Outbound));
    f.trace->traceHandshake(f.step(1, Direction::Inbound));
    QCOMPARE(handshakeChanged.count(), 2);
    QCOMPARE(changed.count(), 2);

    const HandshakeRecord &h = f.session->handshake();
    const HandshakeStep &first = h.steps[0];
    QVERIFY(first.seen);
    QCOMPARE(first.direction, Direction::Outbound);
    QCOMPARE(first.tokens, QStringLiteral("e"));
    QCOMPARE(first.wireSize, 49);
    QCOMPARE(first.payloadSize, 7);
    QCOMPARE(first.ephemeralKey, std::optional<Key32>(keyOf(0x10)));
    QVERIFY(!first.staticKey);
    QCOMPARE(h.steps[1].tokens, QStringLiteral("e, ee, s, es"));
    QVERIFY(!h.steps[2].seen);
    // The remote's static key comes from the inbound message that carried it.
    QCOMPARE(h.remoteStaticKey, std::optional<Key32>(keyOf(0x21)));
    QVERIFY(!h.complete);
    QCOMPARE(h.failedStep, -1);

    // Both steps are rows of the log, with their wire bytes.
    f.log.flush();
    QCOMPARE(f.log.rowCount(), 2);
    QCOMPARE(f.log.typeText(f.log.record(1)), QStringLiteral("Handshake 2/3"));
    QCOMPARE(f.log.plainBytes(0), toQByteArray(f.wire));
    QCOMPARE(f.log.record(0).session, quint16(1));
}

void TestInspectorTrace::failedStepIsRecordedWithItsReason()
{
    Fixture f;
    f.trace->traceHandshake(f.step(0, Direction::Outbound));
    f.trace->traceHandshake(f.step(1, Direction::Inbound, "MAC check failed"));
    const HandshakeRecord &h = f.session->handshake();
    QCOMPARE(h.failedStep, 1);
    QCOMPARE(h.failure, QStringLiteral("MAC check failed"));
    QCOMPARE(h.steps[1].error, QStringLiteral("MAC check failed"));
    f.log.flush();
    QCOMPARE(f.log.severity(f.log.record(1)), MessageLogModel::Severity::Error);
}

void TestInspectorTrace::handshakeStepsKeepTheirNoiseSteps()
{
    // The engine's views die with the call: the session keeps its own copy of each message's
    // Noise steps for the handshake lesson.
    Fixture f;
    std::vector<NoiseStep> steps(2);
    steps[0].kind = NoiseStep::Kind::E;
    steps[0].message = 1;
    steps[0].h.fill(0x11);
    steps[1].kind = NoiseStep::Kind::EE;
    steps[1].message = 1;
    steps[1].ck.fill(0x22);
    steps[1].k = keyOf(0x33);
    HandshakeTrace trace = f.step(1, Direction::Inbound);
    trace.noiseSteps = steps;
    f.trace->traceHandshake(trace);
    steps.assign(2, NoiseStep{}); // the engine wipes its log after the call

    const std::vector<NoiseStep> &kept = f.session->handshake().steps[1].noiseSteps;
    QCOMPARE(int(kept.size()), 2);
    QCOMPARE(kept[0].kind, NoiseStep::Kind::E);
    QCOMPARE(kept[0].h[0], std::uint8_t(0x11));
    QCOMPARE(kept[1].kind, NoiseStep::Kind::EE);
    QCOMPARE(kept[1].ck[63], std::uint8_t(0x22));
    QCOMPARE(kept[1].k, std::optional<Key32>(keyOf(0x33)));
    QVERIFY(f.session->handshake().steps[0].noiseSteps.empty());

    // The copies hold secrets (ck, k): wiped when the session goes.
    emit f.session->aboutToBeDestroyed();
    QVERIFY(f.session->handshake().steps[1].noiseSteps.empty());
}

void TestInspectorTrace::stepsOutsideTheLadderAreOnlyLogged()
{
    Fixture f;
    QSignalSpy handshakeChanged(f.session.get(), &InspectedSession::handshakeChanged);
    f.trace->traceHandshake(f.step(3, Direction::Inbound, "extra message"));
    QCOMPARE(handshakeChanged.count(), 0);
    for (const HandshakeStep &step : f.session->handshake().steps)
        QVERIFY(!step.seen);
    QCOMPARE(f.session->handshake().failedStep, -1);
    f.log.flush();
    QCOMPARE(f.log.rowCount(), 1);
}

void TestInspectorTrace::completionRecordsTheOutcome()
{
    Fixture f;
    QSignalSpy handshakeChanged(f.session.get(), &InspectedSession::handshakeChanged);
    Nonce24 local, remote;
    local.fill(1);
    remote.fill(2);
    f.trace->traceHandshakeComplete(infoOf({keyOf(3), keyOf(4)}, local, remote));
    QCOMPARE(handshakeChanged.count(), 1);
    const HandshakeRecord &h = f.session->handshake();
    QVERIFY(h.complete);
    QCOMPARE(h.remoteStaticKey, std::optional<Key32>(keyOf(0xcd)));
    QVERIFY(h.handshakeHash);
    QCOMPARE(h.handshakeHash->front(), std::uint8_t(0xef));
    QCOMPARE(h.localNonce, std::optional<Nonce24>(local));
    QCOMPARE(h.remoteNonce, std::optional<Nonce24>(remote));
    // The trace keeps the transport keys of an encrypted session.
    QVERIFY(f.trace->transportKeys());
    QCOMPARE(f.trace->transportKeys()->tx, keyOf(3));
    QCOMPARE(f.trace->transportKeys()->rx, keyOf(4));
    QCOMPARE(f.notes(), QStringList{QStringLiteral(
                            "Session: Handshake complete: remote static key cdcdcdcdcdcdcdcd…, "
                            "handshake hash efefefefefefefef…")});
}

void TestInspectorTrace::encryptedWireBytesAreRecomputedFromTheKeys()
{
    Fixture f;
    Nonce24 local, remote;
    local.fill(1);
    remote.fill(2);
    const crypto::SplitKeys split{keyOf(3), keyOf(4)};
    f.trace->traceHandshakeComplete(infoOf(split, local, remote));
    const Bytes plain = pingFrame();
    const Bytes out = encrypt(plain, split.tx, local, 100);
    const Bytes in = encrypt(plain, split.rx, remote, 7);
    FrameTrace sent;
    sent.direction = Direction::Outbound;
    sent.streamOffset = 100;
    sent.plain = plain;
    sent.wire = out;
    sent.type = 12;
    FrameTrace received = sent;
    received.direction = Direction::Inbound;
    received.streamOffset = 7;
    received.wire = in;
    f.trace->traceFrame(sent);
    f.trace->traceFrame(received);
    f.log.flush();
    QCOMPARE(f.log.rowCount(), 3); // the completion note and two frames
    QCOMPARE(f.log.wireBytes(1), toQByteArray(out));
    QCOMPARE(f.log.wireBytes(2), toQByteArray(in));
    QCOMPARE(f.log.plainBytes(2), toQByteArray(plain));
    QCOMPARE(f.session->warnings(), 0ull); // no mismatch was reported
}

void TestInspectorTrace::wrongKeysMakeTheLogStoreWireBytes()
{
    Fixture f;
    Nonce24 local, remote;
    local.fill(1);
    remote.fill(2);
    const crypto::SplitKeys split{keyOf(3), keyOf(4)};
    f.trace->traceHandshakeComplete(infoOf(split, local, remote));
    const Bytes plain = pingFrame();
    // Encrypted with another key than the one the trace was told: the check catches it.
    const Bytes wrong = encrypt(plain, keyOf(9), local, 0);
    FrameTrace frame;
    frame.direction = Direction::Outbound;
    frame.plain = plain;
    frame.wire = wrong;
    frame.type = 12;
    f.trace->traceFrame(frame);
    const QStringList notes = f.notes();
    QCOMPARE(notes.size(), 3); // the completion, the warning, then the frame
    QVERIFY2(notes.at(1).startsWith(
                 QStringLiteral("Warning: Inspector: wire bytes could not be recomputed")),
             qPrintable(notes.at(1)));
    // From then on the real wire bytes are stored, whatever the keys say.
    QCOMPARE(f.log.wireBytes(2), toQByteArray(wrong));
}

void TestInspectorTrace::plaintextSessionKeepsNoKeys()
{
    Fixture f(true, false);
    Nonce24 nonce{};
    f.trace->traceHandshakeComplete(infoOf({keyOf(3), keyOf(4)}, nonce, nonce));
    QVERIFY(f.session->handshake().complete);
    QVERIFY(!f.trace->transportKeys());
    const Bytes plain = pingFrame();
    FrameTrace frame;
    frame.direction = Direction::Inbound;
    frame.plain = plain;
    frame.wire = plain;
    frame.type = 12;
    f.trace->traceFrame(frame);
    f.log.flush();
    QVERIFY(f.log.record(1).flags & MessageLogModel::PlainOnWire);
    QCOMPARE(f.log.wireBytes(1), toQByteArray(plain));
}

void TestInspectorTrace::framesAreCountedPerDirectionAndChannel()
{
    Fixture f;
    f.trace->traceChannel(
        channelTraceOf(ChannelEvent::OpenedLocally, keyOf(0xaa), 1, std::nullopt));
    const Bytes plain = pingFrame();
    FrameTrace frame;
    frame.plain = plain;
    frame.wire = plain;
    frame.type = 12;
    frame.discoveryKey = keyOf(0xaa);
    for (int i = 0; i < 3; ++i) {
        frame.direction = i == 0 ? Direction::Inbound : Direction::Outbound;
        f.trace->traceFrame(frame);
    }
    frame.discoveryKey.reset(); // a stream frame: no channel to count it on
    f.trace->traceFrame(frame);
    QCOMPARE(f.session->framesReceived(), 1ull);
    QCOMPARE(f.session->framesSent(), 3ull);
    ChannelTableModel *channels = f.session->channels();
    channels->flush();
    QCOMPARE(channels->index(0, ChannelTableModel::MessagesColumn).data().toString(),
             QStringLiteral("1 in / 2 out"));
}

void TestInspectorTrace::extensionFramesAreNamedAndCounted()
{
    Fixture f;
    ExtensionTrace registered;
    registered.kind = ExtensionTrace::Kind::LocalRegistered;
    registered.names = {"alpha", "chat"};
    f.trace->traceExtensions(registered);
    const Bytes plain = pingFrame();
    FrameTrace frame;
    frame.direction = Direction::Outbound;
    frame.plain = plain;
    frame.wire = plain;
    frame.type = 15;
    frame.extension = ExtensionPayload{1, {}};
    f.trace->traceFrame(frame);
    frame.extension = ExtensionPayload{5, {}}; // an id nobody announced
    f.trace->traceFrame(frame);
    f.log.flush();
    QCOMPARE(f.log.noteText(f.log.record(0)), QStringLiteral("chat"));
    QCOMPARE(f.log.noteText(f.log.record(1)), QString());
    ExtensionModel *extensions = f.session->extensions();
    extensions->flush();
    QCOMPARE(extensions->index(1, ExtensionModel::NameColumn).data().toString(),
             QStringLiteral("chat"));
    QCOMPARE(extensions->index(1, ExtensionModel::SentColumn).data().toULongLong(), 1ull);
    QCOMPARE(extensions->index(0, ExtensionModel::SentColumn).data().toULongLong(), 0ull);
}

void TestInspectorTrace::channelEventsReachTheChannelTable()
{
    Fixture f;
    QSignalSpy changed(f.session.get(), &InspectedSession::changed);
    ExtensionTrace echo;
    echo.kind = ExtensionTrace::Kind::LocalRegistered;
    echo.discoveryKey = keyOf(0x6b);
    echo.names = {"echo"};
    f.trace->traceExtensions(echo);
    const ChannelTrace remote =
        channelTraceOf(ChannelEvent::OpenedByRemote, keyOf(0x6b), std::nullopt, 4);
    f.trace->traceChannel(remote);
    QCOMPARE(changed.count(), 1);
    ChannelTableModel *channels = f.session->channels();
    QCOMPARE(channels->rowCount(), 1);
    QCOMPARE(channels->index(0, ChannelTableModel::StateColumn).data().toString(),
             QStringLiteral("opened by remote"));
    // Without a local id, the extension table keeps its default label.
    ExtensionModel *extensions = f.session->extensions();
    QCOMPARE(extensions->index(0, ExtensionModel::ScopeColumn).data().toString(),
             QStringLiteral("channel 6b6b6b6b"));
    ChannelTrace local = remote;
    local.event = ChannelEvent::OpenedLocally;
    local.channel.localId = 2;
    f.trace->traceChannel(local);
    QCOMPARE(extensions->index(0, ExtensionModel::ScopeColumn).data().toString(),
             QStringLiteral("channel 2 · 6b6b6b6b"));
}

void TestInspectorTrace::channelExtensionsReachBothTables()
{
    Fixture f;
    f.trace->traceChannel(
        channelTraceOf(ChannelEvent::OpenedLocally, keyOf(0xaa), 1, std::nullopt));
    ExtensionTrace local;
    local.kind = ExtensionTrace::Kind::LocalRegistered;
    local.discoveryKey = keyOf(0xaa);
    local.names = {"x"};
    f.trace->traceExtensions(local);
    ExtensionTrace remote = local;
    remote.kind = ExtensionTrace::Kind::RemoteAnnounced;
    remote.names = {"x", "y"};
    f.trace->traceExtensions(remote);
    ExtensionTrace announced = local;
    announced.kind = ExtensionTrace::Kind::Announced; // our announcement: not a channel column
    announced.names = {"z"};
    f.trace->traceExtensions(announced);
    QCOMPARE(f.session->channels()->index(0, ChannelTableModel::ExtensionsColumn).data().toString(),
             QStringLiteral("local: x; remote: x, y"));
    QCOMPARE(f.session->extensions()->localNames(keyOf(0xaa)), QStringList{QStringLiteral("x")});
    QCOMPARE(f.session->extensions()->rowCount(), 3); // x, y, z
}

void TestInspectorTrace::warningsAreCountedAndLogged()
{
    Fixture f;
    WarningTrace warning;
    warning.direction = Direction::Inbound;
    warning.streamOffset = 42;
    warning.message = "frame of unassigned type 12";
    f.trace->traceWarning(warning);
    f.trace->traceWarning(warning);
    QCOMPARE(f.session->warnings(), 2ull);
    QCOMPARE(f.notes(), (QStringList{QStringLiteral("Warning: frame of unassigned type 12"),
                                     QStringLiteral("Warning: frame of unassigned type 12")}));
    QCOMPARE(f.log.record(0).streamOffset, 42ull);
}

void TestInspectorTrace::errorsAreAttributedToAHandshakeStep_data()
{
    QTest::addColumn<int>("seen"); // handshake steps seen before the error (0..3)
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("failedStep");

    QTest::newRow("named by the engine")
        << 1 << int(ErrorCode::HandshakeFailed)
        << QStringLiteral("handshake message 2: decryption failed") << 1;
    QTest::newRow("named message 3")
        << 0 << int(ErrorCode::HandshakeFailed) << QStringLiteral("handshake message 3: bad") << 2;
    // Message 2 was the last one read (the initiator reads message 2).
    QTest::newRow("refused key: the last message read")
        << 2 << int(ErrorCode::RemoteKeyRejected) << QStringLiteral("not on the allow list") << 1;
    QTest::newRow("bad payload: the last message read")
        << 3 << int(ErrorCode::BadHandshakePayload) << QStringLiteral("no nonce") << 1;
    QTest::newRow("refused before anything was read")
        << 1 << int(ErrorCode::RemoteKeyRejected) << QStringLiteral("refused") << -1;
    QTest::newRow("timeout: the first message that never came")
        << 1 << int(ErrorCode::Timeout) << QStringLiteral("nothing received") << 1;
    QTest::newRow("lost before anything")
        << 0 << int(ErrorCode::ConnectionLost) << QStringLiteral("reset") << 0;
}

void TestInspectorTrace::errorsAreAttributedToAHandshakeStep()
{
    QFETCH(int, seen);
    QFETCH(int, code);
    QFETCH(QString, message);
    QFETCH(int, failedStep);

    Fixture f; // the initiator: it writes messages 1 and 3 and reads message 2
    const Direction directions[] = {Direction::Outbound, Direction::Inbound, Direction::Outbound};
    for (int i = 0; i < seen; ++i)
        f.trace->traceHandshake(f.step(i, directions[i]));
    QSignalSpy handshakeChanged(f.session.get(), &InspectedSession::handshakeChanged);
    const Error error(ErrorCode(code), message.toStdString());
    f.trace->traceError(error);
    QCOMPARE(handshakeChanged.count(), 1);
    const QString text = InspectedSession::errorText(error);
    QCOMPARE(f.session->handshake().failedStep, failedStep);
    QCOMPARE(f.session->handshake().failure, text);
    QCOMPARE(f.notes().last(), QStringLiteral("Error: ") + text);
    // A second error does not move the failure.
    f.trace->traceError(Error(ErrorCode::ConnectionLost, "later"));
    QCOMPARE(f.session->handshake().failure, text);
}

void TestInspectorTrace::errorsAfterTheHandshakeLeaveItAlone()
{
    Fixture f;
    Nonce24 nonce{};
    f.trace->traceHandshakeComplete(infoOf({keyOf(3), keyOf(4)}, nonce, nonce));
    QSignalSpy handshakeChanged(f.session.get(), &InspectedSession::handshakeChanged);
    QSignalSpy changed(f.session.get(), &InspectedSession::changed);
    f.trace->traceError(Error(ErrorCode::InvalidMessage, "Want without start"));
    QCOMPARE(handshakeChanged.count(), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(f.session->handshake().failedStep, -1);
    QVERIFY(f.session->handshake().failure.isEmpty());
    QCOMPARE(f.notes().last(), QStringLiteral("Error: invalid-message: Want without start"));

    // Without Noise there is no handshake to blame either.
    Fixture plain(false, false);
    plain.trace->traceError(Error(ErrorCode::Timeout, "idle"));
    QCOMPARE(plain.session->handshake().failedStep, -1);
    QVERIFY(plain.session->handshake().failure.isEmpty());
}

QTEST_MAIN(TestInspectorTrace)
#include "tst_inspectortrace.moc"
