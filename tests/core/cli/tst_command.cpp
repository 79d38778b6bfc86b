// Tests core/cli/command.cpp: the stdin command parser of hyperscope-cli.
#include "command.h"

#include "crypto.h"

#include <QtTest>

using namespace hyperscope;

namespace {

const QByteArray KeyHex = QByteArray(64, 'a');

Key32 key()
{
    return *key32FromHex(KeyHex.toStdString());
}

QByteArray withKey(const char *json)
{
    return QByteArray(json).replace("KEY", KeyHex);
}

} // namespace

class tst_Command : public QObject
{
    Q_OBJECT

private slots:
    void parsesValidCommands_data();
    void parsesValidCommands();
    void rejectsBadCommands_data();
    void rejectsBadCommands();
    void parsesSendMessage();
    void selectsChannelByEitherKey();
    void parsesExtensionPayload();
    void parsesRawFrame();
    void neverCrashesOnPrefixes();
};

void tst_Command::parsesValidCommands_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("session");

    const auto row = [](const char *name, const QByteArray &line, Command::Kind kind,
                        int session = 0) {
        QTest::newRow(name) << line << int(kind) << session;
    };
    row("open", withKey(R"({"cmd":"open","key":"KEY"})"), Command::Kind::Open);
    row("open upper-case hex", R"({"cmd":"open","key":")" + KeyHex.toUpper() + R"("})",
        Command::Kind::Open);
    row("send", withKey(R"({"cmd":"send","key":"KEY","type":"Want","message":{"start":0}})"),
        Command::Kind::Send);
    row("send without message", withKey(R"({"cmd":"send","key":"KEY","type":"Status"})"),
        Command::Kind::Send);
    row("register stream", R"({"cmd":"register","name":"x"})", Command::Kind::Register);
    row("register channel", withKey(R"({"cmd":"register","name":"x","key":"KEY"})"),
        Command::Kind::Register);
    row("extension", R"({"cmd":"extension","name":"x","payload":"00ff"})",
        Command::Kind::Extension);
    row("extension without payload", R"({"cmd":"extension","name":"x"})", Command::Kind::Extension);
    row("close", withKey(R"({"cmd":"close","key":"KEY"})"), Command::Kind::Close);
    row("frame by number", R"({"cmd":"frame","channel":1,"type":5,"payload":"0800"})",
        Command::Kind::Frame);
    row("frame by name", R"({"cmd":"frame","channel":0,"type":"Extension"})", Command::Kind::Frame);
    row("ping", R"({"cmd":"ping"})", Command::Kind::Ping);
    row("ping with session", R"({"cmd":"ping","session":3})", Command::Kind::Ping, 3);
    row("quit", R"({"cmd":"quit"})", Command::Kind::Quit);
    row("spaces", R"(  { "cmd" : "ping" }  )", Command::Kind::Ping);
    // Intercept (issue 12).
    row("resume", R"({"cmd":"resume","id":3})", Command::Kind::Resume);
    row("resume edited", R"({"cmd":"resume","id":3,"message":{"index":7}})", Command::Kind::Resume);
    row("resume edited, typed", R"({"cmd":"resume","id":3,"type":"Request","message":{}})",
        Command::Kind::Resume);
    row("drop", R"({"cmd":"drop","id":9007199254740992})", Command::Kind::Drop);
    row("intercept", R"({"cmd":"intercept","filter":"type == Request && index > 5"})",
        Command::Kind::Intercept);
    row("intercept off", R"({"cmd":"intercept","filter":""})", Command::Kind::Intercept);
}

void tst_Command::parsesValidCommands()
{
    QFETCH(QByteArray, line);
    QFETCH(int, kind);
    QFETCH(int, session);
    QString error;
    const std::optional<Command> command = parseCommand(line, &error);
    QVERIFY2(command, qPrintable(error));
    QCOMPARE(int(command->kind), kind);
    QCOMPARE(command->session.value_or(0), session);
}

