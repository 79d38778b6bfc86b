#include "dissector.h"

#include "messages.h"
#include "varint.h"

#include <algorithm>

namespace hyperscope {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

constexpr std::size_t MaxHexBytes = 32;

std::string countText(std::size_t count)
{
    return std::to_string(count) + (count == 1 ? " byte" : " bytes");
}

std::string quoted(ByteView bytes);

/// Bytes that read as text: printable ASCII, tabs and line breaks, at least 4 of them (shorter
/// runs are printable by chance too often). Random 32-byte keys practically never qualify.
bool looksLikeText(ByteView bytes)
{
    if (bytes.size() < 4)
        return false;
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t c) {
        return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r';
    });
}

std::string bytesText(ByteView bytes)
{
    if (bytes.empty())
        return "(0 bytes)";
    // Text is shown as text: a block "hello" or an extension message reads as what it says; the
    // hex view beside the tree still shows every byte.
    if (looksLikeText(bytes))
        return quoted(bytes) + " (" + countText(bytes.size()) + ")";
    if (bytes.size() <= MaxHexBytes)
        return toHex(bytes) + " (" + countText(bytes.size()) + ")";
    return toHex(bytes.first(MaxHexBytes)) + "… (" + countText(bytes.size()) + ")";
}

std::string quoted(ByteView bytes)
{
    static const char digits[] = "0123456789abcdef";
    std::string text = "\"";
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const std::uint8_t c = bytes[i];
        if (i == MaxHexBytes * 2) {
            text += "…";
            break;
        }
        if (c == '"' || c == '\\') {
            text += '\\';
            text += char(c);
        } else if (c >= 0x20 && c < 0x7f) {
            text += char(c);
        } else {
            text += "\\x";
            text += digits[c >> 4];
            text += digits[c & 15];
        }
    }
    return text + "\"";
}

int expectedWireType(const FieldDescriptor *field)
{
    switch (field->type()) {
    case FieldDescriptor::TYPE_FIXED64:
    case FieldDescriptor::TYPE_SFIXED64:
    case FieldDescriptor::TYPE_DOUBLE:
        return 1;
    case FieldDescriptor::TYPE_STRING:
    case FieldDescriptor::TYPE_BYTES:
    case FieldDescriptor::TYPE_MESSAGE:
        return 2;
    case FieldDescriptor::TYPE_FIXED32:
    case FieldDescriptor::TYPE_SFIXED32:
    case FieldDescriptor::TYPE_FLOAT:
        return 5;
    case FieldDescriptor::TYPE_GROUP:
        return 3;
    default:
        return 0;
    }
}

std::string scalarText(const FieldDescriptor *field, const WireField &wire)
{
    switch (field->type()) {
    case FieldDescriptor::TYPE_BOOL:
        return wire.value ? "true" : "false";
    case FieldDescriptor::TYPE_STRING:
        return quoted(wire.data);
    case FieldDescriptor::TYPE_BYTES:
        return bytesText(wire.data);
    default:
        return std::to_string(wire.value); // the schema's integers are all uint64
    }
}

// Appends one node per field of @p payload to @p out; returns a compact "name=value ..." line
// for the parent's row (bytes shortened to their size), so a collapsed nested message still reads.
// @p base is the offset of @p payload within the frame's payload (errors speak of payload
// offsets), @p payloadOffset that of the frame's payload within the frame (nodes use frame
// offsets).
std::string dissectMessage(ByteView payload, std::size_t base, std::size_t payloadOffset,
                           const Descriptor *descriptor, std::vector<DissectedField> &out)
{
    std::string compact;
    WireReader reader(payload, base);
    WireField wire;
    Error error;
    for (;;) {
        const WireReader::Status status = reader.next(wire, error);
        if (status == WireReader::Status::End)
            return compact;
        if (status == WireReader::Status::Malformed) {
            const std::size_t offset = reader.offset();
            out.push_back({"Malformed",
                           error.message,
                           payloadOffset + offset,
                           base + payload.size() - offset,
                           {}});
            return compact + (compact.empty() ? "malformed" : " malformed");
        }
        DissectedField node;
        node.offset = payloadOffset + wire.offset;
        node.length = wire.size;
        const FieldDescriptor *field = descriptor->FindFieldByNumber(static_cast<int>(wire.number));
        if (field && expectedWireType(field) == wire.wireType) {
            node.name = field->name();
            if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
                node.value = dissectMessage(wire.data, wire.dataOffset, payloadOffset,
                                            field->message_type(), node.children);
            } else {
                node.value = scalarText(field, wire);
            }
        } else {
            node.name = "field " + std::to_string(wire.number) + " (wire type " +
                        std::to_string(wire.wireType) + ")";
            node.value = wire.wireType == 2 ? bytesText(wire.data) : std::to_string(wire.value);
        }
        if (!compact.empty())
            compact += ' ';
        compact += node.name + '=' +
                   (wire.wireType == 2 && !(field && field->type() == FieldDescriptor::TYPE_STRING)
                        ? countText(wire.data.size())
                        : node.value);
        out.push_back(std::move(node));
    }
}

} // namespace

