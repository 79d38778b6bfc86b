// The feed layer (issue 13) against real hypercore 9 nodes (npm hypercore@9.12.0,
// tests/interop/hypercore) over real loopback TCP:
//  - hyperscope-cli connects to feed-source.js with the feed key, asks as a hypercore clone
//    would (Want, then Requests: digest 0 for single blocks, then a sequential run with the
//    nonzero digests a clone's own tree gives, computed by core/feed's TreeIndex), and every
//    Data the real writer sends must come out "verified": true; the Have answering the Want
//    carries the feed's blocks;
//  - a hypercore 9 clone downloads 300 blocks through `hyperscope-cli relay --key`: every Data
//    on the server leg verified, the clone's own Requests (nonzero digests) included.
#include "interoppeer.h"
#include "treeindex.h"

#include "builders.h"

#include <QJsonArray>
#include <QtTest>

#include <memory>

using hyperscope::test::discoveryKeyHex;
using hyperscope::test::InteropPeer;
using hyperscope::test::startHypercoreScript;

namespace {

bool isMessage(const QJsonObject &e, const char *type)
{
    return e["event"] == QLatin1String("message") && e["type"] == QLatin1String(type);
}

} // namespace

class TestFeedInterop : public QObject
{
    Q_OBJECT

private slots:
    void everyDataFromARealWriterVerifies()
    {
        constexpr int blocks = 300;
        auto source = startHypercoreScript("feed-source", "feed-source.js",
                                           {"--blocks", QString::number(blocks), "--live"});
        const QJsonObject listening = source->waitFor("listening", 15000);
        QVERIFY2(!listening.isEmpty(), qPrintable(source->transcript()));
        const QString key = listening["key"].toString();

        InteropPeer cli(InteropPeer::Kind::Hyperscope, "hyperscope-cli");
        cli.start(
            {"connect", QString("127.0.0.1:%1").arg(listening["port"].toInt()), "--key", key});
        QVERIFY2(!cli.waitFor("channel", 15000).isEmpty(), qPrintable(cli.transcript()));
        const auto transcript = [&] {
            return cli.transcript() + "\n" + source->transcript();
        };
        const auto send = [&](const char *type, const QJsonObject &message) {
            cli.send({{"cmd", "send"}, {"key", key}, {"type", type}, {"message", message}});
        };

        // Want everything (hypercore answers multiples of 8192 only): the Have bitfield.
        send("Want", {{"start", 0}, {"length", 8192 * 128}});
        const QJsonObject have = cli.waitFor([](const QJsonObject &e) {
            return isMessage(e, "Have") && e["message"].toObject().contains("bitfield");
        });
        QVERIFY2(!have.isEmpty(), qPrintable(transcript()));
        const QJsonArray all{0, blocks - 1};
        QCOMPARE(have["blocks"].toArray(), QJsonArray{all});

        // Single blocks with digest 0, then a sequential run with a clone's real digests.
        hyperscope::feed::TreeIndex clone;
        QList<int> order{150, 5, blocks - 1};
        for (int i = 0; i < 40; ++i)
            order.append(i);
        int nonzeroDigests = 0;
        for (const int index : order) {
            const std::uint64_t digest = clone.digest(2 * std::uint64_t(index));
            if (digest == 1)
                continue; // the clone holds the block already
            nonzeroDigests += digest != 0;
            send("Request", {{"index", index}, {"nodes", qint64(digest)}});
            const QJsonObject data = cli.waitFor([&](const QJsonObject &e) {
                return isMessage(e, "Data") && e["message"]["index"].toInt() == index;
            });
            QVERIFY2(!data.isEmpty(), qPrintable(transcript()));
            QVERIFY2(data["verified"] == QJsonValue(true),
                     qPrintable(QString("block %1 (digest %2): %3\n%4")
                                    .arg(index)
                                    .arg(digest)
                                    .arg(data["verifyError"].toString(), transcript())));
            for (const QJsonValue &node : data["message"]["nodes"].toArray())
                clone.set(std::uint64_t(node["index"].toInteger()));
            clone.set(2 * std::uint64_t(index));
        }
        QVERIFY2(nonzeroDigests >= 20, qPrintable(QString::number(nonzeroDigests)));
        QVERIFY2(cli.all("error").isEmpty(), qPrintable(transcript()));
    }

    void everyDataThroughTheRelayVerifies()
    {
        constexpr int blocks = 300;
        auto source = startHypercoreScript("feed-source", "feed-source.js",
                                           {"--blocks", QString::number(blocks)});
        const QJsonObject listening = source->waitFor("listening", 15000);
        QVERIFY2(!listening.isEmpty(), qPrintable(source->transcript()));
        const QString key = listening["key"].toString();
        const QString dk = listening["discoveryKey"].toString();

        InteropPeer relay(InteropPeer::Kind::Hyperscope, "relay");
        relay.start({"relay", "--port", "0", "--upstream",
                     QString("127.0.0.1:%1").arg(listening["port"].toInt()), "--key", key});
        const int relayPort = relay.waitFor("listening", 15000)["port"].toInt();
        QVERIFY2(relayPort > 0, qPrintable(relay.transcript()));
        auto clone = startHypercoreScript("feed-clone", "feed-clone.js",
                                          {key, QString("127.0.0.1:%1").arg(relayPort), "--blocks",
                                           QString::number(blocks), "--timeout", "30000"});
        const auto transcript = [&] {
            return source->transcript() + "\n" + relay.transcript() + "\n" + clone->transcript();
        };
        QVERIFY2(QTest::qWaitFor([&] { return clone->process().state() == QProcess::NotRunning; },
                                 40000),
                 qPrintable(transcript()));
        QCOMPARE(clone->exitCode(), 0);

        QSet<int> verified;
        int nonzeroDigests = 0;
        for (const QJsonObject &e : relay.all("message")) {
            if (e["discoveryKey"] != dk)
                continue;
            if (e["type"] == "Request" && e["message"]["nodes"].toInteger() != 0)
                ++nonzeroDigests;
            if (e["type"] != "Data")
                continue;
            QVERIFY2(e["verified"] == QJsonValue(true),
                     qPrintable(QString("block %1: %2")
                                    .arg(e["message"]["index"].toInt())
                                    .arg(e["verifyError"].toString())));
            verified.insert(e["message"]["index"].toInt());
        }
        QCOMPARE(verified.size(), blocks);
        QVERIFY2(nonzeroDigests > 0, qPrintable(transcript()));
    }
};

QTEST_GUILESS_MAIN(TestFeedInterop)
#include "tst_feedinterop.moc"
