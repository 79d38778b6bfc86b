// The proof lesson of the Feed tab (issue 13, "teaching"), offscreen in the real MainWindow:
//  - the demo's first Data (block 5 of the 15-block demo feed, proven by the signature): "Explain
//    This Proof" in the log's row menu opens the Feed tab's lesson, whose steps name the right
//    flat-tree nodes (leaf 10, climbs 10+8→9, 9+13→11, 11+3→7, roots 7, 19, 25, 28) and show the
//    hashes FeedVerifier computed, which are the served feed's own nodes;
//  - a later demo Data ends at a node an earlier Data verified, and links to that Data;
//  - a click on a block in the map, lesson open, explains that block's Data in place;
//  - tampered Data (table-driven: the value, a proof node, the signature) are marked failed at
//    the step where the check fails, with both hashes where there are two;
//  - the lesson's help links lead to the help page.
#include "blockmap.h"
#include "copyablehex.h"
#include "demorunner.h"
#include "feedbuilder.h"
#include "feedpane.h"
#include "feedtracker.h"
#include "guisettings.h"
#include "helpwindow.h"
#include "inspectedpair.h"
#include "inspectedsession.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogmodel.h"
#include "prooflesson.h"
#include "prooftreepicture.h"

#include <QAction>
#include <QMenu>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

constexpr int Timeout = 20000;
constexpr quint8 DataType = 9;

QString hexOf(ByteView bytes)
{
    return QString::fromStdString(toHex(bytes));
}

/// The received Data rows of @p session in @p log, in order, with their verdicts.
QList<int> dataRows(const MessageLogModel &log, const InspectedSession &session)
{
    QList<int> rows;
    for (int row = 0; row < log.rowCount(); ++row) {
        const MessageLogModel::Record &record = log.record(row);
        if (record.session == session.id() && record.kind == MessageLogModel::Kind::Frame &&
            record.type == DataType && record.direction() == Direction::Inbound)
            rows << row;
    }
    return rows;
}

const feed::Verdict *verdictOf(const InspectedSession &session, int row)
{
    const FeedTracker::RowFinding *finding = session.feed()->finding(row);
    return finding && finding->verdict ? &*finding->verdict : nullptr;
}

/// The hex of the lesson's value line @p name ("" when there is none).
QString shown(const ProofLesson &lesson, const QString &name)
{
    const CopyableHex *value = lesson.value(name);
    return value ? value->hex() : QString();
}

} // namespace

class TestProofLesson : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { useCleanTestSettings(QStringLiteral("tst_prooflesson")); }
    void explainsTheDemosDataWithItsOwnHashes();
    void namesTheFailingStep_data();
    void namesTheFailingStep();
    void saysWhereAnUnverifiableProofEnds();
    void explainsNothingForOtherRows();
    void explainsOnceTheFeedKeyIsGiven();
    void picturesALargeFeedByTheNodesInvolved();
};

