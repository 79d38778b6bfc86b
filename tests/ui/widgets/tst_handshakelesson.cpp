// HandshakeLesson: the Noise handshake taught step by step. On two real sessions over loopback
// (dialed and accepted): every token in order with the keys it combines, h always shown and
// equal to the session's handshake hash, ck and k withheld until the secrets are revealed and
// then equal to the session's transport keys, Copy buttons that copy whole values, the repeated
// payload nonce, and the panel it follows.
#include "builders.h"
#include "copyablehex.h"
#include "handshakelesson.h"
#include "inspectedpair.h"
#include "secretspanel.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

const QStringList XxSteps = {
    "Initialize: h = ck = the protocol name",
    "Prologue: h = HASH(h ‖ prologue)",
    "e: the initiator's ephemeral public key, in clear",
    "payload: the initiator's NoisePayload, in clear",
    "e: the responder's ephemeral public key, in clear",
    "ee: DH(initiator's ephemeral, responder's ephemeral)",
    "s: the responder's static public key, encrypted",
    "es: DH(initiator's ephemeral, responder's static)",
    "payload: the responder's NoisePayload, encrypted",
    "s: the initiator's static public key, encrypted",
    "se: DH(initiator's static, responder's ephemeral)",
    "payload: the initiator's NoisePayload, encrypted",
    "Split(): one transport key per direction",
};

QList<CopyableHex *> valuesNamed(const HandshakeLesson &lesson, const QString &name)
{
    QList<CopyableHex *> found;
    for (CopyableHex *v : lesson.values()) {
        if (v->name() == name)
            found << v;
    }
    return found;
}

QString hexOf(const Key32 &key)
{
    return QString::fromStdString(toHex(key));
}

} // namespace

class TestHandshakeLesson : public QObject
{
    Q_OBJECT

private slots:
    void teachesEveryTokenInOrder_data();
    void teachesEveryTokenInOrder();
    void withholdsSecretsUntilRevealed_data();
    void withholdsSecretsUntilRevealed();
    void copiesWholeValues();
    void explainsTheRepeatedNonce();
    void explainsEachDhFromThisSide_data();
    void explainsEachDhFromThisSide();
    void followsTheSecretsPanel();
    void saysWhatItCannotShow();
};

void TestHandshakeLesson::teachesEveryTokenInOrder_data()
{
    QTest::addColumn<bool>("dialer");
    QTest::newRow("initiator (dialed)") << true;
    QTest::newRow("responder (accepted)") << false;
}

void TestHandshakeLesson::teachesEveryTokenInOrder()
{
    QFETCH(bool, dialer);
    InspectedPair pair;
    QVERIFY(pair.open());
    InspectedSession *session = dialer ? pair.dialer.get() : pair.accepted.get();
    HandshakeLesson lesson;
    lesson.setSession(session);
    QCOMPARE(lesson.shownStepTitles(), XxSteps);
    QVERIFY(lesson.text().contains("Noise_XX_25519_ChaChaPoly_BLAKE2b"));
    QVERIFY(lesson.text().contains(dialer ? "This side (the initiator) computes X25519(its"
                                          : "This side (the responder) computes X25519(its"));

    // h is public: shown at every step, the last one is the handshake hash.
    const QList<CopyableHex *> hashes = valuesNamed(lesson, "h");
    QCOMPARE(hashes.size(), 9); // init, prologue, 4 e/s and 3 payloads: DH and Split leave h
    QCOMPARE(hashes.last()->hex(),
             QString::fromStdString(toHex(*session->handshake().handshakeHash)));
    QCOMPARE(valuesNamed(lesson, "handshake hash").value(0)->hex(), hashes.last()->hex());
    for (CopyableHex *h : hashes)
        QVERIFY(!h->isWithheld());

    // The DH rows name the keys they combine.
    const auto ee = valuesNamed(lesson, "initiator's e");
    QCOMPARE(ee.size(), 2); // ee and es
    const auto &steps = session->handshake().steps;
    QCOMPARE(ee[0]->hex(), hexOf(*steps[0].ephemeralKey));
    QCOMPARE(valuesNamed(lesson, "responder's s").value(0)->hex(),
             hexOf(dialer ? *session->handshake().remoteStaticKey
                          : session->handshake().localStaticKey));
}

