// hyperscope-cli --no-verify (issue 13's "verification on against off"): with it, message events
// carry no Data verdict ("verified", "verdict", "verifiedBy", "verifyError") in listen, connect,
// relay and read, while Have/Want keep their "blocks"; without it, the same real feed's Data
// (tests/vectors/feed.json, the writer's side of the sequential clone) is verified, in read too.
// Processes over loopback TCP, as a user runs them.
#include "clioptions.h"
#include "feedevents.h"
#include "vectors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace hyperscope;

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

/// The writer's side of the sequential clone's conversation: 2 Have, then 13 Data.
QList<std::pair<QString, QJsonObject>> writerMessages()
{
    QList<std::pair<QString, QJsonObject>> out;
    for (const QJsonValue &entry :
         feedVectors()["replications"].toObject()["sequential"].toArray()) {
        if (entry["from"].toString().startsWith(QLatin1String("writer"))) {
            const QString type = entry["type"].toString();
            out.append({type.left(1).toUpper() + type.mid(1), entry["message"].toObject()});
        }
    }
    return out;
}

/// The fields only a Data verdict brings.
const QStringList VerdictFields{"verified", "verdict", "verifiedBy", "verifyError"};

/// One running hyperscope-cli: its events as they arrive, and its stdin. (A copy of the helper
/// in tst_clifeed.cpp, kept apart while the tests/app harness is being unified.)
class Cli
{
public:
    explicit Cli(const QStringList &arguments)
    {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, [this] { readEvents(); });
        m_process.start(QStringLiteral(HYPERSCOPE_CLI_PATH), arguments);
    }
    ~Cli()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(Wait);
        }
    }

    void send(const QJsonObject &command)
    {
        m_process.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n');
    }

    /// Waits until @p count events named @p name have arrived; returns them all.
    QList<QJsonObject> waitFor(const QString &name, qsizetype count)
    {
        (void)QTest::qWaitFor([&] { return all(name).size() >= count; }, Wait);
        return all(name);
    }

    QList<QJsonObject> all(const QString &name) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &event : m_events) {
            if (event.value(QLatin1String("event")) == name)
                out.append(event);
        }
        return out;
    }

    /// Waits for the process to exit on its own; true when it exited with status 0.
    bool waitForCleanExit()
    {
        (void)QTest::qWaitFor([&] { return m_process.state() == QProcess::NotRunning; }, Wait);
        return m_process.state() == QProcess::NotRunning &&
               m_process.exitStatus() == QProcess::NormalExit && m_process.exitCode() == 0;
    }

    QByteArray transcript()
    {
        QByteArray out = "events:\n";
        for (const QJsonObject &event : m_events)
            out += QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n';
        return out + "stderr:\n" + m_process.readAllStandardError();
    }

private:
    void readEvents()
    {
        m_partial += m_process.readAllStandardOutput();
        qsizetype newline;
        while ((newline = m_partial.indexOf('\n')) >= 0) {
            m_events.append(QJsonDocument::fromJson(m_partial.left(newline)).object());
            m_partial.remove(0, newline + 1);
        }
    }

    QProcess m_process;
    QByteArray m_partial;
    QList<QJsonObject> m_events;
};

/// `hyperscope-cli read ...` to completion: its message events, or a failure message.
QList<QJsonObject> readMessages(const QStringList &arguments, QString *failure)
{
    QProcess process;
    process.start(QStringLiteral(HYPERSCOPE_CLI_PATH), QStringList{"read"} + arguments);
    if (!process.waitForFinished(Wait) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        *failure = QStringLiteral("read failed: ") + process.readAllStandardError();
        return {};
    }
    QList<QJsonObject> out;
    for (const QByteArray &line : process.readAllStandardOutput().split('\n')) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        if (event["event"] == QLatin1String("message"))
            out.append(event);
    }
    return out;
}

/// Checks the message events of the writer's 15 messages: "blocks" on both Haves either way,
/// and on every Data a verdict of verified (@p verifying) or none of its fields (not).
QString checkMessages(const QList<QJsonObject> &events, bool verifying)
{
    const auto json = [](const QJsonObject &event) {
        return QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact));
    };
    if (events.size() != 15)
        return QStringLiteral("expected 15 message events, got %1").arg(events.size());
    // Have {start:12} is block 12; the Have with bitfield 0702f8 blocks 0-12.
    if (events[0]["blocks"].toArray() != QJsonArray{QJsonArray{12, 12}} ||
        events[1]["blocks"].toArray() != QJsonArray{QJsonArray{0, 12}})
        return QStringLiteral("Haves without their blocks: ") + json(events[0]) + json(events[1]);
    for (qsizetype i = 2; i < events.size(); ++i) {
        const QJsonObject &event = events[i];
        if (event["type"] != QLatin1String("Data"))
            return QStringLiteral("not a Data: ") + json(event);
        if (verifying && (event["verified"] != QJsonValue(true) ||
                          event["verdict"] != QLatin1String("verified")))
            return QStringLiteral("not verified: ") + json(event);
        if (!verifying) {
            for (const QString &field : VerdictFields) {
                if (event.contains(field))
                    return QStringLiteral("--no-verify, yet \"%1\": ").arg(field) + json(event);
            }
        }
    }
    return {};
}

} // namespace

