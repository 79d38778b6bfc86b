// Block ranges of Have/Unhave/Want/Unwant, the RangeSet, and a FeedChannel replaying a real
// hypercore 9 conversation in both directions.
#include "feedchannel.h"
#include "feedvectors.h"
#include "schema.pb.h"

#include <QTest>

using namespace hyperscope;
using namespace hyperscope::feed;

Q_DECLARE_METATYPE(hyperscope::feed::BlockRanges)
Q_DECLARE_METATYPE(hyperscope::Message)

namespace {

constexpr std::uint64_t Open = BlockRange::OpenEnd;

Message have(std::uint64_t start, std::optional<std::uint64_t> length = {},
             std::optional<std::string> bitfieldHex = {})
{
    schema::Have message;
    message.set_start(start);
    if (length)
        message.set_length(*length);
    if (bitfieldHex) {
        const Bytes bytes = *fromHex(*bitfieldHex);
        message.set_bitfield(std::string(bytes.begin(), bytes.end()));
    }
    return message;
}

template<typename T> Message ranged(std::uint64_t start, std::optional<std::uint64_t> length = {})
{
    T message;
    message.set_start(start);
    if (length)
        message.set_length(*length);
    return message;
}

Message messageFromJson(const QString &type, const QJsonObject &json)
{
    if (type == QLatin1String("have")) {
        return have(feedtest::u64(json["start"]),
                    json.contains(QLatin1String("length"))
                        ? std::optional<std::uint64_t>(feedtest::u64(json["length"]))
                        : std::nullopt,
                    json.contains(QLatin1String("bitfield"))
                        ? std::optional<std::string>(json["bitfield"].toString().toStdString())
                        : std::nullopt);
    }
    if (type == QLatin1String("want"))
        return ranged<schema::Want>(feedtest::u64(json["start"]), feedtest::u64(json["length"]));
    if (type == QLatin1String("request")) {
        schema::Request request;
        request.set_index(feedtest::u64(json["index"]));
        request.set_nodes(feedtest::u64(json["nodes"]));
        return request;
    }
    schema::Data data;
    data.set_index(feedtest::u64(json["index"]));
    const Bytes value = feedtest::hexBytes(json["value"]);
    data.set_value(std::string(value.begin(), value.end()));
    for (const QJsonValue &node : json["nodes"].toArray()) {
        schema::Data::Node *out = data.add_nodes();
        out->set_index(feedtest::u64(node["index"]));
        const Bytes hash = feedtest::hexBytes(node["hash"]);
        out->set_hash(std::string(hash.begin(), hash.end()));
        out->set_size(feedtest::u64(node["size"]));
    }
    if (json.contains(QLatin1String("signature"))) {
        const Bytes signature = feedtest::hexBytes(json["signature"]);
        data.set_signature(std::string(signature.begin(), signature.end()));
    }
    return data;
}

} // namespace

class tst_FeedChannel : public QObject
{
    Q_OBJECT

private slots:
    void messageBlocks_data();
    void messageBlocks();
    void rangeSetMergesSplitsAndCounts();
    void rangeSetIsBounded();
    void replaysARealConversation();
    void withoutAKeyNothingIsVerified();
};

void tst_FeedChannel::messageBlocks_data()
{
    QTest::addColumn<Message>("message");
    QTest::addColumn<BlockRanges>("ranges");
    QTest::addColumn<QString>("error");
    QTest::newRow("Have: length defaults to 1") << have(7) << BlockRanges{{7, 7}} << "";
    QTest::newRow("Have start+length") << have(8, 4) << BlockRanges{{8, 11}} << "";
    QTest::newRow("Have length 0") << have(8, 0) << BlockRanges{} << "";
    QTest::newRow("Have bitfield (issue's 0702c0)")
        << have(0, 1048576, "0702c0") << BlockRanges{{0, 9}} << "";
    QTest::newRow("Have bitfield from start 8192")
        << have(8192, 8192, "0702c0") << BlockRanges{{8192, 8201}} << "";
    QTest::newRow("Have empty bitfield") << have(0, 1048576, "") << BlockRanges{} << "";
    QTest::newRow("Have invalid bitfield")
        << have(0, 1, "0aff") << BlockRanges{}
        << "invalid bitfield: literal of 5 bytes at offset 0 runs past the end of the 2-byte "
           "bitfield";
    QTest::newRow("Have near 2^64 saturates")
        << have(UINT64_MAX - 1, 5) << BlockRanges{{UINT64_MAX - 1, Open}} << "";
    QTest::newRow("Unhave") << ranged<schema::Unhave>(3) << BlockRanges{{3, 3}} << "";
    QTest::newRow("Want without length is open")
        << ranged<schema::Want>(0) << BlockRanges{{0, Open}} << "";
    QTest::newRow("Want 8192 blocks")
        << ranged<schema::Want>(8192, 8192) << BlockRanges{{8192, 16383}} << "";
    QTest::newRow("Unwant") << ranged<schema::Unwant>(5, 2) << BlockRanges{{5, 6}} << "";
}

