// hyperscope-cli's feed fields (issue 13): two CLI processes over loopback TCP with the feed key
// of tests/vectors/feed.json; one replays the real hypercore 9 writer's messages, the other must
// print every Data "verified": true (or, tampered, false with the exact reason) and every
// Have/Want with its "blocks". Then the annotator itself, for what a CLI pair cannot produce.
#include "feedevents.h"
#include "jsonprocess.h"
#include "vectors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <memory>

using namespace hyperscope;

Q_DECLARE_METATYPE(hyperscope::feed::BlockRanges)

namespace {

constexpr int Wait = 20000; // process start-up on a loaded machine can take a while

QJsonObject feedVectors()
{
    static const QJsonObject vectors = test::loadVectors(QStringLiteral("feed.json"));
    return vectors;
}

QString feedKeyHex()
{
    return feedVectors()["feed"].toObject()["key"].toString();
}

using Cli = hyperscope::test::CliProcess;

/// A listener and a connector, both with the real feed's key, the channel established.
struct Pair
{
    std::unique_ptr<Cli> listener;
    std::unique_ptr<Cli> connector;

    bool start()
    {
        const QStringList key{QStringLiteral("--key"), feedKeyHex()};
        listener = std::make_unique<Cli>(QStringList{"listen", "--port", "0"} + key);
        const QList<QJsonObject> listening = listener->waitForCount(QStringLiteral("listening"), 1);
        if (listening.isEmpty())
            return false;
        const int port = listening.first()["port"].toInt();
        connector = std::make_unique<Cli>(
            QStringList{"connect", QStringLiteral("127.0.0.1:%1").arg(port)} + key);
        return !listener->waitForCount(QStringLiteral("channel"), 1).isEmpty() &&
               !connector->waitForCount(QStringLiteral("channel"), 1).isEmpty();
    }

    /// The connector sends @p message of @p type ("Data", "Have", ...) on the feed's channel.
    void send(const QString &type, const QJsonObject &message)
    {
        connector->send(QJsonObject{
            {"cmd", "send"}, {"key", feedKeyHex()}, {"type", type}, {"message", message}});
    }
};

QString typeName(const QString &vectorType)
{
    return vectorType.left(1).toUpper() + vectorType.mid(1);
}

/// The writer's side of a real conversation in feed.json: (type, message) in order.
QList<std::pair<QString, QJsonObject>> writerMessages(const QString &conversation)
{
    QList<std::pair<QString, QJsonObject>> out;
    for (const QJsonValue &entry :
         feedVectors()["replications"].toObject()[conversation].toArray()) {
        if (entry["from"].toString().startsWith(QLatin1String("writer")))
            out.append({typeName(entry["type"].toString()), entry["message"].toObject()});
    }
    return out;
}

QJsonArray blocks(std::initializer_list<std::pair<qint64, QJsonValue>> ranges)
{
    QJsonArray out;
    for (const auto &[first, last] : ranges)
        out.append(QJsonArray{first, last});
    return out;
}

} // namespace

class tst_CliFeed : public QObject
{
    Q_OBJECT

private slots:
    void everyRealDataIsVerifiedAndHavesCarryBlocks();
    void tamperedDataCarriesTheReason_data();
    void tamperedDataCarriesTheReason();
    void ourRequestDecidesFailedOrUnverifiable_data();
    void ourRequestDecidesFailedOrUnverifiable();
    void blockRangesJson_data();
    void blockRangesJson();
    void unknownKeyLeavesVerdictOut();
};

