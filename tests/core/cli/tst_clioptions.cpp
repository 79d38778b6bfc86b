// Tests core/cli/clioptions.cpp: hyperscope-cli's command line.
#include "clioptions.h"

#include <QtTest>

using namespace hyperscope;

namespace {

const QString KeyHex = QString(64, u'b');

std::variant<CliOptions, CliExit> parse(QStringList arguments)
{
    arguments.prepend(QStringLiteral("hyperscope-cli"));
    return parseCliArguments(arguments);
}

} // namespace

class tst_CliOptions : public QObject
{
    Q_OBJECT

private slots:
    void parsesListen();
    void parsesConnect_data();
    void parsesConnect();
    void parsesOptions();
    void printsHelp();
    void rejectsBadArguments_data();
    void rejectsBadArguments();
};

void tst_CliOptions::parsesListen()
{
    const auto parsed = parse({"listen", "--port", "0"});
    QVERIFY(std::holds_alternative<CliOptions>(parsed));
    const CliOptions &options = std::get<CliOptions>(parsed);
    QCOMPARE(options.mode, CliOptions::Mode::Listen);
    QCOMPARE(options.host, QStringLiteral("127.0.0.1"));
    QCOMPARE(options.port, 0);
    QVERIFY(!options.once);
    QCOMPARE(options.timeout, limits::DefaultTimeout);
    QVERIFY(options.noise && options.encrypted && !options.trace);
    QVERIFY(!options.engineOptions().initiator);

    const auto custom = parse({"listen", "--host", "::1", "--port", "4000", "--once"});
    const CliOptions &other = std::get<CliOptions>(custom);
    QCOMPARE(other.host, QStringLiteral("::1"));
    QCOMPARE(other.port, 4000);
    QVERIFY(other.once);
}

void tst_CliOptions::parsesConnect_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::newRow("ipv4") << "127.0.0.1:4000"
                          << "127.0.0.1" << 4000;
    QTest::newRow("name") << "localhost:1"
                          << "localhost" << 1;
    QTest::newRow("ipv6") << "[::1]:65535"
                          << "::1" << 65535;
}

void tst_CliOptions::parsesConnect()
{
    QFETCH(QString, target);
    QFETCH(QString, host);
    QFETCH(int, port);
    const auto parsed = parse({"connect", target});
    QVERIFY(std::holds_alternative<CliOptions>(parsed));
    const CliOptions &options = std::get<CliOptions>(parsed);
    QCOMPARE(options.mode, CliOptions::Mode::Connect);
    QCOMPARE(options.host, host);
    QCOMPARE(int(options.port), port);
    QVERIFY(options.engineOptions().initiator);
}

void tst_CliOptions::parsesOptions()
{
    const auto parsed =
        parse({"connect", "127.0.0.1:5", "--key", KeyHex, "--key", QString(64, u'C'), "--extension",
               "one", "--extension", "two", "--timeout", "250", "--no-encrypt", "--trace"});
    QVERIFY(std::holds_alternative<CliOptions>(parsed));
    const CliOptions &options = std::get<CliOptions>(parsed);
    QCOMPARE(options.keys.size(), 2u);
    QCOMPARE(options.keys[1][0], 0xcc);
    QCOMPARE(options.extensions, (std::vector<std::string>{"one", "two"}));
    QCOMPARE(options.timeout, Millis(250));
    QVERIFY(options.noise);
    QVERIFY(!options.encrypted);
    QVERIFY(options.trace);
    const EngineOptions engine = options.engineOptions();
    QVERIFY(engine.noise && !engine.encrypted);
    QCOMPARE(engine.timeout, Millis(250));

    const auto noNoise = parse({"listen", "--port", "1", "--no-noise"});
    const EngineOptions plain = std::get<CliOptions>(noNoise).engineOptions();
    QVERIFY(!plain.noise && !plain.encrypted);
}

void tst_CliOptions::printsHelp()
{
    for (const QString &flag : {QStringLiteral("--help"), QStringLiteral("-h")}) {
        const auto parsed = parse({flag});
        QVERIFY(std::holds_alternative<CliExit>(parsed));
        QCOMPARE(std::get<CliExit>(parsed).exitCode, 0);
        QVERIFY(std::get<CliExit>(parsed).text.startsWith(QLatin1String("Usage:")));
    }
}

