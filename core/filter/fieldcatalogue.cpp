#include "fieldcatalogue.h"

#include "messages.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <cctype>

namespace hyperscope::filter {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

std::optional<ValueKind> kindOf(const FieldDescriptor &field)
{
    switch (field.type()) {
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_ENUM:
        return ValueKind::Integer;
    case FieldDescriptor::TYPE_BOOL:
        return ValueKind::Bool;
    case FieldDescriptor::TYPE_BYTES:
        return ValueKind::Bytes;
    case FieldDescriptor::TYPE_STRING:
        return ValueKind::Text;
    case FieldDescriptor::TYPE_MESSAGE:
        return ValueKind::Message;
    default:
        // sint, fixed and floating types are not in the schema; a filter would need their wire
        // decoding (zigzag, fixed width) before it could compare them.
        return std::nullopt;
    }
}

void addLocation(std::vector<FieldInfo> &fields, const std::string &name,
                 MessageFieldLocation location)
{
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&name](const FieldInfo &field) { return field.name == name; });
    if (it == fields.end()) {
        FieldInfo info;
        info.name = name;
        info.source = RowField::Message;
        info.kind = location.kind;
        fields.push_back(std::move(info));
        it = fields.end() - 1;
    }
    it->locations.push_back(location);
}

std::vector<FieldInfo> buildCatalogue()
{
    const auto rowField = [](const char *name, RowField source, ValueKind kind, const char *help) {
        return FieldInfo{name, source, kind, {}, help};
    };
    std::vector<FieldInfo> fields = {
        rowField("type", RowField::Type, ValueKind::TypeName,
                 "The message name as in the protocol (Request, Data, Extension), or Keepalive."),
        rowField("dir", RowField::Dir, ValueKind::Direction, "in (received) or out (sent)."),
        rowField("session", RowField::Session, ValueKind::Integer, "The session's number."),
        rowField("leg", RowField::Leg, ValueKind::Leg,
                 "client or server: the leg of a relayed session; absent on own sessions."),
        rowField("channel", RowField::Channel, ValueKind::Integer, "The channel id."),
        rowField("dk", RowField::DiscoveryKey, ValueKind::Bytes,
                 "The channel's discovery key (hex); a prefix matches."),
        rowField("key", RowField::FeedKey, ValueKind::Bytes,
                 "The channel's feed key (hex), when known; a prefix matches."),
        rowField("size", RowField::Size, ValueKind::Integer, "The size in bytes."),
        rowField("time", RowField::Time, ValueKind::Integer, "Milliseconds since the start."),
        rowField("ext", RowField::Extension, ValueKind::Text, "The extension's name."),
        rowField("warning", RowField::Warning, ValueKind::Text,
                 "The warning the row carries; a Data that failed verification carries why."),
        rowField("error", RowField::Error, ValueKind::Text, "The error the row carries."),
        rowField("verified", RowField::Verified, ValueKind::Bool,
                 "A Data's verdict, when its channel's feed key is known: verified == true "
                 "(verified), verified == false (failed or unverifiable); a bare `verified` is "
                 "true on every Data with a verdict, as a bare boolean is in Wireshark, and "
                 "!verified on every other row. Not known to intercept, which holds a message "
                 "before the feed layer sees it: there comparisons on it are false."),
        rowField("verdict", RowField::Verdict, ValueKind::Text,
                 "A Data's verdict as a word: verified, failed or unverifiable (as `verified`)."),
        rowField("verifyError", RowField::VerifyError, ValueKind::Text,
                 "Why a Data failed verification, or what its verification lacks: "
                 "verifyError contains \"signature\" (as `verified`)."),
        rowField("blocks", RowField::Blocks, ValueKind::Integer,
                 "The blocks a Have/Unhave/Want/Unwant covers, or a Request's, Cancel's or "
                 "Data's index: true when ANY of them passes (blocks == 5, blocks in {0..9}, "
                 "blocks > 1000); a Want without a length covers every block from its start."),
    };
    for (std::uint8_t type = 0; type <= static_cast<std::uint8_t>(MessageType::Close); ++type) {
        const std::optional<Message> message = makeMessage(static_cast<MessageType>(type));
        const Descriptor *descriptor = asProtobuf(*message).GetDescriptor();
        for (int i = 0; i < descriptor->field_count(); ++i) {
            const FieldDescriptor &field = *descriptor->field(i);
            const std::optional<ValueKind> kind = kindOf(field);
            if (!kind)
                continue;
            MessageFieldLocation location;
            location.messageType = type;
            location.number = static_cast<std::uint32_t>(field.number());
            location.kind = *kind;
            location.repeated = field.is_repeated();
            addLocation(fields, field.name(), location);
            if (*kind != ValueKind::Message)
                continue;
            // One level of nesting is all the schema has (Data.nodes): nodes.index, nodes.hash.
            const Descriptor *nested = field.message_type();
            for (int j = 0; j < nested->field_count(); ++j) {
                const FieldDescriptor &inner = *nested->field(j);
                const std::optional<ValueKind> innerKind = kindOf(inner);
                if (!innerKind || *innerKind == ValueKind::Message)
                    continue;
                MessageFieldLocation innerLocation = location;
                innerLocation.nestedNumber = static_cast<std::uint32_t>(inner.number());
                innerLocation.kind = *innerKind;
                innerLocation.repeated = field.is_repeated() || inner.is_repeated();
                addLocation(fields, field.name() + "." + inner.name(), innerLocation);
            }
        }
    }
    return fields;
}

