// icons: the icons the inspector paints in code. Each comes in the sizes tables and toolbars
// use, in its documented colour, and dots are cached per colour (tables ask for one per cell
// on every repaint). tst_models checks the application icon's resources.
#include "icons.h"

#include <QImage>
#include <QPixmap>
#include <QTest>

using namespace hyperscope;

namespace {

QRgb pixelAt(const QIcon &icon, int size, QPoint at)
{
    return icon.pixmap(size, size).toImage().pixel(at);
}

QList<QSize> sizesOf(const QIcon &icon)
{
    QList<QSize> sizes = icon.availableSizes();
    std::sort(sizes.begin(), sizes.end(),
              [](const QSize &a, const QSize &b) { return a.width() < b.width(); });
    return sizes;
}

} // namespace

class TestIcons : public QObject
{
    Q_OBJECT
private slots:
    void paintedIconsComeInTableSizes_data();
    void paintedIconsComeInTableSizes();
    void paintedIconsHaveTheirColour_data();
    void paintedIconsHaveTheirColour();
    void dotsAreCachedPerColour();
    void paintedApplicationIconCoversEveryLauncherSize();
    void applicationIconIsAlwaysAvailable();
};

void TestIcons::paintedIconsComeInTableSizes_data()
{
    QTest::addColumn<QIcon>("icon");
    QTest::newRow("warning") << icons::warning();
    QTest::newRow("error") << icons::error();
    QTest::newRow("dot") << icons::dot(Qt::green);
    QTest::newRow("outbound") << icons::outbound();
    QTest::newRow("inbound") << icons::inbound();
}

void TestIcons::paintedIconsComeInTableSizes()
{
    QFETCH(QIcon, icon);
    QVERIFY(!icon.isNull());
    QCOMPARE(sizesOf(icon), (QList<QSize>{QSize(16, 16), QSize(24, 24), QSize(32, 32)}));
    // Transparent around the drawing, so that they sit on any row colour.
    QCOMPARE(qAlpha(pixelAt(icon, 32, QPoint(0, 31))), 0);
}

void TestIcons::paintedIconsHaveTheirColour_data()
{
    QTest::addColumn<QIcon>("icon");
    QTest::addColumn<QPoint>("at"); // in the 32-pixel rendering
    QTest::addColumn<QColor>("colour");
    QTest::newRow("warning triangle")
        << icons::warning() << QPoint(9, 25) << QColor(0xe8, 0xa3, 0x17);
    QTest::newRow("error disc") << icons::error() << QPoint(6, 16) << QColor(0xd3, 0x2f, 0x2f);
    QTest::newRow("green dot") << icons::dot(QColor(67, 160, 71)) << QPoint(16, 16)
                               << QColor(67, 160, 71);
    QTest::newRow("outbound arrow, green")
        << icons::outbound() << QPoint(10, 16) << QColor(0x2e, 0x7d, 0x32);
    QTest::newRow("inbound arrow, blue")
        << icons::inbound() << QPoint(22, 16) << QColor(0x15, 0x65, 0xc0);
}

void TestIcons::paintedIconsHaveTheirColour()
{
    QFETCH(QIcon, icon);
    QFETCH(QPoint, at);
    QFETCH(QColor, colour);
    const QRgb pixel = pixelAt(icon, 32, at);
    QCOMPARE(QColor::fromRgba(pixel), colour);
}

void TestIcons::dotsAreCachedPerColour()
{
    const QIcon first = icons::dot(QColor(255, 179, 0));
    const QIcon again = icons::dot(QColor(255, 179, 0));
    const QIcon other = icons::dot(QColor(229, 57, 53));
    QCOMPARE(again.cacheKey(), first.cacheKey());
    QVERIFY(other.cacheKey() != first.cacheKey());
    QCOMPARE(QColor::fromRgba(pixelAt(other, 32, QPoint(16, 16))), QColor(229, 57, 53));
    // The other icons are built once too.
    QCOMPARE(icons::warning().cacheKey(), icons::warning().cacheKey());
    QCOMPARE(icons::outbound().cacheKey(), icons::outbound().cacheKey());
}

void TestIcons::paintedApplicationIconCoversEveryLauncherSize()
{
    const QIcon icon = icons::paintedApplicationIcon();
    QCOMPARE(sizesOf(icon),
             (QList<QSize>{QSize(16, 16), QSize(22, 22), QSize(24, 24), QSize(32, 32),
                           QSize(48, 48), QSize(64, 64), QSize(128, 128), QSize(256, 256)}));
    // The dark rounded tile fills the middle of the left edge.
    QCOMPARE(QColor::fromRgba(pixelAt(icon, 256, QPoint(16, 128))), QColor(0x1f, 0x3a, 0x5f));
}

void TestIcons::applicationIconIsAlwaysAvailable()
{
    const QIcon icon = icons::application();
    QVERIFY(!icon.isNull());
    for (int size : {16, 32, 256})
        QVERIFY(!icon.pixmap(size, size).isNull());
    QCOMPARE(icons::application().cacheKey(), icon.cacheKey());
}

QTEST_MAIN(TestIcons)
#include "tst_icons.moc"
