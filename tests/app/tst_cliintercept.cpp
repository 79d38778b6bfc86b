// Tests hyperscope-cli --intercept (issue 12) as processes over loopback TCP: an own session
// (hyperscope-cli connect against hyperscope-cli listen) and a relayed one
// (connect -> relay -> listen): an outgoing Request held and resumed with an edited index, which
// the peer receives; an incoming one held and dropped; the order behind a held message; bad
// resume commands as error events; the expression changed at runtime (off releases in order);
// held messages dropped when their session ends; a bad --intercept as a usage error.
#include "builders.h"
#include "clifixtures.h"
#include "crypto.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <csignal>
#include <functional>
#include <memory>
#include <unistd.h>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

constexpr int Wait = 20000; // process start-up on a loaded machine can take a while

using Cli = CliProcess;

QJsonObject sendRequest(int index)
{
    return command(
        "send", {{"key", KeyHex}, {"type", "Request"}, {"message", QJsonObject{{"index", index}}}});
}

QJsonObject sendWant(int start)
{
    return command("send",
                   {{"key", KeyHex}, {"type", "Want"}, {"message", QJsonObject{{"start", start}}}});
}

double idOf(const QJsonObject &event)
{
    return event.value(QLatin1String("id")).toDouble();
}

int field(const QJsonObject &event, const char *name)
{
    return event.value(QLatin1String("message")).toObject().value(QLatin1String(name)).toInt(-1);
}

/// How long "nothing arrives" is watched for.
constexpr int Quiet = 400;

} // namespace

class tst_CliIntercept : public QObject
{
    Q_OBJECT

private slots:
    void rejectsBadExpression_data();
    void rejectsBadExpression();
    void holdsOutgoingAndSendsEdited();
    void holdsIncomingAndDrops();
    void reportsBadResumeCommands();
    void changesExpressionAtRuntime();
    void endingSessionDropsHeld();
    void holdsOnRelayLeg();
};

void tst_CliIntercept::rejectsBadExpression_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("listen") << QStringList{"listen", "--port", "0", "--intercept", "indx > 3"}
                            << QByteArray("--intercept: filter: column 1: unknown field 'indx'");
    QTest::newRow("connect") << QStringList{"connect", "127.0.0.1:1", "--intercept",
                                            "type == Request &&"}
                             << QByteArray("--intercept: filter: column ");
    QTest::newRow("relay") << QStringList{"relay",         "--port",      "0",
                                          "--upstream",    "127.0.0.1:1", "--intercept",
                                          "type == Reqest"}
                           << QByteArray("--intercept: filter: column 9:");
}

void tst_CliIntercept::rejectsBadExpression()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);
    const FinishedProcess run = runCli(arguments);
    QVERIFY(run.finished);
    QCOMPARE(run.exitCode, 2);
    const QByteArray err = run.stderrText;
    QVERIFY2(err.startsWith("hyperscope-cli: ") && err.contains(message), err.constData());
    QVERIFY(run.stdoutText.isEmpty()); // nothing started
}

void tst_CliIntercept::holdsOutgoingAndSendsEdited()
{
    CliPair o;
    QVERIFY(startPair(o, {}, {"--intercept", "type == Request && index > 4"}));
    o.connector->send(sendRequest(2)); // does not match: goes at once
    TAKE_EVENT(first, *o.listener, "message");
    QCOMPARE(field(first, "index"), 2);

    o.connector->send(sendRequest(5));
    TAKE_EVENT(held, *o.connector, "intercepted");
    QCOMPARE(held.value("session").toInt(), 1);
    QCOMPARE(held.value("direction").toString(), QStringLiteral("out"));
    QCOMPARE(held.value("type").toString(), QStringLiteral("Request"));
    QCOMPARE(held.value("discoveryKey").toString(), discoveryKeyHex(KeyHex));
    QCOMPARE(field(held, "index"), 5);
    QVERIFY(idOf(held) >= 1);
    QVERIFY(!held.contains("leg"));
    o.connector->send(sendWant(3)); // same channel and direction: waits behind the Request
    QVERIFY(o.listener->take("message", {}, Quiet).isEmpty());

    o.connector->send(command(
        "resume", {{"id", idOf(held)}, {"message", QJsonObject{{"index", 7}, {"nodes", 2}}}}));
    TAKE_EVENT(resumed, *o.connector, "resumed");
    QCOMPARE(idOf(resumed), idOf(held));
    QVERIFY(resumed.value("edited").toBool());
    TAKE_EVENT(edited, *o.listener, "message");
    QCOMPARE(edited.value("type").toString(), QStringLiteral("Request"));
    QCOMPARE(field(edited, "index"), 7); // the peer receives the edited index
    QCOMPARE(field(edited, "nodes"), 2);
    TAKE_EVENT(want, *o.listener, "message");
    QCOMPARE(want.value("type").toString(), QStringLiteral("Want"));
    QVERIFY(o.connector->all("error").isEmpty());
}

