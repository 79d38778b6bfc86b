// FeedResponder, the one hypercore 9 writer behind hyperscope-cli --serve, Session › Serve a
// File… and the demo: it must answer the real conversations of feed.json (a sequential clone with
// nonzero digests, a sparse one with digest 0) message for message as hypercore 9 did; Wants only
// when aligned to 8192 blocks, with the eager Have once; Requests past the end, by byte offset or
// with hostile fields refused with a clear line; everything else left unanswered.
#include "feedresponder.h"
#include "feedvectors.h"
#include "feedverifier.h"
#include "schema.pb.h"

#include <QTest>

#include <optional>

using namespace hyperscope;
using namespace hyperscope::feed;

namespace {

FeedBuilder realFeed()
{
    const QJsonObject feed = feedtest::feedVectors()["feed"].toObject();
    FeedBuilder builder(
        signingKeyPairFromSeed(*key32FromHex(feed["seed"].toString().toStdString())));
    for (const QJsonValue &leaf : feed["leaves"].toArray())
        builder.append(feedtest::hexBytes(leaf["value"]));
    return builder;
}

std::string hexString(const QJsonValue &value)
{
    const Bytes bytes = feedtest::hexBytes(value);
    return std::string(bytes.begin(), bytes.end());
}

/// A message of feed.json's "replications" ({type, message}) as the protobuf hypercore sent:
/// exactly the fields present in the vector are set.
std::optional<Message> vectorMessage(const QJsonObject &entry)
{
    const QString type = entry["type"].toString();
    const QJsonObject fields = entry["message"].toObject();
    const auto has = [&fields](const char *name) {
        return fields.contains(QLatin1String(name));
    };
    if (type == QLatin1String("want")) {
        schema::Want want;
        want.set_start(feedtest::u64(fields["start"]));
        if (has("length"))
            want.set_length(feedtest::u64(fields["length"]));
        return Message(std::move(want));
    }
    if (type == QLatin1String("have")) {
        schema::Have have;
        have.set_start(feedtest::u64(fields["start"]));
        if (has("length"))
            have.set_length(feedtest::u64(fields["length"]));
        if (has("bitfield"))
            have.set_bitfield(hexString(fields["bitfield"]));
        return Message(std::move(have));
    }
    if (type == QLatin1String("request")) {
        schema::Request request;
        request.set_index(feedtest::u64(fields["index"]));
        if (has("bytes"))
            request.set_bytes(feedtest::u64(fields["bytes"]));
        if (has("hash"))
            request.set_hash(fields["hash"].toBool());
        if (has("nodes"))
            request.set_nodes(feedtest::u64(fields["nodes"]));
        return Message(std::move(request));
    }
    if (type == QLatin1String("data")) {
        schema::Data data;
        data.set_index(feedtest::u64(fields["index"]));
        if (has("value"))
            data.set_value(hexString(fields["value"]));
        for (const QJsonValue &node : fields["nodes"].toArray()) {
            schema::Data::Node *out = data.add_nodes();
            out->set_index(feedtest::u64(node["index"]));
            out->set_hash(hexString(node["hash"]));
            out->set_size(feedtest::u64(node["size"]));
        }
        if (has("signature"))
            data.set_signature(hexString(fields["signature"]));
        return Message(std::move(data));
    }
    return std::nullopt;
}

/// "Have { start: 12 }": the type and every field set, comparable and readable in a failure.
QString describe(const Message &message)
{
    return QStringLiteral("%1 { %2 }")
        .arg(QString::fromUtf8(messageTypeName(std::uint8_t(messageType(message))).data()),
             QString::fromStdString(asProtobuf(message).ShortDebugString()));
}

QStringList describeAll(const std::vector<Message> &messages)
{
    QStringList out;
    for (const Message &message : messages)
        out << describe(message);
    return out;
}

Message want(std::uint64_t start, std::optional<std::uint64_t> length)
{
    schema::Want want;
    want.set_start(start);
    if (length)
        want.set_length(*length);
    return Message(std::move(want));
}

Message have(std::uint64_t start, std::optional<std::uint64_t> length = std::nullopt,
             std::optional<std::string> bitfieldHex = std::nullopt)
{
    schema::Have have;
    have.set_start(start);
    if (length)
        have.set_length(*length);
    if (bitfieldHex) {
        const Bytes bitfield = fromHex(*bitfieldHex).value_or(Bytes{});
        have.set_bitfield(std::string(bitfield.begin(), bitfield.end()));
    }
    return Message(std::move(have));
}

Message request(std::uint64_t index, std::uint64_t nodes = 0, bool hash = false,
                std::uint64_t bytes = 0)
{
    schema::Request request;
    request.set_index(index);
    request.set_nodes(nodes);
    request.set_hash(hash);
    request.set_bytes(bytes);
    return Message(std::move(request));
}

constexpr quint64 Top = UINT64_MAX;
constexpr quint64 Half = quint64(1) << 63;

} // namespace

