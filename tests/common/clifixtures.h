// Fixtures of the tests that run hyperscope-cli as processes (tests/app/tst_cli*.cpp): the channel
// key they share, builders of stdin commands, every message type as the CLI prints it, and the
// two set-ups most scenarios start from, each with the channel open at both ends:
//
//   CliPair   hyperscope-cli connect  -->  hyperscope-cli listen
//   CliChain  hyperscope-cli connect  -->  hyperscope-cli relay  -->  hyperscope-cli listen
//
// Needs CliProcess, so HYPERSCOPE_CLI_PATH (hyperscope_add_tests(... CLI) sets it).
#pragma once

#include "jsonprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <initializer_list>
#include <memory>
#include <utility>

namespace hyperscope::test {

/// The channel key of the CLI tests (both ends, and the relay, open it).
inline const QString KeyHex =
    QStringLiteral("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

/// {"cmd": @p cmd, fields...}: one stdin command.
inline QJsonObject command(const char *cmd,
                           std::initializer_list<std::pair<QString, QJsonValue>> fields)
{
    QJsonObject object{{"cmd", cmd}};
    for (const auto &[name, value] : fields)
        object.insert(name, value);
    return object;
}

/// {"cmd":"send", "key": @p keyHex, "type": @p type, "message": @p message}: send a message
/// on the channel of @p keyHex.
inline QJsonObject sendCommand(const char *type, const QJsonObject &message,
                               const QString &keyHex = KeyHex)
{
    return QJsonObject{{"cmd", "send"}, {"key", keyHex}, {"type", type}, {"message", message}};
}

/// @p text parsed as a JSON object (for message bodies written as the CLI prints them).
inline QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

/// The relay's events of one leg (their "leg" field), for JsonProcess::take() and all().
inline const QJsonObject ClientLeg{{"leg", "client"}};
inline const QJsonObject ServerLeg{{"leg", "server"}};

/// One message of every type, written the way the CLI prints them (repeated fields always
/// present), so that what one side sends is exactly what the other prints: (type, message).
inline QList<std::pair<const char *, QJsonObject>> everyMessageType()
{
    return {
        {"Options", json(R"({"extensions":["a","b"],"ack":true})")},
        {"Status", json(R"({"uploading":true,"downloading":false})")},
        {"Have", json(R"({"start":1,"length":1000,"bitfield":"00ff10","ack":false})")},
        {"Unhave", json(R"({"start":2,"length":3})")},
        {"Want", json(R"({"start":0})")},
        {"Unwant", json(R"({"start":5,"length":6})")},
        {"Request", json(R"({"index":7,"bytes":8,"hash":true,"nodes":9})")},
        {"Cancel", json(R"({"index":7,"bytes":8,"hash":false})")},
        {"Data",
         json(
             R"({"index":4,"value":"68656c6c6f","nodes":[{"index":1,"hash":"abababababababababababababababababababababababababababababababab","size":3}],"signature":"5a5a"})")},
    };
}

/// The port @p cli listens on (its "listening" event), or 0 with its transcript as a warning.
inline quint16 portOf(CliProcess &cli)
{
    const quint16 port = cli.waitForPort();
    if (!port)
        qWarning("%s", qPrintable(cli.transcript()));
    return port;
}

/// hyperscope-cli connect --> hyperscope-cli listen.
struct CliPair
{
    std::unique_ptr<CliProcess> listener;
    std::unique_ptr<CliProcess> connector;
    quint16 port = 0; ///< The listener's.
};

/// Starts @p pair: the listener (`listen --port 0 --key KEY LISTENER...`), then the connector
/// (`connect 127.0.0.1:PORT --key KEY CONNECTOR...`), and takes the "channel" event of each.
/// False (with the transcript as a warning) when one did not come.
inline bool startPair(CliPair &pair, const QStringList &listener = {},
                      const QStringList &connector = {}, const QString &keyHex = KeyHex)
{
    const QStringList key{QStringLiteral("--key"), keyHex};
    pair.listener = std::make_unique<CliProcess>(
        QStringList{QStringLiteral("listen"), QStringLiteral("--port"), QStringLiteral("0")} + key +
        listener);
    pair.port = portOf(*pair.listener);
    if (!pair.port)
        return false;
    pair.connector = std::make_unique<CliProcess>(
        QStringList{QStringLiteral("connect"), QStringLiteral("127.0.0.1:%1").arg(pair.port)} +
        key + connector);
    for (CliProcess *end : {pair.listener.get(), pair.connector.get()}) {
        if (end->take(QStringLiteral("channel")).isEmpty()) {
            qWarning("%s", qPrintable(end->transcript()));
            return false;
        }
    }
    return true;
}

/// hyperscope-cli connect --> hyperscope-cli relay --> hyperscope-cli listen.
struct CliChain
{
    std::unique_ptr<CliProcess> listener;
    std::unique_ptr<CliProcess> relay;
    std::unique_ptr<CliProcess> connector;
    quint16 listenPort = 0;
    quint16 relayPort = 0;
};

struct CliChainOptions
{
    QStringList all = {};       ///< For all three (--no-noise, --no-encrypt).
    QStringList listener = {};  ///< Besides --key KeyHex.
    QStringList relay = {};     ///< Besides --key KeyHex unless relayKnowsKey is false.
    QStringList connector = {}; ///< Besides --key KeyHex.
    bool relayKnowsKey = true;
    bool waitForChannels = true; ///< Take the "channel" event at both ends.
};

/// Starts @p chain from the listener outwards. False (with the transcripts as a warning) when a
/// process did not listen or, with waitForChannels, an end did not get its channel.
inline bool startChain(CliChain &chain, const CliChainOptions &options = {})
{
    const QStringList key{QStringLiteral("--key"), KeyHex};
    chain.listener = std::make_unique<CliProcess>(
        QStringList{QStringLiteral("listen"), QStringLiteral("--port"), QStringLiteral("0")} + key +
        options.all + options.listener);
    chain.listenPort = portOf(*chain.listener);
    if (!chain.listenPort)
        return false;
    chain.relay = std::make_unique<CliProcess>(
        QStringList{QStringLiteral("relay"), QStringLiteral("--port"), QStringLiteral("0"),
                    QStringLiteral("--upstream"),
                    QStringLiteral("127.0.0.1:%1").arg(chain.listenPort)} +
        (options.relayKnowsKey ? key : QStringList()) + options.all + options.relay);
    chain.relayPort = portOf(*chain.relay);
    if (!chain.relayPort)
        return false;
    chain.connector = std::make_unique<CliProcess>(
        QStringList{QStringLiteral("connect"),
                    QStringLiteral("127.0.0.1:%1").arg(chain.relayPort)} +
        key + options.all + options.connector);
    if (!options.waitForChannels)
        return true;
    for (CliProcess *end : {chain.listener.get(), chain.connector.get()}) {
        if (end->take(QStringLiteral("channel")).isEmpty()) {
            qWarning("%s\nrelay: %s", qPrintable(end->transcript()),
                     qPrintable(chain.relay->transcript()));
            return false;
        }
    }
    return true;
}

} // namespace hyperscope::test
