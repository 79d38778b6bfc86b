#include "commandinterpreter.h"

#include "jsonevents.h"
#include "sessiondriver.h"

namespace hyperscope {

CommandInterpreter::CommandInterpreter(SessionLookup lookup, EventPrinter *printer,
                                       std::function<void()> quit)
    : m_lookup(std::move(lookup))
    , m_printer(printer)
    , m_quit(std::move(quit))
{}

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
    SessionDriver *session = m_lookup(command.session);
    if (!session) {
        report(0, command.session ? QStringLiteral("session %1 is not alive").arg(*command.session)
                                  : QStringLiteral("no session is alive"));
        return;
    }
    Error result;
    switch (command.kind) {
    case Command::Kind::Open:
        result = session->openChannel(*command.key);
        break;
    case Command::Kind::Send:
        result = session->send(*command.discoveryKey, *command.message);
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
        break;
    }
    if (result) {
        report(session->id(), QStringLiteral("%1: %2").arg(commandName(command.kind),
                                                           QString::fromStdString(result.message)));
    }
}

void CommandInterpreter::report(int session, const QString &message)
{
    m_printer->print(
        errorEvent(session, QStringLiteral("line %1: %2").arg(m_lineNumber).arg(message)));
}

} // namespace hyperscope
