// Tests core/protocol/crypto.cpp against the reference's vectors
// (tests/vectors/hypercore-wire.json).
#include "crypto.h"
#include "vectors.h"

#include <QtTest>

#include <sodium.h>

#include <algorithm>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

struct XSalsaVector
{
    Key32 key{};
    Nonce24 nonce{};
    std::vector<Bytes> plaintexts;
    std::vector<Bytes> ciphertexts;
};

XSalsaVector xsalsaVector()
{
    const QJsonObject object = wireVectors().value("xsalsa20").toObject();
    XSalsaVector vector;
    vector.key = key32(object.value("key"));
    const Bytes nonce = hex(object.value("nonce"));
    std::copy(nonce.begin(), nonce.end(), vector.nonce.begin());
    for (const QJsonValue chunk : object.value("chunks").toArray()) {
        vector.plaintexts.push_back(hex(chunk.toObject().value("plaintext")));
        vector.ciphertexts.push_back(hex(chunk.toObject().value("ciphertext")));
    }
    return vector;
}

Bytes concatenated(const std::vector<Bytes> &chunks)
{
    Bytes all;
    for (const Bytes &chunk : chunks)
        all.insert(all.end(), chunk.begin(), chunk.end());
    return all;
}

} // namespace

class TestCrypto : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(crypto::ensureInitialized()); }

    void discoveryKeyMatchesReference_data();
    void discoveryKeyMatchesReference();
    void discoveryKeyOfInvalidKeySizeIsZero();

    void capabilitiesMatchReference_data();
    void capabilitiesMatchReference();
    void capabilityOfOneSideIsRemoteCapabilityOfOther();

    void keyPairFromSeedMatchesReference_data();
    void keyPairFromSeedMatchesReference();
    void keyPairFromSeedRejectsWrongSeedSize();
    void generatedKeyPairsDiffer();

    void xsalsa20ChunksBackToBackMatchReference();
    void xsalsa20OneByteAtATimeMatchesReference();
    void xsalsa20DecryptsWhatItEncrypts();
    void xsalsa20ApplyAtMatchesContinuousStream_data();
    void xsalsa20ApplyAtMatchesContinuousStream();
    void xsalsa20ApplyAtLeavesPositionUnchanged();
    void xsalsa20MoveKeepsStreamPosition();
    void xsalsa20AnyChunkingMatchesOneShot_data();
    void xsalsa20AnyChunkingMatchesOneShot();

    void constantTimeEqualComparesContentsAndSize_data();
    void constantTimeEqualComparesContentsAndSize();

    void wipeZeroesBytes();
    void randomBytesFillsBuffer();
};

void TestCrypto::discoveryKeyMatchesReference_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("expected");
    for (const QJsonValue entry : wireVectors().value("discoveryKey").toArray()) {
        const QJsonObject object = entry.toObject();
        const QString key = object.value("key").toString();
        QTest::newRow(qPrintable(key.left(16)))
            << toQByteArray(hex(key)) << toQByteArray(hex(object.value("discoveryKey")));
    }
}

void TestCrypto::discoveryKeyMatchesReference()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, expected);
    const Key32 result = crypto::discoveryKey(
        ByteView(reinterpret_cast<const std::uint8_t *>(key.constData()), key.size()));
    QCOMPARE(toQByteArray(result).toHex(), expected.toHex());
}

void TestCrypto::discoveryKeyOfInvalidKeySizeIsZero()
{
    const Bytes tooShort(8, 0x03);
    QCOMPARE(crypto::discoveryKey(tooShort), Key32{});
}

void TestCrypto::capabilitiesMatchReference_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("splitTx");
    QTest::addColumn<QByteArray>("splitRx");
    QTest::addColumn<QByteArray>("capability");
    QTest::addColumn<QByteArray>("remoteCapability");
    int row = 0;
    for (const QJsonValue entry : wireVectors().value("capability").toArray()) {
        const QJsonObject object = entry.toObject();
        QTest::addRow("vector %d", row++)
            << toQByteArray(hex(object.value("key"))) << toQByteArray(hex(object.value("splitTx")))
            << toQByteArray(hex(object.value("splitRx")))
            << toQByteArray(hex(object.value("capability")))
            << toQByteArray(hex(object.value("remoteCapability")));
    }
    QVERIFY(row > 0);
}

