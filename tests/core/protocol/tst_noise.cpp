// Tests core/protocol/noise.cpp: Cacophony vectors (NN and XX) with fixed ephemerals, the
// reference's hypercore handshake byte for byte, and every way a handshake can be refused.
#include "noise.h"
#include "noisereference.h"
#include "vectors.h"

#include <sodium.h>

#include <QtTest>

#include <algorithm>
#include <memory>

using namespace hyperscope;
using namespace hyperscope::test;
using Action = NoiseHandshake::Action;

Q_DECLARE_METATYPE(hyperscope::NoisePattern)

namespace {

template<std::size_t N> std::array<std::uint8_t, N> fixed(ByteView bytes)
{
    std::array<std::uint8_t, N> out{};
    if (bytes.size() < N)
        qFatal("vector value shorter than %zu bytes", N);
    std::copy_n(bytes.begin(), N, out.begin());
    return out;
}

/// The error's sentence, empty when ok(). A failure of any code but HandshakeFailed (the only
/// one Noise reports) shows up as a mismatching text.
QString text(const Error &error)
{
    if (!error.ok() && error.code != ErrorCode::HandshakeFailed)
        return "unexpected code " + QString::fromUtf8(errorCodeName(error.code)) + ": " +
               QString::fromStdString(error.message);
    if (error.ok() && !error.message.empty())
        return "ok() with a message: " + QString::fromStdString(error.message);
    return QString::fromStdString(error.message);
}

// Cacophony private keys are raw X25519 scalars.
crypto::KeyPair keyPairFromScalar(const QJsonValue &value)
{
    crypto::KeyPair pair;
    pair.secretKey = fixed<32>(hex(value));
    crypto_scalarmult_base(pair.publicKey.data(), pair.secretKey.data());
    return pair;
}

// Reads a protobuf-style varint prefix; returns {value, prefix length}.
std::pair<std::size_t, std::size_t> readVarint(ByteView bytes)
{
    std::size_t value = 0;
    for (std::size_t i = 0; i < bytes.size() && i < 10; ++i) {
        value |= std::size_t(bytes[i] & 0x7f) << (7 * i);
        if (!(bytes[i] & 0x80))
            return {value, i + 1};
    }
    qFatal("bad varint");
    return {};
}

// The hypercore NoisePayload {1: nonce} as the reference encodes it.
Bytes noisePayload(const Nonce24 &nonce)
{
    Bytes payload(2 + nonce.size());
    payload[0] = 0x0a; // field 1, length-delimited
    payload[1] = std::uint8_t(nonce.size());
    std::copy(nonce.begin(), nonce.end(), payload.begin() + 2);
    return payload;
}

// Two ends of an XX handshake with fresh keys.
struct Peers
{
    std::unique_ptr<NoiseHandshake> initiator;
    std::unique_ptr<NoiseHandshake> responder;

    explicit Peers(NoisePattern pattern = NoisePattern::XX)
        : initiator(std::make_unique<NoiseHandshake>(
              true, crypto::generateKeyPair(), crypto::generateKeyPair(), ByteView{}, pattern))
        , responder(std::make_unique<NoiseHandshake>(
              false, crypto::generateKeyPair(), crypto::generateKeyPair(), ByteView{}, pattern))
    {}

    NoiseHandshake &writerOf(int index) { return index % 2 == 0 ? *initiator : *responder; }
    NoiseHandshake &readerOf(int index) { return index % 2 == 0 ? *responder : *initiator; }
};

const Bytes HandshakePayload(26, 0x42); // as long as hypercore's NoisePayload

// A low-order point: X25519 with any clamped scalar gives all zeros.
const char *const LowOrderPoints[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

} // namespace

class TestNoise : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(crypto::ensureInitialized()); }

    void replaysCacophonyVector_data();
    void replaysCacophonyVector();
    void reproducesReferenceHypercoreHandshake();
    void recordsEveryStep_data();
    void recordsEveryStep();
    void recordsNothingWithoutLog();
    void completesHandshakeWithFreshKeys_data();
    void completesHandshakeWithFreshKeys();
    void describesMessageTokens_data();
    void describesMessageTokens();

    void rejectsTruncatedMessage_data();
    void rejectsTruncatedMessage();
    void rejectsFlippedByte_data();
    void rejectsFlippedByte();
    void refusesCallsOutOfTurn_data();
    void refusesCallsOutOfTurn();
    void staysFailedAfterError();
    void refusesOversizedMessage_data();
    void refusesOversizedMessage();
    void refusesOversizedIncomingMessage_data();
    void refusesOversizedIncomingMessage();
    void rejectsLowOrderEphemeralKey_data();
    void rejectsLowOrderEphemeralKey();

    void cipherStateCountsNoncesAndRejectsForgery();
    void cipherStateWithoutKeyPassesBytesThrough();
};

// --- Vectors ----------------------------------------------------------------------------------

void TestNoise::replaysCacophonyVector_data()
{
    QTest::addColumn<int>("index");
    const QJsonArray vectors = noiseVectors();
    QCOMPARE(vectors.size(), 2);
    for (int i = 0; i < vectors.size(); ++i)
        QTest::newRow(qPrintable(vectors[i].toObject().value("protocol_name").toString())) << i;
}

