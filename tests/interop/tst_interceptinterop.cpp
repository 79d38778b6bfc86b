// Intercept (issue 12) between two real hypercore 9 nodes (npm hypercore@9.12.0, feed-source.js
// and feed-clone.js, as in tst_relayinterop) through `hyperscope-cli relay --intercept`:
//  - a Data dropped by the relay: the clone never gets that block, so it asks again or times out
//    (hypercore 9 has no request timeout: it waits); the blocks behind it still arrive;
//  - a Data whose value the relay edits: the clone checks the block against the signed Merkle
//    tree and rejects it, so it never verifies the feed.
#include "interoppeer.h"

#include "builders.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <memory>

using hyperscope::test::discoveryKeyHex;
using hyperscope::test::InteropPeer;
using hyperscope::test::JsonProcess;
using hyperscope::test::startHypercoreScript;

namespace {

constexpr int Blocks = 20;
/// The Data the relay intercepts.
constexpr int HeldIndex = 3;

bool onLeg(const QJsonObject &e, const char *event, const char *leg)
{
    return e["event"].toString() == QLatin1String(event) &&
           e["leg"].toString() == QLatin1String(leg);
}

/// feed-source, the relay (knowing the feed key, intercepting the Data of block HeldIndex) and
/// feed-clone dialing the relay with a @p cloneTimeoutMs timeout.
struct Replication
{
    std::unique_ptr<JsonProcess> source;
    std::unique_ptr<InteropPeer> relay;
    std::unique_ptr<JsonProcess> clone;

    QString transcript() const
    {
        return source->transcript() + "\n" + relay->transcript() + "\n" +
               (clone ? clone->transcript() : QString());
    }

    bool start(int cloneTimeoutMs)
    {
        source = startHypercoreScript("feed-source", "feed-source.js",
                                      {"--blocks", QString::number(Blocks)});
        const QJsonObject listening = source->waitFor("listening", 15000);
        if (listening.isEmpty())
            return false;
        const QString feedKey = listening["key"].toString();
        relay = std::make_unique<InteropPeer>(InteropPeer::Kind::Hyperscope, "relay");
        relay->start({"relay", "--port", "0", "--upstream",
                      QString("127.0.0.1:%1").arg(listening["port"].toInt()), "--key", feedKey,
                      "--intercept", QString("type == Data && index == %1").arg(HeldIndex)});
        const int relayPort = relay->waitFor("listening", 15000)["port"].toInt();
        if (relayPort <= 0)
            return false;
        clone = startHypercoreScript("feed-clone", "feed-clone.js",
                                     {feedKey, QString("127.0.0.1:%1").arg(relayPort), "--blocks",
                                      QString::number(Blocks), "--timeout",
                                      QString::number(cloneTimeoutMs)});
        return true;
    }

    /// The relay's "intercepted" event for the Data of block HeldIndex, from the source.
    QJsonObject held()
    {
        return relay->waitFor(
            [](const QJsonObject &e) { return onLeg(e, "intercepted", "server"); }, 20000);
    }

    bool cloneExited(int timeoutMs)
    {
        // Not waitForExit(): this process must keep reading the relay's events meanwhile.
        return QTest::qWaitFor([&] { return clone->process().state() == QProcess::NotRunning; },
                               timeoutMs);
    }
};

} // namespace

class TestInterceptInterop : public QObject
{
    Q_OBJECT

private slots:
    void droppedDataIsAskedAgainOrTimesOut()
    {
        Replication r;
        QVERIFY2(r.start(5000), qPrintable(r.transcript()));
        const QJsonObject held = r.held();
        QVERIFY2(!held.isEmpty(), qPrintable(r.transcript()));
        QCOMPARE(held["type"].toString(), QStringLiteral("Data"));
        QCOMPARE(held["direction"].toString(), QStringLiteral("in"));
        QCOMPARE(held["message"].toObject()["index"].toInt(), HeldIndex);
        r.relay->send({{"cmd", "drop"}, {"id", held["id"]}});
        QVERIFY2(!r.relay->waitFor("dropped").isEmpty(), qPrintable(r.transcript()));

        QVERIFY2(r.cloneExited(20000), qPrintable(r.transcript()));
        // The clone did not get the feed: it timed out waiting for the block (or asked again,
        // which the relay sees as a second Request for it).
        QVERIFY2(r.clone->exitCode() != 0, qPrintable(r.transcript()));
        const QJsonObject failed = r.clone->waitFor("failed", 0);
        int requests = 0;
        for (const QJsonObject &e : r.relay->events()) {
            if (onLeg(e, "message", "client") && e["type"] == "Request" &&
                e["message"].toObject()["index"].toInt() == HeldIndex)
                ++requests;
        }
        qInfo("clone: %s; Requests for block %d: %d", qPrintable(failed["message"].toString()),
              HeldIndex, requests);
        const bool timedOut =
            failed["message"].toString().contains(QLatin1String("timed out")) &&
            failed["message"].toString().contains(
                QStringLiteral("downloaded %1 of %2").arg(Blocks - 1).arg(Blocks));
        QVERIFY2(timedOut || requests >= 2, qPrintable(r.transcript()));
        // Everything behind the dropped Data on its channel was forwarded once it was dropped.
        int dataForwarded = 0;
        for (const QJsonObject &e : r.relay->events()) {
            if (onLeg(e, "message", "server") && e["type"] == "Data")
                ++dataForwarded;
        }
        QVERIFY2(dataForwarded >= Blocks - 1, qPrintable(r.transcript()));
    }

    void editedDataValueIsRejected()
    {
        Replication r;
        QVERIFY2(r.start(15000), qPrintable(r.transcript()));
        const QJsonObject held = r.held();
        QVERIFY2(!held.isEmpty(), qPrintable(r.transcript()));
        QJsonObject message = held["message"].toObject();
        QString value = message["value"].toString();
        QVERIFY2(!value.isEmpty(), qPrintable(r.transcript()));
        value[0] = value[0] == QLatin1Char('0') ? QLatin1Char('1') : QLatin1Char('0');
        message["value"] = value;
        r.relay->send({{"cmd", "resume"}, {"id", held["id"]}, {"message", message}});
        const QJsonObject resumed = r.relay->waitFor("resumed");
        QVERIFY2(!resumed.isEmpty() && resumed["edited"].toBool(), qPrintable(r.transcript()));
        // The edited value reached the clone as the relay forwarded it.
        const QJsonObject forwarded = r.relay->waitFor([&](const QJsonObject &e) {
            return onLeg(e, "message", "server") && e["type"] == "Data" &&
                   e["message"].toObject()["index"].toInt() == HeldIndex;
        });
        QCOMPARE(forwarded["message"].toObject()["value"].toString(), value);

        QVERIFY2(r.cloneExited(30000), qPrintable(r.transcript()));
        // hypercore verifies the block against the signed tree: the edit is refused and the
        // feed never verifies.
        QVERIFY2(r.clone->exitCode() != 0, qPrintable(r.transcript()));
        QVERIFY2(r.clone->all("verified").isEmpty() ||
                     !r.clone->all("verified").first()["ok"].toBool(),
                 qPrintable(r.transcript()));
        qInfo("clone: %s", qPrintable(r.clone->waitFor("failed", 0)["message"].toString()));
    }
};

QTEST_GUILESS_MAIN(TestInterceptInterop)
#include "tst_interceptinterop.moc"
