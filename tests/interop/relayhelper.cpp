// relayhelper: the C++ Relay (core/session/relay.h) alone in a process, speaking the subset of
// the `hyperscope-cli relay` JSON-lines contract (issue 10, "The CLI contract") that
// tst_relayinterop uses. It is the fallback harness of that test: with -DRELAYINTEROP_HELPER
// set (see tests/interop/CMakeLists.txt) the test drives this program instead of
// hyperscope-cli, so the relay core can be checked against real peers while the CLI mode is
// missing or broken.
//
//   relayhelper --port PORT --upstream HOST:PORT [--key HEX]... [--timeout MS] [--no-encrypt]
//               [--no-noise]
//
// Prints {"event":"listening","session":0,"port":N} first, then the events of `listen` with
// "leg":"client"|"server" on every per-leg event, "warning" events, and "end" per leg. Reads
// {"cmd":"key","key":HEX} on stdin. Exits 0 on end of stdin or SIGTERM (default action).
#include "jsonevents.h"
#include "linereader.h"
#include "relay.h"
#include "sessionoptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <map>
#include <unistd.h>

using namespace hyperscope;

namespace {

EventPrinter printer;

QJsonObject withLeg(QJsonObject event, RelayLeg leg)
{
    event.insert(QStringLiteral("leg"), relayLegName(leg));
    return event;
}

void print(const QJsonObject &event)
{
    printer.print(event);
}

[[noreturn]] void usageError(const QString &message)
{
    std::fprintf(stderr, "relayhelper: %s\n", qPrintable(message));
    std::exit(2);
}

void watch(RelayedSession *session, int id)
{
    QObject::connect(session, &RelayedSession::legConnected, session,
                     [id](RelayLeg leg, const QString &address) {
                         print(withLeg(connectedEvent(id, address, leg == RelayLeg::Server), leg));
                     });
    QObject::connect(session, &RelayedSession::handshakeCompleted, session,
                     [id](RelayLeg leg, const HandshakeInfo &info) {
                         print(withLeg(handshakeEvent(id, info), leg));
                     });
    QObject::connect(session, &RelayedSession::channelOpened, session,
                     [id](RelayLeg leg, const ChannelInfo &channel) {
                         print(withLeg(channelEvent(id, channel), leg));
                     });
    QObject::connect(session, &RelayedSession::messageReceived, session,
                     [id](RelayLeg leg, const ChannelInfo &channel, const Message &message) {
                         print(withLeg(messageEvent(id, channel, message), leg));
                     });
    QObject::connect(session, &RelayedSession::extensionNamesReceived, session,
                     [id](RelayLeg leg, const std::optional<Key32> &discoveryKey,
                          const std::vector<std::string> &names) {
                         print(withLeg(extensionsEvent(id, discoveryKey, names), leg));
                     });
    QObject::connect(
        session, &RelayedSession::extensionReceived, session,
        [id](RelayLeg leg, const std::optional<Key32> &discoveryKey, const QString &name,
             quint64 extensionId, const QByteArray &payload) {
            std::optional<std::string> sender;
            if (!name.isEmpty())
                sender = name.toStdString();
            print(withLeg(extensionEvent(id, discoveryKey, sender, extensionId, payload), leg));
        });
    QObject::connect(session, &RelayedSession::channelClosed, session,
                     [id](RelayLeg leg, const ChannelInfo &channel) {
                         print(withLeg(closeEvent(id, channel.discoveryKey), leg));
                     });
    QObject::connect(session, &RelayedSession::warning, session,
                     [id](RelayLeg leg, const QString &message) {
                         QJsonObject event{{QStringLiteral("event"), QStringLiteral("warning")},
                                           {QStringLiteral("session"), id},
                                           {QStringLiteral("message"), message}};
                         print(withLeg(event, leg));
                     });
    QObject::connect(
        session, &RelayedSession::ended, session, [id](RelayLeg leg, const Error &reason) {
            if (!reason.ok())
                print(withLeg(errorEvent(id, QString::fromStdString(reason.message)), leg));
            const QString text = QString::fromStdString(reason.message);
            print(withLeg(endEvent(id, text.isEmpty() ? QStringLiteral("closed") : text), leg));
        });
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Listen port."),
                                  QStringLiteral("PORT"));
    const QCommandLineOption upstream(QStringLiteral("upstream"), QStringLiteral("Upstream."),
                                      QStringLiteral("HOST:PORT"));
    parser.addOption(port);
    parser.addOption(upstream);
    const SessionCommandLine session(SessionCommandLine::Option::Keys |
                                     SessionCommandLine::Option::Timeout |
                                     SessionCommandLine::Option::Encryption);
    session.addTo(parser);
    if (!parser.parse(app.arguments()))
        usageError(parser.errorText());
    QString error;
    const std::optional<quint16> listenPort = parsePort(parser.value(port), true, &error);
    if (!listenPort)
        usageError(error);
    const std::optional<HostPort> upstreamAddress = parseHostPort(parser.value(upstream), &error);
    if (!upstreamAddress)
        usageError(error);
    const std::optional<ConnectionOptions> options = session.read(parser, &error);
    if (!options)
        usageError(error);

    Relay relay;
    relay.setOptions(options->engineOptions(false));
    relay.setUpstream(upstreamAddress->host, upstreamAddress->port);
    for (const Key32 &key : options->keys)
        relay.addKey(key);

    int nextId = 1;
    QObject::connect(&relay, &Relay::sessionStarted, &relay,
                     [&nextId](RelayedSession *relayed) { watch(relayed, nextId++); });
    QObject::connect(&relay, &Relay::acceptFailed, &relay,
                     [](const QString &message) { print(errorEvent(0, message)); });

    if (!relay.listen(QHostAddress::LocalHost, *listenPort, &error)) {
        print(errorEvent(0, error));
        return 1;
    }
    print(listeningEvent(relay.port()));

    LineReader commands(STDIN_FILENO);
    QObject::connect(&commands, &LineReader::lineRead, &relay, [&relay](const QByteArray &line) {
        const QJsonObject command = QJsonDocument::fromJson(line).object();
        QString keyError;
        const std::optional<Key32> key =
            command.value(QStringLiteral("cmd")).toString() == QStringLiteral("key")
                ? parseKeyHex(command.value(QStringLiteral("key")).toString(), &keyError)
                : std::nullopt;
        if (!key) {
            print(errorEvent(0, QStringLiteral("bad command (only key is understood): ") +
                                    QString::fromUtf8(line) + QLatin1Char(' ') + keyError));
            return;
        }
        relay.addKey(*key);
    });
    QObject::connect(&commands, &LineReader::finished, &app, &QCoreApplication::quit);
    return app.exec();
}