class tst_CliNoVerify : public QObject
{
    Q_OBJECT

private slots:
    void parsesNoVerify_data();
    void parsesNoVerify();
    void helpDescribesNoVerify();
    void annotatorWithoutVerificationKeepsBlocks();
    void liveReceiverAndItsCapture_data();
    void liveReceiverAndItsCapture();
    void relay_data();
    void relay();
};

void tst_CliNoVerify::parsesNoVerify_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("verify");
    const QStringList listen{"hyperscope-cli", "listen", "--port", "0"};
    const QStringList connect{"hyperscope-cli", "connect", "127.0.0.1:9"};
    const QStringList relay{"hyperscope-cli", "relay", "--port", "0", "--upstream", "127.0.0.1:9"};
    const QStringList read{"hyperscope-cli", "read", "x.capture"};
    const QStringList replay{"hyperscope-cli", "replay", "x.capture", "--connect", "127.0.0.1:9"};
    QTest::newRow("listen") << listen << true;
    QTest::newRow("listen --no-verify") << listen + QStringList{"--no-verify"} << false;
    QTest::newRow("connect") << connect << true;
    QTest::newRow("connect --no-verify") << connect + QStringList{"--no-verify"} << false;
    QTest::newRow("relay") << relay << true;
    QTest::newRow("relay --no-verify") << relay + QStringList{"--no-verify"} << false;
    QTest::newRow("read") << read << true;
    QTest::newRow("read --no-verify") << read + QStringList{"--no-verify"} << false;
    QTest::newRow("replay --no-verify") << replay + QStringList{"--no-verify"} << false;
}

void tst_CliNoVerify::parsesNoVerify()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, verify);
    const auto parsed = parseCliArguments(arguments);
    const CliOptions *options = std::get_if<CliOptions>(&parsed);
    if (const CliExit *exit = std::get_if<CliExit>(&parsed))
        QFAIL(qPrintable(exit->text));
    QCOMPARE(options->verify, verify);
}

void tst_CliNoVerify::helpDescribesNoVerify()
{
    QVERIFY(cliUsage().contains(QLatin1String("--no-verify        (every mode) do not verify")));
    QVERIFY(cliUsage().contains(QLatin1String("read CAPTURE [--filter EXPR] [--trace] "
                                              "[--no-verify]")));
}

void tst_CliNoVerify::annotatorWithoutVerificationKeepsBlocks()
{
    // A channel whose key is known, a Data that would be verified (or fail): no verdict at all.
    FeedEventAnnotator annotator(FeedEventAnnotator::Verification::Off);
    ChannelInfo channel;
    channel.discoveryKey.fill(7);
    channel.key = Key32{};
    annotator.channelOpened(1, channel);
    schema::Data data;
    data.set_index(1);
    data.set_value("x");
    JsonEvent dataEvent("message", 1);
    annotator.annotate(dataEvent, 1, channel, feed::Side::Remote, data);
    const QJsonObject dataJson = dataEvent;
    for (const QString &field : VerdictFields)
        QVERIFY2(!dataJson.contains(field), qPrintable(field));
    schema::Want want;
    want.set_start(8192);
    want.set_length(8192);
    JsonEvent wantEvent("message", 1);
    annotator.annotate(wantEvent, 1, channel, feed::Side::Remote, want);
    QCOMPARE(QJsonObject(wantEvent)["blocks"].toArray(), (QJsonArray{QJsonArray{8192, 16383}}));

    // The same Data with verification on fails (the key is all zeroes): the switch is the
    // only difference.
    FeedEventAnnotator verifying;
    JsonEvent verifiedEvent("message", 1);
    verifying.annotate(verifiedEvent, 1, channel, feed::Side::Remote, data);
    QCOMPARE(QJsonObject(verifiedEvent)["verified"], QJsonValue(false));
}

void tst_CliNoVerify::liveReceiverAndItsCapture_data()
{
    QTest::addColumn<bool>("listenerReceives");
    QTest::addColumn<bool>("verifying");
    QTest::newRow("listen, verifying") << true << true;
    QTest::newRow("listen --no-verify") << true << false;
    QTest::newRow("connect --no-verify") << false << false;
}