class tst_FeedResponder : public QObject
{
    Q_OBJECT

private slots:
    void opensWithHypercoresWant();
    void answersTheRealConversationsAsHypercore_data();
    void answersTheRealConversationsAsHypercore();
    void answersWants_data();
    void answersWants();
    void sendsTheEagerHaveOnce();
    void answersRequests_data();
    void answersRequests();
    void everyDigestZeroProofVerifies();
    void leavesTheRestUnanswered_data();
    void leavesTheRestUnanswered();
    void servesAnEmptyFeedWithoutUnderflow();
};

void tst_FeedResponder::opensWithHypercoresWant()
{
    const FeedBuilder feed = realFeed();
    const FeedResponder responder(feed);
    QCOMPARE(describeAll(responder.opening()), describeAll({want(0, 1048576)}));
}

void tst_FeedResponder::answersTheRealConversationsAsHypercore_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("writer");
    QTest::newRow("sequential clone (nonzero digests)") << "sequential"
                                                        << "writer-to-sequential";
    QTest::newRow("sparse clone (digest 0, then nonzero)") << "sparse"
                                                           << "writer-to-sparse";
}

void tst_FeedResponder::answersTheRealConversationsAsHypercore()
{
    // Each message the real clone sent goes in; what comes out must be, in order, exactly what
    // the real hypercore 9 writer sent back (Haves, Data with value, nodes and signature).
    QFETCH(QString, name);
    QFETCH(QString, writer);
    const FeedBuilder feed = realFeed();
    FeedResponder responder(feed);
    QStringList sent;
    QStringList expected;
    for (const QJsonValue &value :
         feedtest::feedVectors()["replications"].toObject()[name].toArray()) {
        const QJsonObject entry = value.toObject();
        const std::optional<Message> message = vectorMessage(entry);
        QVERIFY2(message, qPrintable(entry["type"].toString()));
        if (entry["from"].toString() == writer) {
            expected << describe(*message);
        } else {
            const FeedResponder::Reply reply = responder.respond(*message);
            QVERIFY2(reply.warning.empty(), reply.warning.c_str());
            sent << describeAll(reply.messages);
        }
    }
    QVERIFY(expected.size() >= 8);
    QCOMPARE(sent, expected);
}

void tst_FeedResponder::answersWants_data()
{
    // The real 13-block feed: bitfield-rle "0702f8" is blocks 0..12 (as hypercore sent it).
    QTest::addColumn<quint64>("start");
    QTest::addColumn<bool>("hasLength");
    QTest::addColumn<quint64>("length");
    QTest::addColumn<QStringList>("answer");
    const QString eager = describe(have(12));
    const auto row = [](const char *name, quint64 start, std::optional<quint64> length,
                        QStringList answer) {
        QTest::newRow(name) << start << length.has_value() << length.value_or(0) << answer;
    };
    row("hypercore's opening mebiblock", 0, 1048576, {eager, describe(have(0, 1048576, "0702f8"))});
    row("one page", 0, 8192, {eager, describe(have(0, 8192, "0702f8"))});
    row("no length: everything from start", 0, std::nullopt,
        {eager, describe(have(0, std::nullopt, "0702f8"))});
    row("the second page: nothing held there", 8192, 8192, {eager, describe(have(8192, 8192, ""))});
    row("no length from the second page", 8192, std::nullopt,
        {eager, describe(have(8192, std::nullopt, ""))});
    row("length 2^63", 0, Half, {eager, describe(have(0, Half, "0702f8"))});
    row("the last page of the index space", Top - 8191, 8192,
        {eager, describe(have(Top - 8191, 8192, ""))});
    row("start 2^63, no length", Half, std::nullopt,
        {eager, describe(have(Half, std::nullopt, ""))});
    row("start not a multiple of 8192", 1, 8192, {});
    row("length not a multiple of 8192", 0, 100, {});
    row("length 1", 0, 1, {});
    row("start 2^64-1", Top, 8192, {});
    row("length 2^64-1", 0, Top, {});
}

