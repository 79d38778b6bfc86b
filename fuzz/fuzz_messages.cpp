// The message decoders: decodeMessage for every type, decodeExtension, the protobuf WireReader,
// the dissector (what the inspector shows of a hostile frame), summarize() and the JSON mapping
// hyperscope-cli prints. Properties checked besides "no crash, no UB":
//  - a decoded message re-encodes to bytes that decode again to the same message;
//  - messageSize() is what appendMessage() writes;
//  - every dissected field lies within its parent, and the root covers the frame.
//
// Input: byte 0 = the frame type (low 4 bits) and channel (high 4 bits), the rest = the payload.
#include "dissector.h"
#include "messagejson.h"
#include "messages.h"

using namespace hyperscope;

namespace {

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

void checkTree(const DissectedField &field, std::size_t begin, std::size_t end)
{
    check(field.offset >= begin && field.offset + field.length <= end);
    for (const DissectedField &child : field.children)
        checkTree(child, field.offset, field.offset + field.length);
}

void dissect(ByteView frame)
{
    const DissectedField root = dissectFrame(frame);
    check(root.offset == 0 && root.length == frame.size());
    checkTree(root, 0, frame.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::uint8_t type = data[0] & 15;
    const std::uint64_t channel = data[0] >> 4;
    const ByteView payload(data + 1, size - 1);

    std::string error;
    if (type <= static_cast<std::uint8_t>(MessageType::Close)) {
        const std::optional<Message> message = decodeMessage(type, payload, error);
        check(message.has_value() == error.empty());
        if (message) {
            check(static_cast<std::uint8_t>(messageType(*message)) == type);
            Bytes encoded;
            appendMessage(encoded, *message);
            check(encoded.size() == messageSize(*message));
            std::string again;
            const std::optional<Message> decoded = decodeMessage(type, encoded, again);
            check(decoded.has_value());
            check(asProtobuf(*decoded).SerializeAsString() ==
                  asProtobuf(*message).SerializeAsString());
            (void)summarize(*message);
            const QJsonObject json = messageToJson(*message);
            QString jsonError;
            (void)messageFromJson(static_cast<MessageType>(type), json, jsonError);
        }
    } else if (type == static_cast<std::uint8_t>(MessageType::Extension)) {
        const auto extension = decodeExtension(payload, error);
        check(extension.has_value() == error.empty());
        if (extension)
            check(extension->data.data() + extension->data.size() ==
                  payload.data() + payload.size());
    } else {
        check(!decodeMessage(type, payload, error));
    }

    WireReader reader(payload);
    WireField field;
    std::string wireError;
    std::size_t lastEnd = 0;
    for (WireReader::Status status;
         (status = reader.next(field, wireError)) == WireReader::Status::Field;) {
        check(field.offset == lastEnd);
        check(field.offset + field.size <= payload.size());
        check(field.dataOffset >= field.offset && field.dataOffset <= field.offset + field.size);
        lastEnd = field.offset + field.size;
    }

    // The payload framed as a real frame, and the raw input taken as a frame as it is.
    if (payload.size() < 1024 * 1024) {
        Bytes frame;
        appendFrame(frame, channel, type, payload);
        dissect(frame);
    }
    dissect(ByteView(data, size));
    return 0;
}
