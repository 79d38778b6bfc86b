// Key material an Engine exposes is wiped when it is no longer needed (docs/robustness.md,
// "Secrets"): what can be observed through the public API.
#include "enginepair.h"

#include <QtTest>

using namespace hyperscope;
using namespace hyperscope::test;
using namespace std::chrono_literals;

namespace {

bool allZero(const Key32 &key)
{
    return std::all_of(key.begin(), key.end(), [](std::uint8_t byte) { return byte == 0; });
}

/// Two engines past the handshake.
struct Pair : EnginePair
{
    explicit Pair(EngineOptions options)
        : EnginePair(options)
    {
        start();
    }
};

} // namespace

class tst_Secrets : public QObject
{
    Q_OBJECT

private slots:
    void staticSecretKeyCopyIsWipedAtConstruction()
    {
        EngineOptions options;
        options.staticKeyPair = crypto::keyPairFromSeed(Key32{1});
        QVERIFY(!allZero(options.staticKeyPair->secretKey));
        const Engine engine(options);
        // The engine keeps its own copy (wiped at the end); the one in its options is gone.
        QVERIFY(allZero(engine.options().staticKeyPair->secretKey));
        QCOMPARE(engine.publicKey(), options.staticKeyPair->publicKey);
    }

    void splitKeysAreWipedWhenTheSessionEnds_data()
    {
        QTest::addColumn<bool>("clean");
        QTest::addColumn<bool>("encrypted");
        QTest::newRow("clean-end/encrypted") << true << true;
        QTest::newRow("clean-end/plaintext-transport") << true << false;
        QTest::newRow("fatal-error/encrypted") << false << true;
    }

    void splitKeysAreWipedWhenTheSessionEnds()
    {
        QFETCH(bool, clean);
        QFETCH(bool, encrypted);
        EngineOptions options;
        options.encrypted = encrypted;
        Pair pair(options);
        QVERIFY(pair.initiator.handshake());
        QVERIFY(!allZero(pair.initiator.handshake()->split.tx));
        QVERIFY(!allZero(pair.initiator.handshake()->split.rx));
        const Hash64 hash = pair.initiator.handshake()->handshakeHash;
        if (clean)
            pair.initiator.destroy();
        else
            pair.initiator.destroy(Error(ErrorCode::Destroyed, "test"));
        QCOMPARE(pair.initiator.state(), Engine::State::Ended);
        // The transport keys are gone; what the inspector shows (hash, public keys) is kept.
        QVERIFY(allZero(pair.initiator.handshake()->split.tx));
        QVERIFY(allZero(pair.initiator.handshake()->split.rx));
        QCOMPARE(pair.initiator.handshake()->handshakeHash, hash);
    }

    void secretsAreRevealedOnlyWhileTheSessionLives()
    {
        EngineOptions options;
        const crypto::KeyPair keys = crypto::keyPairFromSeed(Key32{3});
        options.staticKeyPair = keys;
        Pair pair(options);
        // While the session is open: exactly the keys the engine uses.
        QCOMPARE(pair.initiator.staticSecretKey(), std::optional<Key32>(keys.secretKey));
        const auto split = pair.initiator.transportKeys();
        QVERIFY(split);
        QCOMPARE(split->tx, pair.initiator.handshake()->split.tx);
        QCOMPARE(split->tx, pair.responder.transportKeys()->rx);
        QCOMPARE(split->rx, pair.responder.transportKeys()->tx);
        pair.initiator.destroy();
        // Once it ended, nothing is left to reveal.
        QVERIFY(!pair.initiator.staticSecretKey());
        QVERIFY(!pair.initiator.transportKeys());
    }

    void noTransportKeysBeforeTheHandshakeOrWithoutNoise()
    {
        Engine handshaking{EngineOptions{}};
        handshaking.start(0ms);
        QVERIFY(!handshaking.transportKeys());
        QVERIFY(handshaking.staticSecretKey());
        EngineOptions plain;
        plain.noise = false;
        Engine noNoise{plain};
        noNoise.start(0ms);
        QCOMPARE(noNoise.state(), Engine::State::Open);
        QVERIFY(!noNoise.transportKeys());
    }

    void capabilityComparisonIsExactAndSizeChecked()
    {
        const Key32 a = crypto::keyPairFromSeed(Key32{2}).publicKey;
        Key32 b = a;
        QVERIFY(crypto::constantTimeEqual(a, b));
        b[31] ^= 1;
        QVERIFY(!crypto::constantTimeEqual(a, b));
        QVERIFY(!crypto::constantTimeEqual(a, ByteView(a).first(31)));
    }
};

QTEST_APPLESS_MAIN(tst_Secrets)
#include "tst_secrets.moc"
