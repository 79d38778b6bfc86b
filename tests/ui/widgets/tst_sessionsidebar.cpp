// SessionSidebar and SessionItemDelegate: the list of sessions on the left. Entries are tall
// enough for their four lines, one session is selected at a time (by mouse or keyboard), and the
// delegate draws the entry's text inside its own rectangle, elided rather than spilling over.
#include "sessionlistmodel.h"
#include "sessionsidebar.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTest>

using namespace hyperscope;

namespace {

/// A stand-in for SessionListModel: the columns and roles the delegate reads, for @p rows
/// sessions, without sockets.
std::unique_ptr<QStandardItemModel> sessionsModel(int rows, const QString &peer = {})
{
    auto model = std::make_unique<QStandardItemModel>(rows, SessionListModel::ColumnCount);
    for (int row = 0; row < rows; ++row) {
        auto set = [&](int column, const QVariant &value, int role = Qt::DisplayRole) {
            model->setData(model->index(row, column), value, role);
        };
        set(SessionListModel::SessionColumn, QStringLiteral("#%1").arg(row + 1));
        set(SessionListModel::PeerColumn,
            peer.isEmpty() ? QStringLiteral("127.0.0.1:%1").arg(4000 + row) : peer);
        set(SessionListModel::RoleColumn, QStringLiteral("initiator (dialed)"));
        set(SessionListModel::SessionColumn, QStringLiteral("Noise XX + XSalsa20"),
            SessionListModel::ModeRole);
        set(SessionListModel::SessionColumn, QStringLiteral("open · 3.0 s · 2 in / 3 out\n↓ 1 KiB"),
            SessionListModel::SubtitleRole);
    }
    return model;
}

/// Pixels of @p image, outside @p rect, that are not fully transparent.
int pixelsOutside(const QImage &image, const QRect &rect)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            if (!rect.contains(x, y) && qAlpha(image.pixel(x, y)) != 0)
                ++count;
        }
    }
    return count;
}

int pixelsInside(const QImage &image, const QRect &rect)
{
    int count = 0;
    for (int y = rect.top(); y <= rect.bottom(); ++y) {
        for (int x = rect.left(); x <= rect.right(); ++x) {
            if (qAlpha(image.pixel(x, y)) != 0)
                ++count;
        }
    }
    return count;
}

} // namespace

class TestSessionSidebar : public QObject
{
    Q_OBJECT
private slots:
    void entriesHaveRoomForFourLines();
    void isFortyCharactersWide();
    void selectsOneSessionAtATime();
    void keyboardMovesTheSelection();
    void delegateDrawsInsideItsRectangle_data();
    void delegateDrawsInsideItsRectangle();
    void captureEntriesCarryATag();
};

void TestSessionSidebar::entriesHaveRoomForFourLines()
{
    SessionSidebar sidebar;
    auto model = sessionsModel(3);
    sidebar.setModel(model.get());
    sidebar.resize(300, 400);
    sidebar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sidebar));
    const int line = QFontMetrics(sidebar.font()).height();
    const QRect first = sidebar.visualRect(model->index(0, 0));
    const QRect second = sidebar.visualRect(model->index(1, 0));
    QCOMPARE(first.height(), 4 * (line + 2) + 12);
    QCOMPARE(second.top(), first.bottom() + 1); // uniform, stacked
    QCOMPARE(sidebar.objectName(), QStringLiteral("sessionSidebar"));
    QCOMPARE(sidebar.horizontalScrollBarPolicy(), Qt::ScrollBarAlwaysOff);
    QVERIFY(qobject_cast<SessionItemDelegate *>(sidebar.itemDelegate()));
}

void TestSessionSidebar::isFortyCharactersWide()
{
    SessionSidebar sidebar;
    const QSize hint = sidebar.sizeHint();
    QCOMPARE(hint.width(), sidebar.fontMetrics().horizontalAdvance(QLatin1Char('0')) * 40);
    QCOMPARE(hint.height(), 300);
}