void tst_Command::rejectsBadCommands_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("error");

    QTest::newRow("not json") << QByteArray("open") << "not valid JSON (illegal value at offset 1)";
    QTest::newRow("array") << QByteArray("[]") << "a command must be a JSON object";
    QTest::newRow("no cmd") << QByteArray("{}") << "missing \"cmd\"";
    QTest::newRow("cmd not string") << QByteArray(R"({"cmd":1})") << "\"cmd\" must be a string";
    QTest::newRow("unknown") << QByteArray(R"({"cmd":"opne"})") << "unknown command 'opne'";
    QTest::newRow("unknown field")
        << QByteArray(R"({"cmd":"ping","key":"00"})") << "ping has no field 'key'";
    QTest::newRow("short key") << QByteArray(R"({"cmd":"open","key":"abcd"})")
                               << "key must be 64 hex digits";
    QTest::newRow("key not hex") << QByteArray(R"({"cmd":"open","key":")" + QByteArray(64, 'g') +
                                               R"("})")
                                 << "key must be 64 hex digits";
    QTest::newRow("key not string")
        << QByteArray(R"({"cmd":"open","key":5})") << "key must be 64 hex digits";
    QTest::newRow("bad discoveryKey") << QByteArray(R"({"cmd":"close","discoveryKey":"zz"})")
                                      << "discoveryKey must be 64 hex digits";
    QTest::newRow("both keys") << withKey(R"({"cmd":"close","key":"KEY","discoveryKey":"KEY"})")
                               << "give key or discoveryKey, not both";
    QTest::newRow("open by discovery key")
        << withKey(R"({"cmd":"open","discoveryKey":"KEY"})")
        << "open needs the key: a discovery key cannot open a channel";
    QTest::newRow("open without key") << QByteArray(R"({"cmd":"open"})") << "open needs a \"key\"";
    QTest::newRow("close without key")
        << QByteArray(R"({"cmd":"close"})") << "close needs a \"key\" or \"discoveryKey\"";
    QTest::newRow("send without channel")
        << QByteArray(R"({"cmd":"send","type":"Want","message":{"start":0}})")
        << "send needs a \"key\" or \"discoveryKey\"";
    QTest::newRow("send without type")
        << withKey(R"({"cmd":"send","key":"KEY"})") << "send needs a \"type\" (Options .. Close)";
    QTest::newRow("send unknown type")
        << withKey(R"({"cmd":"send","key":"KEY","type":"Wnat"})") << "unknown message type 'Wnat'";
    QTest::newRow("send Open")
        << withKey(R"({"cmd":"send","key":"KEY","type":"Open","message":{}})")
        << "Open cannot be sent: use {\"cmd\":\"open\",\"key\":...} to open a channel";
    QTest::newRow("send Extension") << withKey(R"({"cmd":"send","key":"KEY","type":"Extension"})")
                                    << "Extension cannot be sent with send: use "
                                       "{\"cmd\":\"extension\",\"name\":...,\"payload\":...}";
    QTest::newRow("message not object")
        << withKey(R"({"cmd":"send","key":"KEY","type":"Want","message":[]})")
        << "message must be a JSON object";
    QTest::newRow("missing required")
        << withKey(R"({"cmd":"send","key":"KEY","type":"Want","message":{}})")
        << "Want: missing required field 'start'";
    QTest::newRow("unknown message field")
        << withKey(R"({"cmd":"send","key":"KEY","type":"Want","message":{"start":0,"begin":1}})")
        << "Want has no field 'begin'";
    QTest::newRow("register without name")
        << QByteArray(R"({"cmd":"register"})") << "register needs a non-empty \"name\"";
    QTest::newRow("register empty name")
        << QByteArray(R"({"cmd":"register","name":""})") << "register needs a non-empty \"name\"";
    QTest::newRow("extension bad payload")
        << QByteArray(R"({"cmd":"extension","name":"x","payload":"abc"})")
        << "payload must be a hex string";
    QTest::newRow("frame without channel")
        << QByteArray(R"({"cmd":"frame","type":5})")
        << "frame needs a \"channel\": a local channel id (0 = stream)";
    QTest::newRow("frame negative channel")
        << QByteArray(R"({"cmd":"frame","channel":-1,"type":5})")
        << "frame needs a \"channel\": a local channel id (0 = stream)";
    QTest::newRow("frame type 16") << QByteArray(R"({"cmd":"frame","channel":1,"type":16})")
                                   << "frame needs a \"type\": 0..15 or a name (\"Want\")";
    QTest::newRow("frame type unknown name")
        << QByteArray(R"({"cmd":"frame","channel":1,"type":"Keepalive"})")
        << "frame needs a \"type\": 0..15 or a name (\"Want\")";
    QTest::newRow("frame bad payload")
        << QByteArray(R"({"cmd":"frame","channel":1,"type":1,"payload":"xy"})")
        << "payload must be a hex string";
    QTest::newRow("session zero") << QByteArray(R"({"cmd":"ping","session":0})")
                                  << "session must be a positive integer";
    QTest::newRow("session fraction")
        << QByteArray(R"({"cmd":"ping","session":1.5})") << "session must be a positive integer";
    QTest::newRow("session string")
        << QByteArray(R"({"cmd":"ping","session":"1"})") << "session must be a positive integer";
    // Intercept (issue 12).
    const QString resumeId =
        "resume needs an \"id\": the id of an \"intercepted\" event (a positive integer)";
    QTest::newRow("resume without id") << QByteArray(R"({"cmd":"resume"})") << resumeId;
    QTest::newRow("resume id 0") << QByteArray(R"({"cmd":"resume","id":0})") << resumeId;
    QTest::newRow("resume id string") << QByteArray(R"({"cmd":"resume","id":"1"})") << resumeId;
    QTest::newRow("drop id fraction")
        << QByteArray(R"({"cmd":"drop","id":1.5})")
        << "drop needs an \"id\": the id of an \"intercepted\" event (a positive integer)";
    QTest::newRow("drop with message")
        << QByteArray(R"({"cmd":"drop","id":1,"message":{}})") << "drop has no field 'message'";
    QTest::newRow("resume message not object")
        << QByteArray(R"({"cmd":"resume","id":1,"message":[]})") << "message must be a JSON object";
    QTest::newRow("resume unknown type")
        << QByteArray(R"({"cmd":"resume","id":1,"type":"Dta","message":{}})")
        << "resume: \"type\" must be a message name";
    QTest::newRow("resume type alone") << QByteArray(R"({"cmd":"resume","id":1,"type":"Data"})")
                                       << "resume: \"type\" goes with a \"message\"";
    QTest::newRow("intercept without filter")
        << QByteArray(R"({"cmd":"intercept"})")
        << "intercept needs a \"filter\": an expression, or \"\" to turn intercept off";
    QTest::newRow("intercept bad filter")
        << QByteArray(R"({"cmd":"intercept","filter":"indx > 1"})")
        << "intercept: filter: column 1: unknown field 'indx' (did you mean 'index'?)";
}