void TestCrypto::capabilitiesMatchReference()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, splitTx);
    QFETCH(QByteArray, splitRx);
    QFETCH(QByteArray, capability);
    QFETCH(QByteArray, remoteCapability);

    crypto::SplitKeys split;
    QCOMPARE(splitTx.size(), 32);
    QCOMPARE(splitRx.size(), 32);
    std::copy(splitTx.begin(), splitTx.end(), split.tx.begin());
    std::copy(splitRx.begin(), splitRx.end(), split.rx.begin());
    const ByteView feedKey(reinterpret_cast<const std::uint8_t *>(key.constData()), key.size());

    QCOMPARE(toQByteArray(crypto::capability(feedKey, split)).toHex(), capability.toHex());
    QCOMPARE(toQByteArray(crypto::remoteCapability(feedKey, split)).toHex(),
             remoteCapability.toHex());
}

void TestCrypto::capabilityOfOneSideIsRemoteCapabilityOfOther()
{
    crypto::SplitKeys initiator;
    initiator.tx.fill(0x0a);
    initiator.rx.fill(0x0b);
    const crypto::SplitKeys responder{initiator.rx, initiator.tx};
    const Bytes feedKey(32, 0x03);

    QCOMPARE(crypto::capability(feedKey, initiator), crypto::remoteCapability(feedKey, responder));
    QCOMPARE(crypto::capability(feedKey, responder), crypto::remoteCapability(feedKey, initiator));
    QVERIFY(crypto::capability(feedKey, initiator) != crypto::capability(feedKey, responder));
}

void TestCrypto::keyPairFromSeedMatchesReference_data()
{
    QTest::addColumn<QByteArray>("seed");
    QTest::addColumn<QByteArray>("publicKey");
    const QJsonObject session = wireVectors().value("session").toObject();
    for (const char *side : {"initiator", "responder"}) {
        const QJsonObject object = session.value(side).toObject();
        QTest::newRow(side) << toQByteArray(hex(object.value("staticSeed")))
                            << toQByteArray(hex(object.value("staticPublicKey")));
    }
}

void TestCrypto::keyPairFromSeedMatchesReference()
{
    QFETCH(QByteArray, seed);
    QFETCH(QByteArray, publicKey);
    const crypto::KeyPair pair = crypto::keyPairFromSeed(
        ByteView(reinterpret_cast<const std::uint8_t *>(seed.constData()), seed.size()));
    QCOMPARE(toQByteArray(pair.publicKey).toHex(), publicKey.toHex());
    QVERIFY(pair.secretKey != Key32{});
}

void TestCrypto::keyPairFromSeedRejectsWrongSeedSize()
{
    const Bytes seed(31, 0x01);
    const crypto::KeyPair pair = crypto::keyPairFromSeed(seed);
    QCOMPARE(pair.publicKey, Key32{});
    QCOMPARE(pair.secretKey, Key32{});
}

void TestCrypto::generatedKeyPairsDiffer()
{
    const crypto::KeyPair a = crypto::generateKeyPair();
    const crypto::KeyPair b = crypto::generateKeyPair();
    QVERIFY(a.publicKey != b.publicKey);
    QVERIFY(a.secretKey != b.secretKey);
}

void TestCrypto::xsalsa20ChunksBackToBackMatchReference()
{
    const XSalsaVector vector = xsalsaVector();
    QCOMPARE(vector.plaintexts.size(), std::size_t(4));
    crypto::XSalsa20Stream stream(vector.key, vector.nonce);
    std::uint64_t position = 0;
    for (std::size_t i = 0; i < vector.plaintexts.size(); ++i) {
        Bytes data = vector.plaintexts[i];
        stream.apply(data);
        position += data.size();
        QCOMPARE(toQByteArray(data).toHex(), toQByteArray(vector.ciphertexts[i]).toHex());
        QCOMPARE(stream.position(), position);
    }
}

