// Tests core/session/sessionoptions.cpp: the one parser for HOST:PORT, listen addresses, feed keys
// and the session options of both command lines. Every accepted and refused form, with the exact
// message a person sees.
#include "sessionoptions.h"

#include <QCommandLineParser>
#include <QtTest>

using namespace hyperscope;

namespace {

const QString KeyHex =
    QStringLiteral("215b1a0c9f3e4d5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c");

/// KeyHex with @p separator between its bytes: "21 5b 1a ..." or "21:5b:1a:...".
QString spaced(const QString &separator)
{
    QStringList bytes;
    for (qsizetype i = 0; i < KeyHex.size(); i += 2)
        bytes << KeyHex.mid(i, 2);
    return bytes.join(separator);
}

/// Every option SessionCommandLine has: hyperscope-cli's set.
const SessionCommandLine::Options EveryOption =
    SessionCommandLine::Option::Keys | SessionCommandLine::Option::Extensions |
    SessionCommandLine::Option::AllowedKeys | SessionCommandLine::Option::Timeout |
    SessionCommandLine::Option::Encryption;

const QString InvalidListenHost =
    QStringLiteral("a listener binds to an address such as 127.0.0.1, 0.0.0.0 or ::1");

} // namespace

class tst_SessionOptions : public QObject
{
    Q_OBJECT

private slots:
    void acceptsHostPort_data();
    void acceptsHostPort();
    void refusesHostPort_data();
    void refusesHostPort();
    void acceptsListenHost_data();
    void acceptsListenHost();
    void refusesListenHost_data();
    void refusesListenHost();
    void acceptsListenAddress_data();
    void acceptsListenAddress();
    void refusesListenAddress_data();
    void refusesListenAddress();
    void acceptsKey_data();
    void acceptsKey();
    void refusesKey_data();
    void refusesKey();
    void parsesTimeout_data();
    void parsesTimeout();
    void checksExtensionNames_data();
    void checksExtensionNames();
    void makesEngineOptions();
    void readsCommandLine_data();
    void readsCommandLine();
    void refusesCommandLine_data();
    void refusesCommandLine();
    void offersOnlyChosenOptions();
};

void tst_SessionOptions::acceptsHostPort_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::newRow("ipv4") << "127.0.0.1:4000"
                          << "127.0.0.1" << 4000;
    QTest::newRow("name") << "localhost:1"
                          << "localhost" << 1;
    QTest::newRow("dotted name, highest port") << "peer-1.example_net.org:65535"
                                               << "peer-1.example_net.org" << 65535;
    QTest::newRow("international name") << "bücher.example:80"
                                        << "bücher.example" << 80;
    QTest::newRow("ipv6 loopback") << "[::1]:4000"
                                   << "::1" << 4000;
    QTest::newRow("ipv6 full") << "[2001:db8::8a2e:370:7334]:443"
                               << "2001:db8::8a2e:370:7334" << 443;
    QTest::newRow("surrounding spaces") << "  10.0.0.2:22\t"
                                        << "10.0.0.2" << 22;
    QTest::newRow("leading zeros") << "h:0080"
                                   << "h" << 80;
}

void tst_SessionOptions::acceptsHostPort()
{
    QFETCH(QString, text);
    QFETCH(QString, host);
    QFETCH(int, port);
    QString error;
    const std::optional<HostPort> parsed = parseHostPort(text, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->host, host);
    QCOMPARE(int(parsed->port), port);
    QVERIFY(error.isEmpty());
    // The out-parameter form (MainWindow's recent list) agrees.
    QString outHost;
    quint16 outPort = 0;
    QVERIFY(parseHostPort(text, &outHost, &outPort, nullptr));
    QCOMPARE(outHost, host);
    QCOMPARE(int(outPort), port);
}