void TestProofLesson::explainsTheDemosDataWithItsOwnHashes()
{
    MainWindow window;
    window.resize(1024, 640);
    window.show();
    QVERIFY(window.startDemo());
    window.demo()->setInterval(20);
    const feed::FeedBuilder &served = window.demo()->servedFeed();
    QCOMPARE(served.length(), 15u);
    InspectedSession *initiator = nullptr;
    QVERIFY(QTest::qWaitFor(
        [&] {
            window.logModel()->flush();
            for (InspectedSession *session : window.sessions()) {
                if (session->feed() && dataRows(*window.logModel(), *session).size() >= 6)
                    initiator = session;
            }
            return initiator != nullptr;
        },
        Timeout));
    window.stopDemo();
    const MessageLogModel &log = *window.logModel();
    const QList<int> rows = dataRows(log, *initiator);

    // The first Data: block 5, proven by the signature over the 15-block tree's roots.
    const int first = rows.first();
    const feed::Verdict *verdict = verdictOf(*initiator, first);
    QVERIFY(verdict);
    QCOMPARE(verdict->block, 5u);
    QCOMPARE(verdict->how, feed::Verdict::How::Signature);

    // "Explain This Proof" in the row's context menu opens the Feed tab on it.
    std::unique_ptr<QMenu> menu(window.logPane()->createRowMenu(first));
    auto *explain = menu->findChild<QAction *>(QStringLiteral("explainProof"));
    QVERIFY(explain);
    explain->trigger();
    FeedPane *pane = window.feedPane();
    QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget *>(pane));
    QVERIFY(pane->lessonShown());
    ProofLesson &lesson = *pane->proofLesson();
    QCOMPARE(lesson.row(), first);
    QCOMPARE(window.logPane()->currentSourceRow(), first); // the log follows

    QCOMPARE(lesson.shownStepTitles(),
             QStringList({QStringLiteral("1. The leaf: block 5 is node 10"),
                          QStringLiteral("2. Climb: node 10 + node 8 → node 9"),
                          QStringLiteral("3. Climb: node 9 + node 13 → node 11"),
                          QStringLiteral("4. Climb: node 11 + node 3 → node 7"),
                          QStringLiteral("5. The roots of the 15-block tree"),
                          QStringLiteral("6. The tree hash of the roots"),
                          QStringLiteral("7. The signed bytes: tree hash ‖ u64(15)"),
                          QStringLiteral("8. The signature: Ed25519 against the feed key")}));
    QVERIFY(lesson.failedStep().isEmpty());
    // The leaf's bytes: 0x00, u64(256), the block itself; then the hashes FeedVerifier computed,
    // which are the writer's own nodes.
    QCOMPARE(shown(lesson, QStringLiteral("0x00")), QStringLiteral("00"));
    QCOMPARE(shown(lesson, QStringLiteral("u64(256)")), QStringLiteral("0000000000000100"));
    QCOMPARE(shown(lesson, QStringLiteral("value (256 bytes)")), hexOf(served.block(5)));
    QCOMPARE(shown(lesson, QStringLiteral("= leaf node 10")), hexOf(verdict->chain[0].node.hash));
    for (const std::uint64_t node : {10u, 9u, 11u, 7u}) {
        const QString name =
            node == 10 ? QStringLiteral("= leaf node 10") : QStringLiteral("= node %1").arg(node);
        QCOMPARE(shown(lesson, name), hexOf(served.node(node).hash));
    }
    for (const std::uint64_t sibling : {8u, 13u, 3u})
        QCOMPARE(shown(lesson, QStringLiteral("node %1").arg(sibling)),
                 hexOf(served.node(sibling).hash));
    for (const std::uint64_t root : {7u, 19u, 25u, 28u})
        QCOMPARE(shown(lesson, QStringLiteral("root node %1").arg(root)),
                 hexOf(served.node(root).hash));
    QVERIFY(verdict->treeHash);
    QCOMPARE(shown(lesson, QStringLiteral("= tree hash")), hexOf(*verdict->treeHash));
    QCOMPARE(shown(lesson, QStringLiteral("signed bytes (40 bytes)")), hexOf(verdict->signedBytes));
    QCOMPARE(shown(lesson, QStringLiteral("feed key")), hexOf(served.key()));
    QCOMPARE(shown(lesson, QStringLiteral("signature")), hexOf(served.signature()));
    QVERIFY(lesson.text().contains(QStringLiteral("fullRoots(2L)")));
    QVERIFY(lesson.text().contains(QStringLiteral("node 28 (block 14, 166 bytes)")));

    // The picture: the whole 15-block tree (29 nodes, node 15 is not part of it), coloured.
    const ProofTreePicture &picture = *lesson.picture();
    QCOMPARE(picture.drawnNodes().size(), 26u); // 15 leaves + 7 + 3 + 1 parents
    QCOMPARE(picture.roleOf(10), ProofTreePicture::Role::Block);
    QCOMPARE(picture.roleOf(8), ProofTreePicture::Role::Proof);
    QCOMPARE(picture.roleOf(9), ProofTreePicture::Role::Computed);
    QCOMPARE(picture.roleOf(19), ProofTreePicture::Role::Proof);
    QCOMPARE(picture.roleOf(0), ProofTreePicture::Role::Other);
    QVERIFY(!picture.roleOf(15));

    // A later Data ends at a node an earlier one verified, and says which.
    int anchored = -1;
    for (const int row : rows) {
        const feed::Verdict *later = verdictOf(*initiator, row);
        if (later && later->how == feed::Verdict::How::VerifiedNode) {
            anchored = row;
            break;
        }
    }
    QVERIFY(anchored > first);
    const feed::Verdict &anchor = *verdictOf(*initiator, anchored);
    pane->explainRow(anchored);
    QCOMPARE(lesson.row(), anchored);
    QVERIFY2(lesson.shownStepTitles().last() ==
                 QStringLiteral("%1. Ended at node %2, already verified")
                     .arg(lesson.shownStepTitles().size())
                     .arg(anchor.anchorNode),
             qPrintable(lesson.shownStepTitles().join(QLatin1Char('|'))));
    QVERIFY2(lesson.text().contains(QStringLiteral("verified earlier on this channel, by the Data "
                                                   "of block")),
             qPrintable(lesson.text()));
    QCOMPARE(shown(lesson, QStringLiteral("node %1 verified").arg(anchor.anchorNode)),
             hexOf(served.node(anchor.anchorNode).hash));

    // Lesson open, a click on block 5 in the map explains block 5's Data again, in place.
    BlockMap *map = pane->blockMap();
    QTest::mouseClick(map, Qt::LeftButton, {}, map->cellCentre(5));
    QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget *>(pane));
    QCOMPARE(verdictOf(*initiator, lesson.row())->block, 5u);
    QCOMPARE(lesson.shownStepTitles().first(), QStringLiteral("1. The leaf: block 5 is node 10"));

    // The help link opens the help page.
    auto *help = pane->findChild<QToolButton *>(QStringLiteral("proofHelp"));
    QVERIFY(help);
    QTest::mouseClick(help, Qt::LeftButton);
    auto *helpWindow = window.findChild<HelpWindow *>();
    QVERIFY(helpWindow);
    QCOMPARE(helpWindow->currentPage(), ProofLesson::helpPage());

    const QString shots = qEnvironmentVariable("PROOF_SCREENSHOTS");
    if (!shots.isEmpty()) {
        helpWindow->hide();
        pane->explainRow(first);
        for (const QSize size : {QSize(1024, 640), QSize(1920, 1080)}) {
            window.resize(size);
            QTest::qWait(100);
            window.grab().save(QStringLiteral("%1/proof-%2.png").arg(shots).arg(size.width()));
        }
        auto *scroll = pane->findChild<QScrollArea *>(QStringLiteral("proofLessonScroll"));
        scroll->verticalScrollBar()->setValue(scroll->verticalScrollBar()->maximum());
        QTest::qWait(50);
        window.grab().save(QStringLiteral("%1/proof-1920-end.png").arg(shots));
        pane->explainRow(anchored);
        QTest::qWait(100);
        window.grab().save(QStringLiteral("%1/proof-anchored.png").arg(shots));
        helpWindow->showPage(ProofLesson::helpPage());
        helpWindow->resize(1024, 640);
        helpWindow->show();
        QTest::qWait(100);
        helpWindow->grab().save(QStringLiteral("%1/help-feed.png").arg(shots));
        QScrollBar *bar = helpWindow->browser()->verticalScrollBar();
        for (const int part : {1, 2, 3}) {
            bar->setValue(bar->maximum() * part / 3);
            QTest::qWait(20);
            helpWindow->grab().save(QStringLiteral("%1/help-feed-%2.png").arg(shots).arg(part));
        }
    }
}