void TestCrypto::xsalsa20OneByteAtATimeMatchesReference()
{
    const XSalsaVector vector = xsalsaVector();
    crypto::XSalsa20Stream stream(vector.key, vector.nonce);
    Bytes data = concatenated(vector.plaintexts);
    for (std::size_t i = 0; i < data.size(); ++i)
        stream.apply(std::span(data).subspan(i, 1));
    QCOMPARE(toQByteArray(data).toHex(), toQByteArray(concatenated(vector.ciphertexts)).toHex());
}

void TestCrypto::xsalsa20DecryptsWhatItEncrypts()
{
    const XSalsaVector vector = xsalsaVector();
    crypto::XSalsa20Stream sender(vector.key, vector.nonce);
    crypto::XSalsa20Stream receiver(vector.key, vector.nonce);
    Bytes data(1000);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = std::uint8_t(i * 7);
    const Bytes original = data;
    // Different chunkings on the two sides: the stream is continuous, boundaries do not matter.
    sender.apply(std::span(data).first(333));
    sender.apply(std::span(data).subspan(333));
    QVERIFY(data != original);
    for (std::size_t offset = 0; offset < data.size(); offset += 100)
        receiver.apply(std::span(data).subspan(offset, 100));
    QCOMPARE(data, original);
}

void TestCrypto::xsalsa20ApplyAtMatchesContinuousStream_data()
{
    QTest::addColumn<int>("position");
    QTest::addColumn<int>("length");
    QTest::newRow("empty") << 10 << 0;
    QTest::newRow("first byte") << 0 << 1;
    QTest::newRow("whole first block") << 0 << 64;
    QTest::newRow("inside one block") << 5 << 20;
    QTest::newRow("last byte of block") << 63 << 1;
    QTest::newRow("across one boundary") << 60 << 8;
    QTest::newRow("head, blocks and tail") << 37 << 300;
    QTest::newRow("block aligned with tail") << 128 << 100;
    QTest::newRow("up to the end") << 1 << 511;
}

void TestCrypto::xsalsa20ApplyAtMatchesContinuousStream()
{
    QFETCH(int, position);
    QFETCH(int, length);
    const XSalsaVector vector = xsalsaVector();

    // The keystream itself: XOR of zeros through one continuous stream.
    Bytes keystream(512, 0);
    crypto::XSalsa20Stream continuous(vector.key, vector.nonce);
    continuous.apply(keystream);

    const crypto::XSalsa20Stream stream(vector.key, vector.nonce);
    Bytes data(std::size_t(length), 0);
    stream.applyAt(std::uint64_t(position), data);
    const Bytes expected(keystream.begin() + position, keystream.begin() + position + length);
    QCOMPARE(toQByteArray(data).toHex(), toQByteArray(expected).toHex());
}

void TestCrypto::xsalsa20ApplyAtLeavesPositionUnchanged()
{
    const XSalsaVector vector = xsalsaVector();
    crypto::XSalsa20Stream stream(vector.key, vector.nonce);
    Bytes first = vector.plaintexts[0];
    stream.apply(first);

    // Recompute the wire bytes of chunk 2 from its plaintext and offset, as tracing does.
    Bytes second = vector.plaintexts[1];
    stream.applyAt(first.size(), second);
    QCOMPARE(toQByteArray(second).toHex(), toQByteArray(vector.ciphertexts[1]).toHex());
    QCOMPARE(stream.position(), std::uint64_t(first.size()));

    second = vector.plaintexts[1];
    stream.apply(second);
    QCOMPARE(toQByteArray(second).toHex(), toQByteArray(vector.ciphertexts[1]).toHex());
}

void TestCrypto::xsalsa20MoveKeepsStreamPosition()
{
    const XSalsaVector vector = xsalsaVector();
    crypto::XSalsa20Stream original(vector.key, vector.nonce);
    Bytes first = vector.plaintexts[0];
    original.apply(first);

    crypto::XSalsa20Stream moved(std::move(original));
    Bytes second = vector.plaintexts[1];
    moved.apply(second);
    QCOMPARE(toQByteArray(second).toHex(), toQByteArray(vector.ciphertexts[1]).toHex());
}