void TestHandshakeLesson::withholdsSecretsUntilRevealed_data()
{
    teachesEveryTokenInOrder_data();
}

void TestHandshakeLesson::withholdsSecretsUntilRevealed()
{
    QFETCH(bool, dialer);
    InspectedPair pair;
    QVERIFY(pair.open());
    InspectedSession *session = dialer ? pair.dialer.get() : pair.accepted.get();
    HandshakeLesson lesson;
    lesson.setSession(session);

    const QStringList secretNames = {"k", "k1 (initiator → responder)",
                                     "k2 (responder → initiator)"};
    // ck is the protocol name until the first DH: the Initialize row shows it; the DH rows not.
    QCOMPARE(valuesNamed(lesson, "ck").size(), 4);
    QVERIFY(!valuesNamed(lesson, "ck")[0]->isWithheld());
    for (int i = 1; i < 4; ++i)
        QVERIFY(valuesNamed(lesson, "ck")[i]->isWithheld());
    for (const QString &name : secretNames) {
        QVERIFY(!valuesNamed(lesson, name).isEmpty());
        for (CopyableHex *v : valuesNamed(lesson, name)) {
            QVERIFY(v->isWithheld());
            QVERIFY(!v->copyButton());
            QVERIFY(v->shownText().startsWith("hidden"));
        }
    }
    QVERIFY(lesson.findChild<QPushButton *>("lessonRevealButton"));

    lesson.setSecretsShown(true);
    QVERIFY(!lesson.findChild<QPushButton *>("lessonRevealButton"));
    for (CopyableHex *v : valuesNamed(lesson, "ck"))
        QCOMPARE(v->hex().size(), 128);
    const crypto::SplitKeys keys = *session->secrets().transportKeys;
    const Key32 initiatorSends = dialer ? keys.tx : keys.rx;
    const Key32 responderSends = dialer ? keys.rx : keys.tx;
    QCOMPARE(valuesNamed(lesson, secretNames[1]).value(0)->hex(), hexOf(initiatorSends));
    QCOMPARE(valuesNamed(lesson, secretNames[2]).value(0)->hex(), hexOf(responderSends));
    QCOMPARE(valuesNamed(lesson, "k").size(), 3); // ee, es, se

    lesson.setSecretsShown(false);
    for (CopyableHex *v : valuesNamed(lesson, "k"))
        QVERIFY(v->isWithheld());
}

void TestHandshakeLesson::copiesWholeValues()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    HandshakeLesson lesson;
    lesson.setSession(pair.dialer.get());
    CopyableHex *hash = valuesNamed(lesson, "handshake hash").value(0);
    QVERIFY(hash);
    const QString full = QString::fromStdString(toHex(*pair.dialer->handshake().handshakeHash));

    // Short by default, never only "…": the start, the end, and the whole value in the tooltip.
    QCOMPARE(hash->shownText(), full.left(16) + "…" + full.right(8));
    QVERIFY(hash->findChild<QLabel *>() != nullptr);
    bool tooltipHasAll = false;
    for (QLabel *label : hash->findChildren<QLabel *>())
        tooltipHasAll |= label->toolTip().remove(' ').contains(full);
    QVERIFY(tooltipHasAll);

    QApplication::clipboard()->clear();
    QTest::mouseClick(hash->copyButton(), Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), full);

    lesson.setFullValues(true);
    for (CopyableHex *v : lesson.values()) {
        if (!v->isWithheld())
            QCOMPARE(v->shownText().remove(' '), v->hex());
    }
    QCOMPARE(CopyableHex::groupedForm("0123456789abcdef0123"), QString("0123456789abcdef 0123"));
}

void TestHandshakeLesson::explainsTheRepeatedNonce()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    HandshakeLesson lesson;
    lesson.setSession(pair.accepted.get());
    const QString nonce = QString::fromStdString(toHex(*pair.dialer->handshake().localNonce));
    QCOMPARE(valuesNamed(lesson, "initiator's nonce, message 1").value(0)->hex(), nonce);
    QCOMPARE(valuesNamed(lesson, "initiator's nonce, message 3").value(0)->hex(), nonce);
    QCOMPARE(valuesNamed(lesson, "responder's nonce, message 2").value(0)->hex(),
             QString::fromStdString(toHex(*pair.accepted->handshake().localNonce)));
    QVERIFY(lesson.text().contains("Messages 1 and 3 carry the same nonce."));
    QVERIFY(lesson.text().contains("in clear in message 1, because no key exists yet"));
}

