// HexPane: the bytes of the selected log row. tst_hexview checks the views and the modes set
// in code; here, the mode buttons driven with the mouse, the captions that say what the bytes
// are (encrypted, plain on the wire, unknown), clearing, and the clicks the views report.
#include "hexpane.h"
#include "hexview.h"

#include <QLabel>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace hyperscope;

namespace {

QToolButton *modeButton(const HexPane &pane, const QString &text)
{
    for (QToolButton *button : pane.findChildren<QToolButton *>()) {
        if (button->text() == text)
            return button;
    }
    return nullptr;
}

QStringList captions(const HexPane &pane)
{
    QStringList texts;
    for (const QLabel *label : pane.findChildren<QLabel *>()) {
        if (label->text() != QLatin1String("<b>Bytes</b>"))
            texts << label->text();
    }
    return texts;
}

/// The first viewport point of @p view that shows byte @p offset (byteAt() inverts painting).
QPoint pointOfByte(const HexView &view, qsizetype offset)
{
    const QSize size = view.viewport()->size();
    for (int y = 0; y < size.height(); y += 2) {
        for (int x = 0; x < size.width(); x += 2) {
            if (view.byteAt(QPoint(x, y)) == offset)
                return {x, y};
        }
    }
    return {};
}

} // namespace

class TestHexPane : public QObject
{
    Q_OBJECT
private slots:
    void startsDecryptedWithAHint();
    void modeButtonsSwitchTheViews_data();
    void modeButtonsSwitchTheViews();
    void settingTheModeInCodeChecksItsButton();
    void captionsSayWhatTheBytesAre_data();
    void captionsSayWhatTheBytesAre();
    void clearEmptiesBothViews();
    void clickedBytesAreReportedFromEitherView();
};

void TestHexPane::startsDecryptedWithAHint()
{
    HexPane pane;
    QCOMPARE(pane.mode(), HexPane::Mode::Decrypted);
    QVERIFY(modeButton(pane, QStringLiteral("Decrypted"))->isChecked());
    QVERIFY(!modeButton(pane, QStringLiteral("Wire"))->isChecked());
    QVERIFY(pane.plainView()->bytes().isEmpty());
    QVERIFY(pane.wireView()->bytes().isEmpty());
    QCOMPARE(pane.plainView()->objectName(), QStringLiteral("plainHexView"));
    QCOMPARE(pane.wireView()->objectName(), QStringLiteral("wireHexView"));
    QVERIFY(captions(pane).contains(QStringLiteral("Decrypted frame")));
}

void TestHexPane::modeButtonsSwitchTheViews_data()
{
    QTest::addColumn<QString>("button");
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("plainVisible");
    QTest::addColumn<bool>("wireVisible");
    QTest::newRow("wire") << QStringLiteral("Wire") << int(HexPane::Mode::Wire) << false << true;
    QTest::newRow("both") << QStringLiteral("Both") << int(HexPane::Mode::Both) << true << true;
}

void TestHexPane::modeButtonsSwitchTheViews()
{
    QFETCH(QString, button);
    QFETCH(int, mode);
    QFETCH(bool, plainVisible);
    QFETCH(bool, wireVisible);

    HexPane pane;
    pane.resize(700, 400);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QSignalSpy changed(&pane, &HexPane::modeChanged);
    QTest::mouseClick(modeButton(pane, button), Qt::LeftButton);
    QCOMPARE(pane.mode(), HexPane::Mode(mode));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).value<HexPane::Mode>(), HexPane::Mode(mode));
    QCOMPARE(pane.plainView()->isVisible(), plainVisible);
    QCOMPARE(pane.wireView()->isVisible(), wireVisible);
    // The buttons are exclusive, and clicking the current one changes nothing.
    QVERIFY(!modeButton(pane, QStringLiteral("Decrypted"))->isChecked());
    QTest::mouseClick(modeButton(pane, button), Qt::LeftButton);
    QCOMPARE(changed.count(), 1);
    QVERIFY(modeButton(pane, button)->isChecked());
    // And back.
    QTest::mouseClick(modeButton(pane, QStringLiteral("Decrypted")), Qt::LeftButton);
    QCOMPARE(changed.count(), 2);
    QVERIFY(pane.plainView()->isVisible());
    QVERIFY(!pane.wireView()->isVisible());
}