void tst_SessionOptions::refusesHostPort_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << ""
                           << "address: empty; write HOST:PORT, e.g. 127.0.0.1:4000";
    QTest::newRow("blank") << "   "
                           << "address: empty; write HOST:PORT, e.g. 127.0.0.1:4000";
    QTest::newRow("no port") << "127.0.0.1"
                             << "'127.0.0.1': no port; write HOST:PORT, e.g. 127.0.0.1:4000";
    QTest::newRow("no host") << ":4000"
                             << "':4000': no host before the port; write HOST:PORT, e.g. "
                                "127.0.0.1:4000";
    QTest::newRow("empty port") << "h:"
                                << "port: missing; use a number from 1 to 65535";
    QTest::newRow("port 0") << "h:0"
                            << "port '0': out of range; use 1 to 65535";
    QTest::newRow("port 65536") << "h:65536"
                                << "port '65536': out of range; use 1 to 65535";
    QTest::newRow("port beyond uint") << "h:99999999999"
                                      << "port '99999999999': out of range; use 1 to 65535";
    QTest::newRow("port a name") << "h:http"
                                 << "port 'http': not a number; use 1 to 65535";
    QTest::newRow("port negative") << "h:-1"
                                   << "port '-1': not a number; use 1 to 65535";
    QTest::newRow("port with sign") << "h:+80"
                                    << "port '+80': not a number; use 1 to 65535";
    QTest::newRow("bare ipv6") << "::1:80"
                               << "'::1:80': an IPv6 address needs brackets, e.g. [::1]:4000";
    QTest::newRow("bare ipv6 without port")
        << "fe80::1"
        << "'fe80::1': an IPv6 address needs brackets, e.g. [::1]:4000";
    QTest::newRow("unclosed bracket") << "[::1:80"
                                      << "'[::1:80': the IPv6 address has no closing ']'; write "
                                         "[ADDRESS]:PORT, e.g. [::1]:4000";
    QTest::newRow("bracket without port")
        << "[::1]"
        << "'[::1]': no port after the IPv6 address; write [ADDRESS]:PORT, e.g. [::1]:4000";
    QTest::newRow("bracket without colon")
        << "[::1]80"
        << "'[::1]80': no port after the IPv6 address; write [ADDRESS]:PORT, e.g. [::1]:4000";
    QTest::newRow("ipv4 in brackets")
        << "[127.0.0.1]:80"
        << "host '127.0.0.1': not an IPv6 address; brackets hold IPv6 addresses only";
    QTest::newRow("empty brackets")
        << "[]:80"
        << "host '': not an IPv6 address; brackets hold IPv6 addresses only";
    QTest::newRow("bad ipv6 port") << "[::1]:0"
                                   << "port '0': out of range; use 1 to 65535";
    QTest::newRow("space in host") << "my host:80"
                                   << "host 'my host': not a host name or IP address";
    QTest::newRow("url") << "tcp://h:80"
                         << "'tcp://h:80': an IPv6 address needs brackets, e.g. "
                            "[::1]:4000";
    QTest::newRow("user@host") << "me@h:80"
                               << "host 'me@h': not a host name or IP address";
}

void tst_SessionOptions::refusesHostPort()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!parseHostPort(text, &error));
    QCOMPARE(error, message);
    QVERIFY(!parseHostPort(text)); // no error wanted: still refused, nothing written
    // The out-parameter form leaves its outputs alone.
    QString host = QStringLiteral("unchanged");
    quint16 port = 7;
    QVERIFY(!parseHostPort(text, &host, &port, nullptr));
    QCOMPARE(host, QStringLiteral("unchanged"));
    QCOMPARE(port, 7);
}