void tst_CliIntercept::holdsIncomingAndDrops()
{
    CliPair o;
    QVERIFY(startPair(o, {"--intercept", "dir == in && type == Request"}, {}));
    o.connector->send(sendRequest(3));
    o.connector->send(sendWant(0));
    TAKE_EVENT(held, *o.listener, "intercepted");
    QCOMPARE(held.value("direction").toString(), QStringLiteral("in"));
    QCOMPARE(field(held, "index"), 3);
    QVERIFY(
        o.listener->take("message", {}, Quiet).isEmpty()); // neither the Request nor the Want yet

    o.listener->send(command("drop", {{"id", idOf(held)}}));
    TAKE_EVENT(dropped, *o.listener, "dropped");
    QCOMPARE(idOf(dropped), idOf(held));
    QCOMPARE(dropped.value("reason").toString(), QStringLiteral("dropped"));
    TAKE_EVENT(want, *o.listener, "message");
    QCOMPARE(want.value("type").toString(), QStringLiteral("Want"));
    QVERIFY(o.listener->take("message", {}, Quiet).isEmpty()); // the Request never comes
    // Once dropped, the id is gone.
    o.listener->send(command("drop", {{"id", idOf(held)}}));
    TAKE_EVENT(error, *o.listener, "error");
    QVERIFY2(error.value("message").toString().contains(
                 QStringLiteral("drop: no held message with id %1").arg(idOf(held))),
             qPrintable(error.value("message").toString()));
}

void tst_CliIntercept::reportsBadResumeCommands()
{
    CliPair o;
    QVERIFY(startPair(o, {}, {"--intercept", "type == Request"}));
    o.connector->send(sendRequest(1));
    TAKE_EVENT(held, *o.connector, "intercepted");
    const double id = idOf(held);

    struct Case
    {
        QJsonObject command;
        QString message;
    };
    const QList<Case> cases = {
        {command("resume", {{"id", id + 1000}}),
         QStringLiteral("resume: no held message with id %1").arg(id + 1000)},
        {command("resume", {{"id", id}, {"type", "Data"}, {"message", QJsonObject{{"index", 1}}}}),
         QStringLiteral("resume: held message %1 is a Request, not a Data").arg(id)},
        {command("resume", {{"id", id}, {"message", QJsonObject{{"value", "00"}}}}),
         QStringLiteral("resume: held message %1 is a Request: Request has no field 'value'")
             .arg(id)},
        {command("resume", {{"id", id}, {"message", QJsonObject{}}}),
         QStringLiteral("missing required field 'index'")},
        {command("resume", {{"id", "x"}}), QStringLiteral("resume needs an \"id\"")},
        {command("drop", {}), QStringLiteral("drop needs an \"id\"")},
        {command("intercept", {{"filter", "indx == 1"}}),
         QStringLiteral("intercept: filter: column 1: unknown field 'indx'")},
    };
    for (const Case &c : cases) {
        o.connector->send(c.command);
        TAKE_EVENT(error, *o.connector, "error");
        QVERIFY2(error.value("message").toString().contains(c.message),
                 qPrintable(error.value("message").toString() + " / expected: " + c.message));
    }
    // Still held after every refusal; the original goes on.
    QVERIFY(o.listener->take("message", {}, Quiet).isEmpty());
    o.connector->send(command("resume", {{"id", id}}));
    TAKE_EVENT(resumed, *o.connector, "resumed");
    QVERIFY(!resumed.value("edited").toBool());
    TAKE_EVENT(message, *o.listener, "message");
    QCOMPARE(field(message, "index"), 1);
}