void TestProofLesson::namesTheFailingStep_data()
{
    QTest::addColumn<QString>("earlier");  // the blocks fetched before block 4, untouched
    QTest::addColumn<QString>("tamper");   // what is changed in the Data of block 4
    QTest::addColumn<QString>("step");     // the step marked failed
    QTest::addColumn<QString>("expected"); // the value line that shows what was expected
    QTest::addColumn<quint64>("node");     // ... for that node

    // First Data on the channel: nothing is verified yet, so only the signature can tell.
    const QString signature = QStringLiteral("9. The signature: Ed25519 against the feed key");
    QTest::newRow("value, first Data") << ""
                                       << "value" << signature << "" << 0ull;
    QTest::newRow("signature, first Data") << ""
                                           << "signature" << signature << "" << 0ull;
    QTest::newRow("proof node, first Data") << ""
                                            << "node" << signature << "" << 0ull;
    // After blocks 0..3, block 4's climb meets node 11, which block 0's proof verified.
    const QString climb = QStringLiteral("3. Climb: node 9 + node 13 → node 11");
    QTest::newRow("value, after blocks 0-3") << "0 1 2 3"
                                             << "value" << climb << "verified node 11" << 11ull;
    QTest::newRow("proof node, after blocks 0-3") << "0 1 2 3"
                                                  << "node" << climb << "verified node 11" << 11ull;
    // After block 5, block 4's leaf (node 8) is verified already: the leaf itself fails.
    QTest::newRow("value, after block 5") << "5"
                                          << "value"
                                          << "1. The leaf: block 4 is node 8"
                                          << "verified node 8" << 8ull;
    // A proof without a node it needs, answering a Request with nodes=0: the server's fault.
    QTest::newRow("sibling left out, first Data") << ""
                                                  << "drop-sibling"
                                                  << "3. Verification fails"
                                                  << "" << 0ull;
}