DissectedField dissectFrame(ByteView frame)
{
    DissectedField root{"Frame", {}, 0, frame.size(), {}};
    auto malformed = [&root, &frame](std::size_t offset, std::string why) {
        root.children.push_back({"Malformed", std::move(why), offset, frame.size() - offset, {}});
    };

    const varint::Decoded length = varint::decode(frame);
    if (length.status != varint::Status::Ok) {
        malformed(0, length.status == varint::Status::NeedMore ? "truncated frame length"
                                                               : "invalid varint in frame length");
        root.value = "malformed frame, " + countText(frame.size());
        return root;
    }
    const std::size_t available = frame.size() - length.size;
    const bool truncated = length.value > available;
    const std::size_t bodySize = truncated ? available : static_cast<std::size_t>(length.value);
    const std::size_t end = length.size + bodySize;

    auto finish = [&] {
        if (truncated)
            root.children.push_back({"Malformed",
                                     "truncated frame: length says " +
                                         std::to_string(length.value) + ", only " +
                                         countText(available) + " present",
                                     frame.size(),
                                     0,
                                     {}});
        else if (end < frame.size())
            malformed(end, countText(frame.size() - end) + " after the end of the frame");
    };

    if (length.value == 0) {
        root.children.push_back({"Keepalive", {}, 0, length.size, {}});
        root.value = "Keepalive";
        finish();
        return root;
    }
    root.children.push_back({"Length", std::to_string(length.value), 0, length.size, {}});

    const ByteView body = frame.subspan(length.size, bodySize);
    const varint::Decoded header = varint::decode(body);
    if (header.status != varint::Status::Ok) {
        root.children.push_back({"Malformed",
                                 header.status == varint::Status::NeedMore
                                     ? "truncated frame header"
                                     : "invalid varint in frame header",
                                 length.size,
                                 bodySize,
                                 {}});
        root.value = "malformed frame, " + countText(frame.size());
        finish();
        return root;
    }
    const std::uint64_t channel = header.value >> 4;
    const auto type = static_cast<std::uint8_t>(header.value & 0x0f);
    const std::string typeName(messageTypeName(type));
    DissectedField headerNode{"Header",
                              "channel " + std::to_string(channel) + ", " + typeName,
                              length.size,
                              header.size,
                              {}};
    headerNode.children.push_back(
        {"Channel", std::to_string(channel), length.size, header.size, {}});
    headerNode.children.push_back(
        {"Type", std::to_string(type) + " (" + typeName + ")", length.size, header.size, {}});
    root.children.push_back(std::move(headerNode));

    const std::size_t payloadOffset = length.size + header.size;
    const ByteView payload = body.subspan(header.size);
    const std::string where = " on channel " + std::to_string(channel);
    std::string summary = typeName;
    if (auto message = makeMessage(static_cast<MessageType>(type))) {
        dissectMessage(payload, 0, payloadOffset, asProtobuf(*message).GetDescriptor(),
                       root.children);
        Error error;
        if (auto decoded = decodeMessage(type, payload, error))
            summary = summarize(*decoded);
        else
            summary += " (invalid)";
    } else if (type == static_cast<std::uint8_t>(MessageType::Extension)) {
        const varint::Decoded id = varint::decode(payload);
        if (id.status == varint::Status::Ok) {
            root.children.push_back(
                {"Extension id", std::to_string(id.value), payloadOffset, id.size, {}});
            const ByteView data = payload.subspan(id.size);
            root.children.push_back(
                {"Extension payload", bytesText(data), payloadOffset + id.size, data.size(), {}});
            summary += " id=" + std::to_string(id.value) + ", " + countText(data.size());
        } else {
            root.children.push_back({"Malformed",
                                     id.status == varint::Status::NeedMore
                                         ? "truncated extension id"
                                         : "invalid varint in extension id",
                                     payloadOffset,
                                     payload.size(),
                                     {}});
            summary += " (invalid)";
        }
    } else {
        root.children.push_back({"Payload",
                                 bytesText(payload) + ", unassigned type (ignored)",
                                 payloadOffset,
                                 payload.size(),
                                 {}});
    }
    root.value = summary + where + ", " + countText(frame.size());
    finish();
    return root;
}

} // namespace hyperscope
