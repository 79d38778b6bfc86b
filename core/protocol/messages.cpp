#include "messages.h"

#include "varint.h"

#include <array>
#include <cstdio>
#include <utility>

namespace hyperscope {

namespace {

constexpr std::size_t ProtobufTypeCount = std::variant_size_v<Message>;

template<std::size_t... I> Message makeByIndex(std::size_t index, std::index_sequence<I...>)
{
    static constexpr Message (*makers[])() = {[]() {
        return Message(std::in_place_index<I>);
    }...};
    return makers[index]();
}

std::string sizeText(std::size_t size)
{
    char text[32];
    if (size < 1024)
        std::snprintf(text, sizeof text, "%zu B", size);
    else if (size < 1024 * 1024)
        std::snprintf(text, sizeof text, "%.1f KiB", size / 1024.0);
    else
        std::snprintf(text, sizeof text, "%.1f MiB", size / (1024.0 * 1024.0));
    return text;
}

// Keys and capabilities are long and random: 4 bytes identify them in a log line.
std::string shortHex(const std::string &bytes)
{
    const ByteView view = asView(bytes);
    return view.size() <= 4 ? toHex(view) : toHex(view.first(4)) + "…";
}

// Checks what protobuf would accept silently but the reference refuses (groups), and locates
// structural errors, which ParsePartialFromArray() only reports as "false".
bool checkWire(ByteView payload, std::size_t base, const google::protobuf::Descriptor *descriptor,
               Error &error)
{
    WireReader reader(payload, base);
    WireField field;
    for (;;) {
        switch (reader.next(field, error)) {
        case WireReader::Status::End:
            return true;
        case WireReader::Status::Malformed:
            return false;
        case WireReader::Status::Field:
            break;
        }
        const auto *fd = descriptor->FindFieldByNumber(static_cast<int>(field.number));
        if (fd && fd->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE &&
            field.wireType == 2 &&
            !checkWire(field.data, field.dataOffset, fd->message_type(), error))
            return false;
    }
}

} // namespace

MessageType messageType(const Message &message)
{
    return static_cast<MessageType>(message.index());
}

const google::protobuf::Message &asProtobuf(const Message &message)
{
    return std::visit([](const auto &m) -> const google::protobuf::Message & { return m; },
                      message);
}

google::protobuf::Message &asProtobuf(Message &message)
{
    return std::visit([](auto &m) -> google::protobuf::Message & { return m; }, message);
}

std::string_view messageTypeName(std::uint8_t type)
{
    static const std::array<std::string, 256> names = [] {
        std::array<std::string, 256> result;
        for (std::size_t i = 0; i < result.size(); ++i)
            result[i] = "Unknown(" + std::to_string(i) + ")";
        const char *known[] = {"Open",   "Options", "Status", "Have", "Unhave", "Want",
                               "Unwant", "Request", "Cancel", "Data", "Close"};
        for (std::size_t i = 0; i < std::size(known); ++i)
            result[i] = known[i];
        result[15] = "Extension";
        return result;
    }();
    return names[type];
}

std::optional<MessageType> messageTypeFromName(std::string_view name)
{
    for (unsigned type = 0; type < 16; ++type) {
        if ((type < ProtobufTypeCount || type == 15) && messageTypeName(type) == name)
            return static_cast<MessageType>(type);
    }
    return std::nullopt;
}

std::optional<Message> makeMessage(MessageType type)
{
    const auto index = static_cast<std::size_t>(type);
    if (index >= ProtobufTypeCount)
        return std::nullopt;
    return makeByIndex(index, std::make_index_sequence<ProtobufTypeCount>());
}

std::optional<Message> decodeMessage(std::uint8_t type, ByteView payload, Error &error)
{
    const auto invalid = [&error](std::string message) {
        error = Error(ErrorCode::InvalidMessage, std::move(message));
        return std::nullopt;
    };
    std::optional<Message> message;
    if (type < ProtobufTypeCount)
        message = makeMessage(static_cast<MessageType>(type));
    if (!message)
        return invalid(std::string(messageTypeName(type)) + " is not a protobuf message");
    const std::string name(messageTypeName(type));
    google::protobuf::Message &proto = asProtobuf(*message);

    Error wireError;
    if (!checkWire(payload, 0, proto.GetDescriptor(), wireError))
        return invalid(name + ": malformed protobuf (" + wireError.message + ")");
    if (payload.size() > static_cast<std::size_t>(INT32_MAX) ||
        !proto.ParsePartialFromArray(payload.data(), static_cast<int>(payload.size())))
        return invalid(name + ": malformed protobuf");
    if (!proto.IsInitialized()) {
        std::vector<std::string> missing;
        proto.FindInitializationErrors(&missing);
        std::string text = name + (missing.size() == 1 ? ": missing required field "
                                                       : ": missing required fields ");
        for (std::size_t i = 0; i < missing.size(); ++i)
            text += (i ? ", '" : "'") + missing[i] + "'";
        return invalid(std::move(text));
    }
    return message;
}

std::optional<Message> decodeMessage(std::uint8_t type, ByteView payload, std::string &error)
{
    Error failure;
    std::optional<Message> message = decodeMessage(type, payload, failure);
    if (!message)
        error = std::move(failure.message);
    return message;
}

void appendMessage(Bytes &out, const Message &message)
{
    const google::protobuf::Message &proto = asProtobuf(message);
    const std::size_t size = proto.ByteSizeLong();
    const std::size_t start = out.size();
    out.resize(start + size);
    // Partial: serializing must never abort on a message missing required fields (documented).
    proto.SerializePartialToArray(out.data() + start, static_cast<int>(size));
}

std::size_t messageSize(const Message &message)
{
    return asProtobuf(message).ByteSizeLong();
}

std::string summarize(const Message &message)
{
    using namespace schema;
    std::string text(messageTypeName(static_cast<std::uint8_t>(message.index())));
    auto add = [&text](std::string_view name, const std::string &value) {
        text += ' ';
        text += name;
        if (!value.empty()) {
            text += '=';
            text += value;
        }
    };
    auto number = [](std::uint64_t value) {
        return std::to_string(value);
    };
    auto boolean = [](bool value) {
        return std::string(value ? "true" : "false");
    };

    std::visit(
        [&](const auto &m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Open>) {
                add("discoveryKey", shortHex(m.discoverykey()));
                if (m.has_capability())
                    add("capability", shortHex(m.capability()));
            } else if constexpr (std::is_same_v<T, Options>) {
                std::string names = "[";
                for (int i = 0; i < m.extensions_size(); ++i)
                    names += (i ? "," : "") + m.extensions(i);
                add("extensions", names + "]");
                if (m.ack())
                    add("ack", "true");
            } else if constexpr (std::is_same_v<T, Status>) {
                if (m.has_uploading())
                    add("uploading", boolean(m.uploading()));
                if (m.has_downloading())
                    add("downloading", boolean(m.downloading()));
            } else if constexpr (std::is_same_v<T, Have> || std::is_same_v<T, Unhave>) {
                add("start", number(m.start()));
                add("length", number(m.length()));
                if constexpr (std::is_same_v<T, Have>) {
                    if (m.has_bitfield())
                        add("bitfield", sizeText(m.bitfield().size()));
                    if (m.ack())
                        add("ack", "true");
                }
            } else if constexpr (std::is_same_v<T, Want> || std::is_same_v<T, Unwant>) {
                add("start", number(m.start()));
                add("length", m.has_length() ? number(m.length()) : "∞");
            } else if constexpr (std::is_same_v<T, Request> || std::is_same_v<T, Cancel>) {
                add("index", number(m.index()));
                if (m.has_bytes())
                    add("bytes", number(m.bytes()));
                if (m.has_hash())
                    add("hash", boolean(m.hash()));
                if constexpr (std::is_same_v<T, Request>) {
                    if (m.has_nodes())
                        add("nodes", number(m.nodes()));
                }
            } else if constexpr (std::is_same_v<T, Data>) {
                add("index", number(m.index()));
                if (m.has_value())
                    add("value", sizeText(m.value().size()));
                if (m.nodes_size() > 0)
                    add("nodes", number(m.nodes_size()));
                if (m.has_signature())
                    add("signature", {});
            } else if constexpr (std::is_same_v<T, Close>) {
                if (m.has_discoverykey())
                    add("discoveryKey", shortHex(m.discoverykey()));
            }
        },
        message);