void TestNoise::replaysCacophonyVector()
{
    QFETCH(int, index);
    const QJsonObject vector = noiseVectors()[index].toObject();
    const QString name = vector.value("protocol_name").toString();
    const NoisePattern pattern = name.contains("_XX_") ? NoisePattern::XX : NoisePattern::NN;
    QCOMPARE(QString::fromUtf8(NoiseHandshake::protocolName(pattern)), name);

    const bool hasStatic = vector.contains("init_static");
    const crypto::KeyPair initStatic =
        hasStatic ? keyPairFromScalar(vector.value("init_static")) : crypto::KeyPair{};
    const crypto::KeyPair respStatic =
        hasStatic ? keyPairFromScalar(vector.value("resp_static")) : crypto::KeyPair{};
    NoiseHandshake initiator(true, initStatic, keyPairFromScalar(vector.value("init_ephemeral")),
                             hex(vector.value("init_prologue")), pattern);
    NoiseHandshake responder(false, respStatic, keyPairFromScalar(vector.value("resp_ephemeral")),
                             hex(vector.value("resp_prologue")), pattern);

    const QJsonArray messages = vector.value("messages").toArray();
    const int handshakeMessages = NoiseHandshake::messageCount(pattern);
    QVERIFY(messages.size() > handshakeMessages);

    // Handshake messages, each checked on the wire and after decryption.
    for (int i = 0; i < handshakeMessages; ++i) {
        NoiseHandshake &writer = i % 2 == 0 ? initiator : responder;
        NoiseHandshake &reader = i % 2 == 0 ? responder : initiator;
        QCOMPARE(writer.nextAction(), Action::WriteMessage);
        QCOMPARE(reader.nextAction(), Action::ReadMessage);
        QCOMPARE(writer.messageIndex(), i);

        const Bytes payload = hex(messages[i].toObject().value("payload"));
        Bytes message;
        QCOMPARE(text(writer.writeMessage(payload, message)), QString());
        QCOMPARE(hexOf(message), messages[i].toObject().value("ciphertext").toString());
        Bytes received;
        QCOMPARE(text(reader.readMessage(message, received)), QString());
        QCOMPARE(hexOf(received), hexOf(payload));
    }

    QCOMPARE(initiator.nextAction(), Action::Split);
    QCOMPARE(responder.nextAction(), Action::Split);
    const QString expectedHash = vector.value("handshake_hash").toString();
    QCOMPARE(hexOf(initiator.handshakeHash()), expectedHash);
    QCOMPARE(hexOf(responder.handshakeHash()), expectedHash);
    QCOMPARE(initiator.remoteEphemeralKey(), std::optional(responder.localEphemeralPublicKey()));
    QCOMPARE(responder.remoteEphemeralKey(), std::optional(initiator.localEphemeralPublicKey()));
    if (hasStatic) {
        QCOMPARE(initiator.remoteStaticKey(), std::optional(respStatic.publicKey));
        QCOMPARE(responder.remoteStaticKey(), std::optional(initStatic.publicKey));
    } else {
        QVERIFY(!initiator.remoteStaticKey());
        QVERIFY(!responder.remoteStaticKey());
    }

    // Transport messages continue the alternation: even indexes go initiator -> responder.
    const crypto::SplitKeys initSplit = initiator.split();
    const crypto::SplitKeys respSplit = responder.split();
    QCOMPARE(initSplit.tx, respSplit.rx);
    QCOMPARE(initSplit.rx, respSplit.tx);
    NoiseCipherState initTx(initSplit.tx), initRx(initSplit.rx);
    NoiseCipherState respTx(respSplit.tx), respRx(respSplit.rx);
    for (int i = handshakeMessages; i < messages.size(); ++i) {
        NoiseCipherState &sender = i % 2 == 0 ? initTx : respTx;
        NoiseCipherState &receiver = i % 2 == 0 ? respRx : initRx;
        const Bytes payload = hex(messages[i].toObject().value("payload"));
        Bytes ciphertext;
        QCOMPARE(text(sender.encryptWithAd({}, payload, ciphertext)), QString());
        QCOMPARE(hexOf(ciphertext), messages[i].toObject().value("ciphertext").toString());
        Bytes plaintext;
        QCOMPARE(text(receiver.decryptWithAd({}, ciphertext, plaintext)), QString());
        QCOMPARE(hexOf(plaintext), hexOf(payload));
    }
}