void tst_CliNoVerify::liveReceiverAndItsCapture()
{
    // A sender replays the real writer's messages to a receiver; the receiver's events, then the
    // receiver's capture read back, with and without --no-verify.
    QFETCH(bool, listenerReceives);
    QFETCH(bool, verifying);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString capture = dir.filePath(QStringLiteral("receiver.capture"));
    const QStringList key{"--key", feedKeyHex()};
    QStringList receiverOptions = QStringList{"--capture", capture} + key;
    if (!verifying)
        receiverOptions << QStringLiteral("--no-verify");

    auto listener = std::make_unique<Cli>(QStringList{"listen", "--port", "0", "--once"} + key +
                                          (listenerReceives ? receiverOptions : QStringList{}));
    const QList<QJsonObject> listening = listener->waitFor(QStringLiteral("listening"), 1);
    QVERIFY2(!listening.isEmpty(), listener->transcript().constData());
    auto connector = std::make_unique<Cli>(
        QStringList{"connect", QStringLiteral("127.0.0.1:%1").arg(listening[0]["port"].toInt())} +
        key + (listenerReceives ? QStringList{} : receiverOptions));
    Cli &receiver = listenerReceives ? *listener : *connector;
    Cli &sender = listenerReceives ? *connector : *listener;
    QVERIFY2(!sender.waitFor(QStringLiteral("channel"), 1).isEmpty(),
             sender.transcript().constData());
    QVERIFY2(!receiver.waitFor(QStringLiteral("channel"), 1).isEmpty(),
             receiver.transcript().constData());

    const auto messages = writerMessages();
    for (const auto &[type, message] : messages) {
        sender.send(QJsonObject{
            {"cmd", "send"}, {"key", feedKeyHex()}, {"type", type}, {"message", message}});
    }
    const QList<QJsonObject> live = receiver.waitFor(QStringLiteral("message"), messages.size());
    const QString liveFailure = checkMessages(live, verifying);
    QVERIFY2(liveFailure.isEmpty(), qPrintable(liveFailure + '\n' + receiver.transcript()));

    // The receiver ends cleanly and writes its capture; the other side follows.
    receiver.send(QJsonObject{{"cmd", "quit"}});
    QVERIFY2(receiver.waitForCleanExit(), receiver.transcript().constData());
    QVERIFY2(QFileInfo::exists(capture), receiver.transcript().constData());

    // read: the same verdicts (the capture keeps the channel's key), and none with --no-verify.
    QString failure;
    const QList<QJsonObject> read = readMessages({capture}, &failure);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QList<QJsonObject> received;
    for (const QJsonObject &event : read) {
        // The capture also shows the remote's Open, which live is the "channel" event.
        if (event["direction"] == QLatin1String("in") && event["type"] != QLatin1String("Open"))
            received.append(event);
    }
    QString readFailure = checkMessages(received, true);
    QVERIFY2(readFailure.isEmpty(), qPrintable(QStringLiteral("read: ") + readFailure));
    const QList<QJsonObject> unverified = readMessages({capture, "--no-verify"}, &failure);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(unverified.size(), read.size());
    received.clear();
    for (const QJsonObject &event : unverified) {
        // The capture also shows the remote's Open, which live is the "channel" event.
        if (event["direction"] == QLatin1String("in") && event["type"] != QLatin1String("Open"))
            received.append(event);
    }
    readFailure = checkMessages(received, false);
    QVERIFY2(readFailure.isEmpty(), qPrintable(QStringLiteral("read --no-verify: ") + readFailure));
}

void tst_CliNoVerify::relay_data()
{
    QTest::addColumn<bool>("verifying");
    QTest::newRow("relay, verifying") << true;
    QTest::newRow("relay --no-verify") << false;
}

void tst_CliNoVerify::relay()
{
    // connector → relay → listener: the relay prints what arrives on the client leg.
    QFETCH(bool, verifying);
    const QStringList key{"--key", feedKeyHex()};
    Cli upstream(QStringList{"listen", "--port", "0"} + key);
    const QList<QJsonObject> upstreamListening = upstream.waitFor(QStringLiteral("listening"), 1);
    QVERIFY2(!upstreamListening.isEmpty(), upstream.transcript().constData());
    QStringList relayArguments{
        "relay", "--port", "0", "--upstream",
        QStringLiteral("127.0.0.1:%1").arg(upstreamListening[0]["port"].toInt())};
    relayArguments += key;
    if (!verifying)
        relayArguments << QStringLiteral("--no-verify");
    Cli relay(relayArguments);
    const QList<QJsonObject> relayListening = relay.waitFor(QStringLiteral("listening"), 1);
    QVERIFY2(!relayListening.isEmpty(), relay.transcript().constData());
    Cli connector(
        QStringList{"connect",
                    QStringLiteral("127.0.0.1:%1").arg(relayListening[0]["port"].toInt())} +
        key);
    QVERIFY2(!connector.waitFor(QStringLiteral("channel"), 1).isEmpty(),
             relay.transcript().constData());

    const auto messages = writerMessages();
    for (const auto &[type, message] : messages) {
        connector.send(QJsonObject{
            {"cmd", "send"}, {"key", feedKeyHex()}, {"type", type}, {"message", message}});
    }
    // The upstream peer gets them all: the relay forwarded everything, verified or not.
    QCOMPARE(upstream.waitFor(QStringLiteral("message"), messages.size()).size(), messages.size());
    QList<QJsonObject> fromClient;
    for (const QJsonObject &event : relay.waitFor(QStringLiteral("message"), messages.size())) {
        if (event["leg"] == QLatin1String("client"))
            fromClient.append(event);
    }
    const QString failure = checkMessages(fromClient, verifying);
    QVERIFY2(failure.isEmpty(), qPrintable(failure + '\n' + relay.transcript()));
}

QTEST_MAIN(tst_CliNoVerify)
#include "tst_clinoverify.moc"
