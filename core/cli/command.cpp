#include "command.h"

#include "crypto.h"
#include "messagejson.h"
#include "sessionoptions.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <climits>
#include <cmath>

namespace hyperscope {

namespace {

struct CommandSpec
{
    const char *name;
    Command::Kind kind;
    QSet<QString> fields; ///< Fields allowed besides "cmd".
};

const std::vector<CommandSpec> &commandSpecs()
{
    static const QString session = QStringLiteral("session");
    static const QString key = QStringLiteral("key");
    static const QString discoveryKey = QStringLiteral("discoveryKey");
    static const QString leg = QStringLiteral("leg");
    static const std::vector<CommandSpec> specs = {
        {"open", Command::Kind::Open, {session, key, discoveryKey}},
        {"send",
         Command::Kind::Send,
         {session, key, discoveryKey, leg, QStringLiteral("type"), QStringLiteral("message")}},
        {"register", Command::Kind::Register, {session, key, discoveryKey, QStringLiteral("name")}},
        {"extension",
         Command::Kind::Extension,
         {session, key, discoveryKey, leg, QStringLiteral("name"), QStringLiteral("payload")}},
        {"close", Command::Kind::Close, {session, key, discoveryKey, leg}},
        {"frame",
         Command::Kind::Frame,
         {session, leg, QStringLiteral("channel"), QStringLiteral("type"),
          QStringLiteral("payload")}},
        {"ping", Command::Kind::Ping, {session, leg}},
        {"quit", Command::Kind::Quit, {session}},
        {"key", Command::Kind::Key, {key}},
        {"resume",
         Command::Kind::Resume,
         {QStringLiteral("id"), QStringLiteral("message"), QStringLiteral("type")}},
        {"drop", Command::Kind::Drop, {QStringLiteral("id")}},
        {"intercept", Command::Kind::Intercept, {QStringLiteral("filter")}},
    };
    return specs;
}

/// A key as every other input takes it (parseKeyHex): 64 hex digits, spaces, colons and a
/// leading "0x" allowed.
std::optional<Key32> parseKey(const QJsonValue &value)
{
    if (!value.isString())
        return std::nullopt;
    return parseKeyHex(value.toString());
}

/// A JSON number that is an integer in [@p min, @p max].
std::optional<double> integerIn(const QJsonValue &value, double min, double max)
{
    const double number = value.toDouble(min - 1);
    if (!value.isDouble() || number < min || number > max || std::floor(number) != number)
        return std::nullopt;
    return number;
}

/// An optional hex "payload" field: empty when absent, nullopt when present but not hex.
std::optional<Bytes> parsePayload(const QJsonValue &value)
{
    if (value.isUndefined())
        return Bytes();
    if (!value.isString())
        return std::nullopt;
    return fromHex(value.toString().toStdString());
}

/// Sets @p error (when wanted) and gives the empty result: `return fail(error, ...);`.
std::nullopt_t fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

} // namespace

QString commandName(Command::Kind kind)
{
    for (const CommandSpec &spec : commandSpecs()) {
        if (spec.kind == kind)
            return QString::fromLatin1(spec.name);
    }
    return QString();
}

std::optional<Command> parseCommand(const QByteArray &line, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return fail(error, QStringLiteral("not valid JSON (%1 at offset %2)")
                               .arg(parseError.errorString())
                               .arg(parseError.offset));
    }
    if (!document.isObject())
        return fail(error, QStringLiteral("a command must be a JSON object"));
    const QJsonObject json = document.object();