void TestNoise::reproducesReferenceHypercoreHandshake()
{
    const QJsonObject session = wireVectors().value("session").toObject();
    const QJsonObject init = session.value("initiator").toObject();
    const QJsonObject resp = session.value("responder").toObject();
    const QJsonObject wire = session.value("wire").toObject();
    const QJsonArray initWire = wire.value("initiator").toArray();
    const QJsonArray respWire = wire.value("responder").toArray();

    const crypto::KeyPair initStatic = crypto::keyPairFromSeed(hex(init.value("staticSeed")));
    const crypto::KeyPair respStatic = crypto::keyPairFromSeed(hex(resp.value("staticSeed")));
    QCOMPARE(hexOf(initStatic.publicKey), init.value("staticPublicKey").toString());
    QCOMPARE(hexOf(respStatic.publicKey), resp.value("staticPublicKey").toString());
    NoiseHandshake initiator(true, initStatic,
                             crypto::keyPairFromSeed(hex(init.value("ephemeralSeed"))));
    NoiseHandshake responder(false, respStatic,
                             crypto::keyPairFromSeed(hex(resp.value("ephemeralSeed"))));
    const Bytes initPayload = noisePayload(fixed<24>(hex(init.value("payloadNonce"))));
    const Bytes respPayload = noisePayload(fixed<24>(hex(resp.value("payloadNonce"))));

    // Each handshake message is the start of a wire chunk: varint(length) || message. Message 3
    // could share its chunk with transport bytes, so the varint, not the chunk, gives its length.
    const auto messageIn = [](const QJsonValue &chunkHex, std::size_t expectedLength) {
        const Bytes chunk = hex(chunkHex);
        const auto [length, prefix] = readVarint(chunk);
        if (length != expectedLength || chunk.size() < prefix + length)
            qFatal("wire chunk holds a %zu-byte message, expected %zu", length, expectedLength);
        return Bytes(chunk.begin() + prefix, chunk.begin() + prefix + length);
    };
    // e + payload; e + s + tag + payload + tag; s + tag + payload + tag.
    const Bytes expected1 = messageIn(initWire[0], 32 + 26);
    const Bytes expected2 = messageIn(respWire[0], 32 + 48 + 26 + 16);
    const Bytes expected3 = messageIn(initWire[1], 48 + 26 + 16);

    Bytes message, payload;
    QCOMPARE(text(initiator.writeMessage(initPayload, message)), QString());
    QCOMPARE(hexOf(message), hexOf(expected1));
    QCOMPARE(text(responder.readMessage(message, payload)), QString());
    QCOMPARE(hexOf(payload), hexOf(initPayload));

    message.clear();
    QCOMPARE(text(responder.writeMessage(respPayload, message)), QString());
    QCOMPARE(hexOf(message), hexOf(expected2));
    QCOMPARE(text(initiator.readMessage(message, payload)), QString());
    QCOMPARE(hexOf(payload), hexOf(respPayload));
    QCOMPARE(initiator.remoteStaticKey(), std::optional(respStatic.publicKey));
    QVERIFY(!responder.remoteStaticKey());

    message.clear();
    QCOMPARE(text(initiator.writeMessage(initPayload, message)), QString());
    QCOMPARE(hexOf(message), hexOf(expected3));
    QCOMPARE(text(responder.readMessage(message, payload)), QString());
    QCOMPARE(hexOf(payload), hexOf(initPayload));
    QCOMPARE(responder.remoteStaticKey(), std::optional(initStatic.publicKey));

    QCOMPARE(initiator.nextAction(), Action::Split);
    QCOMPARE(responder.nextAction(), Action::Split);
    const QString hash = session.value("handshakeHash").toString();
    QCOMPARE(hexOf(initiator.handshakeHash()), hash);
    QCOMPARE(hexOf(responder.handshakeHash()), hash);

    // The vector's split keys carry the JS cipher-state nonce (8 zero bytes) after the key.
    const QJsonObject initSplit = session.value("initiatorSplit").toObject();
    const Key32 tx = fixed<32>(hex(initSplit.value("tx")));
    const Key32 rx = fixed<32>(hex(initSplit.value("rx")));
    QCOMPARE(hexOf(initiator.split().tx), hexOf(tx));
    QCOMPARE(hexOf(initiator.split().rx), hexOf(rx));
    QCOMPARE(hexOf(responder.split().tx), hexOf(rx));
    QCOMPARE(hexOf(responder.split().rx), hexOf(tx));
}

// --- The step log (the inspector's handshake lesson) ------------------------------------------

namespace {

/// Everything a handshake needs to be replayed: both sides' keys and the payloads.
struct HandshakeCase
{
    NoisePattern pattern = NoisePattern::XX;
    crypto::KeyPair initStatic, respStatic, initEphemeral, respEphemeral;
    Bytes prologue;
    std::vector<Bytes> payloads;
    QString expectedHash;
    QString expectedInitiatorTx; ///< Empty when the vector has none.
};

HandshakeCase cacophonyCase(int index)
{
    const QJsonObject vector = noiseVectors()[index].toObject();
    HandshakeCase c;
    c.pattern = vector.value("protocol_name").toString().contains("_XX_") ? NoisePattern::XX
                                                                          : NoisePattern::NN;
    if (vector.contains("init_static")) {
        c.initStatic = keyPairFromScalar(vector.value("init_static"));
        c.respStatic = keyPairFromScalar(vector.value("resp_static"));
    }
    c.initEphemeral = keyPairFromScalar(vector.value("init_ephemeral"));
    c.respEphemeral = keyPairFromScalar(vector.value("resp_ephemeral"));
    c.prologue = hex(vector.value("init_prologue"));
    const QJsonArray messages = vector.value("messages").toArray();
    for (int i = 0; i < NoiseHandshake::messageCount(c.pattern); ++i)
        c.payloads.push_back(hex(messages[i].toObject().value("payload")));
    c.expectedHash = vector.value("handshake_hash").toString();
    return c;
}

HandshakeCase hypercoreCase()
{
    const QJsonObject session = wireVectors().value("session").toObject();
    const QJsonObject init = session.value("initiator").toObject();
    const QJsonObject resp = session.value("responder").toObject();
    HandshakeCase c;
    c.initStatic = crypto::keyPairFromSeed(hex(init.value("staticSeed")));
    c.respStatic = crypto::keyPairFromSeed(hex(resp.value("staticSeed")));
    c.initEphemeral = crypto::keyPairFromSeed(hex(init.value("ephemeralSeed")));
    c.respEphemeral = crypto::keyPairFromSeed(hex(resp.value("ephemeralSeed")));
    const Bytes initPayload = noisePayload(fixed<24>(hex(init.value("payloadNonce"))));
    // Like the reference, the initiator sends the same payload (its nonce) in messages 1 and 3.
    c.payloads = {initPayload, noisePayload(fixed<24>(hex(resp.value("payloadNonce")))),
                  initPayload};
    c.expectedHash = session.value("handshakeHash").toString();
    c.expectedInitiatorTx =
        session.value("initiatorSplit").toObject().value("tx").toString().left(64);
    return c;
}

QString kindName(NoiseStep::Kind kind)
{
    switch (kind) {
    case NoiseStep::Kind::Initialize:
        return "init";
    case NoiseStep::Kind::Prologue:
        return "prologue";
    case NoiseStep::Kind::E:
        return "e";
    case NoiseStep::Kind::S:
        return "s";
    case NoiseStep::Kind::EE:
        return "ee";
    case NoiseStep::Kind::ES:
        return "es";
    case NoiseStep::Kind::SE:
        return "se";
    case NoiseStep::Kind::Payload:
        return "payload";
    case NoiseStep::Kind::Split:
        return "split";
    }
    return "?";
}

/// "0:e 0:payload 1:e ..." with, for encrypting steps, the nonce used ("1:s@0").
QString describe(const std::vector<NoiseStep> &steps)
{
    QStringList parts;
    for (const NoiseStep &step : steps) {
        QString part = QString::number(step.message) + ":" + kindName(step.kind);
        if (step.encrypted)
            part += "@" + QString::number(step.nonce);
        parts << part;
    }
    return parts.join(' ');
}

} // namespace

