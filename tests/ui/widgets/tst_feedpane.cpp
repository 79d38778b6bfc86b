// The Feed tab: BlockMap paints each layer where its blocks are (pixel checks), aggregates a
// million-block feed per cell and paints it fast (the time is printed, not asserted), describes a
// hovered cell; FeedPane shows a real session's feed (a signed FeedBuilder feed sent between two
// inspected sessions) and a click on a block selects the latest log row about it.
#include "blockmap.h"
#include "feedbuilder.h"
#include "feedpane.h"
#include "feedtracker.h"
#include "inspectedpair.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

using Layer = BlockMap::Layer;

/// The colour painted in the lower (our side) or upper (remote) part of @p block's cell.
QColor colourAt(BlockMap &map, std::uint64_t block, bool upper)
{
    const QImage image = map.grab().toImage();
    const QPoint centre = map.cellCentre(block);
    const int cell = map.cellSize();
    const QPoint p(centre.x(),
                   upper ? centre.y() - cell / 2 + std::max(0, cell / 6) : centre.y() + cell / 6);
    return image.pixelColor(p);
}

BlockMap::Layers tenBlockLayers()
{
    BlockMap::Layers layers;
    layers[BlockMap::RemoteHas] = {{0, 7}};
    layers[BlockMap::Wanted] = {{0, 9}};
    layers[BlockMap::Requested] = {{4, 4}};
    layers[BlockMap::Received] = {{0, 3}, {5, 5}};
    layers[BlockMap::Verified] = {{0, 2}};
    layers[BlockMap::Failed] = {{3, 3}};
    return layers;
}

} // namespace

class TestFeedPane : public QObject
{
    Q_OBJECT
private slots:
    void paintsEachLayerWhereItsBlocksAre_data();
    void paintsEachLayerWhereItsBlocksAre();
    void describesAHoveredCell();
    void aMillionBlocksPaintQuickly();
    void hostileExtentsDoNotOverflow();
    void showsARealSessionsFeedAndClicksThrough();
};

void TestFeedPane::paintsEachLayerWhereItsBlocksAre_data()
{
    QTest::addColumn<quint64>("block");
    QTest::addColumn<int>("ours");    // the layer painted below, -1: nothing
    QTest::addColumn<bool>("remote"); // the remote has it (upper third)
    QTest::newRow("verified") << 1ull << int(BlockMap::Verified) << true;
    QTest::newRow("failed") << 3ull << int(BlockMap::Failed) << true;
    QTest::newRow("requested") << 4ull << int(BlockMap::Requested) << true;
    QTest::newRow("received, unverified") << 5ull << int(BlockMap::Received) << true;
    QTest::newRow("wanted only") << 6ull << int(BlockMap::Wanted) << true;
    QTest::newRow("wanted, remote lacks it") << 9ull << int(BlockMap::Wanted) << false;
}

void TestFeedPane::paintsEachLayerWhereItsBlocksAre()
{
    QFETCH(quint64, block);
    QFETCH(int, ours);
    QFETCH(bool, remote);
    BlockMap map;
    map.resize(400, 200);
    map.setBlocks(10, tenBlockLayers());
    QCOMPARE(map.blocksPerCell(), 1u);
    QCOMPARE(map.cellSize(), 32);
    QCOMPARE(colourAt(map, block, false), BlockMap::colour(Layer(ours)));
    if (remote)
        QCOMPARE(colourAt(map, block, true), BlockMap::colour(BlockMap::RemoteHas));
    else
        QVERIFY(colourAt(map, block, true) != BlockMap::colour(BlockMap::RemoteHas));
}

void TestFeedPane::describesAHoveredCell()
{
    BlockMap map;
    map.resize(400, 200);
    map.setBlocks(10, tenBlockLayers());
    const std::optional<feed::BlockRange> range = map.blocksAt(map.cellCentre(3));
    QVERIFY(range);
    QCOMPARE(range->first, 3u);
    QCOMPARE(range->last, 3u);
    QCOMPARE(map.describe(*range), QStringLiteral("block 3: remote has, wanted, received, failed"));
    QCOMPARE(map.describe({0, 9}), QStringLiteral("blocks 0–9: remote has 8, wanted 10, "
                                                  "requested 1, received 5, verified 3, failed 1"));
    QVERIFY(!map.blocksAt(QPoint(0, 0)));
    QSignalSpy clicked(&map, &BlockMap::blockClicked);
    QTest::mouseClick(&map, Qt::LeftButton, {}, map.cellCentre(4));
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.at(0).at(0).toULongLong(), 4u);
}