void tst_Command::rejectsBadCommands()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, error);
    QString actual;
    QVERIFY(!parseCommand(line, &actual));
    QCOMPARE(actual, error);
}

void tst_Command::parsesSendMessage()
{
    const auto parsed = parseCommand(withKey(
        R"({"cmd":"send","session":2,"key":"KEY","type":"Have","message":{"start":3,"length":4,"bitfield":"0102"}})"));
    QVERIFY(parsed);
    const Command &command = *parsed;
    QCOMPARE(command.session, std::optional<int>(2));
    QVERIFY(command.message);
    QCOMPARE(messageType(*command.message), MessageType::Have);
    const auto &have = std::get<schema::Have>(*command.message);
    QCOMPARE(have.start(), 3u);
    QCOMPARE(have.length(), 4u);
    QCOMPARE(have.bitfield(), std::string("\x01\x02"));
    QVERIFY(!have.has_ack());
}

void tst_Command::selectsChannelByEitherKey()
{
    const Key32 discoveryKey = crypto::discoveryKey(key());
    const auto byKey = parseCommand(withKey(R"({"cmd":"close","key":"KEY"})"));
    QVERIFY(byKey);
    QCOMPARE(byKey->discoveryKey, std::optional(discoveryKey));
    QCOMPARE(byKey->key, std::optional(key()));

    const QByteArray dkHex = QByteArray::fromStdString(toHex(discoveryKey));
    const auto byDiscoveryKey =
        parseCommand(R"({"cmd":"close","discoveryKey":")" + dkHex + R"("})");
    QVERIFY(byDiscoveryKey);
    QCOMPARE(byDiscoveryKey->discoveryKey, std::optional(discoveryKey));
    QVERIFY(!byDiscoveryKey->key);

    const auto stream = parseCommand(R"({"cmd":"register","name":"n"})");
    QVERIFY(stream);
    QVERIFY(!stream->discoveryKey);

    // Keys are spelt as everywhere else (parseKeyHex): spaces, colons and 0x are fine.
    QByteArray spaced, coloned;
    for (int i = 0; i < 32; ++i) {
        spaced += (i ? " " : "") + QByteArray("aa");
        coloned += (i ? ":" : "") + QByteArray("AA");
    }
    for (const QByteArray &spelling : {spaced, coloned, QByteArray("0x") + KeyHex}) {
        const auto command = parseCommand(R"({"cmd":"open","key":")" + spelling + R"("})");
        QVERIFY2(command, spelling.constData());
        QCOMPARE(command->key, std::optional(key()));
    }
}

void tst_Command::parsesExtensionPayload()
{
    const auto parsed = parseCommand(R"({"cmd":"extension","name":"héllo","payload":"00FF10"})");
    QVERIFY(parsed);
    const Command &command = *parsed;
    QCOMPARE(command.name, std::string("héllo"));
    QCOMPARE(command.payload, (Bytes{0x00, 0xff, 0x10}));
    QCOMPARE(commandName(command.kind), QStringLiteral("extension"));
}

void tst_Command::parsesRawFrame()
{
    const auto parsed =
        parseCommand(R"({"cmd":"frame","session":1,"channel":3,"type":"Data","payload":"0801"})");
    QVERIFY(parsed);
    const Command &command = *parsed;
    QCOMPARE(command.kind, Command::Kind::Frame);
    QCOMPARE(command.channel, 3u);
    QCOMPARE(command.frameType, 9);
    QCOMPARE(command.payload, (Bytes{0x08, 0x01}));
    const auto unassigned = parseCommand(R"({"cmd":"frame","channel":0,"type":12})");
    QVERIFY(unassigned);
    QCOMPARE(unassigned->frameType, 12);
    QVERIFY(unassigned->payload.empty());
}

void tst_Command::neverCrashesOnPrefixes()
{
    // Every prefix of a valid command is either valid or a clean error: a cheap fuzz.
    const QByteArray line = withKey(
        R"({"cmd":"send","key":"KEY","type":"Data","message":{"index":1,"nodes":[{"index":0,"hash":"00","size":1}],"value":"ff"}})");
    for (qsizetype size = 0; size <= line.size(); ++size) {
        QString error;
        if (!parseCommand(line.left(size), &error))
            QVERIFY(!error.isEmpty());
    }
    QVERIFY(parseCommand(line));
}

QTEST_APPLESS_MAIN(tst_Command)
#include "tst_command.moc"