void TestNoise::recordsEveryStep_data()
{
    QTest::addColumn<int>("vector"); // -1: the hypercore session vector
    QTest::addColumn<QString>("expectedSteps");
    const QString xx = "0:e 0:payload 1:e 1:ee 1:s@0 1:es 1:payload@0 2:s@1 2:se 2:payload@0 "
                       "2:split";
    QTest::newRow("Cacophony NN") << 0 << "0:e 0:payload 1:e 1:ee 1:payload@0 1:split";
    QTest::newRow("Cacophony XX") << 1 << xx;
    QTest::newRow("hypercore session") << -1 << xx;
}

void TestNoise::recordsEveryStep()
{
    QFETCH(int, vector);
    QFETCH(QString, expectedSteps);
    const HandshakeCase c = vector < 0 ? hypercoreCase() : cacophonyCase(vector);

    NoiseHandshake initiator(true, c.initStatic, c.initEphemeral, c.prologue, c.pattern);
    NoiseHandshake responder(false, c.respStatic, c.respEphemeral, c.prologue, c.pattern);
    std::vector<NoiseStep> initiatorLog, responderLog;
    initiator.setStepLog(&initiatorLog);
    responder.setStepLog(&responderLog);

    std::vector<Bytes> wire;
    for (int i = 0; i < NoiseHandshake::messageCount(c.pattern); ++i) {
        NoiseHandshake &writer = i % 2 == 0 ? initiator : responder;
        NoiseHandshake &reader = i % 2 == 0 ? responder : initiator;
        Bytes message, payload;
        QCOMPARE(text(writer.writeMessage(c.payloads[std::size_t(i)], message)), QString());
        QCOMPARE(text(reader.readMessage(message, payload)), QString());
        wire.push_back(message);
    }
    QCOMPARE(initiator.nextAction(), Action::Split);
    QCOMPARE(hexOf(initiator.handshakeHash()), c.expectedHash);

    QCOMPARE(describe(initiatorLog), expectedSteps);
    QCOMPARE(describe(responderLog), expectedSteps);

    // Both sides record the same state at every step, each as itself.
    for (std::size_t i = 0; i < initiatorLog.size(); ++i) {
        QVERIFY(initiatorLog[i].recordedByInitiator);
        QVERIFY(!responderLog[i].recordedByInitiator);
        QCOMPARE(hexOf(responderLog[i].h), hexOf(initiatorLog[i].h));
        QCOMPARE(hexOf(responderLog[i].ck), hexOf(initiatorLog[i].ck));
        QCOMPARE(responderLog[i].k, initiatorLog[i].k);
        QCOMPARE(responderLog[i].k2, initiatorLog[i].k2);
    }

    // The opening, recomputed from public values, continues exactly where the log starts.
    const std::vector<NoiseStep> opening = NoiseHandshake::publicOpeningSteps(
        c.pattern, c.prologue, c.initEphemeral.publicKey, c.payloads[0], true);
    QCOMPARE(describe(opening), QString("-1:init -1:prologue 0:e 0:payload"));
    const std::string name(NoiseHandshake::protocolName(c.pattern));
    noiseref::Hash h = noiseref::initialHash(name);
    noiseref::Hash ck = h;
    QCOMPARE(hexOf(opening[0].h), hexOf(h));
    QCOMPARE(hexOf(opening[0].ck), hexOf(ck));
    h = noiseref::mixHash(h, c.prologue);
    QCOMPARE(hexOf(opening[1].h), hexOf(h));
    QCOMPARE(opening[1].mixedSize, c.prologue.size());
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(hexOf(opening[std::size_t(2 + i)].h), hexOf(initiatorLog[std::size_t(i)].h));
        QCOMPARE(hexOf(opening[std::size_t(2 + i)].ck), hexOf(ck));
    }

    // Replay the whole log with the reference operations: h from the bytes on the wire, ck and k
    // from the DH of the keys the vector gives, the transport keys from the last ck.
    std::size_t cursor = 0;
    int message = -1;
    for (const NoiseStep &step : initiatorLog) {
        if (step.message != message) {
            message = step.message;
            cursor = 0;
        }
        const Bytes &bytes = wire[std::size_t(message)];
        const bool initiatorSends = message % 2 == 0;
        switch (step.kind) {
        case NoiseStep::Kind::E:
            QCOMPARE(step.publicKey,
                     initiatorSends ? c.initEphemeral.publicKey : c.respEphemeral.publicKey);
            QCOMPARE(hexOf(ByteView(bytes).subspan(cursor, 32)), hexOf(step.publicKey));
            h = noiseref::mixHash(h, ByteView(bytes).subspan(cursor, 32));
            cursor += 32;
            break;
        case NoiseStep::Kind::S:
            QCOMPARE(step.publicKey,
                     initiatorSends ? c.initStatic.publicKey : c.respStatic.publicKey);
            QCOMPARE(step.mixedSize, std::size_t(48));
            h = noiseref::mixHash(h, ByteView(bytes).subspan(cursor, step.mixedSize));
            cursor += step.mixedSize;
            break;
        case NoiseStep::Kind::EE:
        case NoiseStep::Kind::ES:
        case NoiseStep::Kind::SE: {
            const bool initStatic = step.kind == NoiseStep::Kind::SE;
            const bool respStatic = step.kind == NoiseStep::Kind::ES;
            const crypto::KeyPair &i = initStatic ? c.initStatic : c.initEphemeral;
            const crypto::KeyPair &r = respStatic ? c.respStatic : c.respEphemeral;
            QCOMPARE(step.initiatorKey, i.publicKey);
            QCOMPARE(step.responderKey, r.publicKey);
            const Key32 shared = noiseref::dh(i.secretKey, r.publicKey);
            QCOMPARE(hexOf(noiseref::dh(r.secretKey, i.publicKey)), hexOf(shared));
            const auto [nextCk, temp] = noiseref::hkdf(ck, shared);
            ck = nextCk;
            QVERIFY(step.k);
            QCOMPARE(hexOf(*step.k), hexOf(noiseref::first32(temp)));
            break;
        }
        case NoiseStep::Kind::Payload:
            QCOMPARE(step.mixedSize, bytes.size() - cursor);
            QCOMPARE(step.mixedSize, c.payloads[std::size_t(message)].size() +
                                         (step.encrypted ? NoiseCipherState::TagSize : 0));
            h = noiseref::mixHash(h, ByteView(bytes).subspan(cursor));
            break;
        case NoiseStep::Kind::Split: {
            const auto [k1, k2] = noiseref::hkdf(ck, {});
            QVERIFY(step.k && step.k2);
            QCOMPARE(hexOf(*step.k), hexOf(noiseref::first32(k1)));
            QCOMPARE(hexOf(*step.k2), hexOf(noiseref::first32(k2)));
            QCOMPARE(*step.k, initiator.split().tx);
            QCOMPARE(*step.k2, initiator.split().rx);
            if (!c.expectedInitiatorTx.isEmpty())
                QCOMPARE(hexOf(*step.k), c.expectedInitiatorTx);
            break;
        }
        case NoiseStep::Kind::Initialize:
        case NoiseStep::Kind::Prologue:
            QFAIL("the handshake itself never records its opening");
        }
        QCOMPARE(hexOf(step.h), hexOf(h));
        QCOMPARE(hexOf(step.ck), hexOf(ck));
    }
    QCOMPARE(hexOf(h), c.expectedHash);

    NoiseHandshake::wipeSteps(initiatorLog);
    QVERIFY(initiatorLog.empty());
}