void tst_CliFeed::everyRealDataIsVerifiedAndHavesCarryBlocks()
{
    Pair pair;
    QVERIFY2(pair.start(), pair.listener ? qPrintable(pair.listener->transcript()) : "");
    const auto messages = writerMessages(QStringLiteral("sequential"));
    QCOMPARE(messages.size(), 15); // 2 Have, 13 Data
    for (const auto &[type, message] : messages)
        pair.send(type, message);
    const QList<QJsonObject> events =
        pair.listener->waitForCount(QStringLiteral("message"), messages.size());
    QVERIFY2(events.size() == messages.size(), qPrintable(pair.listener->transcript()));

    // Have {start:12}: block 12 (length defaults to 1). Have with bitfield 0702f8: blocks 0-12.
    QCOMPARE(events[0]["type"].toString(), QStringLiteral("Have"));
    QCOMPARE(events[0]["blocks"].toArray(), blocks({{12, 12}}));
    QCOMPARE(events[1]["message"].toObject()["bitfield"].toString(), QStringLiteral("0702f8"));
    QCOMPARE(events[1]["blocks"].toArray(), blocks({{0, 12}}));
    QVERIFY(!events[1].contains(QLatin1String("verified")));

    for (qsizetype i = 2; i < events.size(); ++i) {
        const QJsonObject &event = events[i];
        QCOMPARE(event["type"].toString(), QStringLiteral("Data"));
        QVERIFY2(event["verified"] == QJsonValue(true),
                 QJsonDocument(event).toJson(QJsonDocument::Compact).constData());
        QCOMPARE(event["verdict"].toString(), QStringLiteral("verified"));
        QVERIFY(!event.contains(QLatin1String("verifyError")));
        QVERIFY(!event.contains(QLatin1String("blocks")));
    }
    QCOMPARE(events[2]["verifiedBy"].toString(),
             QStringLiteral("signature over the roots of length 13 (40 bytes)"));
    // Block 1 came with no proof: its leaf was in block 0's proof.
    QCOMPARE(events[3]["verifiedBy"].toString(),
             QStringLiteral("leaf 2, verified earlier on this channel"));
}

void tst_CliFeed::tamperedDataCarriesTheReason_data()
{
    QTest::addColumn<QString>("part");
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<QString>("error");
    const QString signatureError =
        QStringLiteral("signature does not match feed key %1… (over the roots of length 13)")
            .arg(feedKeyHex().left(8));
    QTest::newRow("value") << "value"
                           << "failed" << signatureError;
    QTest::newRow("node") << "node"
                          << "failed" << signatureError;
    QTest::newRow("signature") << "signature"
                               << "failed" << signatureError;
    QTest::newRow("no signature")
        << "no signature"
        << "unverifiable"
        << "no signature, and no node on the path from leaf 10 was verified on this channel";
}

void tst_CliFeed::tamperedDataCarriesTheReason()
{
    QFETCH(QString, part);
    QFETCH(QString, verdict);
    QFETCH(QString, error);
    // The sparse clone's first Data (block 5, self-contained proof), tampered, on a fresh channel.
    QJsonObject data;
    for (const auto &[type, message] : writerMessages(QStringLiteral("sparse"))) {
        if (type == QLatin1String("Data")) {
            data = message;
            break;
        }
    }
    QCOMPARE(data["index"].toInt(), 5);
    const auto flipFirstDigit = [](QString hex) {
        hex[0] = hex[0] == QLatin1Char('0') ? QLatin1Char('1') : QLatin1Char('0');
        return hex;
    };
    if (part == QLatin1String("value")) {
        data["value"] = flipFirstDigit(data["value"].toString());
    } else if (part == QLatin1String("node")) {
        QJsonArray nodes = data["nodes"].toArray();
        QJsonObject node = nodes[1].toObject();
        node["hash"] = flipFirstDigit(node["hash"].toString());
        nodes[1] = node;
        data["nodes"] = nodes;
    } else if (part == QLatin1String("signature")) {
        data["signature"] = flipFirstDigit(data["signature"].toString());
    } else {
        data.remove(QStringLiteral("signature"));
    }
    Pair pair;
    QVERIFY(pair.start());
    pair.send(QStringLiteral("Data"), data);
    const QList<QJsonObject> events = pair.listener->waitForCount(QStringLiteral("message"), 1);
    QVERIFY2(events.size() == 1, qPrintable(pair.listener->transcript()));
    QCOMPARE(events[0]["verified"], QJsonValue(false));
    QCOMPARE(events[0]["verdict"].toString(), verdict);
    QCOMPARE(events[0]["verifyError"].toString(), error);
}

