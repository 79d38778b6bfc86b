// HexView and HexPane: bytes, highlight, clicking a byte, decrypted/wire modes.
#include "hexpane.h"
#include "hexview.h"

#include <QSignalSpy>
#include <QTest>

using namespace hyperscope;

class TestHexView : public QObject
{
    Q_OBJECT
private slots:
    void highlightIsClampedToTheBytes_data();
    void highlightIsClampedToTheBytes();
    void clickingAByteReportsItsOffset();
    void paneShowsDecryptedWireOrBoth();
};

void TestHexView::highlightIsClampedToTheBytes_data()
{
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("expectedOffset");
    QTest::addColumn<int>("expectedLength");
    QTest::newRow("inside") << 4 << 10 << 4 << 10;
    QTest::newRow("past the end") << 90 << 50 << 90 << 10;
    QTest::newRow("negative") << -5 << 3 << 0 << 3;
    QTest::newRow("clear") << 3 << 0 << 3 << 0;
}

void TestHexView::highlightIsClampedToTheBytes()
{
    QFETCH(int, offset);
    QFETCH(int, length);
    QFETCH(int, expectedOffset);
    QFETCH(int, expectedLength);
    HexView view;
    view.setBytes(QByteArray(100, 'x'));
    view.setHighlight(offset, length);
    QCOMPARE(view.highlightOffset(), expectedOffset);
    QCOMPARE(view.highlightLength(), expectedLength);
    if (expectedLength > 0)
        QCOMPARE(view.selectedHex().size(), expectedLength * 3 - 1);
}

void TestHexView::clickingAByteReportsItsOffset()
{
    HexView view;
    view.resize(700, 300);
    QByteArray bytes;
    for (int i = 0; i < 64; ++i)
        bytes.append(char(i));
    view.setBytes(bytes);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    // Find the point of byte 17 (row 1, column 1) by probing: byteAt is the inverse of painting.
    QPoint target;
    for (int y = 0; y < 200 && target.isNull(); y += 2)
        for (int x = 0; x < 690 && target.isNull(); x += 2)
            if (view.byteAt(QPoint(x, y)) == 17)
                target = QPoint(x, y);
    QVERIFY(!target.isNull());
    QSignalSpy clicked(&view, &HexView::byteClicked);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, target);
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.at(0).at(0).value<qsizetype>(), qsizetype(17));
    QCOMPARE(view.byteAt(QPoint(1, 1)), qsizetype(-1)); // the offset column is not a byte
}

void TestHexView::paneShowsDecryptedWireOrBoth()
{
    HexPane pane;
    pane.show();
    pane.setBytes(QByteArray("plain"), QByteArray("wire!"), false);
    pane.setHighlight(1, 2);
    QCOMPARE(pane.plainView()->bytes(), QByteArray("plain"));
    QCOMPARE(pane.wireView()->bytes(), QByteArray("wire!"));
    QCOMPARE(pane.wireView()->highlightOffset(), 1); // same offsets: XSalsa20 keeps the layout
    QCOMPARE(pane.wireView()->highlightLength(), 2);
    QVERIFY(pane.plainView()->isVisible());
    QVERIFY(!pane.wireView()->isVisible());
    pane.setMode(HexPane::Mode::Wire);
    QVERIFY(!pane.plainView()->isVisible());
    QVERIFY(pane.wireView()->isVisible());
    pane.setMode(HexPane::Mode::Both);
    QVERIFY(pane.plainView()->isVisible() && pane.wireView()->isVisible());
    pane.setBytes(QByteArray("same"), {}, true);
    QCOMPARE(pane.wireView()->bytes(), QByteArray("same"));
}

QTEST_MAIN(TestHexView)
#include "tst_hexview.moc"