void TestNoise::recordsNothingWithoutLog()
{
    Peers peers;
    std::vector<NoiseStep> log;
    peers.initiator->setStepLog(&log);
    Bytes message, payload;
    QCOMPARE(text(peers.initiator->writeMessage({}, message)), QString());
    QCOMPARE(describe(log), QString("0:e 0:payload"));
    peers.initiator->setStepLog(nullptr); // detached: the next message is not recorded
    QCOMPARE(text(peers.responder->readMessage(message, payload)), QString());
    message.clear();
    QCOMPARE(text(peers.responder->writeMessage({}, message)), QString());
    QCOMPARE(text(peers.initiator->readMessage(message, payload)), QString());
    QCOMPARE(describe(log), QString("0:e 0:payload"));
}

void TestNoise::completesHandshakeWithFreshKeys_data()
{
    QTest::addColumn<NoisePattern>("pattern");
    QTest::newRow("XX") << NoisePattern::XX;
    QTest::newRow("NN") << NoisePattern::NN;
}

void TestNoise::completesHandshakeWithFreshKeys()
{
    QFETCH(NoisePattern, pattern);
    Peers peers(pattern);
    QCOMPARE(peers.initiator->split().tx, Key32{}); // nothing before completion

    for (int i = 0; i < NoiseHandshake::messageCount(pattern); ++i) {
        QCOMPARE(peers.writerOf(i).nextAction(), Action::WriteMessage);
        QCOMPARE(peers.readerOf(i).nextAction(), Action::ReadMessage);
        QCOMPARE(peers.readerOf(i).messageIndex(), i);
        Bytes message, payload;
        QCOMPARE(text(peers.writerOf(i).writeMessage(HandshakePayload, message)), QString());
        QCOMPARE(text(peers.readerOf(i).readMessage(message, payload)), QString());
        QCOMPARE(payload, HandshakePayload);
        QCOMPARE(peers.writerOf(i).handshakeHash(), peers.readerOf(i).handshakeHash());
    }
    QCOMPARE(peers.initiator->nextAction(), Action::Split);
    QCOMPARE(peers.responder->nextAction(), Action::Split);
    QCOMPARE(peers.initiator->messageIndex(), NoiseHandshake::messageCount(pattern));
    QCOMPARE(peers.initiator->split().tx, peers.responder->split().rx);
    QCOMPARE(peers.initiator->split().rx, peers.responder->split().tx);
    QVERIFY(peers.initiator->split().tx != peers.initiator->split().rx);
    QVERIFY(peers.initiator->split().tx != Key32{});
}