void TestSessionSidebar::selectsOneSessionAtATime()
{
    SessionSidebar sidebar;
    auto model = sessionsModel(3);
    QAbstractItemModelTester tester(model.get(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    sidebar.setModel(model.get());
    sidebar.resize(300, 400);
    sidebar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sidebar));
    QSignalSpy current(sidebar.selectionModel(), &QItemSelectionModel::currentRowChanged);
    QTest::mouseClick(sidebar.viewport(), Qt::LeftButton, {},
                      sidebar.visualRect(model->index(0, 0)).center());
    QCOMPARE(sidebar.currentIndex().row(), 0);
    // Ctrl+click does not add to the selection: one session at a time.
    QTest::mouseClick(sidebar.viewport(), Qt::LeftButton, Qt::ControlModifier,
                      sidebar.visualRect(model->index(2, 0)).center());
    const QModelIndexList selected = sidebar.selectionModel()->selectedIndexes();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().row(), 2);
    QCOMPARE(sidebar.currentIndex().row(), 2);
    QCOMPARE(current.last().at(0).value<QModelIndex>().row(), 2);
}

void TestSessionSidebar::keyboardMovesTheSelection()
{
    SessionSidebar sidebar;
    auto model = sessionsModel(3);
    sidebar.setModel(model.get());
    sidebar.resize(300, 400);
    sidebar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sidebar));
    sidebar.setCurrentIndex(model->index(0, 0));
    QTest::keyClick(&sidebar, Qt::Key_Down);
    QCOMPARE(sidebar.currentIndex().row(), 1);
    QTest::keyClick(&sidebar, Qt::Key_End);
    QCOMPARE(sidebar.currentIndex().row(), 2);
    QCOMPARE(sidebar.selectionModel()->selectedIndexes().size(), 1);
}

void TestSessionSidebar::delegateDrawsInsideItsRectangle_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<int>("width");
    QTest::addColumn<bool>("selected");
    QTest::newRow("wide") << QString() << 400 << false;
    QTest::newRow("narrow, long peer elided")
        << QStringLiteral("a-very-long-host-name.example.org:65535") << 90 << false;
    QTest::newRow("selected") << QString() << 300 << true;
}

void TestSessionSidebar::delegateDrawsInsideItsRectangle()
{
    QFETCH(QString, peer);
    QFETCH(int, width);
    QFETCH(bool, selected);

    SessionSidebar sidebar; // the delegate's widget: style and palette
    auto model = sessionsModel(1, peer);
    SessionItemDelegate delegate;
    QStyleOptionViewItem option;
    option.initFrom(&sidebar);
    option.widget = &sidebar;
    option.font = sidebar.font();
    option.state = QStyle::State_Enabled | QStyle::State_Active;
    if (selected)
        option.state |= QStyle::State_Selected;
    const QModelIndex index = model->index(0, 0);
    const QSize hint = delegate.sizeHint(option, index);
    QCOMPARE(hint.width(), 200);
    // Painted at an offset on a larger transparent image: nothing may land outside the rect.
    option.rect = QRect(20, 10, width, hint.height());
    QImage image(width + 40, hint.height() + 20, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    {
        QPainter painter(&image);
        delegate.paint(&painter, option, index);
    }
    QCOMPARE(pixelsOutside(image, option.rect), 0);
    // Text was drawn in each of the four lines.
    const int line = QFontMetrics(option.font).height();
    for (int i = 0; i < 4; ++i) {
        const QRect band(option.rect.left() + 6 + 14 + 6, option.rect.top() + 6 + i * (line + 2),
                         option.rect.width() - 40, line);
        if (band.width() > 0)
            QVERIFY2(pixelsInside(image, band) > 0, qPrintable(QStringLiteral("line %1").arg(i)));
    }
}

// An entry opened from a capture (IsCaptureRole) carries a "capture" tag at the end of its first
// line, in the captures' blue; other entries have none.
void TestSessionSidebar::captureEntriesCarryATag()
{
    auto model = sessionsModel(2);
    model->setData(model->index(1, SessionListModel::SessionColumn), true,
                   SessionListModel::IsCaptureRole);
    SessionItemDelegate delegate;
    QStyleOptionViewItem option;
    option.rect = QRect(0, 0, 320, 80);
    option.font = QApplication::font();
    option.palette = QApplication::palette();
    auto tagPixels = [&](int row) {
        QImage image(option.rect.size(), QImage::Format_ARGB32);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        delegate.paint(&painter, option, model->index(row, 0));
        painter.end();
        int blue = 0;
        const int lineHeight = QFontMetrics(option.font).height() + 6;
        for (int y = 0; y < lineHeight; ++y) {
            for (int x = option.rect.width() / 2; x < option.rect.width(); ++x)
                blue += image.pixelColor(x, y) == QColor(30, 136, 229);
        }
        return blue;
    };
    QCOMPARE(tagPixels(0), 0);
    QVERIFY(tagPixels(1) > 50);
}

QTEST_MAIN(TestSessionSidebar)
#include "tst_sessionsidebar.moc"