void TestFeedPane::aMillionBlocksPaintQuickly()
{
    constexpr std::uint64_t Blocks = 1'000'000;
    BlockMap::Layers layers;
    layers[BlockMap::RemoteHas] = {{0, Blocks - 1}};
    layers[BlockMap::Wanted] = {{0, feed::BlockRange::OpenEnd}};
    // A download under way: every other run of 1000 blocks verified, one failed block.
    for (std::uint64_t first = 0; first < Blocks / 2; first += 2000)
        layers[BlockMap::Verified].push_back({first, first + 999});
    layers[BlockMap::Received] = {{0, Blocks / 2}};
    layers[BlockMap::Failed] = {{Blocks / 2 + 10, Blocks / 2 + 10}};
    BlockMap map;
    map.resize(1920, 1080);
    map.setBlocks(Blocks, layers);
    QVERIFY(map.blocksPerCell() > 1);

    QElapsedTimer timer;
    timer.start();
    const QImage image = map.grab().toImage();
    const double firstMs = double(timer.nsecsElapsed()) / 1e6;
    timer.restart();
    map.grab();
    const double againMs = double(timer.nsecsElapsed()) / 1e6;
    qInfo("BENCH block map, %llu blocks at 1920x1080 (%llu per cell, %d px cells): rasterise "
          "%.2f ms, first paint %.2f ms, repaint %.2f ms",
          static_cast<unsigned long long>(Blocks),
          static_cast<unsigned long long>(map.blocksPerCell()), map.cellSize(), map.lastRasterMs(),
          firstMs, againMs);

    QCOMPARE(colourAt(map, 0, false), BlockMap::colour(BlockMap::Verified));
    QCOMPARE(colourAt(map, Blocks / 2 + 10, false), BlockMap::colour(BlockMap::Failed));
    QCOMPARE(colourAt(map, Blocks - 1, false), BlockMap::colour(BlockMap::Wanted));
    QCOMPARE(colourAt(map, Blocks - 1, true), BlockMap::colour(BlockMap::RemoteHas));
    QVERIFY(!image.isNull());
}

void TestFeedPane::hostileExtentsDoNotOverflow()
{
    // A Have near 2^64 makes the map's extent the largest there is: it still lays out, paints
    // and describes its cells.
    BlockMap::Layers layers;
    layers[BlockMap::RemoteHas] = {{UINT64_MAX - 5, UINT64_MAX - 1}, {0, 0}};
    BlockMap map;
    map.resize(300, 200);
    map.setBlocks(UINT64_MAX, layers);
    QVERIFY(!map.grab().isNull());
    const std::optional<feed::BlockRange> last = map.blocksAt(map.cellCentre(UINT64_MAX - 1));
    QVERIFY(last);
    QVERIFY(last->last >= last->first);
    QCOMPARE(last->last, UINT64_MAX - 1);
    QCOMPARE(colourAt(map, 0, true), BlockMap::colour(BlockMap::RemoteHas));
}