    const google::protobuf::Message &proto = asProtobuf(message);
    const int unknown = proto.GetReflection()->GetUnknownFields(proto).field_count();
    if (unknown > 0)
        text += " (+" + std::to_string(unknown) +
                (unknown == 1 ? " unknown field)" : " unknown fields)");
    return text;
}

std::optional<ExtensionPayload> decodeExtension(ByteView payload, Error &error)
{
    const varint::Decoded id = varint::decode(payload);
    switch (id.status) {
    case varint::Status::Ok:
        return ExtensionPayload{id.value, payload.subspan(id.size)};
    case varint::Status::NeedMore:
        error = Error(ErrorCode::InvalidMessage, "Extension: truncated id varint");
        break;
    case varint::Status::Invalid:
        error = Error(ErrorCode::InvalidMessage, "Extension: invalid id varint");
        break;
    }
    return std::nullopt;
}

std::optional<ExtensionPayload> decodeExtension(ByteView payload, std::string &error)
{
    Error failure;
    std::optional<ExtensionPayload> extension = decodeExtension(payload, failure);
    if (!extension)
        error = std::move(failure.message);
    return extension;
}

void appendExtension(Bytes &out, std::uint64_t id, ByteView data)
{
    varint::append(out, id);
    out.insert(out.end(), data.begin(), data.end());
}

