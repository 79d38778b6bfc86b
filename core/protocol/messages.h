// The protobuf messages carried in frames of types 0..10 (PROTOCOL.md §5), the extension payload
// of type 15 (§4, §7), and a scanner of the protobuf wire format with exact byte offsets.
//
// The message classes are generated from schema.proto into namespace hyperscope::schema
// (schema::Open ... schema::Close, schema::Data::Node, schema::NoisePayload). protoc lower-cases
// the C++ accessors of the camelCase fields: Open::discoverykey(), set_discoverykey().
#pragma once

#include "bytes.h"
#include "error.h"
#include "framer.h"
#include "schema.pb.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace hyperscope {

/// Any message of types 0..10. The variant index equals the wire type number, so
/// Message(std::in_place_index<5>) is a Want and messageType() is a cast of index().
using Message = std::variant<schema::Open, schema::Options, schema::Status, schema::Have,
                             schema::Unhave, schema::Want, schema::Unwant, schema::Request,
                             schema::Cancel, schema::Data, schema::Close>;

/// The frame type of @p message (Open..Close, never Extension).
MessageType messageType(const Message &message);

/// The held message as a generic protobuf message, for reflection (descriptor, field access).
/// The reference is valid as long as @p message holds the same alternative.
const google::protobuf::Message &asProtobuf(const Message &message);
google::protobuf::Message &asProtobuf(Message &message);

/// "Open" .. "Close", "Extension", and "Unknown(12)" for the other values. The view points to
/// static, NUL-terminated storage: it stays valid for the whole program and data() is a C string.
std::string_view messageTypeName(std::uint8_t type);

/// The type named exactly @p name ("Want", "Extension"); nullopt for any other string.
std::optional<MessageType> messageTypeFromName(std::string_view name);

/// A default-constructed (empty) message of type @p type; nullopt for Extension, which is not a
/// protobuf message.
std::optional<Message> makeMessage(MessageType type);

/// Decodes the payload of a frame of type @p type (0..10).
///
/// Follows the reference: the payload must be well-formed protobuf using only wire types 0, 1, 2
/// and 5 (the reference rejects groups), and every required field (also inside Data.nodes) must be
/// present. Unknown fields are accepted and kept, so appendMessage() of the result reproduces
/// @p payload when it was canonically encoded.
///
/// On failure returns nullopt and sets @p error to ErrorCode::InvalidMessage with one line naming
/// the type and the problem (@p error is left alone on success):
///  - "Want: missing required field 'start'" (several: "Data: missing required fields
///    'nodes[0].index', 'nodes[0].hash'");
///  - "Data: malformed protobuf (truncated field 2 at payload offset 5)";
///  - "Extension is not a protobuf message", "Unknown(12) is not a protobuf message".
std::optional<Message> decodeMessage(std::uint8_t type, ByteView payload, Error &error);
/// Same, with the sentence only: for callers outside core that show it as text (error.h's
/// convention is the Error form).
std::optional<Message> decodeMessage(std::uint8_t type, ByteView payload, std::string &error);

/// Appends the protobuf encoding of @p message to @p out, byte for byte as the reference encodes
/// it: fields in number order, every set field written even when equal to its default (proto2
/// presence), unknown fields last. A message missing required fields is still written, without
/// them (the peer will reject it): check IsInitialized() first if the message comes from outside.
void appendMessage(Bytes &out, const Message &message);

/// The number of bytes appendMessage() writes.
std::size_t messageSize(const Message &message);

/// One line for logs and the inspector, e.g. "Want start=0 length=∞",
/// "Data index=5 value=1.0 KiB nodes=1 signature", "Open discoveryKey=6b7ecf9c…
/// capability=cccccccc…", "Options extensions=[alpha,beta] ack=true", "Close", "Have start=0
/// length=1000 bitfield=2 B". Absent optional fields are left out (Want/Unwant without length read
/// "length=∞", Have/Unhave show their default length=1), ack only when true, unknown fields as a
/// count. UTF-8.
std::string summarize(const Message &message);

/// The payload of an Extension frame (type 15): varint(id) || data.
struct ExtensionPayload
{
    std::uint64_t id = 0; ///< Index of the extension name in the sender's Options list.
    ByteView data;        ///< The extension's bytes; a view into the decoded payload.
};

/// Splits an Extension payload. Fails (nullopt, @p error set to ErrorCode::InvalidMessage) when
/// the id varint is missing, truncated or invalid: "Extension: truncated id varint",
/// "Extension: invalid id varint".
std::optional<ExtensionPayload> decodeExtension(ByteView payload, Error &error);
/// Same, with the sentence only (see decodeMessage()).
std::optional<ExtensionPayload> decodeExtension(ByteView payload, std::string &error);

/// Appends varint(@p id) || @p data to @p out (the payload; frame it with appendFrame()).
void appendExtension(Bytes &out, std::uint64_t id, ByteView data);

// ------------------------------------------------------------------------------------------------
// The protobuf wire format, for diagnostics and the dissector: where each field lies.

/// One field as it lies on the wire. Offsets are relative to the start of the scanned payload
/// (plus the reader's base offset).
struct WireField
{
    std::uint32_t number = 0;   ///< Field number (1 .. 2^29 - 1).
    std::uint8_t wireType = 0;  ///< 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
    std::size_t offset = 0;     ///< Offset of the tag.
    std::size_t size = 0;       ///< Tag + value (+ length prefix) bytes.
    std::size_t dataOffset = 0; ///< Offset of the value; for wire type 2, of the content.
    std::uint64_t value = 0;    ///< Wire types 0, 1, 5: the value (little-endian for fixed).
    ByteView data;              ///< Wire type 2: the content. Other types: the value's bytes.
};

/// Walks the fields of a protobuf payload in wire order without interpreting them.
class WireReader
{
public:
    /// Reads @p payload; @p baseOffset is added to every offset reported (fields and errors), so
    /// that a nested message's fields are located within the outer payload.
    explicit WireReader(ByteView payload, std::size_t baseOffset = 0);

    enum class Status {
        Field,     ///< @c field holds the next field.
        End,       ///< The payload ended cleanly after the last field.
        Malformed, ///< @c error (InvalidMessage) says what, e.g. "truncated field 2 at payload
                   ///< offset 5". Final.
    };

    /// Reads the next field. Groups (wire types 3, 4) and wire types 6, 7 are Malformed, as are
    /// field number 0, tags above 32 bits, and values running past the end of the payload.
    Status next(WireField &field, Error &error);
    /// Same, with the sentence only (see decodeMessage()).
    Status next(WireField &field, std::string &error);

    /// Offset (including the base) of the first byte not yet read.
    std::size_t offset() const { return m_base + m_pos; }

private:
    ByteView m_payload;
    std::size_t m_base;
    std::size_t m_pos = 0;
    bool m_failed = false;
};

} // namespace hyperscope
