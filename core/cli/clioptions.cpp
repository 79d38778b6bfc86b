#include "clioptions.h"

#include <QCommandLineParser>
#include <QHostAddress>

#include <climits>

namespace hyperscope {

namespace {

CliExit badArguments(const QString &message)
{
    return {2, QStringLiteral("hyperscope-cli: %1\nTry 'hyperscope-cli --help'.\n").arg(message)};
}

std::optional<quint16> parsePort(const QString &text, bool allowZero)
{
    bool ok = false;
    const uint port = text.toUInt(&ok, 10);
    if (!ok || port > 65535 || (port == 0 && !allowZero))
        return std::nullopt;
    return quint16(port);
}

} // namespace

EngineOptions CliOptions::engineOptions() const
{
    EngineOptions options;
    options.initiator = mode == Mode::Connect;
    options.noise = noise;
    options.encrypted = encrypted && noise;
    options.timeout = timeout;
    return options;
}

QString cliUsage()
{
    return QStringLiteral(
        "Usage:\n"
        "  hyperscope-cli listen [--host ADDR] --port PORT [--once] [options]\n"
        "  hyperscope-cli connect HOST:PORT [options]\n"
        "\n"
        "A headless Hypercore wire protocol v9 peer. Prints one JSON event per line on stdout\n"
        "and reads one JSON command per line on stdin.\n"
        "\n"
        "listen:\n"
        "  --host ADDR        address to listen on (default 127.0.0.1)\n"
        "  --port PORT        port to listen on; 0 picks a free one (printed first, in the\n"
        "                     \"listening\" event)\n"
        "  --once             serve a single connection and exit when it ends\n"
        "\n"
        "options:\n"
        "  --key HEX          open a channel for this 32-byte feed key once the session is up\n"
        "                     (repeatable)\n"
        "  --extension NAME   register a stream-level extension (repeatable)\n"
        "  --allow-key HEX    accept only peers whose static public key (64 hex digits) is\n"
        "                     one of these (repeatable); others are refused in the handshake\n"
        "  --timeout MS       inactivity timeout in milliseconds, keepalive at half (default\n"
        "                     20000; 0 disables both)\n"
        "  --no-encrypt       Noise handshake, but plaintext transport\n"
        "  --no-noise         no handshake, no encryption, no capabilities\n"
        "  --trace            also print a \"frame\" event for every frame in and out\n"
        "  -h, --help         show this help\n"
        "\n"
        "Events (stdout): listening, connected, handshake, discovery-key, channel, message,\n"
        "extensions, extension, close, frame, error, end. Each has \"event\" and \"session\"\n"
        "(1, 2, ... per connection; 0 for the process itself: listening, and command errors\n"
        "that name no live session).\n"
        "\n"
        "Commands (stdin), with an optional \"session\" (default: the latest one alive):\n"
        "  {\"cmd\":\"open\",\"key\":HEX}\n"
        "  {\"cmd\":\"send\",\"key\":HEX,\"type\":\"Want\",\"message\":{\"start\":0}}\n"
        "  {\"cmd\":\"register\",\"name\":NAME[,\"key\":HEX]}\n"
        "  {\"cmd\":\"extension\",\"name\":NAME,\"payload\":HEX[,\"key\":HEX]}\n"
        "  {\"cmd\":\"close\",\"key\":HEX}\n"
        "  {\"cmd\":\"frame\",\"channel\":ID,\"type\":0..15|NAME,\"payload\":HEX}  (raw frame)\n"
        "  {\"cmd\":\"ping\"}\n"
        "  {\"cmd\":\"quit\"}\n"
        "\"discoveryKey\" may replace \"key\" wherever it selects a channel.\n"
        "\n"
        "Exit status: connect: 0 after a clean end, 1 after an error; listen --once: the same for\n"
        "its connection; quit, SIGINT, SIGTERM: 0; bad arguments: 2.\n");
}

std::variant<CliOptions, CliExit> parseCliArguments(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    const QCommandLineOption host(QStringLiteral("host"), QString(), QStringLiteral("ADDR"));
    const QCommandLineOption port(QStringLiteral("port"), QString(), QStringLiteral("PORT"));
    const QCommandLineOption once(QStringLiteral("once"));
    const QCommandLineOption key(QStringLiteral("key"), QString(), QStringLiteral("HEX"));
    const QCommandLineOption extension(QStringLiteral("extension"), QString(),
                                       QStringLiteral("NAME"));
    const QCommandLineOption timeout(QStringLiteral("timeout"), QString(), QStringLiteral("MS"));
    const QCommandLineOption noEncrypt(QStringLiteral("no-encrypt"));
    const QCommandLineOption noNoise(QStringLiteral("no-noise"));
    const QCommandLineOption trace(QStringLiteral("trace"));
    const QCommandLineOption allowKey(QStringLiteral("allow-key"), QString(), QStringLiteral("HEX"));
    parser.addOptions(
        {help, host, port, once, key, extension, timeout, noEncrypt, noNoise, trace, allowKey});

    if (!parser.parse(arguments))
        return badArguments(parser.errorText());
    if (parser.isSet(help))
        return CliExit{0, cliUsage()};

    CliOptions options;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return badArguments(QStringLiteral("missing command: 'listen' or 'connect'"));
    const QString command = positional.first();

    if (command == QLatin1String("listen")) {
        options.mode = CliOptions::Mode::Listen;
        if (positional.size() > 1)
            return badArguments(QStringLiteral("unexpected argument '%1'").arg(positional.at(1)));
        if (!parser.isSet(port))
            return badArguments(QStringLiteral("listen needs --port PORT (0 picks a free port)"));
        const auto value = parsePort(parser.value(port), true);
        if (!value) {
            return badArguments(QStringLiteral("--port must be a number from 0 to 65535, got '%1'")
                                    .arg(parser.value(port)));
        }
        options.port = *value;
        if (parser.isSet(host)) {
            options.host = parser.value(host);
            if (options.host == QLatin1String("localhost"))
                options.host = QStringLiteral("127.0.0.1");
            if (QHostAddress(options.host).isNull()) {
                return badArguments(
                    QStringLiteral("--host must be an IP address, got '%1'").arg(options.host));
            }
        }
        options.once = parser.isSet(once);
    } else if (command == QLatin1String("connect")) {
        options.mode = CliOptions::Mode::Connect;
        if (positional.size() < 2)
            return badArguments(QStringLiteral("connect needs HOST:PORT"));
        if (positional.size() > 2)
            return badArguments(QStringLiteral("unexpected argument '%1'").arg(positional.at(2)));
        for (const QCommandLineOption *listenOnly : {&host, &port, &once}) {
            if (parser.isSet(*listenOnly)) {
                return badArguments(QStringLiteral("--%1 applies to listen only")
                                        .arg(listenOnly->names().constLast()));
            }
        }
        // HOST:PORT, or [IPV6]:PORT.
        const QString target = positional.at(1);
        const qsizetype colon = target.lastIndexOf(u':');
        QString hostPart = colon > 0 ? target.left(colon) : QString();
        if (hostPart.startsWith(u'[') && hostPart.endsWith(u']'))
            hostPart = hostPart.mid(1, hostPart.size() - 2);
        const auto value = colon > 0 ? parsePort(target.mid(colon + 1), false) : std::nullopt;
        if (hostPart.isEmpty() || !value || (hostPart.contains(u':') && !target.startsWith(u'['))) {
            return badArguments(
                QStringLiteral("connect needs HOST:PORT with a port from 1 to 65535, got '%1'")
                    .arg(target));
        }
        options.host = hostPart;
        options.port = *value;
    } else {
        return badArguments(
            QStringLiteral("unknown command '%1': use 'listen' or 'connect'").arg(command));
    }

    for (const QString &value : parser.values(key)) {
        const auto parsed = key32FromHex(value.toStdString());
        if (!parsed)
            return badArguments(QStringLiteral("--key must be 64 hex digits, got '%1'").arg(value));
        options.keys.push_back(*parsed);
    }
    for (const QString &value : parser.values(extension)) {
        const std::string name = value.toStdString();
        if (name.empty() || name.size() > limits::MaxExtensionNameSize) {
            return badArguments(QStringLiteral("--extension needs a name of 1 to %1 bytes")
                                    .arg(limits::MaxExtensionNameSize));
        }
        options.extensions.push_back(name);
    }
    for (const QString &value : parser.values(allowKey)) {
        const auto parsed = key32FromHex(value.toStdString());
        if (!parsed) {
            return badArguments(
                QStringLiteral("--allow-key must be 64 hex digits, got '%1'").arg(value));
        }
        options.allowedKeys.push_back(*parsed);
    }
    if (!options.allowedKeys.empty() && parser.isSet(noNoise))
        return badArguments(QStringLiteral("--allow-key needs the handshake: not with --no-noise"));
    if (parser.isSet(timeout)) {
        bool ok = false;
        const qlonglong ms = parser.value(timeout).toLongLong(&ok, 10);
        if (!ok || ms < 0 || ms > INT_MAX) {
            return badArguments(
                QStringLiteral("--timeout must be a number of milliseconds, got '%1'")
                    .arg(parser.value(timeout)));
        }
        options.timeout = Millis(ms);
    }
    options.encrypted = !parser.isSet(noEncrypt);
    options.noise = !parser.isSet(noNoise);
    options.trace = parser.isSet(trace);
    return options;
}

} // namespace hyperscope