void tst_SessionOptions::acceptsListenHost_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("address");
    QTest::newRow("ipv4 loopback") << "127.0.0.1"
                                   << "127.0.0.1";
    QTest::newRow("ipv4 any") << "0.0.0.0"
                              << "0.0.0.0";
    QTest::newRow("ipv6 loopback") << "::1"
                                   << "::1";
    QTest::newRow("ipv6 any") << "::"
                              << "::";
    QTest::newRow("ipv6 in brackets") << "[::1]"
                                      << "::1";
    QTest::newRow("localhost") << "localhost"
                               << "127.0.0.1";
    QTest::newRow("LOCALHOST") << "LOCALHOST"
                               << "127.0.0.1";
    QTest::newRow("spaces") << " 10.1.2.3 "
                            << "10.1.2.3";
}

void tst_SessionOptions::acceptsListenHost()
{
    QFETCH(QString, text);
    QFETCH(QString, address);
    QString error;
    const std::optional<QHostAddress> parsed = parseListenHost(text, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(*parsed, QHostAddress(address));
}

void tst_SessionOptions::refusesListenHost_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << ""
                           << "address: empty; use an IP address such as 127.0.0.1, 0.0.0.0 or "
                              "::1";
    QTest::newRow("name") << "x.y"
                          << "address 'x.y': not an IP address; " + InvalidListenHost;
    QTest::newRow("host name") << "example.org"
                               << "address 'example.org': not an IP address; " + InvalidListenHost;
    QTest::newRow("ipv4 in brackets")
        << "[127.0.0.1]"
        << "address '[127.0.0.1]': not an IP address; " + InvalidListenHost;
    QTest::newRow("with port") << "127.0.0.1:80"
                               << "address '127.0.0.1:80': not an IP address; " + InvalidListenHost;
}

void tst_SessionOptions::refusesListenHost()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!parseListenHost(text, &error));
    QCOMPARE(error, message);
}

void tst_SessionOptions::acceptsListenAddress_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("port");
    QTest::newRow("port") << "4000"
                          << "127.0.0.1" << 4000;
    QTest::newRow("any free port") << "0"
                                   << "127.0.0.1" << 0;
    QTest::newRow("ipv4") << "0.0.0.0:4000"
                          << "0.0.0.0" << 4000;
    QTest::newRow("ipv6") << "[::]:0"
                          << "::" << 0;
    QTest::newRow("ipv6 loopback") << "[::1]:65535"
                                   << "::1" << 65535;
    QTest::newRow("localhost") << "localhost:5"
                               << "127.0.0.1" << 5;
}

void tst_SessionOptions::acceptsListenAddress()
{
    QFETCH(QString, text);
    QFETCH(QString, address);
    QFETCH(int, port);
    QString error;
    const std::optional<ListenAddress> parsed = parseListenAddress(text, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->address, QHostAddress(address));
    QCOMPARE(int(parsed->port), port);
}

void tst_SessionOptions::refusesListenAddress_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << ""
                           << "port: missing; use a number from 0 to 65535";
    QTest::newRow("port too big") << "65536"
                                  << "port '65536': out of range; use 0 to 65535";
    QTest::newRow("address only")
        << "0.0.0.0"
        << "'0.0.0.0': not a port; write PORT or ADDRESS:PORT, e.g. 4000 or 0.0.0.0:4000";
    QTest::newRow("negative")
        << "-1"
        << "'-1': not a port; write PORT or ADDRESS:PORT, e.g. 4000 or 0.0.0.0:4000";
    QTest::newRow("bare ipv6") << "::1:80"
                               << "'::1:80': an IPv6 address needs brackets, e.g. [::]:4000";
    QTest::newRow("ipv6 without port")
        << "[::1]"
        << "'[::1]': no port after the IPv6 address; write [ADDRESS]:PORT, e.g. [::]:4000";
    QTest::newRow("host name") << "x.y:80"
                               << "address 'x.y': not an IP address; " + InvalidListenHost;
    QTest::newRow("no address") << ":80"
                                << "address: empty; use an IP address such as 127.0.0.1, "
                                   "0.0.0.0 or ::1";
    QTest::newRow("bad port") << "0.0.0.0:x"
                              << "port 'x': not a number; use 0 to 65535";
}