void tst_FeedResponder::answersWants()
{
    QFETCH(quint64, start);
    QFETCH(bool, hasLength);
    QFETCH(quint64, length);
    QFETCH(QStringList, answer);
    const FeedBuilder feed = realFeed();
    FeedResponder responder(feed);
    const FeedResponder::Reply reply = responder.respond(
        want(start, hasLength ? std::optional<std::uint64_t>(length) : std::nullopt));
    QCOMPARE(describeAll(reply.messages), answer);
    QVERIFY(reply.warning.empty());
    QCOMPARE(responder.remoteWanted(), !answer.isEmpty());
}

void tst_FeedResponder::sendsTheEagerHaveOnce()
{
    // The length goes out with the first Want answered, not with an ignored one, and never again.
    const FeedBuilder feed = realFeed();
    FeedResponder responder(feed);
    QVERIFY(responder.respond(want(3, 8192)).messages.empty());
    QCOMPARE(describeAll(responder.respond(want(8192, 8192)).messages),
             describeAll({have(12), have(8192, 8192, "")}));
    QCOMPARE(describeAll(responder.respond(want(0, 8192)).messages),
             describeAll({have(0, 8192, "0702f8")}));
}

void tst_FeedResponder::answersRequests_data()
{
    QTest::addColumn<quint64>("index");
    QTest::addColumn<quint64>("nodes");
    QTest::addColumn<bool>("hash");
    QTest::addColumn<quint64>("bytes");
    QTest::addColumn<QString>("warning"); // empty: answered with one Data
    QTest::newRow("first block, digest 0") << quint64(0) << quint64(0) << false << quint64(0) << "";
    QTest::newRow("last block, digest 0") << quint64(12) << quint64(0) << false << quint64(0) << "";
    QTest::newRow("hash only") << quint64(5) << quint64(0) << true << quint64(0) << "";
    QTest::newRow("digest 2^64-1") << quint64(5) << Top << false << quint64(0) << "";
    QTest::newRow("digest 2^63") << quint64(5) << Half << false << quint64(0) << "";
    QTest::newRow("one past the end")
        << quint64(13) << quint64(0) << false << quint64(0)
        << "Request for block 13 not answered: the served feed has 13 blocks (0 to 12)";
    QTest::newRow("index 2^63") << Half << quint64(0) << false << quint64(0)
                                << "Request for block 9223372036854775808 not answered: the "
                                   "served feed has 13 blocks (0 to 12)";
    QTest::newRow("index 2^64-1, hash only")
        << Top << quint64(1) << true << quint64(0)
        << "Request for block 18446744073709551615 not answered: the served feed has 13 blocks "
           "(0 to 12)";
    QTest::newRow("by byte offset")
        << quint64(1) << quint64(0) << false << quint64(4096)
        << "Request for byte offset 4096 not answered: the served feed answers Requests by block "
           "index only";
    QTest::newRow("byte offset 2^64-1")
        << quint64(0) << quint64(0) << false << Top
        << "Request for byte offset 18446744073709551615 not answered: the served feed answers "
           "Requests by block index only";
}

