// HandshakeLadder: the Noise XX handshake as a ladder. The outcome line for every state of a
// record, the explanations beside the steps, a height that follows the width and the content
// (failures and the hash take room), and colours that say which steps went through or failed.
#include "builders.h"
#include "handshakeladder.h"
#include "inspectedsession.h"

#include <QImage>
#include <QSet>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

const QColor Ok(46, 125, 50);
const QColor Failed(198, 40, 40);

enum class Stage { Waiting, Complete, FailedAtTwo, FailedWithoutStep, NoNoise, NeverConnected };

HandshakeRecord recordOf(Stage stage)
{
    HandshakeRecord h;
    h.localStaticKey = keyOf(1);
    auto see = [&h](int i, Direction direction) {
        HandshakeStep &s = h.steps[std::size_t(i)];
        s.seen = true;
        s.direction = direction;
        s.tokens = i == 0 ? QStringLiteral("e") : QStringLiteral("e, ee, s, es");
        s.wireSize = 32 + 16 * i;
        s.ephemeralKey = keyOf(std::uint8_t(0x10 + i));
    };
    switch (stage) {
    case Stage::Waiting:
        see(0, Direction::Outbound);
        break;
    case Stage::Complete:
        see(0, Direction::Outbound);
        see(1, Direction::Inbound);
        see(2, Direction::Outbound);
        h.complete = true;
        h.remoteStaticKey = keyOf(2);
        h.handshakeHash = Hash64{};
        h.handshakeHash->fill(0xab);
        break;
    case Stage::FailedAtTwo:
        see(0, Direction::Outbound);
        h.failedStep = 1;
        h.failure = QStringLiteral("timeout: nothing received");
        break;
    case Stage::FailedWithoutStep:
        h.failure = QStringLiteral("destroyed");
        break;
    case Stage::NoNoise:
        h.noise = false;
        h.encrypted = false;
        break;
    case Stage::NeverConnected:
        h.neverConnected = true;
        h.failure = QStringLiteral("connection-refused");
        break;
    }
    return h;
}

/// Pixels of @p image exactly of colour @p colour.
int pixelsOf(const QImage &image, const QColor &colour)
{
    const QRgb wanted = colour.rgb();
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        const QRgb *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x)
            count += (line[x] | 0xff000000u) == wanted && qAlpha(line[x]) == 255;
    }
    return count;
}

QImage rendered(HandshakeLadder &ladder)
{
    ladder.resize(ladder.sizeHint());
    return ladder.grab().toImage().convertToFormat(QImage::Format_ARGB32);
}

} // namespace

class TestHandshakeLadder : public QObject
{
    Q_OBJECT
private slots:
    void outcomeSaysHowTheHandshakeWent_data();
    void outcomeSaysHowTheHandshakeWent();
    void explainsEachStep();
    void heightFollowsTheWidth();
    void failuresAndTheHashTakeRoom();
    void stacksExplanationsWhenNarrow();
    void tooltipShowsFullValues();
    void coloursShowWhatWentThrough_data();
    void coloursShowWhatWentThrough();
};

void TestHandshakeLadder::outcomeSaysHowTheHandshakeWent_data()
{
    QTest::addColumn<int>("stage"); // -1: no record
    QTest::addColumn<QString>("outcome");
    QTest::newRow("no session") << -1 << QStringLiteral("No session selected");
    QTest::newRow("waiting") << int(Stage::Waiting) << QStringLiteral("Waiting for the handshake…");
    QTest::newRow("complete") << int(Stage::Complete) << QStringLiteral("Handshake complete");
    QTest::newRow("failed at message 2")
        << int(Stage::FailedAtTwo)
        << QStringLiteral("Handshake failed at message 2: timeout: nothing received");
    QTest::newRow("failed, no step")
        << int(Stage::FailedWithoutStep) << QStringLiteral("Handshake failed: destroyed");
    QTest::newRow("no Noise") << int(Stage::NoNoise)
                              << QStringLiteral("Noise is off: no handshake");
    QTest::newRow("never connected")
        << int(Stage::NeverConnected)
        << QStringLiteral("No handshake: the connection never came up (connection-refused)");
}

void TestHandshakeLadder::outcomeSaysHowTheHandshakeWent()
{
    QFETCH(int, stage);
    QFETCH(QString, outcome);
    HandshakeLadder ladder;
    const HandshakeRecord record = stage >= 0 ? recordOf(Stage(stage)) : HandshakeRecord();
    ladder.setRecord(stage >= 0 ? &record : nullptr);
    QCOMPARE(ladder.record(), stage >= 0 ? &record : nullptr);
    QCOMPARE(ladder.outcomeText(), outcome);
    // Every state paints (a blank image would mean nothing was drawn).
    const QImage image = rendered(ladder);
    QVERIFY(!image.isNull());
}

void TestHandshakeLadder::explainsEachStep()
{
    const QStringList tokens{QStringLiteral("e,"), QStringLiteral("ee"), QStringLiteral("se")};
    QSet<QString> texts;
    for (int i = 0; i < 3; ++i) {
        const QString text = HandshakeLadder::explanation(i);
        QVERIFY(text.size() > 80);
        QVERIFY2(text.contains(tokens.at(i)), qPrintable(text));
        texts.insert(text);
    }
    QCOMPARE(texts.size(), 3);
    QVERIFY(HandshakeLadder::explanation(3).isEmpty());
    QVERIFY(HandshakeLadder::explanation(-1).isEmpty());
}

