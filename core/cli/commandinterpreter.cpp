#include "commandinterpreter.h"

#include "jsonevents.h"
#include "messagejson.h"
#include "relay.h"
#include "sessiondriver.h"

#include <QStringList>

#include <algorithm>

namespace hyperscope {

CommandInterpreter::CommandInterpreter(SessionLookup lookup, EventPrinter *printer,
                                       std::function<void()> quit)
    : m_lookup(std::move(lookup))
    , m_printer(printer)
    , m_quit(std::move(quit))
{}

void CommandInterpreter::setRelay(RelayLookup lookup, std::function<void(const Key32 &)> addKey)
{
    m_relayLookup = std::move(lookup);
    m_addKey = std::move(addKey);
}

void CommandInterpreter::setIntercept(InterceptLookup lookup,
                                      std::function<void(const filter::Filter &)> change)
{
    m_interceptLookup = std::move(lookup);
    m_interceptChange = std::move(change);
}

void CommandInterpreter::handleLine(const QByteArray &line)
{
    ++m_lineNumber;
    if (line.trimmed().isEmpty())
        return;
    QString error;
    const std::optional<Command> command = parseCommand(line, &error);
    if (!command) {
        report(0, error);
        return;
    }
    execute(*command);
}

void CommandInterpreter::handleOverlongLine(qint64 limit)
{
    ++m_lineNumber;
    report(0, QStringLiteral("line longer than %1 bytes: ignored").arg(limit));
}

void CommandInterpreter::execute(const Command &command)
{
    if (command.kind == Command::Kind::Quit) {
        m_quit();
        return;
    }
    if (command.kind == Command::Kind::Resume || command.kind == Command::Kind::Drop ||
        command.kind == Command::Kind::Intercept) {
        executeIntercept(command);
        return;
    }
    if (m_relayLookup) {
        executeRelayed(command);
        return;
    }
    if (command.kind == Command::Kind::Key) {
        report(0, QStringLiteral("key: only hyperscope-cli relay keeps feed keys to add; open a "
                                 "channel with {\"cmd\":\"open\",\"key\":HEX}"));
        return;
    }
    SessionDriver *session = m_lookup(command.session);
    if (!session) {
        report(0, command.session ? QStringLiteral("session %1 is not alive").arg(*command.session)
                                  : QStringLiteral("no session is alive"));
        return;
    }
    if (command.leg) {
        report(session->id(), QStringLiteral("%1: \"leg\" applies to relayed sessions only "
                                             "(hyperscope-cli relay)")
                                  .arg(commandName(command.kind)));
        return;
    }
    Error result;
    switch (command.kind) {
    case Command::Kind::Open:
        result = session->openChannel(*command.key);
        break;
    case Command::Kind::Send:
        result = session->send(*command.discoveryKey, *command.message);
        if (result.ok() && m_sent)
            m_sent(session->id(), *command.discoveryKey, *command.message);
        break;
    case Command::Kind::Register:
        result = session->registerExtension(command.discoveryKey, command.name);
        break;
    case Command::Kind::Extension:
        result = session->sendExtension(command.discoveryKey, command.name, command.payload);
        break;
    case Command::Kind::Close:
        result = session->closeChannel(*command.discoveryKey);
        break;
    case Command::Kind::Frame:
        result = session->sendFrame(command.channel, command.frameType, command.payload);
        break;
    case Command::Kind::Ping:
        result = session->ping();
        break;
    case Command::Kind::Quit:
    case Command::Kind::Key:
    case Command::Kind::Resume:
    case Command::Kind::Drop:
    case Command::Kind::Intercept:
        break;
    }
    if (result) {
        report(session->id(), QStringLiteral("%1: %2").arg(commandName(command.kind),
                                                           QString::fromStdString(result.message)));
    }
}

void CommandInterpreter::executeRelayed(const Command &command)
{
    const QString name = commandName(command.kind);
    if (command.kind == Command::Kind::Key) {
        m_addKey(*command.key);
        return;
    }
    const auto [session, id] = m_relayLookup(command.session);
    if (!session) {
        report(0, command.session ? QStringLiteral("session %1 is not alive").arg(*command.session)
                                  : QStringLiteral("no session is alive"));
        return;
    }
    switch (command.kind) {
    case Command::Kind::Open:
        report(id, QStringLiteral("open: a relayed session opens the channels its peers open; "
                                  "add the feed key with {\"cmd\":\"key\",\"key\":HEX} to "
                                  "forward a channel"));
        return;
    case Command::Kind::Register:
        report(id, QStringLiteral("register: the relay announces no extensions of its own; it "
                                  "forwards its peers' (inject one with \"extension\" and a "
                                  "\"leg\")"));
        return;
    case Command::Kind::Ping:
        if (!command.leg) {
            for (const RelayLeg leg : {RelayLeg::Client, RelayLeg::Server}) {
                if (SessionDriver *driver = session->driver(leg); driver && !session->hasEnded(leg))
                    driver->ping();
            }
            return;
        }
        break;
    default:
        if (!command.leg) {
            report(id, QStringLiteral("%1: session %2 is relayed: say which leg to inject into, "
                                      "\"leg\":\"client\" (the peer that dialed the relay) or "
                                      "\"leg\":\"server\" (the upstream peer)")
                           .arg(name)
                           .arg(id));
            return;
        }
        break;
    }

    const RelayLeg leg = *command.leg;
    const QString legName = relayLegName(leg);
    SessionDriver *driver = session->driver(leg);
    if (!driver || session->hasEnded(leg)) {
        report(id, QStringLiteral("%1: the %2 leg has ended").arg(name, legName));
        return;
    }
    Error result;
    switch (command.kind) {
    case Command::Kind::Send:
        result = session->inject(leg, *command.discoveryKey, *command.message);
        break;
    case Command::Kind::Close:
        result = session->close(leg, *command.discoveryKey);
        break;
    case Command::Kind::Frame:
        result = driver->sendFrame(command.channel, command.frameType, command.payload);
        break;
    case Command::Kind::Ping:
        result = driver->ping();
        break;
    case Command::Kind::Extension: {
        // The peer on this leg reads the id against the names it heard for the scope: the other
        // peer's, forwarded by the relay.
        const RelayLeg otherLeg = leg == RelayLeg::Client ? RelayLeg::Server : RelayLeg::Client;
        const SessionDriver *other = session->driver(otherLeg);
        const std::vector<std::string> names =
            other ? other->engine().remoteExtensions(command.discoveryKey)
                  : std::vector<std::string>();
        const auto found = std::find(names.begin(), names.end(), command.name);
        if (found == names.end()) {
            QStringList known;
            for (const std::string &n : names)
                known.append(QString::fromStdString(n));
            report(id,
                   QStringLiteral("extension: the %1 peer reads extension ids against the names "
                                  "the %2 peer announced on %3, and '%4' is not one of them (%5)")
                       .arg(legName, relayLegName(otherLeg),
                            command.discoveryKey
                                ? QStringLiteral("channel %1").arg(hexString(*command.discoveryKey))
                                : QStringLiteral("the stream"),
                            QString::fromStdString(command.name),
                            known.isEmpty() ? QStringLiteral("it announced none")
                                            : QStringLiteral("announced: %1")
                                                  .arg(known.join(QStringLiteral(", ")))));
            return;
        }
        result = session->injectExtension(leg, command.discoveryKey, quint64(found - names.begin()),
                                          command.payload);
        break;
    }
    default:
        break;
    }
    if (result)
        report(id, QStringLiteral("%1: %2").arg(name, QString::fromStdString(result.message)));
}

void CommandInterpreter::executeIntercept(const Command &command)
{
    const QString name = commandName(command.kind);
    if (command.kind == Command::Kind::Intercept) {
        if (m_interceptChange)
            m_interceptChange(*command.interceptFilter);
        return;
    }
    const std::uint64_t id = command.interceptId;
    const InterceptHolder holder = m_interceptLookup ? m_interceptLookup(id) : InterceptHolder{};
    if (!holder.driver) {
        report(0, QStringLiteral("%1: no held message with id %2 (not intercepted, already resumed "
                                 "or dropped, or its session ended)")
                      .arg(name)
                      .arg(id));
        return;
    }
    Error result;
    if (command.kind == Command::Kind::Drop) {
        result = holder.driver->dropIntercepted(id);
    } else {
        std::optional<Message> edited;
        if (command.editedMessage) {
            // The edited message is read as the held message's type: it keeps its type.
            std::optional<MessageType> heldType;
            for (const InterceptedMessage &held : holder.driver->interceptor().heldMessages()) {
                if (held.id == id)
                    heldType = messageType(held.message);
            }
            if (!heldType) { // cannot happen: the lookup found it held
                report(holder.session,
                       QStringLiteral("resume: no held message with id %1").arg(id));
                return;
            }
            const auto typeName = [](MessageType type) {
                return QString::fromStdString(
                    std::string(messageTypeName(static_cast<std::uint8_t>(type))));
            };
            if (command.editedType && *command.editedType != *heldType) {
                report(holder.session,
                       QStringLiteral("resume: held message %1 is a %2, not a %3: an edited "
                                      "message keeps its type")
                           .arg(id)
                           .arg(typeName(*heldType), typeName(*command.editedType)));
                return;
            }
            QString error;
            edited = messageFromJson(*heldType, *command.editedMessage, error);
            if (!edited) {
                report(holder.session, QStringLiteral("resume: held message %1 is a %2: %3")
                                           .arg(id)
                                           .arg(typeName(*heldType), error));
                return;
            }
        }
        result = holder.driver->resumeIntercepted(id, std::move(edited));
    }
    if (result)
        report(holder.session,
               QStringLiteral("%1: %2").arg(name, QString::fromStdString(result.message)));
}

void CommandInterpreter::report(int session, const QString &message)
{
    m_printer->print(
        errorEvent(session, QStringLiteral("line %1: %2").arg(m_lineNumber).arg(message)));
}

} // namespace hyperscope