void tst_FeedChannel::messageBlocks()
{
    QFETCH(Message, message);
    QFETCH(BlockRanges, ranges);
    QFETCH(QString, error);
    const std::optional<MessageBlocks> blocks = feed::messageBlocks(message);
    QVERIFY(blocks);
    QCOMPARE(blocks->ranges, ranges);
    QCOMPARE(QString::fromStdString(blocks->error), error);
    QVERIFY(!feed::messageBlocks(Message(schema::Request{})));
}

void tst_FeedChannel::rangeSetMergesSplitsAndCounts()
{
    RangeSet set;
    set.add({0, 4});
    set.add({10, 12});
    set.add({5, 5}); // touches 0-4: merges
    QCOMPARE(set.ranges(), (BlockRanges{{0, 5}, {10, 12}}));
    set.add({6, 9}); // bridges the gap
    QCOMPARE(set.ranges(), (BlockRanges{{0, 12}}));
    set.remove({3, 4});
    QCOMPARE(set.ranges(), (BlockRanges{{0, 2}, {5, 12}}));
    QVERIFY(set.contains(2));
    QVERIFY(!set.contains(3));
    QVERIFY(set.contains(12));
    QVERIFY(!set.contains(13));
    QCOMPARE(set.blockCount(), 11ull);
    set.add({20, Open});
    QCOMPARE(set.blockCount(), UINT64_MAX - 8); // 11 + (2^64 − 20)
    set.add({0, Open});
    QCOMPARE(set.blockCount(), UINT64_MAX); // 2^64 blocks: saturates
    set.remove({0, Open});
    QVERIFY(set.isEmpty());
}

void tst_FeedChannel::rangeSetIsBounded()
{
    // A hostile Have of alternating bits: every other block, far more ranges than allowed.
    RangeSet set;
    for (std::uint64_t i = 0; i < 2 * (RangeSet::MaxRanges + 10); i += 2)
        set.add(i);
    QCOMPARE(set.ranges().size(), RangeSet::MaxRanges);
    QVERIFY(set.truncated());
    set.add(1); // merging into existing ranges still works
    QCOMPARE(set.ranges().front(), (BlockRange{0, 2}));
}

void tst_FeedChannel::replaysARealConversation()
{
    // The sparse clone ("Local" here) fetching 6 blocks from the writer ("Remote").
    FeedChannel channel(feedtest::feedKey());
    int verdicts = 0;
    for (const QJsonValue &entry :
         feedtest::feedVectors()["replications"].toObject()["sparse"].toArray()) {
        const Side sender = entry["from"] == QLatin1String("sparse") ? Side::Local : Side::Remote;
        const auto observation = channel.observe(
            sender, messageFromJson(entry["type"].toString(), entry["message"].toObject()));
        if (observation.verdict) {
            QVERIFY2(observation.verdict->verified(), observation.verdict->text.c_str());
            ++verdicts;
        }
    }
    QCOMPARE(verdicts, 6);
    const SideRecord &clone = channel.record(Side::Local);
    const SideRecord &writer = channel.record(Side::Remote);
    QCOMPARE(writer.announced.ranges(), (BlockRanges{{0, 12}}));
    QCOMPARE(clone.wanted.ranges(), (BlockRanges{{0, 1048575}}));
    QCOMPARE(clone.received.ranges(), (BlockRanges{{0, 1}, {5, 6}, {9, 9}, {12, 12}}));
    QCOMPARE(clone.verified.ranges(), clone.received.ranges());
    QVERIFY(clone.failed.isEmpty());
    QVERIFY(clone.requested.isEmpty()); // every Request was answered
    QVERIFY(writer.received.isEmpty());
}

void tst_FeedChannel::withoutAKeyNothingIsVerified()
{
    FeedChannel channel(std::nullopt);
    QVERIFY(!channel.hasFeedKey());
    schema::Data data;
    data.set_index(3);
    data.set_value("x");
    const auto observation = channel.observe(Side::Remote, data);
    QVERIFY(!observation.verdict);
    QCOMPARE(channel.record(Side::Local).received.ranges(), (BlockRanges{{3, 3}}));
}

QTEST_APPLESS_MAIN(tst_FeedChannel)
#include "tst_feedchannel.moc"