void TestHexPane::settingTheModeInCodeChecksItsButton()
{
    HexPane pane;
    QSignalSpy changed(&pane, &HexPane::modeChanged);
    pane.setMode(HexPane::Mode::Both);
    QVERIFY(modeButton(pane, QStringLiteral("Both"))->isChecked());
    QVERIFY(!modeButton(pane, QStringLiteral("Decrypted"))->isChecked());
    pane.setMode(HexPane::Mode::Both);
    QCOMPARE(changed.count(), 1);
}

void TestHexPane::captionsSayWhatTheBytesAre_data()
{
    QTest::addColumn<QByteArray>("plain");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<bool>("sameOnWire");
    QTest::addColumn<QByteArray>("wireShown");
    QTest::addColumn<QString>("plainCaption");
    QTest::addColumn<QString>("wireCaption");

    QTest::newRow("encrypted") << QByteArray("hello") << QByteArray("\x01\x02\x03\x04\x05") << false
                               << QByteArray("\x01\x02\x03\x04\x05")
                               << QStringLiteral("Decrypted frame (5 bytes)")
                               << QStringLiteral("On the wire, XSalsa20-encrypted (5 bytes)");
    QTest::newRow("wire bytes unknown")
        << QByteArray("hello") << QByteArray() << false << QByteArray()
        << QStringLiteral("Decrypted frame (5 bytes)") << QStringLiteral("On the wire: unknown");
    // Without transport encryption the frame is shown in both views, whatever wire says.
    QTest::newRow("plaintext transport")
        << QByteArray("abc") << QByteArray("ignored") << true << QByteArray("abc")
        << QStringLiteral("Frame (not encrypted: these are also the bytes on the wire)")
        << QStringLiteral("On the wire (same as the frame: no transport encryption)");
}

void TestHexPane::captionsSayWhatTheBytesAre()
{
    QFETCH(QByteArray, plain);
    QFETCH(QByteArray, wire);
    QFETCH(bool, sameOnWire);
    QFETCH(QByteArray, wireShown);
    QFETCH(QString, plainCaption);
    QFETCH(QString, wireCaption);

    HexPane pane;
    pane.setBytes(plain, wire, sameOnWire);
    QCOMPARE(pane.plainView()->bytes(), plain);
    QCOMPARE(pane.wireView()->bytes(), wireShown);
    const QStringList texts = captions(pane);
    QVERIFY2(texts.contains(plainCaption), qPrintable(texts.join(u'|')));
    QVERIFY2(texts.contains(wireCaption), qPrintable(texts.join(u'|')));
}

void TestHexPane::clearEmptiesBothViews()
{
    HexPane pane;
    pane.setBytes(QByteArray("hello"), QByteArray("HELLO"), false);
    pane.setHighlight(1, 2);
    pane.clear(QStringLiteral("Nothing selected"));
    QVERIFY(pane.plainView()->bytes().isEmpty());
    QVERIFY(pane.wireView()->bytes().isEmpty());
    QCOMPARE(pane.plainView()->highlightLength(), 0);
    const QStringList texts = captions(pane);
    QVERIFY(texts.contains(QStringLiteral("Decrypted frame")));
    QVERIFY(texts.contains(QStringLiteral("On the wire")));
    // Clearing keeps the mode the person chose.
    pane.setMode(HexPane::Mode::Wire);
    pane.clear();
    QCOMPARE(pane.mode(), HexPane::Mode::Wire);
}

void TestHexPane::clickedBytesAreReportedFromEitherView()
{
    HexPane pane;
    pane.resize(800, 500);
    QByteArray plain, wire;
    for (int i = 0; i < 48; ++i) {
        plain.append(char(i));
        wire.append(char(0xff - i));
    }
    pane.setBytes(plain, wire, false);
    pane.setMode(HexPane::Mode::Both);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QSignalSpy clicked(&pane, &HexPane::byteClicked);

    const QPoint inPlain = pointOfByte(*pane.plainView(), 20);
    QVERIFY(!inPlain.isNull());
    QTest::mouseClick(pane.plainView()->viewport(), Qt::LeftButton, {}, inPlain);
    const QPoint inWire = pointOfByte(*pane.wireView(), 33);
    QVERIFY(!inWire.isNull());
    QTest::mouseClick(pane.wireView()->viewport(), Qt::LeftButton, {}, inWire);

    QCOMPARE(clicked.count(), 2);
    QCOMPARE(clicked.at(0).at(0).value<qsizetype>(), qsizetype(20));
    QCOMPARE(clicked.at(1).at(0).value<qsizetype>(), qsizetype(33));
}

QTEST_MAIN(TestHexPane)
#include "tst_hexpane.moc"
