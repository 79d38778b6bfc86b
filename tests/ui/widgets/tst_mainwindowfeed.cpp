// The feed layer in the real MainWindow, offscreen: a session dialed by the window and one its
// listener accepted share a signed feed (FeedBuilder); the accepted side announces it and sends
// Data, one of them tampered. The window's Feed tab paints the dialed session's blocks, a click
// on a block selects its Data in the Messages tab, whose field tree shows the verdict and the
// hash chain; the tampered block is a warning row.
#include "blockmap.h"
#include "feedbuilder.h"
#include "feedpane.h"
#include "feedtracker.h"
#include "fieldtreemodel.h"
#include "guisettings.h"
#include "inspectedsession.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogmodel.h"

#include <QTabWidget>
#include <QTest>

using namespace hyperscope;

namespace {

constexpr int Timeout = 15000;

/// The first child of @p node named @p name (depth-first), or null.
const DissectedField *find(const DissectedField &node, const std::string &name)
{
    if (node.name == name)
        return &node;
    for (const DissectedField &child : node.children) {
        if (const DissectedField *found = find(child, name))
            return found;
    }
    return nullptr;
}

} // namespace

class TestMainWindowFeed : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { test::useCleanTestSettings(QStringLiteral("tst_mainwindowfeed")); }
    void feedTabPaintsAndClicksThroughToTheVerdict();
};

void TestMainWindowFeed::feedTabPaintsAndClicksThroughToTheVerdict()
{
    Key32 seed{};
    seed.fill(9);
    Bytes bytes(48 * 1024);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = std::uint8_t(i * 7);
    const feed::FeedBuilder feed =
        feed::FeedBuilder::fromBytes(bytes, 1024, feed::signingKeyPairFromSeed(seed));
    QCOMPARE(feed.length(), 48u);

    MainWindow window;
    ConnectionOptions options;
    options.keys = {feed.key()};
    QString error;
    QVERIFY2(window.listen(QHostAddress::LocalHost, 0, options, &error), qPrintable(error));
    InspectedSession *dialed =
        window.connectToPeer(QStringLiteral("127.0.0.1"), window.listeningPort(), options);
    QVERIFY(dialed);
    InspectedSession *accepted = nullptr;
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (InspectedSession *session : window.sessions()) {
                if (session->origin() == InspectedSession::Origin::Accepted &&
                    session->openLocalId(feed.discoveryKey()) &&
                    dialed->openLocalId(feed.discoveryKey()))
                    accepted = session;
            }
            return accepted && dialed->channels()->rowCount() == 1 &&
                   dialed->channels()->row(0).state == ChannelTableModel::State::Established;
        },
        Timeout));
    QCOMPARE(window.currentSession(), dialed); // the dialed session stays current

    // The server has blocks 0..39; we fetch 0..29, block 17 arrives tampered.
    schema::Have have;
    have.set_start(0);
    have.set_length(40);
    QCOMPARE(accepted->send(feed.discoveryKey(), have), QString());
    feed::TreeIndex remoteTree;
    for (std::uint64_t block = 0; block < 30; ++block) {
        schema::Request request;
        request.set_index(block);
        QCOMPARE(dialed->send(feed.discoveryKey(), request), QString());
        std::optional<schema::Data> data = feed.data(block, 0, remoteTree);
        QVERIFY(data);
        if (block == 17)
            (*data->mutable_value())[5] ^= 1;
        QCOMPARE(accepted->send(feed.discoveryKey(), *data), QString());
    }

    QTabWidget *tabs = window.tabs();
    FeedPane *pane = window.feedPane();
    QVERIFY(pane);
    QCOMPARE(tabs->tabText(tabs->indexOf(pane)), QStringLiteral("Feed"));
    tabs->setCurrentWidget(pane);
    window.resize(1024, 640);
    window.show();
    QVERIFY(QTest::qWaitFor(
        [&] {
            window.logModel()->flush();
            return pane->summaryText().contains(QStringLiteral("received 30"));
        },
        Timeout));
    pane->refresh();
    QVERIFY2(pane->summaryText().startsWith(QStringLiteral(
                 "40 blocks · remote has 40 · received 30 · verified 29 · failed 1")),
             qPrintable(pane->summaryText()));
    BlockMap *map = pane->blockMap();
    const QImage image = map->grab().toImage();
    const int cell = map->cellSize();
    auto lower = [&](std::uint64_t block) {
        const QPoint centre = map->cellCentre(block);
        return image.pixelColor(centre.x(), centre.y() + cell / 6);
    };
    QCOMPARE(lower(3), BlockMap::colour(BlockMap::Verified));
    QCOMPARE(lower(17), BlockMap::colour(BlockMap::Failed));
    QVERIFY(lower(35) != BlockMap::colour(BlockMap::Verified));

    const QString shots = qEnvironmentVariable("FEED_SCREENSHOTS");
    if (!shots.isEmpty()) {
        for (const QSize size : {QSize(1024, 640), QSize(1920, 1080)}) {
            window.resize(size);
            QTest::qWait(50);
            window.grab().save(QStringLiteral("%1/feed-tab-%2.png").arg(shots).arg(size.width()));
        }
        window.resize(1024, 640);
    }

    // A click on block 17 selects its Data in the Messages tab: failed, with the reason.
    QTest::mouseClick(map, Qt::LeftButton, {}, map->cellCentre(17));
    QCOMPARE(tabs->currentWidget(), static_cast<QWidget *>(window.logPane()));
    const int row = window.logPane()->currentSourceRow();
    QVERIFY(row >= 0);
    QCOMPARE(window.logModel()->record(row).type, 9);
    const DissectedField *root = window.logPane()->fieldModel()->root();
    QVERIFY(root);
    const DissectedField *verdict = find(*root, "feed verification");
    QVERIFY(verdict);
    QVERIFY2(verdict->value.starts_with("FAILED: "), verdict->value.c_str());

    // Block 3's Data: verified, with its chain down to the signature check.
    tabs->setCurrentWidget(pane);
    QTest::mouseClick(map, Qt::LeftButton, {}, map->cellCentre(3));
    root = window.logPane()->fieldModel()->root();
    QVERIFY(root);
    verdict = find(*root, "feed verification");
    QVERIFY(verdict);
    QVERIFY2(verdict->value.starts_with("verified: "), verdict->value.c_str());
    QVERIFY(find(*root, "leaf node 6"));
    QVERIFY(find(*root, "hash chain"));

    if (!shots.isEmpty()) {
        for (const QSize size : {QSize(1024, 640), QSize(1920, 1080)}) {
            window.resize(size);
            QTest::qWait(50);
            window.grab().save(QStringLiteral("%1/feed-data-%2.png").arg(shots).arg(size.width()));
        }
    }

    // The tampered block is a warning row of the dialed session.
    int warnings = 0;
    for (int r = 0; r < window.logModel()->rowCount(); ++r) {
        const MessageLogModel::Record &record = window.logModel()->record(r);
        if (record.kind == MessageLogModel::Kind::Warning && record.session == dialed->id() &&
            window.logModel()->noteText(record).startsWith(
                QStringLiteral("Data block 17 failed verification")))
            ++warnings;
    }
    QCOMPARE(warnings, 1);
}

QTEST_MAIN(TestMainWindowFeed)
#include "tst_mainwindowfeed.moc"