void tst_CliFeed::ourRequestDecidesFailedOrUnverifiable_data()
{
    QTest::addColumn<bool>("requestFirst");
    QTest::addColumn<QString>("verdict");
    QTest::newRow("we asked with nodes=0: the sender's fault") << true << "failed";
    QTest::newRow("no Request seen: cannot tell") << false << "unverifiable";
}

void tst_CliFeed::ourRequestDecidesFailedOrUnverifiable()
{
    // Block 5's real Data with node 13 left out of its proof. When the listener itself sent
    // Request {index 5, nodes 0} (a "send" command), the proof had to be complete: failed.
    QFETCH(bool, requestFirst);
    QFETCH(QString, verdict);
    QJsonObject data;
    for (const auto &[type, message] : writerMessages(QStringLiteral("sparse"))) {
        if (type == QLatin1String("Data")) {
            data = message;
            break;
        }
    }
    QJsonArray nodes = data["nodes"].toArray();
    QCOMPARE(nodes[1].toObject()["index"].toInt(), 13);
    nodes.removeAt(1);
    data["nodes"] = nodes;
    Pair pair;
    QVERIFY(pair.start());
    if (requestFirst) {
        pair.listener->send(QJsonObject{{"cmd", "send"},
                                        {"key", feedKeyHex()},
                                        {"type", "Request"},
                                        {"message", QJsonObject{{"index", 5}, {"nodes", 0}}}});
        QVERIFY(!pair.connector->waitForCount(QStringLiteral("message"), 1).isEmpty());
    }
    pair.send(QStringLiteral("Data"), data);
    const QList<QJsonObject> events = pair.listener->waitForCount(QStringLiteral("message"), 1);
    QVERIFY2(events.size() == 1, qPrintable(pair.listener->transcript()));
    QCOMPARE(events[0]["verdict"].toString(), verdict);
    QVERIFY(events[0]["verifyError"].toString().startsWith(
        QLatin1String("proof ends before reaching a root: node 9's sibling node 13 is neither in "
                      "the proof nor verified on this channel")));
}

void tst_CliFeed::blockRangesJson_data()
{
    QTest::addColumn<feed::BlockRanges>("ranges");
    QTest::addColumn<QString>("json");
    QTest::newRow("none") << feed::BlockRanges{} << "[]";
    QTest::newRow("0-9") << feed::BlockRanges{{0, 9}} << "[[0,9]]";
    QTest::newRow("two, open") << feed::BlockRanges{{3, 3}, {8192, feed::BlockRange::OpenEnd}}
                               << "[[3,3],[8192,null]]";
}

void tst_CliFeed::blockRangesJson()
{
    QFETCH(feed::BlockRanges, ranges);
    QFETCH(QString, json);
    QCOMPARE(QString::fromStdString(hyperscope::blockRangesJson(ranges)), json);
}

void tst_CliFeed::unknownKeyLeavesVerdictOut()
{
    // A channel the remote opened and we did not: no feed key, so no verdict; blocks still.
    FeedEventAnnotator annotator;
    ChannelInfo channel;
    channel.discoveryKey.fill(7);
    schema::Data data;
    data.set_index(1);
    data.set_value("x");
    JsonEvent dataEvent("message", 1);
    annotator.annotate(dataEvent, 1, channel, feed::Side::Remote, data);
    const QJsonObject dataJson = dataEvent;
    QVERIFY(!dataJson.contains(QLatin1String("verified")));
    QVERIFY(!dataJson.contains(QLatin1String("verifyError")));
    schema::Want want;
    want.set_start(0);
    JsonEvent wantEvent("message", 1);
    annotator.annotate(wantEvent, 1, channel, feed::Side::Remote, want);
    const QJsonArray openRange{0, QJsonValue()};
    QCOMPARE(QJsonObject(wantEvent)["blocks"].toArray(), QJsonArray{openRange});
    annotator.forgetSession(1);
}

QTEST_MAIN(tst_CliFeed)
#include "tst_clifeed.moc"