void TestCrypto::xsalsa20AnyChunkingMatchesOneShot_data()
{
    // Piece sizes, repeated until 20000 bytes are done: around the 64-byte block and the
    // keystream the stream computes ahead (1024 bytes), and frame-like mixes.
    QTest::addColumn<QList<int>>("pieces");
    QTest::newRow("1") << QList<int>{1};
    QTest::newRow("63") << QList<int>{63};
    QTest::newRow("64") << QList<int>{64};
    QTest::newRow("65") << QList<int>{65};
    QTest::newRow("70 (64 B Data frames)") << QList<int>{70};
    QTest::newRow("1023") << QList<int>{1023};
    QTest::newRow("1024") << QList<int>{1024};
    QTest::newRow("1025") << QList<int>{1025};
    QTest::newRow("1034 (1 KiB Data frames)") << QList<int>{1034};
    QTest::newRow("5000") << QList<int>{5000};
    QTest::newRow("mixed") << QList<int>{1, 1030, 3, 2100, 65, 64, 960, 7};
}

void TestCrypto::xsalsa20AnyChunkingMatchesOneShot()
{
    QFETCH(QList<int>, pieces);
    const XSalsaVector vector = xsalsaVector();
    Bytes expected(20000);
    for (std::size_t i = 0; i < expected.size(); ++i)
        expected[i] = std::uint8_t(i * 31 + 7);
    Bytes data = expected;
    // libsodium in one call is the reference.
    crypto_stream_xsalsa20_xor(expected.data(), expected.data(), expected.size(),
                               vector.nonce.data(), vector.key.data());

    crypto::XSalsa20Stream stream(vector.key, vector.nonce);
    std::size_t done = 0;
    for (int i = 0; done < data.size(); ++i) {
        const std::size_t size =
            std::min(std::size_t(pieces[i % pieces.size()]), data.size() - done);
        stream.apply(std::span<std::uint8_t>(data.data() + done, size));
        done += size;
    }
    QCOMPARE(stream.position(), std::uint64_t(data.size()));
    QCOMPARE(toQByteArray(data).toHex(), toQByteArray(expected).toHex());
}

void TestCrypto::constantTimeEqualComparesContentsAndSize_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");
    QTest::newRow("both empty") << QByteArray() << QByteArray() << true;
    QTest::newRow("same") << QByteArray("capability") << QByteArray("capability") << true;
    QTest::newRow("first byte differs")
        << QByteArray("xapability") << QByteArray("capability") << false;
    QTest::newRow("last byte differs")
        << QByteArray("capabilitx") << QByteArray("capability") << false;
    QTest::newRow("prefix") << QByteArray("capa") << QByteArray("capability") << false;
    QTest::newRow("empty against non-empty") << QByteArray() << QByteArray("x") << false;
    QTest::newRow("32 bytes equal") << QByteArray(32, '\x5a') << QByteArray(32, '\x5a') << true;
}

void TestCrypto::constantTimeEqualComparesContentsAndSize()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    const auto view = [](const QByteArray &bytes) {
        return ByteView(reinterpret_cast<const std::uint8_t *>(bytes.constData()), bytes.size());
    };
    QCOMPARE(crypto::constantTimeEqual(view(a), view(b)), equal);
    QCOMPARE(crypto::constantTimeEqual(view(b), view(a)), equal);
}

void TestCrypto::wipeZeroesBytes()
{
    Bytes secret(40, 0xaa);
    crypto::wipe(secret);
    QVERIFY(std::all_of(secret.begin(), secret.end(), [](std::uint8_t b) { return b == 0; }));
}

void TestCrypto::randomBytesFillsBuffer()
{
    Bytes a(32, 0), b(32, 0);
    crypto::randomBytes(a);
    crypto::randomBytes(b);
    QVERIFY(a != Bytes(32, 0));
    QVERIFY(a != b);
}

QTEST_APPLESS_MAIN(TestCrypto)
#include "tst_crypto.moc"
