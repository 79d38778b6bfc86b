// The JSON form of protocol messages, used by hyperscope-cli, the inspector and the tests. It is
// the shape of the "message" objects in tests/vectors/hypercore-wire.json.
//
// The mapping is generic over all eleven types, driven by protobuf reflection:
//  - keys are the schema's field names ("discoveryKey", "start", ...);
//  - uint64 -> JSON number, bool -> true/false, bytes -> lower-case hex string,
//    string -> JSON string, repeated -> array, Data.nodes -> [{"index", "hash", "size"}];
//  - optional fields that are not set are left out; repeated fields are always present
//    (possibly []), since a repeated field has no "unset" state distinct from empty.
#pragma once

#include "messages.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace hyperscope {

/// The JSON object for @p message. Unknown fields kept from decoding are not represented.
///
/// Precision: JSON numbers are doubles here (QJsonValue), so uint64 values above 2^53 come out
/// rounded to the nearest double. They are still written as numbers, not strings, to keep one
/// shape; block indexes and lengths stay far below 2^53 in practice.
QJsonObject messageToJson(const Message &message);

/// Builds a message of type @p type from @p json. Strict: on any problem returns nullopt and sets
/// @p error to one line naming the type and field, e.g.
///  - "Want has no field 'begin'" (nested: "Data.nodes[0] has no field 'foo'");
///  - "Want field 'start' must be a non-negative integer, got a string";
///  - "Open field 'discoveryKey' is not valid hex";
///  - "Want: missing required field 'start'" (same text as decodeMessage());
///  - "Extension is not a protobuf message".
/// uint64 fields accept JSON numbers that are non-negative integers below 2^64; integers that
/// Qt parsed exactly (up to 2^63 - 1) keep full precision.
std::optional<Message> messageFromJson(MessageType type, const QJsonObject &json, QString &error);

} // namespace hyperscope