void tst_SessionOptions::refusesListenAddress()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!parseListenAddress(text, &error));
    QCOMPARE(error, message);
}

void tst_SessionOptions::acceptsKey_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("lower case") << KeyHex;
    QTest::newRow("upper case") << KeyHex.toUpper();
    QTest::newRow("0x prefix") << "0x" + KeyHex;
    QTest::newRow("0X prefix, spaced") << "  0X " + spaced(QStringLiteral(" "));
    QTest::newRow("spaces between bytes") << spaced(QStringLiteral(" "));
    QTest::newRow("colons between bytes") << spaced(QStringLiteral(":"));
    QTest::newRow("colons and spaces") << spaced(QStringLiteral(": "));
    QTest::newRow("hexdump lines") << spaced(QStringLiteral(" ")).replace(47, 1, u'\n');
    QTest::newRow("surrounding white space") << "\t " + KeyHex + " \n";
    QTest::newRow("groups of four")
        << KeyHex.left(4) + " " + KeyHex.mid(4, 4) + ":" + KeyHex.mid(8);
}

void tst_SessionOptions::acceptsKey()
{
    QFETCH(QString, text);
    QString error;
    const std::optional<Key32> key = parseKeyHex(text, &error);
    QVERIFY2(key, qPrintable(error));
    QCOMPARE(QString::fromStdString(toHex(*key)), KeyHex);
}

void tst_SessionOptions::refusesKey_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    const QString notHex = QStringLiteral("; a key is written with 0-9 and a-f");
    const QString length = QStringLiteral("; a key is 32 bytes, 64 hex digits");
    QTest::newRow("empty") << ""
                           << "Enter a key: 64 hex digits (32 bytes)";
    QTest::newRow("separators only") << " : : "
                                     << "Enter a key: 64 hex digits (32 bytes)";
    QTest::newRow("0x only") << "0x"
                             << "Enter a key: 64 hex digits (32 bytes)";
    QTest::newRow("not hex") << "xyz"
                             << "key: 'x' is not a hex digit (position 1)" + notHex;
    QTest::newRow("g inside") << KeyHex.left(9) + "g" + KeyHex.mid(10)
                              << "key: 'g' is not a hex digit (position 10)" + notHex;
    QTest::newRow("position counts separators")
        << spaced(QStringLiteral(" ")).replace(3, 1, u'z')
        << "key: 'z' is not a hex digit (position 4)" + notHex;
    QTest::newRow("dashes") << spaced(QStringLiteral("-"))
                            << "key: '-' is not a hex digit (position 3)" + notHex;
    QTest::newRow("non-ASCII") << "é" + KeyHex
                               << "key: 'é' is not a hex digit (position 1)" + notHex;
    QTest::newRow("outside the BMP") << "00😀"
                                     << "key: '😀' is not a hex digit (position 3)" + notHex;
    QTest::newRow("too short") << "00112233445566778899"
                               << "key: has 20 hex digits" + length;
    QTest::newRow("one byte missing")
        << spaced(QStringLiteral(":")).mid(3) << "key: has 62 hex digits" + length;
    QTest::newRow("too long") << KeyHex + "0"
                              << "key: has 65 hex digits" + length;
}

void tst_SessionOptions::refusesKey()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!parseKeyHex(text, &error));
    QCOMPARE(error, message);
    QVERIFY(!parseKeyHex(text));
}

void tst_SessionOptions::parsesTimeout_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("ms"); // -1: refused
    QTest::newRow("none") << "0" << 0;
    QTest::newRow("quarter second") << "250" << 250;
    QTest::newRow("spaces") << " 20000 " << 20000;
    QTest::newRow("largest") << "2147483647" << 2147483647;
    QTest::newRow("too large") << "2147483648" << -1;
    QTest::newRow("negative") << "-1" << -1;
    QTest::newRow("not a number") << "1s" << -1;
    QTest::newRow("empty") << "" << -1;
}

