// hyperscope-cli's stdin command parser (core/cli/command.h): one line of untrusted JSON.
// Properties besides "no crash": a parsed command is complete for its kind (the interpreter
// relies on it), and an error is never empty.
#include "command.h"

#include <QByteArray>

using namespace hyperscope;

namespace {

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray line =
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const std::optional<Command> parsed = parseCommand(line, &error);
    if (!parsed) {
        check(!error.isEmpty());
        return 0;
    }
    const Command &command = *parsed;
    check(!commandName(command.kind).isEmpty());
    switch (command.kind) {
    case Command::Kind::Open:
    case Command::Kind::Key:
        check(command.key && command.discoveryKey);
        break;
    case Command::Kind::Send:
        check(command.discoveryKey && command.message);
        check(asProtobuf(*command.message).IsInitialized());
        break;
    case Command::Kind::Close:
        check(command.discoveryKey.has_value());
        break;
    case Command::Kind::Register:
    case Command::Kind::Extension:
        check(!command.name.empty());
        break;
    case Command::Kind::Frame:
        check(command.frameType < 16);
        break;
    case Command::Kind::Ping:
    case Command::Kind::Quit:
        break;
    case Command::Kind::Resume:
    case Command::Kind::Drop:
        check(command.interceptId >= 1);
        check(!command.editedType || command.editedMessage);
        break;
    case Command::Kind::Intercept:
        check(command.interceptFilter.has_value());
        break;
    }
    if (command.session)
        check(*command.session >= 1);
    return 0;
}