void tst_FeedResponder::answersRequests()
{
    QFETCH(quint64, index);
    QFETCH(quint64, nodes);
    QFETCH(bool, hash);
    QFETCH(quint64, bytes);
    QFETCH(QString, warning);
    const FeedBuilder feed = realFeed();
    FeedResponder responder(feed);
    const FeedResponder::Reply reply = responder.respond(request(index, nodes, hash, bytes));
    QCOMPARE(QString::fromStdString(reply.warning), warning);
    if (!warning.isEmpty()) {
        QVERIFY(reply.messages.empty());
        QCOMPARE(responder.remoteTree().length(), 0ull); // a refusal teaches the remote nothing
        return;
    }
    QCOMPARE(reply.messages.size(), std::size_t(1));
    const auto *data = std::get_if<schema::Data>(&reply.messages.front());
    QVERIFY(data);
    QCOMPARE(data->index(), index);
    QCOMPARE(data->has_value(), !hash);
    if (!hash) {
        const ByteView block = feed.block(index);
        QCOMPARE(data->value(), std::string(block.begin(), block.end()));
    }
    // Whatever the digest claims, the answer is exactly what FeedBuilder gives for it.
    TreeIndex remote;
    const std::optional<schema::Data> direct = feed.data(index, nodes, remote, hash);
    QVERIFY(direct);
    QCOMPARE(data->SerializeAsString(), direct->SerializeAsString());
}

void tst_FeedResponder::everyDigestZeroProofVerifies()
{
    // A fresh remote per block (digest 0): every Data is self-contained, proven by the signature
    // over the whole feed, and the first Data of the real sparse clone (block 5) is hypercore's.
    const FeedBuilder feed = realFeed();
    for (std::uint64_t block = 0; block < feed.length(); ++block) {
        FeedResponder responder(feed);
        const FeedResponder::Reply reply = responder.respond(request(block));
        QCOMPARE(reply.messages.size(), std::size_t(1));
        FeedVerifier verifier(feedtest::feedKey());
        verifier.noteRequest(block, 0);
        const Verdict verdict = verifier.verify(std::get<schema::Data>(reply.messages.front()));
        QVERIFY2(verdict.verified(), verdict.text.c_str());
        QCOMPARE(verdict.how, Verdict::How::Signature);
    }
}

void tst_FeedResponder::leavesTheRestUnanswered_data()
{
    QTest::addColumn<int>("type");
    for (const MessageType type : {MessageType::Open, MessageType::Options, MessageType::Status,
                                   MessageType::Have, MessageType::Unhave, MessageType::Unwant,
                                   MessageType::Cancel, MessageType::Data, MessageType::Close}) {
        QTest::newRow(messageTypeName(std::uint8_t(type)).data()) << int(type);
    }
}

void tst_FeedResponder::leavesTheRestUnanswered()
{
    // hypercore 9's onunwant and oncancel are empty; the rest are not questions to a writer.
    QFETCH(int, type);
    const FeedBuilder feed = realFeed();
    FeedResponder responder(feed);
    std::optional<Message> message = makeMessage(MessageType(type));
    QVERIFY(message);
    if (auto *unwant = std::get_if<schema::Unwant>(&*message)) {
        unwant->set_start(0);
        unwant->set_length(Top);
    } else if (auto *cancel = std::get_if<schema::Cancel>(&*message)) {
        cancel->set_index(Top);
    }
    const FeedResponder::Reply reply = responder.respond(*message);
    QVERIFY(reply.messages.empty());
    QVERIFY(reply.warning.empty());
    QVERIFY(!responder.remoteWanted());
}

void tst_FeedResponder::servesAnEmptyFeedWithoutUnderflow()
{
    const FeedBuilder feed(generateSigningKeyPair());
    FeedResponder responder(feed);
    QCOMPARE(describeAll(responder.respond(want(0, 8192)).messages),
             describeAll({have(0, 8192, "")})); // no eager Have of block 2^64-1
    const FeedResponder::Reply reply = responder.respond(request(0));
    QVERIFY(reply.messages.empty());
    QCOMPARE(QString::fromStdString(reply.warning),
             QStringLiteral("Request for block 0 not answered: the served feed has 0 blocks"));
}

QTEST_APPLESS_MAIN(tst_FeedResponder)
#include "tst_feedresponder.moc"