void tst_SessionOptions::parsesTimeout()
{
    QFETCH(QString, text);
    QFETCH(int, ms);
    QString error;
    const std::optional<int> parsed = parseTimeoutMs(text, &error);
    if (ms < 0) {
        QVERIFY(!parsed);
        QCOMPARE(error, QStringLiteral("timeout '%1': not a number of milliseconds from 0 (none) "
                                       "to 2147483647")
                            .arg(text));
    } else {
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(*parsed, ms);
    }
}

void tst_SessionOptions::checksExtensionNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("message"); // empty: valid
    QTest::newRow("short") << "x"
                           << "";
    QTest::newRow("longest") << QString(256, u'n') << "";
    QTest::newRow("empty") << ""
                           << "extension name '': has 0 bytes; a name has 1 to 256";
    QTest::newRow("too long") << QString(257, u'n')
                              << QStringLiteral("extension name '%1': has 257 bytes; a name has "
                                                "1 to 256")
                                     .arg(QString(257, u'n'));
    // Bytes of UTF-8, not characters: 128 two-byte characters fit, 129 do not.
    QTest::newRow("utf-8 fits") << QString(128, u'é') << "";
    QTest::newRow("utf-8 too long") << QString(129, u'é')
                                    << QStringLiteral("extension name '%1': has 258 bytes; a name "
                                                      "has 1 to 256")
                                           .arg(QString(129, u'é'));
}

void tst_SessionOptions::checksExtensionNames()
{
    QFETCH(QString, name);
    QFETCH(QString, message);
    QString error;
    QCOMPARE(isValidExtensionName(name, &error), message.isEmpty());
    QCOMPARE(error, message);
}

void tst_SessionOptions::makesEngineOptions()
{
    ConnectionOptions options;
    EngineOptions engine = options.engineOptions(true);
    QVERIFY(engine.initiator && engine.noise && engine.encrypted);
    QCOMPARE(engine.timeout, limits::DefaultTimeout);

    options.encrypted = false;
    options.timeoutMs = 0;
    engine = options.engineOptions(false);
    QVERIFY(!engine.initiator && engine.noise && !engine.encrypted);
    QCOMPARE(engine.timeout, Millis(0));

    // Encryption needs the handshake, whatever the encrypted flag says.
    options.noise = false;
    options.encrypted = true;
    engine = options.engineOptions(true);
    QVERIFY(!engine.noise && !engine.encrypted);
    const EngineOptions direct =
        ConnectionOptions::makeEngineOptions(false, false, true, Millis(1500));
    QVERIFY(!direct.initiator && !direct.noise && !direct.encrypted);
    QCOMPARE(direct.timeout, Millis(1500));
}

void tst_SessionOptions::readsCommandLine_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("keys");
    QTest::addColumn<QStringList>("extensions");
    QTest::addColumn<int>("allowedKeys");
    QTest::addColumn<int>("timeoutMs");
    QTest::addColumn<bool>("noise");
    QTest::addColumn<bool>("encrypted");
    const int defaultTimeout = int(limits::DefaultTimeout.count());
    QTest::newRow("nothing") << QStringList{} << 0 << QStringList{} << 0 << defaultTimeout << true
                             << true;
    QTest::newRow("everything") << QStringList{"--key",       KeyHex, "--key",       spaced(":"),
                                               "--extension", "one",  "--extension", "two",
                                               "--allow-key", KeyHex, "--timeout",   "250",
                                               "--no-encrypt"}
                                << 2 << QStringList{"one", "two"} << 1 << 250 << true << false;
    QTest::newRow("no noise") << QStringList{"--no-noise", "--timeout", "0"} << 0 << QStringList{}
                              << 0 << 0 << false << false;
}

