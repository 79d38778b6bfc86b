// FeedTracker: the feed layer of an inspected session. Two InspectedSessions over loopback open a
// real signed feed (FeedBuilder); one side sends Have and Data exactly as a hypercore 9 writer
// would, and the other side's tracker must verify each Data with its hash chain in the field
// tree, fail a tampered one with the reason and a warning row, and decode the Have's ranges into
// the field tree and the log's Summary column.
#include "capturefile.h"
#include "capturereplay.h"
#include "dissector.h"
#include "feedbuilder.h"
#include "feedtracker.h"
#include "fieldtreemodel.h"
#include "inspectedpair.h"
#include "sessionmanager.h"

#include <QBuffer>

#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// Ten 16-byte blocks, signed by a fixed key (so failures reproduce).
feed::FeedBuilder tenBlockFeed()
{
    Bytes bytes(160);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = std::uint8_t('a' + i / 16);
    Key32 seed{};
    seed.fill(7);
    return feed::FeedBuilder::fromBytes(bytes, 16, feed::signingKeyPairFromSeed(seed));
}

/// The last log row of @p session of type @p type received by it (inbound), or -1.
int lastInboundRow(MessageLogModel &log, int session, int type)
{
    log.flush();
    for (int row = log.rowCount() - 1; row >= 0; --row) {
        const auto &r = log.record(row);
        if (r.session == session && r.kind == MessageLogModel::Kind::Frame && r.type == type &&
            r.direction() == Direction::Inbound)
            return row;
    }
    return -1;
}

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

/// The field tree of log row @p row as the inspector shows it (dissection + feed annotation).
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

class TestFeedTracker : public QObject
{
    Q_OBJECT
private slots:
    void verifiedDataShowsItsChain();
    void tamperedDataFailsWithAWarningRow();
    void haveRangesInTreeAndSummary_data();
    void haveRangesInTreeAndSummary();
    void clickThroughFindsTheLatestRow();
    void aCaptureReadBackIsVerifiedToo();
};

void TestFeedTracker::verifiedDataShowsItsChain()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    const feed::FeedBuilder feed = tenBlockFeed();
    QVERIFY(pair.establish(feed.key()));
    feed::TreeIndex remoteTree;
    const std::optional<schema::Data> data = feed.data(3, 0, remoteTree);
    QVERIFY(data);
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), *data), QString());

    int row = -1;
    QVERIFY(QTest::qWaitFor([&] {
        row = lastInboundRow(pair.log, pair.dialer->id(), 9);
        return row >= 0 && pair.dialer->feed()->finding(row);
    }));
    const FeedTracker::RowFinding *finding = pair.dialer->feed()->finding(row);
    QVERIFY(finding->verdict);
    QVERIFY2(finding->verdict->verified(), finding->verdict->text.c_str());
    QCOMPARE(finding->verdict->block, 3u);

    const DissectedField tree = treeOf(pair.log, *pair.dialer->feed(), row);
    const DissectedField *verdict = find(tree, "feed verification");
    QVERIFY(verdict);
    QVERIFY2(QString::fromStdString(verdict->value).startsWith("verified: signature"),
             verdict->value.c_str());
    // The chain, bottom-up: the leaf of block 3 (node 6) covers the value's bytes; parents; the
    // roots; the tree hash and the 40 signed bytes; the signature check covers the signature.
    const DissectedField *leaf = find(tree, "leaf node 6");
    QVERIFY(leaf);
    const DissectedField *value = find(tree, "value");
    QVERIFY(value);
    QCOMPARE(leaf->offset, value->offset);
    QCOMPARE(leaf->length, value->length);
    QVERIFY(find(tree, "parent node 5"));
    const DissectedField *sibling = find(tree, "sibling node 4");
    QVERIFY(sibling);
    QVERIFY(sibling->length > 0); // from the proof: its bytes are the proof node's hash
    QVERIFY(find(tree, "tree hash"));
    const DissectedField *signedBytes = find(tree, "signed bytes");
    QVERIFY(signedBytes);
    QVERIFY(QString::fromStdString(signedBytes->value).contains("(40 bytes, length 10)"));
    const DissectedField *check = find(tree, "signature check");
    QVERIFY(check);
    QCOMPARE(check->value, std::string("Ed25519 signature matches the feed key"));
    QCOMPARE(check->offset, find(tree, "signature")->offset);
}