void tst_CliIntercept::changesExpressionAtRuntime()
{
    CliPair o;
    QVERIFY(startPair(o, {}, {}));
    o.connector->send(command("intercept", {{"filter", "type == Request"}}));
    o.connector->send(sendRequest(1));
    o.connector->send(sendWant(1)); // behind the Request
    o.connector->send(sendRequest(2));
    TAKE_EVENT(first, *o.connector, "intercepted");
    TAKE_EVENT(second, *o.connector, "intercepted");
    QCOMPARE(field(first, "index"), 1);
    QCOMPARE(field(second, "index"), 2);
    QVERIFY(idOf(second) > idOf(first));
    QVERIFY(o.listener->take("message", {}, Quiet).isEmpty());

    // Off: everything held goes on, in order.
    o.connector->send(command("intercept", {{"filter", ""}}));
    TAKE_EVENT(m1, *o.listener, "message");
    TAKE_EVENT(m2, *o.listener, "message");
    TAKE_EVENT(m3, *o.listener, "message");
    QCOMPARE(field(m1, "index"), 1);
    QCOMPARE(m2.value("type").toString(), QStringLiteral("Want"));
    QCOMPARE(field(m3, "index"), 2);
    QCOMPARE(o.connector->all("resumed").size(), 2);
    o.connector->send(sendRequest(3)); // nothing is held now
    TAKE_EVENT(m4, *o.listener, "message");
    QCOMPARE(field(m4, "index"), 3);
    QCOMPARE(o.connector->all("intercepted").size(), 2);
}

void tst_CliIntercept::endingSessionDropsHeld()
{
    CliPair o;
    QVERIFY(startPair(o, {}, {"--intercept", "type == Request"}));
    o.connector->send(sendRequest(1));
    o.connector->send(sendRequest(2));
    TAKE_EVENT(first, *o.connector, "intercepted");
    TAKE_EVENT(second, *o.connector, "intercepted");
    o.connector->send(command("quit", {}));
    TAKE_EVENT(d1, *o.connector, "dropped");
    TAKE_EVENT(d2, *o.connector, "dropped");
    QCOMPARE(d1.value("reason").toString(), QStringLiteral("the session ended"));
    QCOMPARE(idOf(d1), idOf(first));
    QCOMPARE(idOf(d2), idOf(second));
    TAKE_EVENT(end, *o.connector, "end");
    QVERIFY(o.connector->waitForExit());
    QCOMPARE(o.connector->exitCode(), 0);
    QVERIFY(o.listener->all("message").isEmpty());
}

void tst_CliIntercept::holdsOnRelayLeg()
{
    CliChain c;
    CliChainOptions options;
    options.relay = {"--intercept", "type == Request"};
    QVERIFY(startChain(c, options));

    // Resumed with an edit: the upstream peer receives the edited index.
    c.connector->send(sendRequest(5));
    TAKE_EVENT(held, *c.relay, "intercepted", ClientLeg);
    QCOMPARE(held.value("direction").toString(), QStringLiteral("in"));
    QCOMPARE(held.value("session").toInt(), 1);
    QCOMPARE(field(held, "index"), 5);
    QVERIFY(c.listener->take("message", {}, Quiet).isEmpty());
    c.relay->send(command("resume", {{"id", idOf(held)}, {"message", QJsonObject{{"index", 9}}}}));
    TAKE_EVENT(resumed, *c.relay, "resumed", ClientLeg);
    QVERIFY(resumed.value("edited").toBool());
    TAKE_EVENT(edited, *c.listener, "message");
    QCOMPARE(field(edited, "index"), 9);
    // The relay's message event is for what it forwarded: the edited message.
    TAKE_EVENT(relayed, *c.relay, "message", ClientLeg);
    QCOMPARE(field(relayed, "index"), 9);

    // Dropped: never forwarded; what follows on the channel is.
    c.connector->send(sendRequest(6));
    c.connector->send(sendWant(2));
    TAKE_EVENT(held2, *c.relay, "intercepted", ClientLeg);
    c.relay->send(command("drop", {{"id", idOf(held2)}}));
    TAKE_EVENT(dropped, *c.relay, "dropped", ClientLeg);
    TAKE_EVENT(want, *c.listener, "message");
    QCOMPARE(want.value("type").toString(), QStringLiteral("Want"));

    // The other way, from the server leg: the connector receives the Request once resumed.
    c.listener->send(sendRequest(11));
    TAKE_EVENT(held3, *c.relay, "intercepted", ServerLeg);
    QVERIFY(c.connector->take("message", {}, Quiet).isEmpty());
    c.relay->send(command("resume", {{"id", idOf(held3)}}));
    TAKE_EVENT(back, *c.connector, "message");
    QCOMPARE(field(back, "index"), 11);

    // Nothing was held twice (on the way out of the relay) and nothing went wrong.
    QCOMPARE(c.relay->all("intercepted").size(), 3);
    QVERIFY2(c.relay->all("error").isEmpty(), qPrintable(c.relay->transcript()));
    QVERIFY(c.listener->all("message").size() == 2);
}

QTEST_GUILESS_MAIN(tst_CliIntercept)
#include "tst_cliintercept.moc"