void TestFeedPane::showsARealSessionsFeedAndClicksThrough()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    Bytes bytes(200, 'x');
    Key32 seed{};
    seed.fill(3);
    const feed::FeedBuilder feed =
        feed::FeedBuilder::fromBytes(bytes, 10, feed::signingKeyPairFromSeed(seed));
    QCOMPARE(feed.length(), 20u);
    QVERIFY(pair.establish(feed.key()));

    // The server announces all 20 blocks; we ask for 0..7 and get 0..5, block 4 tampered.
    schema::Have have;
    have.set_start(0);
    const Bytes bits = feed.haveBitfield(0, 24);
    have.set_bitfield(std::string(bits.begin(), bits.end()));
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), have), QString());
    feed::TreeIndex remoteTree;
    for (std::uint64_t block = 0; block < 8; ++block) {
        schema::Request request;
        request.set_index(block);
        QCOMPARE(pair.dialer->send(feed.discoveryKey(), request), QString());
    }
    for (std::uint64_t block = 0; block < 6; ++block) {
        std::optional<schema::Data> data = feed.data(block, 0, remoteTree);
        QVERIFY(data);
        if (block == 4)
            data->set_value("tampered!!");
        QCOMPARE(pair.accepted->send(feed.discoveryKey(), *data), QString());
    }

    FeedPane pane;
    pane.resize(900, 400);
    pane.setSession(pair.dialer.get());
    QVERIFY(QTest::qWaitFor([&] {
        pair.log.flush();
        pane.refresh();
        return pane.summaryText().contains(QStringLiteral("received 6"));
    }));
    QVERIFY2(pane.summaryText().startsWith(
                 QStringLiteral("20 blocks · remote has 20 · received 6 · verified 5 · failed 1")),
             qPrintable(pane.summaryText()));
    QCOMPARE(pane.channelCombo()->count(), 1);
    QCOMPARE(pane.channelCombo()->itemText(0),
             QStringLiteral("channel %1 · %2")
                 .arg(*pair.dialer->openLocalId(feed.discoveryKey()))
                 .arg(shortKeyHex(feed.discoveryKey())));
    BlockMap &map = *pane.blockMap();
    QCOMPARE(colourAt(map, 0, false), BlockMap::colour(BlockMap::Verified));
    QCOMPARE(colourAt(map, 4, false), BlockMap::colour(BlockMap::Failed));
    QCOMPARE(colourAt(map, 6, false), BlockMap::colour(BlockMap::Requested));
    QCOMPARE(colourAt(map, 12, true), BlockMap::colour(BlockMap::RemoteHas));

    // Clicking block 4 selects its Data (the latest row about it), not its Request.
    QSignalSpy activated(&pane, &FeedPane::rowActivated);
    QTest::mouseClick(&map, Qt::LeftButton, {}, map.cellCentre(4));
    QCOMPARE(activated.size(), 1);
    const int row = activated.at(0).at(0).toInt();
    QCOMPARE(pair.log.record(row).type, 9);
    QCOMPARE(pair.log.record(row).session, pair.dialer->id());
    const FeedTracker::RowFinding *finding = pair.dialer->feed()->finding(row);
    QVERIFY(finding && finding->verdict && finding->verdict->failed());
    QCOMPARE(finding->verdict->block, 4u);

    // The serving side's map: what we announced above, what the remote requested and got below
    // (chosen on its own: that session only sent Data).
    FeedPane served;
    served.resize(900, 400);
    served.setSession(pair.accepted.get());
    QVERIFY(QTest::qWaitFor([&] {
        served.refresh();
        return served.summaryText().contains(QStringLiteral("sent 6"));
    }));
    QCOMPARE(served.perspective(), FeedPane::Perspective::Serving);
    QVERIFY2(served.summaryText().startsWith(
                 QStringLiteral("20 blocks · we have 20 · sent 6 · verified 5 · failed 1")),
             qPrintable(served.summaryText()));
    QCOMPARE(colourAt(*served.blockMap(), 4, false), BlockMap::colour(BlockMap::Failed));
    QCOMPARE(colourAt(*served.blockMap(), 6, false), BlockMap::colour(BlockMap::Requested));
    QCOMPARE(colourAt(*served.blockMap(), 12, true), BlockMap::colour(BlockMap::RemoteHas));
    QCOMPARE(served.blockMap()->describe({6, 6}),
             QStringLiteral("block 6: we have, remote requested"));
    served.setPerspective(FeedPane::Perspective::Downloading);
    QVERIFY(
        served.summaryText().startsWith(QStringLiteral("20 blocks · remote has 0 · received 0")));

    if (qEnvironmentVariableIsSet("FEEDPANE_SCREENSHOT")) {
        for (const QSize size : {QSize(1024, 640), QSize(1920, 1080)}) {
            pane.resize(size);
            pane.grab().save(QStringLiteral("/tmp/feedgui-pane-%1.png").arg(size.width()));
        }
    }
}

QTEST_MAIN(TestFeedPane)
#include "tst_feedpane.moc"