void TestFeedTracker::tamperedDataFailsWithAWarningRow()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    const feed::FeedBuilder feed = tenBlockFeed();
    QVERIFY(pair.establish(feed.key()));
    feed::TreeIndex remoteTree;
    std::optional<schema::Data> data = feed.data(2, 0, remoteTree);
    QVERIFY(data);
    data->set_value("tampered block!!");
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), *data), QString());

    int row = -1;
    QVERIFY(QTest::qWaitFor([&] {
        row = lastInboundRow(pair.log, pair.dialer->id(), 9);
        return row >= 0 && pair.dialer->feed()->finding(row);
    }));
    const feed::Verdict &verdict = *pair.dialer->feed()->finding(row)->verdict;
    QVERIFY(verdict.failed());
    QVERIFY2(verdict.text.find("signature does not match feed key") != std::string::npos,
             verdict.text.c_str());
    const DissectedField tree = treeOf(pair.log, *pair.dialer->feed(), row);
    QVERIFY(find(tree, "feed verification"));
    QVERIFY(find(tree, "feed verification")->value.starts_with("FAILED: signature does not match"));
    QCOMPARE(find(tree, "signature check")->value,
             std::string("Ed25519 signature does NOT match the feed key"));

    // The warning row, after the Data, names the block and the reason.
    QVERIFY(QTest::qWaitFor([&] {
        return pair.notes(pair.dialer->id())
                   .filter(
                       QStringLiteral("Data block 2 failed verification: signature does not match"))
                   .size() == 1;
    }));
    int warnings = 0;
    for (int r = row; r < pair.log.rowCount(); ++r)
        warnings += pair.log.record(r).kind == MessageLogModel::Kind::Warning &&
                    pair.log.record(r).session == pair.dialer->id();
    QCOMPARE(warnings, 1);
    // ... and counts as the session's warning (the sidebar, the status bar).
    QCOMPARE(pair.dialer->warnings(), 1u);
}

void TestFeedTracker::haveRangesInTreeAndSummary_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<bool>("bitfield");
    QTest::addColumn<quint64>("start");
    QTest::addColumn<quint64>("length");
    QTest::addColumn<QString>("expected");
    QTest::newRow("Have with the feed's bitfield") << 3 << true << 0ull << 0ull << "blocks 0–9";
    QTest::newRow("Have start+length") << 3 << false << 4ull << 3ull << "blocks 4–6";
    QTest::newRow("Have of one block") << 3 << false << 7ull << 0ull << "block 7";
    QTest::newRow("Want with length") << 5 << false << 0ull << 8192ull << "blocks 0–8191";
    QTest::newRow("Want open-ended") << 5 << false << 16ull << 0ull << "blocks 16–∞";
}

void TestFeedTracker::haveRangesInTreeAndSummary()
{
    QFETCH(int, type);
    QFETCH(bool, bitfield);
    QFETCH(quint64, start);
    QFETCH(quint64, length);
    QFETCH(QString, expected);

    InspectedPair pair;
    QVERIFY(pair.open());
    const feed::FeedBuilder feed = tenBlockFeed();
    QVERIFY(pair.establish(feed.key()));
    Message message;
    if (type == 3) {
        schema::Have have;
        have.set_start(start);
        if (length)
            have.set_length(length);
        if (bitfield) {
            const Bytes bits = feed.haveBitfield(0, 16);
            have.set_bitfield(std::string(bits.begin(), bits.end()));
        }
        message = have;
    } else {
        schema::Want want;
        want.set_start(start);
        if (length)
            want.set_length(length);
        message = want;
    }
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), message), QString());

    int row = -1;
    QVERIFY(QTest::qWaitFor([&] {
        row = lastInboundRow(pair.log, pair.dialer->id(), type);
        return row >= 0 && pair.dialer->feed()->finding(row);
    }));
    const QString summary = pair.log.summaryText(pair.log.record(row));
    QVERIFY2(summary.endsWith(QStringLiteral("→ ") + expected), qPrintable(summary));
    const DissectedField tree = treeOf(pair.log, *pair.dialer->feed(), row);
    const DissectedField *blocks = find(tree, "blocks");
    QVERIFY(blocks);
    QCOMPARE(QString::fromStdString(blocks->value), expected);
    QVERIFY(blocks->length > 0); // the bitfield's (or start's) bytes
}

