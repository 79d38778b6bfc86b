#include "blockfield.h"

#include "feedchannel.h"
#include "row.h"

namespace hyperscope::filter {

namespace {

/// Field 1 (`index`, a varint) of a Request, Cancel or Data, read off the wire: a Data is not
/// decoded (its value can be megabytes) to learn one integer.
std::optional<std::uint64_t> indexOf(ByteView payload)
{
    WireReader reader(payload);
    WireField field;
    std::string ignored;
    std::optional<std::uint64_t> index;
    while (reader.next(field, ignored) == WireReader::Status::Field) {
        // The last occurrence wins, as protobuf's parser has it.
        if (field.number == 1 && field.wireType == 0)
            index = field.value;
    }
    return index;
}

} // namespace

std::optional<feed::BlockRanges> blocksOf(const Row &row)
{
    if (!row.payload)
        return std::nullopt;
    switch (row.type) {
    case int(MessageType::Request):
    case int(MessageType::Cancel):
    case int(MessageType::Data):
        if (const std::optional<std::uint64_t> index = indexOf(*row.payload))
            return feed::BlockRanges{{*index, *index}};
        return std::nullopt;
    case int(MessageType::Have):
    case int(MessageType::Unhave):
    case int(MessageType::Want):
    case int(MessageType::Unwant): {
        std::string error;
        const std::optional<Message> message =
            decodeMessage(std::uint8_t(row.type), *row.payload, error);
        if (!message)
            return std::nullopt;
        std::optional<feed::MessageBlocks> blocks = feed::messageBlocks(*message);
        if (!blocks || !blocks->error.empty())
            return std::nullopt;
        return std::move(blocks->ranges);
    }
    default:
        return std::nullopt;
    }
}

} // namespace hyperscope::filter
