// FeedTracker's cheap path (issue 13, performance): a Data with nothing to verify it with (no
// proof nodes, no signature, nothing on its path verified) is judged without hashing on ingest,
// yet finding() still gives its full verdict (the text verify() gives, the leaf hashed from the
// value) for the field tree, and a bare Data whose leaf was verified before is still checked
// against it: failed with a warning row when it was tampered with, verified when it matches.
#include "channeltablemodel.h"
#include "crypto.h"
#include "dissector.h"
#include "feedbuilder.h"
#include "feedtracker.h"
#include "feedverifier.h"
#include "fieldtreemodel.h"
#include "framer.h"
#include "inspectedpair.h"
#include "messagelogmodel.h"
#include "schema.pb.h"

#include <QTest>

#include <malloc.h>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

feed::FeedBuilder tenBlockFeed()
{
    Bytes bytes(160);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = std::uint8_t('a' + i / 16);
    Key32 seed{};
    seed.fill(9);
    return feed::FeedBuilder::fromBytes(bytes, 16, feed::signingKeyPairFromSeed(seed));
}

/// Data of @p block with its value only, as a test peer without a feed sends it.
schema::Data bareData(const feed::FeedBuilder &feed, std::uint64_t block)
{
    schema::Data data;
    data.set_index(block);
    const ByteView value = feed.block(block);
    data.set_value(std::string(value.begin(), value.end()));
    return data;
}

/// The rows of Data the dialer received, in order.
QList<int> inboundDataRows(MessageLogModel &log, int session)
{
    log.flush();
    QList<int> rows;
    for (int row = 0; row < log.rowCount(); ++row) {
        const auto &r = log.record(row);
        if (r.session == session && r.kind == MessageLogModel::Kind::Frame && r.type == 9 &&
            r.direction() == Direction::Inbound)
            rows << row;
    }
    return rows;
}

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

DissectedField treeOf(MessageLogModel &log, const FeedTracker &tracker, int row)
{
    FieldTreeModel model;
    model.setAnnotator([&](DissectedField &root) { annotateFeedRow(root, tracker, row); });
    const QByteArray plain = log.plainBytes(row);
    model.setTree(dissectFrame(
        {reinterpret_cast<const std::uint8_t *>(plain.constData()), std::size_t(plain.size())}));
    return *model.root();
}

} // namespace

class TestFeedTrackerBare : public QObject
{
    Q_OBJECT
private slots:
    void bareDataStillGetsItsFullVerdict();
    void aFloodOfBareDataKeepsNoVerdicts();
};