    const QJsonValue cmd = json.value(QLatin1String("cmd"));
    if (cmd.isUndefined())
        return fail(error, QStringLiteral("missing \"cmd\""));
    if (!cmd.isString())
        return fail(error, QStringLiteral("\"cmd\" must be a string"));
    const CommandSpec *spec = nullptr;
    for (const CommandSpec &candidate : commandSpecs()) {
        if (cmd.toString() == QLatin1String(candidate.name))
            spec = &candidate;
    }
    if (!spec)
        return fail(error, QStringLiteral("unknown command '%1'").arg(cmd.toString()));
    const QString name = QString::fromLatin1(spec->name);
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (it.key() != QLatin1String("cmd") && !spec->fields.contains(it.key()))
            return fail(error, QStringLiteral("%1 has no field '%2'").arg(name, it.key()));
    }

    Command command;
    command.kind = spec->kind;

    if (const QJsonValue session = json.value(QLatin1String("session")); !session.isUndefined()) {
        const auto number = integerIn(session, 1, INT_MAX);
        if (!number)
            return fail(error, QStringLiteral("session must be a positive integer"));
        command.session = int(*number);
    }

    if (const QJsonValue leg = json.value(QLatin1String("leg")); !leg.isUndefined()) {
        if (leg == QLatin1String("client"))
            command.leg = RelayLeg::Client;
        else if (leg == QLatin1String("server"))
            command.leg = RelayLeg::Server;
        else
            return fail(error, QStringLiteral("leg must be \"client\" or \"server\""));
    }

    // The channel: by feed key or by discovery key.
    const QJsonValue key = json.value(QLatin1String("key"));
    const QJsonValue discoveryKey = json.value(QLatin1String("discoveryKey"));
    if (!key.isUndefined() && !discoveryKey.isUndefined())
        return fail(error, QStringLiteral("give key or discoveryKey, not both"));
    if (!key.isUndefined()) {
        command.key = parseKey(key);
        if (!command.key)
            return fail(error, QStringLiteral("key must be 64 hex digits"));
        command.discoveryKey = crypto::discoveryKey(*command.key);
    } else if (!discoveryKey.isUndefined()) {
        command.discoveryKey = parseKey(discoveryKey);
        if (!command.discoveryKey)
            return fail(error, QStringLiteral("discoveryKey must be 64 hex digits"));
    }

    switch (command.kind) {
    case Command::Kind::Open:
        if (!command.key) {
            return fail(
                error,
                command.discoveryKey
                    ? QStringLiteral("open needs the key: a discovery key cannot open a channel")
                    : QStringLiteral("open needs a \"key\""));
        }
        break;
    case Command::Kind::Key:
        if (!command.key)
            return fail(error, QStringLiteral("key needs a \"key\": the feed key (64 hex digits)"));
        break;
    case Command::Kind::Close:
        if (!command.discoveryKey)
            return fail(error, QStringLiteral("close needs a \"key\" or \"discoveryKey\""));
        break;
    case Command::Kind::Send: {
        if (!command.discoveryKey)
            return fail(error, QStringLiteral("send needs a \"key\" or \"discoveryKey\""));
        const QJsonValue type = json.value(QLatin1String("type"));
        if (!type.isString())
            return fail(error, QStringLiteral("send needs a \"type\" (Options .. Close)"));
        const auto messageType = messageTypeFromName(type.toString().toStdString());
        if (!messageType)
            return fail(error, QStringLiteral("unknown message type '%1'").arg(type.toString()));
        if (*messageType == MessageType::Open) {
            return fail(
                error,
                QStringLiteral(
                    "Open cannot be sent: use {\"cmd\":\"open\",\"key\":...} to open a channel"));
        }
        if (*messageType == MessageType::Extension) {
            return fail(error,
                        QStringLiteral("Extension cannot be sent with send: use "
                                       "{\"cmd\":\"extension\",\"name\":...,\"payload\":...}"));
        }
        const QJsonValue message = json.value(QLatin1String("message"));
        if (!message.isUndefined() && !message.isObject())
            return fail(error, QStringLiteral("message must be a JSON object"));
        QString messageError;
        command.message = messageFromJson(*messageType, message.toObject(), messageError);
        if (!command.message)
            return fail(error, messageError);
        break;
    }
    case Command::Kind::Register:
    case Command::Kind::Extension: {
        const QJsonValue extensionName = json.value(QLatin1String("name"));
        if (!extensionName.isString() || extensionName.toString().isEmpty())
            return fail(error, QStringLiteral("%1 needs a non-empty \"name\"").arg(name));
        command.name = extensionName.toString().toStdString();
        if (command.kind == Command::Kind::Extension) {
            std::optional<Bytes> payload = parsePayload(json.value(QLatin1String("payload")));
            if (!payload)
                return fail(error, QStringLiteral("payload must be a hex string"));
            command.payload = std::move(*payload);
        }
        break;
    }
    case Command::Kind::Frame: {
        // Any integer JSON holds exactly; the engine refuses ids it cannot encode (>= 2^59).
        const auto channel = integerIn(json.value(QLatin1String("channel")), 0, 9007199254740992.0);
        if (!channel)
            return fail(error, QStringLiteral(
                                   "frame needs a \"channel\": a local channel id (0 = stream)"));
        command.channel = std::uint64_t(*channel);
        const QJsonValue type = json.value(QLatin1String("type"));
        if (const auto number = integerIn(type, 0, 15)) {
            command.frameType = std::uint8_t(*number);
        } else if (const auto named = type.isString()
                                          ? messageTypeFromName(type.toString().toStdString())
                                          : std::nullopt) {
            command.frameType = std::uint8_t(*named);
        } else {
            return fail(error,
                        QStringLiteral("frame needs a \"type\": 0..15 or a name (\"Want\")"));
        }
        std::optional<Bytes> payload = parsePayload(json.value(QLatin1String("payload")));
        if (!payload)
            return fail(error, QStringLiteral("payload must be a hex string"));
        command.payload = std::move(*payload);
        break;
    }
    case Command::Kind::Resume:
    case Command::Kind::Drop: {
        const auto id = integerIn(json.value(QLatin1String("id")), 1, 9007199254740992.0);
        if (!id) {
            return fail(error, QStringLiteral("%1 needs an \"id\": the id of an \"intercepted\" "
                                              "event (a positive integer)")
                                   .arg(name));
        }
        command.interceptId = std::uint64_t(*id);
        const QJsonValue message = json.value(QLatin1String("message"));
        if (!message.isUndefined()) {
            if (!message.isObject())
                return fail(error, QStringLiteral("message must be a JSON object"));
            command.editedMessage = message.toObject();
        }
        if (const QJsonValue type = json.value(QLatin1String("type")); !type.isUndefined()) {
            command.editedType =
                type.isString() ? messageTypeFromName(type.toString().toStdString()) : std::nullopt;
            if (!command.editedType)
                return fail(error, QStringLiteral("resume: \"type\" must be a message name"));
            if (!command.editedMessage)
                return fail(error, QStringLiteral("resume: \"type\" goes with a \"message\""));
        }
        break;
    }
    case Command::Kind::Intercept: {
        const QJsonValue expression = json.value(QLatin1String("filter"));
        if (!expression.isString()) {
            return fail(error, QStringLiteral("intercept needs a \"filter\": an expression, or "
                                              "\"\" to turn intercept off"));
        }
        filter::FilterError filterError;
        command.interceptFilter =
            filter::Filter::compile(expression.toString().toStdString(), filterError);
        if (!command.interceptFilter)
            return fail(error, QStringLiteral("intercept: ") +
                                   QString::fromStdString(filterError.toString()));
        break;
    }
    case Command::Kind::Ping:
    case Command::Kind::Quit:
        break;
    }
    return command;
}

} // namespace hyperscope