char lower(char c)
{
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Edit distance in half steps: a change of case costs 1, any other edit 2, so that 'Discoverykey'
// finds 'discoveryKey' before 'discoveryKey' of another spelling.
std::size_t distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        previous[j] = 2 * j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = 2 * i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t substitute = 2;
            if (a[i - 1] == b[j - 1])
                substitute = 0;
            else if (lower(a[i - 1]) == lower(b[j - 1]))
                substitute = 1;
            current[j] =
                std::min({previous[j] + 2, current[j - 1] + 2, previous[j - 1] + substitute});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

} // namespace

std::string_view kindName(ValueKind kind)
{
    switch (kind) {
    case ValueKind::Integer:
        return "an integer";
    case ValueKind::Bytes:
        return "bytes";
    case ValueKind::Text:
        return "text";
    case ValueKind::Bool:
        return "a boolean";
    case ValueKind::TypeName:
        return "a message type";
    case ValueKind::Direction:
        return "a direction";
    case ValueKind::Leg:
        return "a relay leg";
    case ValueKind::Message:
        return "a nested message";
    }
    return "a value";
}

const std::vector<FieldInfo> &fieldCatalogue()
{
    static const std::vector<FieldInfo> catalogue = buildCatalogue();
    return catalogue;
}

const FieldInfo *findField(std::string_view name)
{
    for (const FieldInfo &field : fieldCatalogue()) {
        if (field.name == name)
            return &field;
    }
    return nullptr;
}

std::string closestMatch(std::string_view word, const std::vector<std::string> &candidates)
{
    // Long garbage is not worth an O(n*m) comparison against every name, and suggests nothing.
    if (word.empty() || word.size() > 64)
        return {};
    std::string best;
    std::size_t bestDistance = 0;
    for (const std::string &candidate : candidates) {
        const std::size_t d = distance(word, candidate);
        if (best.empty() || d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    // Up to a third of the word's letters wrong (at least one edit, at most three).
    const std::size_t allowed = 2 * std::clamp<std::size_t>(word.size() / 3, 1, 3);
    return bestDistance <= allowed ? best : std::string();
}

std::string closestFieldName(std::string_view name)
{
    std::vector<std::string> names;
    for (const FieldInfo &field : fieldCatalogue())
        names.push_back(field.name);
    return closestMatch(name, names);
}

} // namespace hyperscope::filter