void TestFeedTrackerBare::bareDataStillGetsItsFullVerdict()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    const feed::FeedBuilder feed = tenBlockFeed();
    QVERIFY(pair.establish(feed.key()));
    const FeedTracker &tracker = *pair.dialer->feed();

    // 1. Bare Data of blocks 0 and 2: nothing to verify them with.
    for (const std::uint64_t block : {0, 2})
        QCOMPARE(pair.accepted->send(feed.discoveryKey(), bareData(feed, block)), QString());
    QList<int> rows;
    QVERIFY(QTest::qWaitFor([&] {
        rows = inboundDataRows(pair.log, pair.dialer->id());
        return rows.size() == 2 && tracker.finding(rows.last());
    }));
    for (int i = 0; i < 2; ++i) {
        const std::uint64_t block = i == 0 ? 0 : 2;
        const FeedTracker::RowFinding *finding = tracker.finding(rows[i]);
        QVERIFY(finding && finding->verdict);
        // Exactly what a verifier that had seen nothing else says (the full path).
        feed::FeedVerifier alone(feed.key());
        const schema::Data data = bareData(feed, block);
        const feed::Verdict expected = alone.verify(data);
        QCOMPARE(int(finding->verdict->outcome), int(feed::Verdict::Outcome::Unverifiable));
        QCOMPARE(finding->verdict->text, expected.text);
        QCOMPARE(finding->verdict->block, block);
        QVERIFY(!finding->verdict->chain.empty());
        QCOMPARE(finding->verdict->chain.front().node, feed::leafNode(block, feed.block(block)));
        QCOMPARE(finding->verdict->treeHash.has_value(), expected.treeHash.has_value());
    }
    QVERIFY(tracker.finding(rows[0])->verdict->text.find("no signature") == 0);
    QVERIFY(tracker.finding(rows[1])->verdict->text.find("proof ends before reaching a root") == 0);

    // The field tree shows the verdict and the leaf, covering the value's bytes.
    {
        const DissectedField tree = treeOf(pair.log, tracker, rows[1]);
        const DissectedField *verdict = find(tree, "feed verification");
        QVERIFY(verdict);
        QVERIFY2(QString::fromStdString(verdict->value).startsWith("unverifiable: proof ends"),
                 verdict->value.c_str());
        const DissectedField *leaf = find(tree, "leaf node 4");
        QVERIFY(leaf);
        QCOMPARE(leaf->offset, find(tree, "value")->offset);
        QVERIFY(
            QString::fromStdString(leaf->value)
                .startsWith(QString::fromStdString(toHex(feed::leafNode(2, feed.block(2)).hash))));
    }
    // After the event loop ran (the built findings are dropped), the same verdict again.
    const std::string before = tracker.finding(rows[1])->verdict->text;
    QTest::qWait(10);
    QVERIFY(tracker.finding(rows[1]));
    QCOMPARE(tracker.finding(rows[1])->verdict->text, before);
    // The Feed tab's record still has them as received, neither verified nor failed.
    const FeedTracker::Channel *channel = tracker.channel(pair.log.record(rows[0]).channelKey);
    QVERIFY(channel);
    const feed::SideRecord &local = channel->feed.record(feed::Side::Local);
    QVERIFY(local.received.contains(0) && local.received.contains(2));
    QVERIFY(!local.verified.contains(2) && !local.failed.contains(2));

    // 2. Block 3 with its proof and signature: verified, and leaf 4 (its sibling) with it.
    feed::TreeIndex remoteTree;
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), *feed.data(3, 0, remoteTree)), QString());
    // 3. Block 2 bare, tampered with: its leaf is verified now, so it is checked against it and
    // fails, with a warning row.
    schema::Data tampered = bareData(feed, 2);
    tampered.mutable_value()->back() ^= 1;
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), tampered), QString());
    // 4. Block 2 bare as it is: verified at leaf 4.
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), bareData(feed, 2)), QString());
    QVERIFY(QTest::qWaitFor([&] {
        rows = inboundDataRows(pair.log, pair.dialer->id());
        return rows.size() == 5 && tracker.finding(rows.last());
    }));
    QVERIFY(tracker.finding(rows[2])->verdict->verified());
    const feed::Verdict &failed = *tracker.finding(rows[3])->verdict;
    QVERIFY2(failed.failed(), failed.text.c_str());
    QCOMPARE(failed.text, std::string("leaf 4 does not match the verified leaf 4"));
    const feed::Verdict &verified = *tracker.finding(rows[4])->verdict;
    QVERIFY2(verified.verified(), verified.text.c_str());
    QCOMPARE(verified.text, std::string("leaf 4, verified earlier on this channel"));
    // outcome() tells the same without building a verdict; rows without one have none.
    using Outcome = feed::Verdict::Outcome;
    QCOMPARE(tracker.outcome(rows[0]), std::optional(Outcome::Unverifiable));
    QCOMPARE(tracker.outcome(rows[1]), std::optional(Outcome::Unverifiable));
    QCOMPARE(tracker.outcome(rows[2]), std::optional(Outcome::Verified));
    QCOMPARE(tracker.outcome(rows[3]), std::optional(Outcome::Failed));
    QCOMPARE(tracker.outcome(rows[4]), std::optional(Outcome::Verified));
    QCOMPARE(tracker.outcome(rows[0] - 1), std::optional<Outcome>());
    QCOMPARE(tracker.outcome(-1), std::optional<Outcome>());
    pair.log.flush();
    bool warned = false;
    for (int row = rows[3] + 1; row < pair.log.rowCount(); ++row) {
        const auto &r = pair.log.record(row);
        warned = warned || (r.kind == MessageLogModel::Kind::Warning &&
                            pair.log.noteText(r).contains("Data block 2 failed verification"));
    }
    QVERIFY(warned);
    QVERIFY(local.verified.contains(2) && local.failed.contains(2));
}