void TestNoise::describesMessageTokens_data()
{
    QTest::addColumn<NoisePattern>("pattern");
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("tokens");
    QTest::newRow("XX 0") << NoisePattern::XX << 0 << "e";
    QTest::newRow("XX 1") << NoisePattern::XX << 1 << "e, ee, s, es";
    QTest::newRow("XX 2") << NoisePattern::XX << 2 << "s, se";
    QTest::newRow("XX 3 is outside") << NoisePattern::XX << 3 << "";
    QTest::newRow("XX -1 is outside") << NoisePattern::XX << -1 << "";
    QTest::newRow("NN 0") << NoisePattern::NN << 0 << "e";
    QTest::newRow("NN 1") << NoisePattern::NN << 1 << "e, ee";
    QTest::newRow("NN 2 is outside") << NoisePattern::NN << 2 << "";
}

void TestNoise::describesMessageTokens()
{
    QFETCH(NoisePattern, pattern);
    QFETCH(int, index);
    QFETCH(QString, tokens);
    QCOMPARE(QString::fromUtf8(NoiseHandshake::messageTokens(pattern, index)), tokens);
}

// --- Bad input --------------------------------------------------------------------------------

void TestNoise::rejectsTruncatedMessage_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("length");
    QTest::addColumn<QString>("error");
    // XX with a 26-byte payload: messages of 58, 122 and 90 bytes.
    QTest::newRow("message 1 empty") << 0 << 0 << "message too short: 0 bytes, need at least 32";
    QTest::newRow("message 1 inside e")
        << 0 << 31 << "message too short: 31 bytes, need at least 32";
    QTest::newRow("message 2 inside s")
        << 1 << 40 << "message too short: 40 bytes, need at least 96";
    QTest::newRow("message 2 one byte short of minimum")
        << 1 << 95 << "message too short: 95 bytes, need at least 96";
    QTest::newRow("message 2 inside payload") << 1 << 100 << "MAC check failed on payload";
    QTest::newRow("message 2 without last byte") << 1 << 121 << "MAC check failed on payload";
    QTest::newRow("message 3 inside s")
        << 2 << 47 << "message too short: 47 bytes, need at least 64";
    QTest::newRow("message 3 without last byte") << 2 << 89 << "MAC check failed on payload";
}

void TestNoise::rejectsTruncatedMessage()
{
    QFETCH(int, index);
    QFETCH(int, length);
    QFETCH(QString, error);
    Peers peers;
    for (int i = 0;; ++i) {
        Bytes message, payload;
        QCOMPARE(text(peers.writerOf(i).writeMessage(HandshakePayload, message)), QString());
        if (i < index) {
            QCOMPARE(text(peers.readerOf(i).readMessage(message, payload)), QString());
            continue;
        }
        message.resize(std::size_t(length));
        const Error result = peers.readerOf(i).readMessage(message, payload);
        QCOMPARE(text(result), error);
        QVERIFY(payload.empty());
        QCOMPARE(peers.readerOf(i).nextAction(), Action::Failed);
        QCOMPARE(peers.readerOf(i).messageIndex(), index);
        break;
    }
}

void TestNoise::rejectsFlippedByte_data()
{
    QTest::addColumn<int>("flippedMessage");
    QTest::addColumn<int>("offset"); // negative: from the end
    QTest::addColumn<int>("failingMessage");
    QTest::addColumn<QString>("error");
    // Message 1 has no MAC: a change there alters h, so message 2 no longer authenticates.
    QTest::newRow("message 1 e") << 0 << 3 << 1 << "MAC check failed on static key";
    QTest::newRow("message 1 payload") << 0 << -1 << 1 << "MAC check failed on static key";
    QTest::newRow("message 2 e") << 1 << 0 << 1 << "MAC check failed on static key";
    QTest::newRow("message 2 s") << 1 << 40 << 1 << "MAC check failed on static key";
    QTest::newRow("message 2 s tag") << 1 << 79 << 1 << "MAC check failed on static key";
    QTest::newRow("message 2 payload") << 1 << 80 << 1 << "MAC check failed on payload";
    QTest::newRow("message 2 payload tag") << 1 << -1 << 1 << "MAC check failed on payload";
    QTest::newRow("message 3 s") << 2 << 0 << 2 << "MAC check failed on static key";
    QTest::newRow("message 3 s tag") << 2 << 47 << 2 << "MAC check failed on static key";
    QTest::newRow("message 3 payload") << 2 << 48 << 2 << "MAC check failed on payload";
    QTest::newRow("message 3 payload tag") << 2 << -1 << 2 << "MAC check failed on payload";
}