void TestHandshakeLesson::explainsEachDhFromThisSide_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<bool>("initiator");
    QTest::addColumn<QString>("expected");
    using K = NoiseStep::Kind;
    QTest::newRow("ee, initiator")
        << int(K::EE) << true
        << "X25519(its ephemeral secret key, the peer's ephemeral public key)";
    QTest::newRow("es, initiator")
        << int(K::ES) << true << "X25519(its ephemeral secret key, the peer's static public key)";
    QTest::newRow("es, responder")
        << int(K::ES) << false << "X25519(its static secret key, the peer's ephemeral public key)";
    QTest::newRow("se, initiator")
        << int(K::SE) << true << "X25519(its static secret key, the peer's ephemeral public key)";
    QTest::newRow("se, responder")
        << int(K::SE) << false << "X25519(its ephemeral secret key, the peer's static public key)";
}

void TestHandshakeLesson::explainsEachDhFromThisSide()
{
    QFETCH(int, kind);
    QFETCH(bool, initiator);
    QFETCH(QString, expected);
    NoiseStep step;
    step.kind = NoiseStep::Kind(kind);
    step.message = 1;
    step.recordedByInitiator = initiator;
    QVERIFY2(HandshakeLesson::stepExplanation(step, initiator).contains(expected),
             qPrintable(HandshakeLesson::stepExplanation(step, initiator)));
}

void TestHandshakeLesson::followsTheSecretsPanel()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    SecretsPanel panel;
    HandshakeLesson lesson;
    lesson.followSecretsPanel(&panel);
    QCOMPARE(lesson.shownStepTitles(), QStringList());

    panel.setSession(pair.dialer.get());
    QCOMPARE(lesson.shownStepTitles(), XxSteps);
    QVERIFY(!lesson.secretsShown());
    QVERIFY(panel.reveal(false));
    QVERIFY(lesson.secretsShown());
    QVERIFY(!valuesNamed(lesson, "k").value(0)->isWithheld());
    panel.setSession(pair.accepted.get()); // a new session hides the secrets again
    QVERIFY(!lesson.secretsShown());
    QVERIFY(valuesNamed(lesson, "k").value(0)->isWithheld());

    // The lesson's own Reveal… goes to the panel (which asks first): here, just the request.
    HandshakeLesson alone;
    alone.setSession(pair.dialer.get());
    QSignalSpy requested(&alone, &HandshakeLesson::revealRequested);
    QTest::mouseClick(alone.findChild<QPushButton *>("lessonRevealButton"), Qt::LeftButton);
    QCOMPARE(requested.count(), 1);
}

void TestHandshakeLesson::saysWhatItCannotShow()
{
    HandshakeLesson lesson;
    QVERIFY(lesson.text().contains("Select a session"));

    HandshakeRecord late; // a trace attached after message 1: message 2 seen, no steps
    late.steps[1].seen = true;
    late.steps[1].direction = Direction::Inbound;
    lesson.setRecord(&late);
    QVERIFY(lesson.text().contains("steps were not recorded"));
    QVERIFY(lesson.text().contains("Not recorded for this session"));
    QVERIFY(lesson.text().contains("Not yet: waiting for this message."));

    HandshakeRecord failed;
    failed.steps[0].seen = true;
    failed.steps[0].error = "MAC check failed on payload";
    failed.failedStep = 0;
    lesson.setRecord(&failed);
    QVERIFY(lesson.text().contains("Failed here: MAC check failed on payload"));
    QVERIFY(lesson.text().contains("Never sent: the handshake failed before."));

    HandshakeRecord plain;
    plain.noise = false;
    lesson.setRecord(&plain);
    QVERIFY(lesson.text().contains("without Noise"));
    QVERIFY(lesson.values().isEmpty());
}

QTEST_MAIN(TestHandshakeLesson)
#include "tst_handshakelesson.moc"