void TestFeedTracker::clickThroughFindsTheLatestRow()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    const feed::FeedBuilder feed = tenBlockFeed();
    QVERIFY(pair.establish(feed.key()));
    schema::Have have;
    have.set_start(0);
    have.set_length(10);
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), have), QString());
    schema::Request request;
    request.set_index(5);
    QCOMPARE(pair.dialer->send(feed.discoveryKey(), request), QString());
    feed::TreeIndex remoteTree;
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), *feed.data(5, 0, remoteTree)), QString());

    int dataRow = -1;
    QVERIFY(QTest::qWaitFor([&] {
        dataRow = lastInboundRow(pair.log, pair.dialer->id(), 9);
        return dataRow >= 0 && pair.dialer->feed()->finding(dataRow);
    }));
    const int haveRow = lastInboundRow(pair.log, pair.dialer->id(), 3);
    const FeedTracker &tracker = *pair.dialer->feed();
    const quint32 key = pair.log.channelKeyIndex(feed.discoveryKey());
    QCOMPARE(tracker.latestRowAbout(key, 5), dataRow);
    QCOMPARE(tracker.latestRowAbout(key, 6), haveRow);
    QCOMPARE(tracker.latestRowAbout(key, 11), -1);
    const FeedTracker::Channel *channel = tracker.channel(key);
    QVERIFY(channel);
    QCOMPARE(channel->highestBlock, std::optional<std::uint64_t>(9));
    const feed::SideRecord &remote = channel->feed.record(feed::Side::Remote);
    const feed::SideRecord &local = channel->feed.record(feed::Side::Local);
    QCOMPARE(remote.announced.blockCount(), 10u);
    QVERIFY(local.received.contains(5));
    QVERIFY(local.verified.contains(5));
}

void TestFeedTracker::aCaptureReadBackIsVerifiedToo()
{
    // A live session's rows saved to a capture and opened again: the capture's session is
    // rebuilt after its rows are in the log, its feed keys with it, and its Data verify then.
    InspectedPair pair;
    QVERIFY(pair.open());
    const feed::FeedBuilder feed = tenBlockFeed();
    QVERIFY(pair.establish(feed.key()));
    feed::TreeIndex remoteTree;
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), *feed.data(1, 0, remoteTree)), QString());
    std::optional<schema::Data> tampered = feed.data(2, 0, remoteTree);
    tampered->set_value("not block two");
    QCOMPARE(pair.accepted->send(feed.discoveryKey(), *tampered), QString());
    QVERIFY(QTest::qWaitFor([&] {
        pair.log.flush();
        const int row = lastInboundRow(pair.log, pair.dialer->id(), 9);
        const FeedTracker::RowFinding *finding =
            row >= 0 ? pair.dialer->feed()->finding(row) : nullptr;
        return finding && finding->verdict && finding->verdict->block == 2;
    }));
    QList<int> rows;
    for (int row = 0; row < pair.log.rowCount(); ++row) {
        if (pair.log.record(row).session == pair.dialer->id())
            rows << row;
    }
    QBuffer file;
    file.open(QIODevice::ReadWrite);
    QString error;
    QVERIFY2(capture::write(file, pair.log, rows, &error,
                            {{pair.dialer->id(), CaptureReplay::describe(*pair.dialer)}}),
             qPrintable(error));
    file.seek(0);
    const std::optional<capture::Capture> capture = capture::read(file, &error);
    QVERIFY2(capture, qPrintable(error));

    MessageLogModel log;
    SessionManager manager(&log);
    const QList<InspectedSession *> sessions = manager.openCapture(*capture, "feed.jsonl");
    QCOMPARE(sessions.size(), 1);
    InspectedSession *opened = sessions.first();
    QStringList verdicts;
    QVERIFY(QTest::qWaitFor([&] {
        verdicts.clear();
        for (int row = 0; row < log.rowCount(); ++row) {
            if (const FeedTracker::RowFinding *f = opened->feed()->finding(row); f && f->verdict)
                verdicts << verdictText(*f->verdict).section(QLatin1Char(':'), 0, 0);
        }
        return verdicts.size() == 2;
    }));
    QCOMPARE(verdicts, (QStringList{QStringLiteral("verified"), QStringLiteral("FAILED")}));
    // One warning row for the tampered block: the capture kept it, and reading the rows back
    // (twice: without the key, then with it) adds no other.
    QTest::qWait(50);
    log.flush();
    int warnings = 0;
    for (int row = 0; row < log.rowCount(); ++row)
        warnings += log.noteText(log.record(row)).startsWith(QStringLiteral("Data block 2 failed"));
    QCOMPARE(warnings, 1);
}

QTEST_GUILESS_MAIN(TestFeedTracker)
#include "tst_feedtracker.moc"
