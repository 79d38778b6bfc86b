// The fields a filter can name: the row's own fields (type, dir, session, leg, channel, dk, key,
// size, time, ext, warning, error), the feed layer's (verified, verdict, verifyError, blocks) and
// every field of the protocol's messages under its schema name, nested ones as `outer.inner`
// (`nodes.index`).
//
// The message fields are derived at start-up from the protobuf descriptors generated from
// core/protocol/schema.proto, so the schema stays the one source of truth: a field added there is
// a filter field without a change here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hyperscope::filter {

/// What values a field holds, which decides the operators and literals it takes.
enum class ValueKind : std::uint8_t {
    Integer,   ///< ==, !=, <, <=, >, >=, in {1..100, 200}
    Bytes,     ///< ==, !=, contains, matches, in; literals "text" or hex 00:ff / 00ff
    Text,      ///< ==, !=, contains, matches, in; literals "text" or a bare word
    Bool,      ///< ==, !=; literals true, false
    TypeName,  ///< `type`: ==, !=, in; message names as in the protocol (Request), Keepalive
    Direction, ///< `dir`: ==, !=, in; in, out
    Leg,       ///< `leg`: ==, !=, in; client, server
    Message,   ///< a nested message (Data's `nodes`): presence only
};

/// Human name of @p kind for error messages: "an integer", "bytes", ...
std::string_view kindName(ValueKind kind);

/// Where the row's own fields come from; Message for a schema field.
enum class RowField : std::uint8_t {
    Type,
    Dir,
    Session,
    Leg,
    Channel,
    DiscoveryKey,
    FeedKey,
    Size,
    Time,
    Extension,
    Warning,
    Error,
    Verified,    ///< the verdict on a Data (Row::verified)
    Verdict,     ///< Row::verdict
    VerifyError, ///< Row::verifyError
    /// The blocks a message is about, read from its payload: a Have's bitfield or start/length,
    /// an Unhave's, Want's or Unwant's start/length (open-ended without a length), a Request's,
    /// Cancel's or Data's index. Many values: a test is true when ANY block passes it, and it is
    /// evaluated on the ranges, never block by block (a Have of 2^40 blocks is one range).
    Blocks,
    Message,
};

/// One place a schema field lives: message type, field number, and for a nested field the
/// number inside it.
struct MessageFieldLocation
{
    std::uint8_t messageType = 0;   ///< 0..10 (MessageType).
    std::uint32_t number = 0;       ///< The field's number in that message.
    std::uint32_t nestedNumber = 0; ///< 0, or the field's number inside the nested message.
    ValueKind kind = ValueKind::Integer;
    bool repeated = false; ///< The outer or the nested field repeats: any value may match.
};

struct FieldInfo
{
    std::string name; ///< As typed in a filter: "dk", "index", "nodes.index".
    RowField source = RowField::Message;
    /// Row fields: their kind. Schema fields: the kind of their first location (a name may have
    /// several: `nodes` is an integer in Request and the repeated Node in Data).
    ValueKind kind = ValueKind::Integer;
    std::vector<MessageFieldLocation> locations; ///< Schema fields only.
    /// One line for a person (the row fields and the feed fields): what it holds, when it is
    /// present, the values it takes. Empty for schema fields (ui/inspection/utils/fielddocs has
    /// their meaning).
    std::string help;
};

/// Every field, row fields first, then the schema's in message-type order. Built once.
const std::vector<FieldInfo> &fieldCatalogue();

/// The field named exactly @p name (case-sensitive, as in the schema), or nullptr.
const FieldInfo *findField(std::string_view name);

/// The catalogue's name closest to @p name (edit distance, case differences cheap), or empty when
/// none is close enough to suggest.
std::string closestFieldName(std::string_view name);

/// The candidate closest to @p word, or empty; shared by field and message-type suggestions.
std::string closestMatch(std::string_view word, const std::vector<std::string> &candidates);

} // namespace hyperscope::filter