void TestProofLesson::namesTheFailingStep()
{
    QFETCH(QString, earlier);
    QFETCH(QString, tamper);
    QFETCH(QString, step);
    QFETCH(QString, expected);
    QFETCH(quint64, node);

    InspectedPair pair;
    QVERIFY(pair.open());
    Key32 seed{};
    seed.fill(5);
    const feed::FeedBuilder feed =
        feed::FeedBuilder::fromBytes(Bytes(200, 'x'), 10, feed::signingKeyPairFromSeed(seed));
    QCOMPARE(feed.length(), 20u);
    QVERIFY(pair.establish(feed.key()));

    QList<std::uint64_t> blocks;
    for (const QString &block : earlier.split(QLatin1Char(' '), Qt::SkipEmptyParts))
        blocks << block.toULongLong();
    blocks << 4;
    feed::TreeIndex remoteTree;
    for (const std::uint64_t block : std::as_const(blocks)) {
        schema::Request request;
        request.set_index(block);
        QCOMPARE(pair.dialer->send(feed.discoveryKey(), request), QString());
        std::optional<schema::Data> data = feed.data(block, 0, remoteTree);
        QVERIFY(data);
        if (block == 4) {
            if (tamper == QLatin1String("value"))
                (*data->mutable_value())[3] ^= 1;
            else if (tamper == QLatin1String("signature"))
                (*data->mutable_signature())[0] ^= 1;
            else if (tamper == QLatin1String("drop-sibling"))
                data->mutable_nodes()->DeleteSubrange(1, 1); // node 13, node 9's sibling
            else
                (*data->mutable_nodes(0)->mutable_hash())[0] ^= 1; // node 10, block 4's sibling
        }
        QCOMPARE(pair.accepted->send(feed.discoveryKey(), *data), QString());
    }

    FeedPane pane;
    pane.resize(1024, 640);
    pane.setSession(pair.dialer.get());
    QList<int> rows;
    QVERIFY(QTest::qWaitFor([&] {
        pair.log.flush();
        rows = dataRows(pair.log, *pair.dialer);
        return rows.size() == blocks.size();
    }));
    const int tampered = rows.last();
    const feed::Verdict *verdict = verdictOf(*pair.dialer, tampered);
    QVERIFY(verdict && verdict->failed());
    pane.explainRow(tampered);
    const ProofLesson &lesson = *pane.proofLesson();
    QCOMPARE(lesson.row(), tampered);
    QVERIFY2(lesson.failedStep() == step,
             qPrintable(lesson.shownStepTitles().join(QLatin1Char('|'))));
    QVERIFY(lesson.text().contains(QStringLiteral("Failed here: ")));
    QVERIFY(lesson.text().contains(QStringLiteral("FAILED: ")));
    const QString shots = qEnvironmentVariable("PROOF_SCREENSHOTS");
    if (!shots.isEmpty()) {
        pane.show();
        auto *scroll = pane.findChild<QScrollArea *>(QStringLiteral("proofLessonScroll"));
        scroll->verticalScrollBar()->setValue(scroll->verticalScrollBar()->maximum());
        QTest::qWait(50);
        pane.grab().save(QStringLiteral("%1/failed-%2.png")
                             .arg(shots, QString::fromLatin1(QTest::currentDataTag())
                                             .replace(QLatin1Char(' '), QLatin1Char('-'))
                                             .remove(QLatin1Char(','))));
    }
    if (!expected.isEmpty()) {
        // Both hashes: the one computed here and the one verified earlier (the writer's).
        QCOMPARE(shown(lesson, expected), hexOf(feed.node(node).hash));
        const QString computed =
            shown(lesson, node % 2 ? QStringLiteral("= node %1").arg(node)
                                   : QStringLiteral("= leaf node %1").arg(node));
        QVERIFY(!computed.isEmpty());
        QVERIFY(computed != hexOf(feed.node(node).hash));
        QCOMPARE(lesson.picture()->roleOf(node), ProofTreePicture::Role::Failed);
    } else if (step.contains(QLatin1String("signature"))) {
        QCOMPARE(shown(lesson, QStringLiteral("feed key")), hexOf(feed.key()));
    } else {
        QVERIFY(lesson.text().contains(
            QStringLiteral("proof ends before reaching a root: node 9's sibling node 13")));
    }
}

