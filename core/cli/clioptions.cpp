#include "clioptions.h"

#include "hyperscope_version.h"
#include "servefeed.h"
#include "sessionoptions.h"

#include <QCommandLineParser>

namespace hyperscope {

namespace {

CliExit badArguments(const QString &message)
{
    return {2, QStringLiteral("hyperscope-cli: %1\nTry 'hyperscope-cli --help'.\n").arg(message)};
}

/// --serve, --block-size, --feed-secret into @p options; a usage error when they are wrong.
std::optional<CliExit> readServeOptions(const QCommandLineParser &parser,
                                        const QCommandLineOption &serve,
                                        const QCommandLineOption &blockSize,
                                        const QCommandLineOption &feedSecret, CliOptions &options)
{
    if (!parser.isSet(serve)) {
        for (const QCommandLineOption *option : {&blockSize, &feedSecret}) {
            if (parser.isSet(*option)) {
                return badArguments(
                    QStringLiteral("--%1 needs --serve FILE").arg(option->names().constFirst()));
            }
        }
        return std::nullopt;
    }
    if (options.mode == CliOptions::Mode::Relay) {
        return badArguments(
            QStringLiteral("--serve does not apply to relay: the relay forwards its peers' feeds"));
    }
    options.serveFile = parser.value(serve);
    if (options.serveFile.isEmpty())
        return badArguments(QStringLiteral("--serve needs a file name"));
    if (parser.isSet(blockSize)) {
        bool ok = false;
        const qulonglong value = parser.value(blockSize).toULongLong(&ok);
        if (!ok || value == 0 || value > MaxServedBlockSize) {
            return badArguments(
                QStringLiteral("--block-size must be a number of bytes from 1 to %1 (8 MiB), "
                               "got '%2'")
                    .arg(MaxServedBlockSize)
                    .arg(parser.value(blockSize)));
        }
        options.blockSize = std::size_t(value);
    }
    if (parser.isSet(feedSecret)) {
        QString error;
        options.feedKeyPair = parseFeedSecret(parser.value(feedSecret), &error);
        if (!options.feedKeyPair)
            return badArguments(error);
    }
    return std::nullopt;
}

} // namespace

EngineOptions CliOptions::engineOptions() const
{
    return ConnectionOptions::makeEngineOptions(mode == Mode::Connect || mode == Mode::Replay,
                                                noise, encrypted, timeout);
}

QString cliVersion()
{
    return QStringLiteral("hyperscope-cli " HYPERSCOPE_VERSION "\n");
}

QString cliUsage()
{
    return QStringLiteral(
        "Usage:\n"
        "  hyperscope-cli listen [--host ADDR] --port PORT [--once] [options]\n"
        "  hyperscope-cli connect HOST:PORT [options]\n"
        "  hyperscope-cli relay [--host ADDR] --port PORT --upstream HOST:PORT [--once]\n"
        "                       [--key HEX]... [--timeout MS] [--no-encrypt] [--no-noise] "
        "[--trace]\n"
        "                       [--filter EXPR] [--intercept EXPR] [--no-verify]\n"
        "  hyperscope-cli read CAPTURE [--filter EXPR] [--trace] [--no-verify]\n"
        "  hyperscope-cli replay CAPTURE --connect HOST:PORT [--session N] [--key HEX]...\n"
        "                        [--fast] [options]\n"
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
        "relay (a decrypting man in the middle: peers dial it instead of the upstream peer):\n"
        "  --host, --port, --once   as for listen\n"
        "  --upstream HOST:PORT     where each accepted connection is relayed to\n"
        "  --key HEX                a feed key the relay may forward (repeatable); a channel\n"
        "                           whose key it does not know is held (a \"warning\" event)\n"
        "                           until the key is added with {\"cmd\":\"key\",\"key\":HEX}\n"
        "  Events of a relayed connection carry \"leg\":\"client\" (the peer that dialed the\n"
        "  relay) or \"leg\":\"server\" (the upstream peer); message events are printed for what\n"
        "  arrives on a leg, before it is forwarded.\n"
        "\n"
        "read (print a capture's events as if they were happening, like tshark -r):\n"
        "  CAPTURE            a hyperscope-capture file (File > Save Log As, or --capture)\n"
        "  message, extension, warning and error events come with their session (and \"leg\"),\n"
        "  \"direction\":\"in\"|\"out\" and \"timeUs\" (microseconds since the capture began);\n"
        "  --filter selects them as in the live modes, --trace adds frame events\n"
        "\n"
        "replay (dial a peer and send what one session of a capture sent):\n"
        "  --connect HOST:PORT      the peer to dial (a new handshake, new capabilities)\n"
        "  --session N              the capture's session to replay (default: the first one\n"
        "                           that sent a message)\n"
        "  --key HEX                a feed key for channels whose key the capture does not hold\n"
        "                           (repeatable; captures since hyperscope 0.1 keep the keys of\n"
        "                           the channels a session opened)\n"
        "  --fast                   send at once, without the capture's spacing\n"
        "  The connection ends cleanly once the last message is sent.\n"
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
        "  --filter EXPR      print only the message, frame, extension and warning events\n"
        "                     that match EXPR (lifecycle events always), e.g.\n"
        "                     'type == Request && index > 5', 'value contains \"error\"',\n"
        "                     'type in {Have, Data} and channel == 2' (README: Filter\n"
        "                     expressions)\n"
        "  --intercept EXPR   hold the messages that match EXPR, incoming before they are\n"
        "                     delivered (relay: forwarded), outgoing before they are sent; each\n"
        "                     is announced by an \"intercepted\" event with an \"id\" (README:\n"
        "                     Intercepting messages)\n"
        "  --capture FILE     (listen, connect, relay, replay) record every session to FILE,\n"
        "                     a hyperscope-capture the inspector opens (written at exit)\n"
        "  --serve FILE       (listen, connect) serve FILE as a hypercore 9 feed on every\n"
        "                     session: prints a \"feed\" event with its key, opens its channel\n"
        "                     and answers Want and Request as a hypercore 9 writer does\n"
        "  --block-size N     the served feed's block size in bytes, 1 to 8388608 (default\n"
        "                     65536)\n"
        "  --feed-secret HEX  sign the served feed with this Ed25519 seed (64 hex digits) or\n"
        "                     secret key (128); default: a fresh key each run\n"
        "  --no-verify        (every mode) do not verify Data: message events then carry no\n"
        "                     \"verified\", \"verdict\", \"verifiedBy\" or \"verifyError\"\n"
        "                     (\"blocks\" stay). By default every Data of a channel whose feed\n"
        "                     key is known is verified (its proof and the writer's\n"
        "                     signature); in read, with the keys the capture holds\n"
        "  -h, --help         show this help\n"
        "  --version          show the version\n"
        "\n"
        "Events (stdout): listening, connected, handshake, discovery-key, channel, message,\n"
        "extensions, extension, close, frame, warning, error, end. Each has \"event\" and\n"
        "\"session\" (1, 2, ... per connection; 0 for the process itself: listening, and\n"
        "command errors that name no live session); relay adds \"leg\" (see above).\n"
        "\n"
        "Commands (stdin), with an optional \"session\" (default: the latest one alive):\n"
        "  {\"cmd\":\"open\",\"key\":HEX}\n"
        "  {\"cmd\":\"send\",\"key\":HEX,\"type\":\"Want\",\"message\":{\"start\":0}}\n"
        "  {\"cmd\":\"register\",\"name\":NAME[,\"key\":HEX]}\n"
        "  {\"cmd\":\"extension\",\"name\":NAME,\"payload\":HEX[,\"key\":HEX]}\n"
        "  {\"cmd\":\"close\",\"key\":HEX}\n"
        "  {\"cmd\":\"frame\",\"channel\":ID,\"type\":0..15|NAME,\"payload\":HEX}  (raw frame)\n"
        "  {\"cmd\":\"ping\"}\n"
        "  {\"cmd\":\"key\",\"key\":HEX}  (relay: add a feed key, release the Opens held for it)\n"
        "  {\"cmd\":\"resume\",\"id\":ID[,\"message\":{...}]}  (deliver or forward a held\n"
        "                                 message, or this edit of it: same type)\n"
        "  {\"cmd\":\"drop\",\"id\":ID}\n"
        "  {\"cmd\":\"intercept\",\"filter\":EXPR}  (change --intercept; \"\": off, and what is\n"
        "                                      held goes on in order)\n"
        "  {\"cmd\":\"quit\"}\n"
        "\"discoveryKey\" may replace \"key\" wherever it selects a channel. In relay mode send,\n"
        "extension, close and frame need \"leg\":\"client\"|\"server\": the leg to inject into\n"
        "(the message goes to that leg's peer only; nothing is forwarded for it).\n"
        "\n"
        "Exit status: connect: 0 after a clean end, 1 after an error; listen --once: the same for\n"
        "its connection; relay --once: 0 when both legs ended cleanly, else 1; quit, SIGINT,\n"
        "SIGTERM, stdout closed by its reader: 0; bad arguments: 2.\n");
}

std::variant<CliOptions, CliExit> parseCliArguments(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    const QCommandLineOption version(QStringLiteral("version"));
    const QCommandLineOption host(QStringLiteral("host"), QString(), QStringLiteral("ADDR"));
    const QCommandLineOption port(QStringLiteral("port"), QString(), QStringLiteral("PORT"));
    const QCommandLineOption once(QStringLiteral("once"));
    const QCommandLineOption trace(QStringLiteral("trace"));
    const QCommandLineOption upstream(QStringLiteral("upstream"), QString(),
                                      QStringLiteral("HOST:PORT"));
    parser.addOptions({help, version, host, port, once, trace, upstream});
    const QCommandLineOption filterOption(QStringLiteral("filter"), QString(),
                                          QStringLiteral("EXPR"));
    parser.addOption(filterOption);
    const QCommandLineOption interceptOption(QStringLiteral("intercept"), QString(),
                                             QStringLiteral("EXPR"));
    parser.addOption(interceptOption);
    const QCommandLineOption captureOption(QStringLiteral("capture"), QString(),
                                           QStringLiteral("FILE"));
    const QCommandLineOption connectOption(QStringLiteral("connect"), QString(),
                                           QStringLiteral("HOST:PORT"));
    const QCommandLineOption sessionOption(QStringLiteral("session"), QString(),
                                           QStringLiteral("N"));
    const QCommandLineOption fastOption(QStringLiteral("fast"));
    parser.addOptions({captureOption, connectOption, sessionOption, fastOption});
    const QCommandLineOption serveOption(QStringLiteral("serve"), QString(),
                                         QStringLiteral("FILE"));
    const QCommandLineOption blockSizeOption(QStringLiteral("block-size"), QString(),
                                             QStringLiteral("N"));
    const QCommandLineOption feedSecretOption(QStringLiteral("feed-secret"), QString(),
                                              QStringLiteral("HEX"));
    parser.addOptions({serveOption, blockSizeOption, feedSecretOption});
    const QCommandLineOption noVerifyOption(QStringLiteral("no-verify"));
    parser.addOption(noVerifyOption);
    const SessionCommandLine sessionOptions(
        SessionCommandLine::Option::Keys | SessionCommandLine::Option::Extensions |
        SessionCommandLine::Option::AllowedKeys | SessionCommandLine::Option::Timeout |
        SessionCommandLine::Option::Encryption);
    sessionOptions.addTo(parser);

    if (!parser.parse(arguments))
        return badArguments(parser.errorText());
    if (parser.isSet(help))
        return CliExit{0, cliUsage()};
    if (parser.isSet(version))
        return CliExit{0, cliVersion()};

    CliOptions options;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return badArguments(QStringLiteral("missing command: 'listen' or 'connect'"));
    const QString command = positional.first();

    if (command == QLatin1String("listen") || command == QLatin1String("relay")) {
        const bool relay = command == QLatin1String("relay");
        options.mode = relay ? CliOptions::Mode::Relay : CliOptions::Mode::Listen;
        if (positional.size() > 1)
            return badArguments(QStringLiteral("unexpected argument '%1'").arg(positional.at(1)));
        if (!parser.isSet(port)) {
            return badArguments(
                QStringLiteral("%1 needs --port PORT (0 picks a free port)").arg(command));
        }
        const std::optional<quint16> value = parsePort(parser.value(port), true);
        if (!value) {
            return badArguments(QStringLiteral("--port must be a number from 0 to 65535, got '%1'")
                                    .arg(parser.value(port)));
        }
        options.port = *value;
        if (parser.isSet(host)) {
            const std::optional<QHostAddress> address = parseListenHost(parser.value(host));
            if (!address) {
                return badArguments(QStringLiteral("--host must be an IP address, got '%1'")
                                        .arg(parser.value(host)));
            }
            options.host = address->toString();
        }
        options.once = parser.isSet(once);
        if (relay) {
            if (!parser.isSet(upstream))
                return badArguments(QStringLiteral("relay needs --upstream HOST:PORT"));
            QString why;
            const std::optional<HostPort> target = parseHostPort(parser.value(upstream), &why);
            if (!target)
                return badArguments(QStringLiteral("--upstream: %1").arg(why));
            options.upstreamHost = target->host;
            options.upstreamPort = target->port;
            // The relay forwards what its peers announce and announces nothing of its own; it
            // accepts any peer (each sees the relay's key, not the other peer's).
            for (const char *name : {"extension", "allow-key"}) {
                if (parser.isSet(QLatin1String(name))) {
                    return badArguments(
                        QStringLiteral("--%1 does not apply to relay: the relay forwards its "
                                       "peers' extensions and announces none, and accepts any "
                                       "peer")
                            .arg(QLatin1String(name)));
                }
            }
        } else if (parser.isSet(upstream)) {
            return badArguments(QStringLiteral("--upstream applies to relay only"));
        }
    } else if (command == QLatin1String("connect")) {
        options.mode = CliOptions::Mode::Connect;
        if (positional.size() < 2)
            return badArguments(QStringLiteral("connect needs HOST:PORT"));
        if (positional.size() > 2)
            return badArguments(QStringLiteral("unexpected argument '%1'").arg(positional.at(2)));
        if (parser.isSet(upstream))
            return badArguments(QStringLiteral("--upstream applies to relay only"));
        for (const QCommandLineOption *listenOnly : {&host, &port, &once}) {
            if (parser.isSet(*listenOnly)) {
                return badArguments(QStringLiteral("--%1 applies to listen only")
                                        .arg(listenOnly->names().constLast()));
            }
        }
        const QString target = positional.at(1);
        const std::optional<HostPort> peer = parseHostPort(target);
        if (!peer) {
            return badArguments(
                QStringLiteral("connect needs HOST:PORT with a port from 1 to 65535, got '%1'")
                    .arg(target));
        }
        options.host = peer->host;
        options.port = peer->port;
    } else if (command == QLatin1String("read") || command == QLatin1String("replay")) {
        const bool replay = command == QLatin1String("replay");
        options.mode = replay ? CliOptions::Mode::Replay : CliOptions::Mode::Read;
        if (positional.size() < 2)
            return badArguments(QStringLiteral("%1 needs a CAPTURE file").arg(command));
        if (positional.size() > 2)
            return badArguments(QStringLiteral("unexpected argument '%1'").arg(positional.at(2)));
        options.captureInput = positional.at(1);
        for (const QCommandLineOption *liveOnly : {&host, &port, &once, &upstream}) {
            if (parser.isSet(*liveOnly)) {
                return badArguments(QStringLiteral("--%1 does not apply to %2")
                                        .arg(liveOnly->names().constLast(), command));
            }
        }
        if (replay) {
            if (!parser.isSet(connectOption))
                return badArguments(QStringLiteral("replay needs --connect HOST:PORT"));
            const std::optional<HostPort> peer = parseHostPort(parser.value(connectOption));
            if (!peer) {
                return badArguments(
                    QStringLiteral("--connect needs HOST:PORT with a port from 1 to 65535, "
                                   "got '%1'")
                        .arg(parser.value(connectOption)));
            }
            options.host = peer->host;
            options.port = peer->port;
            if (parser.isSet(sessionOption)) {
                bool ok = false;
                const int id = parser.value(sessionOption).toInt(&ok);
                if (!ok || id < 0)
                    return badArguments(QStringLiteral("--session must be a session id, got "
                                                       "'%1'")
                                            .arg(parser.value(sessionOption)));
                options.replaySession = id;
            }
            options.replayFast = parser.isSet(fastOption);
        } else {
            for (const QCommandLineOption *replayOnly :
                 {&connectOption, &sessionOption, &fastOption, &captureOption}) {
                if (parser.isSet(*replayOnly)) {
                    return badArguments(QStringLiteral("--%1 does not apply to read")
                                            .arg(replayOnly->names().constLast()));
                }
            }
        }
    } else {
        return badArguments(
            QStringLiteral("unknown command '%1': use 'listen', 'connect', 'relay', 'read' or "
                           "'replay'")
                .arg(command));
    }
    if (options.mode != CliOptions::Mode::Replay && options.mode != CliOptions::Mode::Read) {
        for (const QCommandLineOption *replayOnly : {&connectOption, &sessionOption, &fastOption}) {
            if (parser.isSet(*replayOnly)) {
                return badArguments(QStringLiteral("--%1 applies to replay only")
                                        .arg(replayOnly->names().constLast()));
            }
        }
    }
    if (parser.isSet(captureOption)) {
        options.captureOutput = parser.value(captureOption);
        if (options.captureOutput.isEmpty())
            return badArguments(QStringLiteral("--capture needs a FILE"));
    }

    QString error;
    const std::optional<ConnectionOptions> session = sessionOptions.read(parser, &error);
    if (!session)
        return badArguments(error);
    options.keys.assign(session->keys.begin(), session->keys.end());
    for (const QString &name : session->extensions)
        options.extensions.push_back(name.toStdString());
    options.allowedKeys.assign(session->allowedKeys.begin(), session->allowedKeys.end());
    options.timeout = Millis(session->timeoutMs);
    options.encrypted = session->encrypted;
    options.noise = session->noise;
    options.trace = parser.isSet(trace);
    if (parser.isSet(filterOption)) {
        // Compiled here, before anything starts: a mistake is a usage error naming its column.
        filter::FilterError error;
        std::optional<filter::Filter> compiled =
            filter::Filter::compile(parser.value(filterOption).toStdString(), error);
        if (!compiled)
            return badArguments(QString::fromStdString(error.toString()));
        options.filter = std::move(*compiled);
    }
    if (parser.isSet(interceptOption)) {
        filter::FilterError error;
        std::optional<filter::Filter> compiled =
            filter::Filter::compile(parser.value(interceptOption).toStdString(), error);
        if (!compiled)
            return badArguments(QStringLiteral("--intercept: ") +
                                QString::fromStdString(error.toString()));
        options.intercept = std::move(*compiled);
    }
    options.verify = !parser.isSet(noVerifyOption);
    if (const std::optional<CliExit> exit =
            readServeOptions(parser, serveOption, blockSizeOption, feedSecretOption, options))
        return *exit;
    return options;
}

} // namespace hyperscope