void TestNoise::rejectsFlippedByte()
{
    QFETCH(int, flippedMessage);
    QFETCH(int, offset);
    QFETCH(int, failingMessage);
    QFETCH(QString, error);
    Peers peers;
    for (int i = 0; i < 3; ++i) {
        Bytes message, payload;
        QCOMPARE(text(peers.writerOf(i).writeMessage(HandshakePayload, message)), QString());
        if (i == flippedMessage)
            message[offset >= 0 ? std::size_t(offset) : message.size() + offset] ^= 0x01;
        const Error result = peers.readerOf(i).readMessage(message, payload);
        if (i < failingMessage) {
            QCOMPARE(text(result), QString());
            continue;
        }
        QCOMPARE(text(result), error);
        QVERIFY(payload.empty());
        QCOMPARE(peers.readerOf(i).nextAction(), Action::Failed);
        QCOMPARE(peers.readerOf(i).split().tx, Key32{});
        return;
    }
    QFAIL("the tampered handshake completed");
}

void TestNoise::refusesCallsOutOfTurn_data()
{
    QTest::addColumn<bool>("initiator");
    QTest::addColumn<int>("messagesBefore");
    QTest::addColumn<bool>("write");
    QTest::addColumn<QString>("error");
    QTest::newRow("responder writes first")
        << false << 0 << true << "not this side's turn to write: expecting to read message 0";
    QTest::newRow("initiator reads first")
        << true << 0 << false << "not this side's turn to read: expecting to write message 0";
    QTest::newRow("initiator writes twice")
        << true << 1 << true << "not this side's turn to write: expecting to read message 1";
    QTest::newRow("responder writes after its message")
        << false << 2 << true << "not this side's turn to write: expecting to read message 2";
    QTest::newRow("initiator writes after completion")
        << true << 3 << true << "handshake is already complete: nothing more to write";
    QTest::newRow("responder reads after completion")
        << false << 3 << false << "handshake is already complete: nothing more to read";
}

void TestNoise::refusesCallsOutOfTurn()
{
    QFETCH(bool, initiator);
    QFETCH(int, messagesBefore);
    QFETCH(bool, write);
    QFETCH(QString, error);
    Peers peers;
    for (int i = 0; i < messagesBefore; ++i) {
        Bytes message, payload;
        QCOMPARE(text(peers.writerOf(i).writeMessage(HandshakePayload, message)), QString());
        QCOMPARE(text(peers.readerOf(i).readMessage(message, payload)), QString());
    }
    NoiseHandshake &side = initiator ? *peers.initiator : *peers.responder;
    const Hash64 hashBefore = side.handshakeHash();

    Bytes out{0xff};
    const Error result =
        write ? side.writeMessage(HandshakePayload, out) : side.readMessage(Bytes(200, 0x00), out);
    QCOMPARE(text(result), error);
    if (write)
        QCOMPARE(out, Bytes{0xff}); // nothing appended
    QCOMPARE(side.nextAction(), Action::Failed);
    QCOMPARE(side.handshakeHash(), hashBefore);
}

void TestNoise::staysFailedAfterError()
{
    Peers peers;
    Bytes message, payload;
    QVERIFY(!peers.responder->writeMessage(HandshakePayload, message).ok());
    QCOMPARE(peers.responder->nextAction(), Action::Failed);

    // Even the call that would have been right now is refused.
    QCOMPARE(text(peers.initiator->writeMessage(HandshakePayload, message)), QString());
    QCOMPARE(text(peers.responder->readMessage(message, payload)),
             QStringLiteral("handshake has already failed"));
    QCOMPARE(peers.responder->nextAction(), Action::Failed);
    QVERIFY(payload.empty());
}

void TestNoise::refusesOversizedMessage_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("payloadSize");
    QTest::addColumn<QString>("error");
    // Overheads: message 1 = 32 bytes, message 2 = 96 bytes, message 3 = 64 bytes.
    QTest::newRow("message 1 at the limit") << 0 << 65535 - 32 << "";
    QTest::newRow("message 1 one byte over")
        << 0 << 65536 - 32 << "message would be 65536 bytes, more than the maximum 65535";
    QTest::newRow("message 2 at the limit") << 1 << 65535 - 96 << "";
    QTest::newRow("message 2 one byte over")
        << 1 << 65536 - 96 << "message would be 65536 bytes, more than the maximum 65535";
    QTest::newRow("message 3 at the limit") << 2 << 65535 - 64 << "";
    QTest::newRow("message 3 far over")
        << 2 << 100000 << "message would be 100064 bytes, more than the maximum 65535";
}

void TestNoise::refusesOversizedMessage()
{
    QFETCH(int, index);
    QFETCH(int, payloadSize);
    QFETCH(QString, error);
    Peers peers;
    for (int i = 0; i < index; ++i) {
        Bytes message, payload;
        QCOMPARE(text(peers.writerOf(i).writeMessage(HandshakePayload, message)), QString());
        QCOMPARE(text(peers.readerOf(i).readMessage(message, payload)), QString());
    }
    const Bytes bigPayload(std::size_t(payloadSize), 0x5a);
    Bytes message, payload;
    const Error result = peers.writerOf(index).writeMessage(bigPayload, message);
    QCOMPARE(text(result), error);
    if (!error.isEmpty()) {
        QVERIFY(message.empty());
        QCOMPARE(peers.writerOf(index).nextAction(), Action::Failed);
        return;
    }
    QCOMPARE(message.size(), NoiseHandshake::MaxMessageSize);
    QCOMPARE(text(peers.readerOf(index).readMessage(message, payload)), QString());
    QCOMPARE(payload, bigPayload);
}

void TestNoise::refusesOversizedIncomingMessage_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("size");
    QTest::newRow("message 1, one byte over") << 0 << 65536;
    QTest::newRow("message 2, one byte over") << 1 << 65536;
    QTest::newRow("message 3, far over") << 2 << 1000000;
}