void TestProofLesson::saysWhereAnUnverifiableProofEnds()
{
    // A first Data without its signature: the climb reaches the roots, but nothing vouches for
    // them. Not a failure (no Request for it was seen: the requester may hold the signature), so
    // the lesson says where the proof ends and marks no step failed.
    InspectedPair pair;
    QVERIFY(pair.open());
    Key32 seed{};
    seed.fill(7);
    const feed::FeedBuilder feed =
        feed::FeedBuilder::fromBytes(Bytes(200, 'z'), 10, feed::signingKeyPairFromSeed(seed));
    QVERIFY(pair.establish(feed.key()));
    feed::TreeIndex remoteTree;
    std::optional<schema::Data> data = feed.data(4, 0, remoteTree);
    QVERIFY(data);
    data->clear_signature();
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), *data), QString());
    FeedPane pane;
    pane.setSession(pair.dialer.get());
    QList<int> rows;
    QVERIFY(QTest::qWaitFor([&] {
        pair.log.flush();
        rows = dataRows(pair.log, *pair.dialer);
        return rows.size() == 1;
    }));
    const feed::Verdict *verdict = verdictOf(*pair.dialer, rows.first());
    QVERIFY(verdict && verdict->outcome == feed::Verdict::Outcome::Unverifiable);
    pane.explainRow(rows.first());
    const ProofLesson &lesson = *pane.proofLesson();
    QVERIFY(lesson.failedStep().isEmpty());
    QCOMPARE(lesson.shownStepTitles().last(), QStringLiteral("8. The proof ends here"));
    QVERIFY(lesson.shownStepTitles().contains(QStringLiteral("6. The roots of the 20-block tree")));
    QVERIFY(lesson.text().contains(QStringLiteral("Unverifiable: no signature")));
    QCOMPARE(shown(lesson, QStringLiteral("= tree hash")), hexOf(*verdict->treeHash));
}

void TestProofLesson::explainsNothingForOtherRows()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    Key32 seed{};
    seed.fill(6);
    const feed::FeedBuilder feed =
        feed::FeedBuilder::fromBytes(Bytes(40, 'y'), 10, feed::signingKeyPairFromSeed(seed));
    QVERIFY(pair.establish(feed.key()));
    schema::Request request;
    request.set_index(1);
    QCOMPARE(pair.dialer->send(feed.discoveryKey(), request), QString());
    FeedPane pane;
    pane.setSession(pair.dialer.get());
    int requestRow = -1;
    QVERIFY(QTest::qWaitFor([&] {
        pair.log.flush();
        for (int row = 0; row < pair.log.rowCount(); ++row) {
            if (pair.log.record(row).type == 7 &&
                pair.log.record(row).kind == MessageLogModel::Kind::Frame)
                requestRow = row;
        }
        return requestRow >= 0;
    }));
    pane.explainRow(requestRow);
    const ProofLesson &lesson = *pane.proofLesson();
    QVERIFY(lesson.shownStepTitles().isEmpty());
    QVERIFY(lesson.text().contains(QStringLiteral("is not a Data message")));
    // Rows out of range and a null session are harmless.
    pane.explainRow(pair.log.rowCount() + 5);
    QVERIFY(lesson.shownStepTitles().isEmpty());
    pane.setSession(nullptr);
    pane.explainRow(0);
    QCOMPARE(lesson.row(), -1);
}