void tst_SessionOptions::readsCommandLine()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, keys);
    QFETCH(QStringList, extensions);
    QFETCH(int, allowedKeys);
    QFETCH(int, timeoutMs);
    QFETCH(bool, noise);
    QFETCH(bool, encrypted);
    QCommandLineParser parser;
    const SessionCommandLine commandLine(EveryOption);
    commandLine.addTo(parser);
    QVERIFY2(parser.parse(QStringList{"program"} + arguments), qPrintable(parser.errorText()));
    QString error;
    const std::optional<ConnectionOptions> options = commandLine.read(parser, &error);
    QVERIFY2(options, qPrintable(error));
    QCOMPARE(options->keys.size(), keys);
    for (const Key32 &key : options->keys)
        QCOMPARE(QString::fromStdString(toHex(key)), KeyHex);
    QCOMPARE(options->extensions, extensions);
    QCOMPARE(options->allowedKeys.size(), allowedKeys);
    QCOMPARE(options->timeoutMs, timeoutMs);
    QCOMPARE(options->noise, noise);
    QCOMPARE(options->encrypted, encrypted);
}

void tst_SessionOptions::refusesCommandLine_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    // hyperscope-cli's tests and scripts rely on these exact words.
    QTest::newRow("short key") << QStringList{"--key", "abcd"}
                               << "--key must be 64 hex digits, got 'abcd'";
    QTest::newRow("empty extension")
        << QStringList{"--extension", ""} << "--extension needs a name of 1 to 256 bytes";
    QTest::newRow("long extension") << QStringList{"--extension", QString(257, u'x')}
                                    << "--extension needs a name of 1 to 256 bytes";
    QTest::newRow("bad allowed key")
        << QStringList{"--allow-key", "zz"} << "--allow-key must be 64 hex digits, got 'zz'";
    QTest::newRow("allowed key without noise")
        << QStringList{"--allow-key", KeyHex, "--no-noise"}
        << "--allow-key needs the handshake: not with --no-noise";
    QTest::newRow("negative timeout")
        << QStringList{"--timeout", "-1"} << "--timeout must be a number of milliseconds, got '-1'";
    QTest::newRow("huge timeout") << QStringList{"--timeout", "2147483648"}
                                  << "--timeout must be a number of milliseconds, got '2147483648'";
    // The first problem is the one reported.
    QTest::newRow("key before timeout")
        << QStringList{"--timeout", "x", "--key", "1"} << "--key must be 64 hex digits, got '1'";
}

void tst_SessionOptions::refusesCommandLine()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QCommandLineParser parser;
    const SessionCommandLine commandLine(EveryOption);
    commandLine.addTo(parser);
    QVERIFY2(parser.parse(QStringList{"program"} + arguments), qPrintable(parser.errorText()));
    QString error;
    QVERIFY(!commandLine.read(parser, &error));
    QCOMPARE(error, message);
}

void tst_SessionOptions::offersOnlyChosenOptions()
{
    // The inspector's set: no --extension, no --allow-key.
    QCommandLineParser parser;
    const SessionCommandLine commandLine(SessionCommandLine::Option::Keys |
                                         SessionCommandLine::Option::Encryption |
                                         SessionCommandLine::Option::Timeout);
    commandLine.addTo(parser);
    QVERIFY(!parser.parse({"program", "--extension", "x"}));
    QCOMPARE(parser.errorText(), QStringLiteral("Unknown option 'extension'."));
    QVERIFY(!parser.parse({"program", "--allow-key", KeyHex}));
    QVERIFY(parser.parse({"program", "--key", KeyHex, "--no-noise", "--timeout", "5"}));
    const std::optional<ConnectionOptions> options = commandLine.read(parser);
    QVERIFY(options);
    QCOMPARE(options->keys.size(), 1);
    QVERIFY(!options->noise && !options->encrypted);
    QCOMPARE(options->timeoutMs, 5);
    QVERIFY(options->extensions.isEmpty() && options->allowedKeys.isEmpty());
}

QTEST_APPLESS_MAIN(tst_SessionOptions)
#include "tst_sessionoptions.moc"