void TestNoise::refusesOversizedIncomingMessage()
{
    QFETCH(int, index);
    QFETCH(int, size);
    Peers peers;
    for (int i = 0; i < index; ++i) {
        Bytes message, payload;
        QCOMPARE(text(peers.writerOf(i).writeMessage(HandshakePayload, message)), QString());
        QCOMPARE(text(peers.readerOf(i).readMessage(message, payload)), QString());
    }
    // A real message followed by junk: the size alone is reason to refuse it.
    Bytes message, payload;
    QCOMPARE(text(peers.writerOf(index).writeMessage(HandshakePayload, message)), QString());
    message.resize(std::size_t(size), 0x00);
    QCOMPARE(text(peers.readerOf(index).readMessage(message, payload)),
             QStringLiteral("message too large: %1 bytes, more than the maximum 65535").arg(size));
    QVERIFY(payload.empty());
    QCOMPARE(peers.readerOf(index).nextAction(), Action::Failed);
}

void TestNoise::rejectsLowOrderEphemeralKey_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<QByteArray>("point");
    for (const char *point : LowOrderPoints) {
        // In message 1 the responder only stores e: the DH (ee) happens when it writes message 2.
        QTest::addRow("message 1, %.8s", point) << 0 << toQByteArray(hex(point));
        QTest::addRow("message 2, %.8s", point) << 1 << toQByteArray(hex(point));
    }
}

void TestNoise::rejectsLowOrderEphemeralKey()
{
    QFETCH(int, index);
    QFETCH(QByteArray, point);
    Peers peers;
    Bytes message, payload;
    if (index == 1) {
        QCOMPARE(text(peers.initiator->writeMessage(HandshakePayload, message)), QString());
        QCOMPARE(text(peers.responder->readMessage(message, payload)), QString());
        message.clear();
    }
    QCOMPARE(text(peers.writerOf(index).writeMessage(HandshakePayload, message)), QString());
    std::copy(point.begin(), point.end(), message.begin()); // e is the first token
    NoiseHandshake &reader = peers.readerOf(index);
    const Error result = reader.readMessage(message, payload);

    if (index == 0) {
        QCOMPARE(text(result), QString());
        Bytes reply;
        QCOMPARE(text(reader.writeMessage(HandshakePayload, reply)),
                 QStringLiteral("invalid DH result (low-order point)"));
        QVERIFY(reply.empty());
    } else {
        QCOMPARE(text(result), QStringLiteral("invalid DH result (low-order point)"));
        QVERIFY(payload.empty());
    }
    QCOMPARE(reader.nextAction(), Action::Failed);
}

// --- CipherState ------------------------------------------------------------------------------

void TestNoise::cipherStateCountsNoncesAndRejectsForgery()
{
    Key32 key;
    key.fill(0x07);
    NoiseCipherState sender(key), receiver(key);
    QVERIFY(sender.hasKey());
    const Bytes ad = hex("0102");

    Bytes first, second;
    QCOMPARE(text(sender.encryptWithAd(ad, HandshakePayload, first)), QString());
    QCOMPARE(text(sender.encryptWithAd(ad, HandshakePayload, second)), QString());
    QCOMPARE(sender.nonce(), std::uint64_t(2));
    QCOMPARE(first.size(), HandshakePayload.size() + NoiseCipherState::TagSize);
    QVERIFY(first != second); // a fresh nonce per message

    Bytes plaintext{0xee};
    Bytes forged = first;
    forged[3] ^= 0x80;
    QCOMPARE(text(receiver.decryptWithAd(ad, forged, plaintext)),
             QStringLiteral("MAC check failed"));
    QCOMPARE(text(receiver.decryptWithAd({}, first, plaintext)),
             QStringLiteral("MAC check failed")); // wrong ad
    QCOMPARE(text(receiver.decryptWithAd(ad, Bytes(15, 0), plaintext)),
             QStringLiteral("ciphertext too short: 15 bytes, need at least 16"));
    QCOMPARE(receiver.nonce(), std::uint64_t(0)); // failures do not consume nonces
    QCOMPARE(plaintext, Bytes{0xee});             // nor touch the output

    QCOMPARE(text(receiver.decryptWithAd(ad, first, plaintext)), QString());
    QCOMPARE(text(receiver.decryptWithAd(ad, second, plaintext)), QString());
    Bytes expected{0xee};
    expected.insert(expected.end(), HandshakePayload.begin(), HandshakePayload.end());
    expected.insert(expected.end(), HandshakePayload.begin(), HandshakePayload.end());
    QCOMPARE(plaintext, expected); // appended, in order

    sender.setNonce(std::numeric_limits<std::uint64_t>::max());
    Bytes out;
    QCOMPARE(text(sender.encryptWithAd(ad, HandshakePayload, out)),
             QStringLiteral("nonce exhausted"));
    QVERIFY(out.empty());
}

void TestNoise::cipherStateWithoutKeyPassesBytesThrough()
{
    NoiseCipherState state;
    QVERIFY(!state.hasKey());
    Bytes out;
    QCOMPARE(text(state.encryptWithAd(hex("ff"), HandshakePayload, out)), QString());
    QCOMPARE(out, HandshakePayload);
    Bytes back;
    QCOMPARE(text(state.decryptWithAd(hex("ff"), out, back)), QString());
    QCOMPARE(back, HandshakePayload);
    QCOMPARE(state.nonce(), std::uint64_t(0));
}

QTEST_APPLESS_MAIN(TestNoise)
#include "tst_noise.moc"