void tst_CliOptions::rejectsBadArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("nothing") << QStringList{} << "missing command: 'listen' or 'connect'";
    QTest::newRow("unknown command")
        << QStringList{"serve"}
        << "unknown command 'serve': use 'listen', 'connect', 'relay', 'read' or 'replay'";
    QTest::newRow("unknown option")
        << QStringList{"listen", "--port", "1", "--bogus"} << "Unknown option 'bogus'.";
    QTest::newRow("listen without port")
        << QStringList{"listen"} << "listen needs --port PORT (0 picks a free port)";
    QTest::newRow("port too big") << QStringList{"listen", "--port", "65536"}
                                  << "--port must be a number from 0 to 65535, got '65536'";
    QTest::newRow("port not a number") << QStringList{"listen", "--port", "http"}
                                       << "--port must be a number from 0 to 65535, got 'http'";
    QTest::newRow("host not an address") << QStringList{"listen", "--port", "1", "--host", "x.y"}
                                         << "--host must be an IP address, got 'x.y'";
    QTest::newRow("listen extra") << QStringList{"listen", "--port", "1", "more"}
                                  << "unexpected argument 'more'";
    QTest::newRow("connect nothing") << QStringList{"connect"} << "connect needs HOST:PORT";
    QTest::newRow("connect no port")
        << QStringList{"connect", "127.0.0.1"}
        << "connect needs HOST:PORT with a port from 1 to 65535, got '127.0.0.1'";
    QTest::newRow("connect port 0")
        << QStringList{"connect", "127.0.0.1:0"}
        << "connect needs HOST:PORT with a port from 1 to 65535, got '127.0.0.1:0'";
    QTest::newRow("connect bare ipv6")
        << QStringList{"connect", "::1:80"}
        << "connect needs HOST:PORT with a port from 1 to 65535, got '::1:80'";
    QTest::newRow("connect --once")
        << QStringList{"connect", "h:1", "--once"} << "--once applies to listen only";
    QTest::newRow("connect --port")
        << QStringList{"connect", "h:1", "--port", "2"} << "--port applies to listen only";
    QTest::newRow("short key") << QStringList{"connect", "h:1", "--key", "abcd"}
                               << "--key must be 64 hex digits, got 'abcd'";
    QTest::newRow("empty extension") << QStringList{"connect", "h:1", "--extension", ""}
                                     << "--extension needs a name of 1 to 256 bytes";
    QTest::newRow("negative timeout") << QStringList{"connect", "h:1", "--timeout", "-1"}
                                      << "--timeout must be a number of milliseconds, got '-1'";
    QTest::newRow("missing value")
        << QStringList{"connect", "h:1", "--timeout"} << "Missing value after '--timeout'.";
    QTest::newRow("read nothing") << QStringList{"read"} << "read needs a CAPTURE file";
    QTest::newRow("read --fast") << QStringList{"read", "c.jsonl", "--fast"}
                                 << "--fast does not apply to read";
    QTest::newRow("read --port") << QStringList{"read", "c.jsonl", "--port", "1"}
                                 << "--port does not apply to read";
    QTest::newRow("replay no --connect")
        << QStringList{"replay", "c.jsonl"} << "replay needs --connect HOST:PORT";
    QTest::newRow("replay bad --connect")
        << QStringList{"replay", "c.jsonl", "--connect", "h"}
        << "--connect needs HOST:PORT with a port from 1 to 65535, got 'h'";
    QTest::newRow("replay bad --session")
        << QStringList{"replay", "c.jsonl", "--connect", "h:1", "--session", "x"}
        << "--session must be a session id, got 'x'";
    QTest::newRow("connect --fast")
        << QStringList{"connect", "h:1", "--fast"} << "--fast applies to replay only";
}

void tst_CliOptions::rejectsBadArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const auto parsed = parse(arguments);
    QVERIFY(std::holds_alternative<CliExit>(parsed));
    const CliExit &exit = std::get<CliExit>(parsed);
    QCOMPARE(exit.exitCode, 2);
    QCOMPARE(exit.text.section(u'\n', 0, 0), QStringLiteral("hyperscope-cli: ") + message);
}

QTEST_APPLESS_MAIN(tst_CliOptions)
#include "tst_clioptions.moc"