WireReader::WireReader(ByteView payload, std::size_t baseOffset)
    : m_payload(payload)
    , m_base(baseOffset)
{}

WireReader::Status WireReader::next(WireField &field, std::string &error)
{
    Error failure;
    const Status status = next(field, failure);
    if (status == Status::Malformed)
        error = std::move(failure.message);
    return status;
}

WireReader::Status WireReader::next(WireField &field, Error &error)
{
    if (m_failed) {
        error = Error(ErrorCode::InvalidMessage, "malformed protobuf");
        return Status::Malformed;
    }
    if (m_pos == m_payload.size())
        return Status::End;

    const std::size_t start = m_pos;
    // The texts of an error are built only when there is one: this runs for every field of every
    // frame received.
    const auto at = [&] {
        return " at payload offset " + std::to_string(m_base + start);
    };
    auto malformed = [&](std::string message) {
        m_failed = true;
        error = Error(ErrorCode::InvalidMessage, std::move(message));
        return Status::Malformed;
    };

    const ByteView rest = m_payload.subspan(start);
    const varint::Decoded tag = varint::decode(rest);
    if (tag.status == varint::Status::NeedMore)
        return malformed("truncated tag" + at());
    if (tag.status == varint::Status::Invalid || tag.value > 0xffffffffu)
        return malformed("invalid tag" + at());

    field = WireField();
    field.number = static_cast<std::uint32_t>(tag.value >> 3);
    field.wireType = static_cast<std::uint8_t>(tag.value & 7);
    field.offset = m_base + start;
    const auto name = [&] {
        return "field " + std::to_string(field.number);
    };
    if (field.number == 0)
        return malformed("field number 0" + at());

    std::size_t pos = tag.size;
    switch (field.wireType) {
    case 0: {
        const varint::Decoded value = varint::decode(rest.subspan(pos));
        if (value.status == varint::Status::NeedMore)
            return malformed("truncated " + name() + at());
        if (value.status == varint::Status::Invalid)
            return malformed("invalid varint in " + name() + at());
        field.value = value.value;
        field.data = rest.subspan(pos, value.size);
        field.dataOffset = m_base + start + pos;
        pos += value.size;
        break;
    }
    case 1:
    case 5: {
        const std::size_t width = field.wireType == 1 ? 8 : 4;
        if (rest.size() - pos < width)
            return malformed("truncated " + name() + at());
        for (std::size_t i = 0; i < width; ++i)
            field.value |= std::uint64_t(rest[pos + i]) << (8 * i);
        field.data = rest.subspan(pos, width);
        field.dataOffset = m_base + start + pos;
        pos += width;
        break;
    }
    case 2: {
        const varint::Decoded length = varint::decode(rest.subspan(pos));
        if (length.status == varint::Status::NeedMore)
            return malformed("truncated " + name() + at());
        if (length.status == varint::Status::Invalid)
            return malformed("invalid length varint in " + name() + at());
        pos += length.size;
        if (length.value > rest.size() - pos)
            return malformed("truncated " + name() + at());
        field.value = length.value;
        field.data = rest.subspan(pos, static_cast<std::size_t>(length.value));
        field.dataOffset = m_base + start + pos;
        pos += static_cast<std::size_t>(length.value);
        break;
    }
    case 3:
    case 4:
        return malformed(name() + " uses group wire type " + std::to_string(field.wireType) +
                         " (not supported by the reference)" + at());
    default:
        return malformed(name() + " has invalid wire type " + std::to_string(field.wireType) +
                         at());
    }
    field.size = pos;
    m_pos = start + pos;
    return Status::Field;
}

} // namespace hyperscope