namespace {

std::size_t heapInUse()
{
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

/// The heap a log of @p count bare Data (64-byte values) on a keyed channel grows by, with a
/// FeedTracker reading it (@p track) or without; @p tracker gets it when it is kept.
std::size_t heapForBareFlood(int count, bool track, const feed::FeedBuilder &feed,
                             std::unique_ptr<FeedTracker> *keep = nullptr,
                             std::unique_ptr<MessageLogModel> *keepLog = nullptr,
                             std::unique_ptr<ChannelTableModel> *keepChannels = nullptr)
{
    auto log = std::make_unique<MessageLogModel>();
    auto channels = std::make_unique<ChannelTableModel>();
    ChannelInfo info;
    info.discoveryKey = crypto::discoveryKey(feed.key());
    info.key = feed.key();
    info.localId = 0;
    channels->applyEvent({ChannelEvent::OpenedLocally, info});
    std::unique_ptr<FeedTracker> tracker;
    if (track)
        tracker =
            std::make_unique<FeedTracker>(log.get(), 1, MessageLogModel::Leg::None, channels.get());
    Message message(std::in_place_index<std::size_t(MessageType::Data)>);
    auto &data = std::get<schema::Data>(message);
    data.set_value(std::string(64, 'v'));
    Bytes frame;
    const std::size_t before = heapInUse();
    for (int i = 0; i < count; ++i) {
        data.set_index(std::uint64_t(i));
        const std::string payload = data.SerializeAsString();
        frame.clear();
        appendFrame(frame, 0, MessageType::Data,
                    {reinterpret_cast<const std::uint8_t *>(payload.data()), payload.size()});
        FrameTrace trace;
        trace.direction = Direction::Inbound;
        trace.streamOffset = std::uint64_t(i) * frame.size();
        trace.plain = frame;
        trace.wire = frame;
        trace.type = std::uint8_t(MessageType::Data);
        trace.message = &message;
        trace.discoveryKey = info.discoveryKey;
        log->appendFrame(1, trace, MessageLogModel::WireStorage::SameAsPlain, {},
                         MessageLogModel::Leg::None);
        if (i % 4096 == 4095)
            log->flush();
    }
    log->flush();
    const std::size_t grown = heapInUse() - before;
    if (keep) {
        *keep = std::move(tracker);
        *keepLog = std::move(log);
        *keepChannels = std::move(channels);
    }
    return grown;
}

} // namespace

void TestFeedTrackerBare::aFloodOfBareDataKeepsNoVerdicts()
{
    // What the tracker keeps per bare Data row (the heap with it minus the heap without it):
    // an entry and a click-through range, tens of bytes. A kept verdict with its text and hash
    // chain was about 900 bytes a row (docs/benchmarks.md: 1 053 B per logged message).
    const feed::FeedBuilder feed = tenBlockFeed();
    constexpr int Count = 30000;
    std::unique_ptr<FeedTracker> tracker;
    std::unique_ptr<MessageLogModel> log;
    std::unique_ptr<ChannelTableModel> channels;
    const std::size_t without = heapForBareFlood(Count, false, feed);
    const std::size_t with = heapForBareFlood(Count, true, feed, &tracker, &log, &channels);
    const double perRow = (double(with) - double(without)) / Count;
    QVERIFY2(perRow < 150, qPrintable(QStringLiteral("%1 bytes per row").arg(perRow)));
    // Every row still has its verdict, built when asked for.
    QCOMPARE(log->rowCount(), Count);
    for (const int row : {0, 1, Count / 2, Count - 1}) {
        QCOMPARE(tracker->outcome(row), std::optional(feed::Verdict::Outcome::Unverifiable));
        const FeedTracker::RowFinding *finding = tracker->finding(row);
        QVERIFY(finding && finding->verdict);
        QCOMPARE(finding->verdict->block, std::uint64_t(row));
        QVERIFY(!finding->verdict->chain.empty());
    }
    // A pass that asks every row (a filter or a colouring rule on `verified`) builds each
    // verdict once and keeps a bounded number of them until the event loop runs again.
    const std::size_t beforePass = heapInUse();
    for (int row = 0; row < Count; ++row) {
        const FeedTracker::RowFinding *finding = tracker->finding(row);
        QVERIFY(finding && finding->verdict);
        QCOMPARE(finding->verdict->outcome, feed::Verdict::Outcome::Unverifiable);
    }
    const double passPerRow = (double(heapInUse()) - double(beforePass)) / Count;
    QVERIFY2(passPerRow < 100,
             qPrintable(QStringLiteral("%1 bytes per row kept after a pass").arg(passPerRow)));
}

QTEST_GUILESS_MAIN(TestFeedTrackerBare)
#include "tst_feedtrackerbare.moc"