void TestProofLesson::explainsOnceTheFeedKeyIsGiven()
{
    // Only the remote opened the channel: the dialer cannot verify its Data, and the lesson
    // says why. When a person gives the feed key (Channels tab), the same lesson shows the proof.
    InspectedPair pair;
    QVERIFY(pair.open());
    Key32 seed{};
    seed.fill(8);
    const feed::FeedBuilder feed =
        feed::FeedBuilder::fromBytes(Bytes(80, 'k'), 10, feed::signingKeyPairFromSeed(seed));
    QCOMPARE(pair.accepted->openChannel(feed.key()), QString());
    feed::TreeIndex remoteTree;
    const std::optional<schema::Data> data = feed.data(2, 0, remoteTree);
    QVERIFY(data);
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), *data), QString());
    FeedPane pane;
    pane.setSession(pair.dialer.get());
    QList<int> rows;
    QVERIFY(QTest::qWaitFor([&] {
        pair.log.flush();
        rows = dataRows(pair.log, *pair.dialer);
        return rows.size() == 1;
    }));
    pane.explainRow(rows.first());
    const ProofLesson &lesson = *pane.proofLesson();
    QCOMPARE(lesson.row(), rows.first());
    QVERIFY(lesson.shownStepTitles().isEmpty());
    QVERIFY(lesson.text().contains(QStringLiteral("feed key of this Data's channel is unknown")));

    QVERIFY(pair.dialer->channels()->setKnownKey(feed.key()) >= 0);
    QVERIFY(QTest::qWaitFor([&] { return !lesson.shownStepTitles().isEmpty(); }));
    QCOMPARE(lesson.shownStepTitles().first(), QStringLiteral("1. The leaf: block 2 is node 4"));
    QCOMPARE(lesson.shownStepTitles().last(),
             QStringLiteral("%1. The signature: Ed25519 against the feed key")
                 .arg(lesson.shownStepTitles().size()));
    QVERIFY(lesson.failedStep().isEmpty());
}

void TestProofLesson::picturesALargeFeedByTheNodesInvolved()
{
    // A million-block feed is not drawn whole: only the nodes of the proof, in index order (so
    // still in place relative to each other), each where it is in the tree.
    using Role = ProofTreePicture::Role;
    ProofTreePicture picture;
    picture.setTree(1'000'000, {{500'002, Role::Block, false, {}},
                                {500'000, Role::Proof, false, {}},
                                {500'001, Role::Computed, false, {}},
                                {524'287, Role::Verified, true, {}}});
    QCOMPARE(picture.drawnNodes(),
             (std::vector<std::uint64_t>{500'000, 500'001, 500'002, 524'287}));
    picture.resize(picture.minimumSizeHint().width(), picture.sizeHint().height());
    const QRect leaf = *picture.nodeRect(500'002);
    const QRect parent = *picture.nodeRect(500'001);
    const QRect root = *picture.nodeRect(524'287);
    QVERIFY(parent.center().x() < leaf.center().x());
    QVERIFY(parent.bottom() < leaf.top()); // a parent is drawn above its children
    QVERIFY(root.bottom() < parent.top());
    QVERIFY(picture.width() >=
            4 * QFontMetrics(picture.font()).horizontalAdvance(QStringLiteral("524287")));
    const QImage image = picture.grab().toImage();
    QCOMPARE(image.pixelColor(leaf.left() + 3, leaf.center().y()),
             ProofTreePicture::colour(Role::Block));
    // A small feed is drawn whole, its roots ringed even when the proof did not involve them.
    picture.setTree(3, {{2, Role::Block, false, {}}});
    QCOMPARE(picture.drawnNodes(), (std::vector<std::uint64_t>{0, 1, 2, 4}));
    QCOMPARE(picture.roleOf(4), Role::Other);
    QVERIFY(!picture.roleOf(3)); // blocks 0-3: block 3 does not exist yet
}

QTEST_MAIN(TestProofLesson)
#include "tst_prooflesson.moc"