void TestHandshakeLadder::heightFollowsTheWidth()
{
    HandshakeLadder ladder;
    const HandshakeRecord record = recordOf(Stage::Complete);
    ladder.setRecord(&record);
    QVERIFY(ladder.hasHeightForWidth());
    const int narrow = ladder.heightForWidth(400);
    const int wide = ladder.heightForWidth(2000);
    // Explanations wrap in a wider column when there is room: never taller when wider.
    QVERIFY2(wide <= narrow, qPrintable(QStringLiteral("%1 > %2").arg(wide).arg(narrow)));
    // Below its minimum width the ladder lays out as if at the minimum.
    const int minimum = ladder.minimumSizeHint().width();
    QCOMPARE(ladder.heightForWidth(100), ladder.heightForWidth(minimum));
    QCOMPARE(ladder.minimumSizeHint().height(), ladder.heightForWidth(minimum));
    // It prefers room for the explanations beside the steps, but fits the Handshake tab of a
    // 1024-pixel window (the sidebar takes about 340) by putting them under the steps.
    QVERIFY(ladder.sizeHint().width() >= 900);
    QVERIFY2(minimum <= 640, qPrintable(QString::number(minimum)));
    QCOMPARE(ladder.sizeHint().height(), ladder.heightForWidth(ladder.sizeHint().width()));
}

void TestHandshakeLadder::stacksExplanationsWhenNarrow()
{
    HandshakeLadder ladder;
    const HandshakeRecord record = recordOf(Stage::Complete);
    ladder.setRecord(&record);
    const int minimum = ladder.minimumSizeHint().width();
    ladder.resize(minimum, ladder.heightForWidth(minimum));
    const QImage image = ladder.grab().toImage();
    // Nothing is drawn beyond the ladder's width: every explanation box lies inside it, under
    // its step, so the steps take more height than side by side.
    QVERIFY(ladder.heightForWidth(minimum) > ladder.heightForWidth(ladder.sizeHint().width()));
    QCOMPARE(image.width(), minimum);
    // The explanation boxes are drawn with the AlternateBase colour across the lane.
    const QColor box = ladder.palette().color(QPalette::AlternateBase);
    int boxRows = 0;
    for (int y = 0; y < image.height(); ++y)
        boxRows += image.pixelColor(minimum / 2, y) == box ? 1 : 0;
    QVERIFY2(boxRows > 3 * ladder.fontMetrics().height(), qPrintable(QString::number(boxRows)));
}

void TestHandshakeLadder::tooltipShowsFullValues()
{
    HandshakeLadder ladder;
    HandshakeRecord record = recordOf(Stage::Complete);
    record.steps[0].payloadNonce = Nonce24{};
    record.steps[0].payloadNonce->fill(0x7c);
    ladder.setRecord(&record);
    ladder.resize(1200, ladder.heightForWidth(1200));
    QCOMPARE(ladder.toolTipAt(QPoint(5, 2)), QString()); // above the steps
    QString first;
    for (int y = 0; y < ladder.height() && first.isEmpty(); y += 4)
        first = ladder.toolTipAt(QPoint(300, y));
    QVERIFY(first.startsWith("Message 1"));
    QVERIFY(first.contains(QString("e  = ") + QString::fromStdString(toHex(keyOf(0x10)))));
    QVERIFY(first.contains(QString("nonce = ") + QString("7c").repeated(24)));
    QVERIFY(!first.contains(QStringLiteral("…")));
}

void TestHandshakeLadder::failuresAndTheHashTakeRoom()
{
    HandshakeLadder ladder;
    const HandshakeRecord waiting = recordOf(Stage::Waiting);
    const HandshakeRecord complete = recordOf(Stage::Complete);
    const HandshakeRecord failed = recordOf(Stage::FailedAtTwo);
    const int width = 1200;
    ladder.setRecord(&waiting);
    const int waitingHeight = ladder.heightForWidth(width);
    ladder.setRecord(&complete);
    const int completeHeight = ladder.heightForWidth(width);
    ladder.setRecord(&failed);
    const int failedHeight = ladder.heightForWidth(width);
    QVERIFY2(completeHeight > waitingHeight, "the hash and its explanation take room");
    QVERIFY2(failedHeight > waitingHeight, "the failure and its explanation take room");
}

void TestHandshakeLadder::coloursShowWhatWentThrough_data()
{
    QTest::addColumn<int>("stage");
    QTest::addColumn<bool>("green");
    QTest::addColumn<bool>("red");
    QTest::newRow("waiting: first step sent") << int(Stage::Waiting) << true << false;
    QTest::newRow("complete") << int(Stage::Complete) << true << false;
    QTest::newRow("failed at message 2") << int(Stage::FailedAtTwo) << true << true;
    QTest::newRow("no Noise: no ladder") << int(Stage::NoNoise) << false << false;
}

void TestHandshakeLadder::coloursShowWhatWentThrough()
{
    QFETCH(int, stage);
    QFETCH(bool, green);
    QFETCH(bool, red);
    HandshakeLadder ladder;
    const HandshakeRecord record = recordOf(Stage(stage));
    ladder.setRecord(&record);
    const QImage image = rendered(ladder);
    QCOMPARE(pixelsOf(image, Ok) > 0, green);
    QCOMPARE(pixelsOf(image, Failed) > 0, red);
}

QTEST_MAIN(TestHandshakeLadder)
#include "tst_handshakeladder.moc"
