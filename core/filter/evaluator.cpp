#include "evaluator.h"

#include "blockfield.h"
#include "program.h"
#include "row.h"

#include <algorithm>
#include <functional>

namespace hyperscope::filter {

namespace {

/// One value of a field: an integer (also booleans, types, directions, legs) or bytes (also text).
struct Value
{
    std::uint64_t integer = 0;
    std::string_view bytes;
};

std::string_view asText(ByteView bytes)
{
    return {reinterpret_cast<const char *>(bytes.data()), bytes.size()};
}

bool wireTypeFits(ValueKind kind, std::uint8_t wireType)
{
    switch (kind) {
    case ValueKind::Integer:
    case ValueKind::Bool:
        return wireType == 0;
    case ValueKind::Bytes:
    case ValueKind::Text:
    case ValueKind::Message:
        return wireType == 2;
    default:
        return false;
    }
}

Value wireValue(const WireField &field)
{
    return {field.value, field.wireType == 2 ? asText(field.data) : std::string_view()};
}

/// Calls @p visit for each value of a schema field at @p location in @p payload, stopping at the
/// first call that returns true. A malformed payload ends the scan: what was read so far counts.
template<typename Visit>
bool visitMessageField(ByteView payload, const MessageFieldLocation &location, Visit &&visit)
{
    WireReader reader(payload);
    WireField field;
    std::string ignored;
    while (reader.next(field, ignored) == WireReader::Status::Field) {
        if (field.number != location.number)
            continue;
        if (location.nestedNumber == 0) {
            if (wireTypeFits(location.kind, field.wireType) && visit(wireValue(field)))
                return true;
            continue;
        }
        if (field.wireType != 2)
            continue;
        WireReader inner(field.data);
        WireField innerField;
        while (inner.next(innerField, ignored) == WireReader::Status::Field) {
            if (innerField.number == location.nestedNumber &&
                wireTypeFits(location.kind, innerField.wireType) && visit(wireValue(innerField)))
                return true;
        }
    }
    return false;
}

/// Calls @p visit for each value the row has for @p field read as @p kind; true as soon as one
/// call returns true. @p anyKind: every location counts, whatever its kind (presence).
template<typename Visit>
bool visitValues(const Row &row, const FieldInfo &field, ValueKind kind, bool anyKind,
                 Visit &&visit)
{
    const auto integer = [&](const std::optional<std::uint64_t> &value) {
        return value && visit(Value{*value, {}});
    };
    const auto text = [&](const std::optional<std::string_view> &value) {
        return value && visit(Value{0, *value});
    };
    switch (field.source) {
    case RowField::Type:
        return row.type != Row::NoType && visit(Value{std::uint64_t(row.type), {}});
    case RowField::Dir:
        return row.direction && visit(Value{std::uint64_t(*row.direction), {}});
    case RowField::Session:
        return integer(row.session);
    case RowField::Leg:
        return row.leg != Leg::None && visit(Value{std::uint64_t(row.leg), {}});
    case RowField::Channel:
        return integer(row.channel);
    case RowField::DiscoveryKey:
        return !row.discoveryKey.empty() && visit(Value{0, asText(row.discoveryKey)});
    case RowField::FeedKey:
        return !row.feedKey.empty() && visit(Value{0, asText(row.feedKey)});
    case RowField::Size:
        return integer(row.size);
    case RowField::Time:
        return integer(row.time);
    case RowField::Extension:
        return text(row.extension);
    case RowField::Warning:
        return text(row.warning);
    case RowField::Error:
        return text(row.error);
    case RowField::Verified:
        return row.verified && visit(Value{*row.verified ? 1u : 0u, {}});
    case RowField::Verdict:
        return text(row.verdict);
    case RowField::VerifyError:
        return text(row.verifyError);
    case RowField::Blocks: {
        // Presence only (compare() takes blocks apart): a bare `blocks` is any block at all.
        const std::optional<feed::BlockRanges> ranges = blocksOf(row);
        return ranges && !ranges->empty() && visit(Value{ranges->front().first, {}});
    }
    case RowField::Message:
        break;
    }
    if (!row.payload || row.type < 0)
        return false;
    for (const MessageFieldLocation &location : field.locations) {
        if (location.messageType != row.type || (!anyKind && location.kind != kind))
            continue;
        if (visitMessageField(*row.payload, location, visit))
            return true;
    }
    return false;
}

bool isPrefixField(const FieldInfo &field)
{
    return field.source == RowField::DiscoveryKey || field.source == RowField::FeedKey;
}

bool equalsLiteral(const FieldInfo &field, ValueKind kind, const Literal &literal,
                   const Value &value)
{
    if (kind == ValueKind::Bytes || kind == ValueKind::Text) {
        for (const std::string &string : literal.strings) {
            if (isPrefixField(field) ? value.bytes.substr(0, string.size()) == string
                                     : value.bytes == string)
                return true;
        }
        return false;
    }
    return std::any_of(literal.integers.begin(), literal.integers.end(),
                       [&value](const IntegerRange &range) {
                           return value.integer >= range.low && value.integer <= range.high;
                       });
}

bool regexMatches(const QRegularExpression &regex, ValueKind kind, std::string_view bytes)
{
    // Bytes as Latin-1: one character per byte, so any byte sequence is a valid subject and
    // "\\x00" finds a zero byte.
    const QString subject = kind == ValueKind::Text
                                ? QString::fromUtf8(bytes.data(), qsizetype(bytes.size()))
                                : QString::fromLatin1(bytes.data(), qsizetype(bytes.size()));
    return regex.match(subject).hasMatch();
}

/// An integer comparison on `blocks`, on its ranges as they are: true when any block of any range
/// passes (Wireshark's "any value" for a field with many values). O(ranges × literal ranges);
/// never enumerates blocks.
bool compareBlocks(const Literal &literal, CompareOp op, const feed::BlockRanges &ranges)
{
    if (ranges.empty())
        return false;
    const auto intersectsLiteral = [&literal](const feed::BlockRange &range) {
        return std::any_of(literal.integers.begin(), literal.integers.end(),
                           [&range](const IntegerRange &value) {
                               return range.first <= value.high && value.low <= range.last;
                           });
    };
    std::uint64_t lowest = ranges.front().first;
    std::uint64_t highest = ranges.front().last;
    for (const feed::BlockRange &range : ranges) {
        lowest = std::min(lowest, range.first);
        highest = std::max(highest, range.last);
    }
    const std::uint64_t bound = literal.integers.empty() ? 0 : literal.integers.front().low;
    switch (op) {
    case CompareOp::Eq:
    case CompareOp::In:
        return std::any_of(ranges.begin(), ranges.end(), intersectsLiteral);
    case CompareOp::Ne: // has blocks and none of them equals
        return std::none_of(ranges.begin(), ranges.end(), intersectsLiteral);
    case CompareOp::Lt:
        return lowest < bound;
    case CompareOp::Le:
        return lowest <= bound;
    case CompareOp::Gt:
        return highest > bound;
    case CompareOp::Ge:
        return highest >= bound;
    case CompareOp::Contains:
    case CompareOp::Matches:
        break; // not on integers: the parser refuses them
    }
    return false;
}

bool compare(const Program &program, const Node &node, const Row &row)
{
    const FieldInfo &field = fieldCatalogue()[node.field];
    const Literal &literal = program.literals[node.literal];
    const ValueKind kind = node.valueKind;
    if (field.source == RowField::Blocks) {
        const std::optional<feed::BlockRanges> ranges = blocksOf(row);
        return ranges && compareBlocks(literal, node.op, *ranges);
    }
    switch (node.op) {
    case CompareOp::Eq:
    case CompareOp::In:
        return visitValues(row, field, kind, false, [&](const Value &value) {
            return equalsLiteral(field, kind, literal, value);
        });
    case CompareOp::Ne: {
        // "Has values and none equals": absent is false, as for every comparison.
        bool present = false;
        const bool anyEqual = visitValues(row, field, kind, false, [&](const Value &value) {
            present = true;
            return equalsLiteral(field, kind, literal, value);
        });
        return present && !anyEqual;
    }
    case CompareOp::Lt:
    case CompareOp::Le:
    case CompareOp::Gt:
    case CompareOp::Ge: {
        const std::uint64_t bound = literal.integers.front().low;
        return visitValues(row, field, kind, false, [&](const Value &value) {
            switch (node.op) {
            case CompareOp::Lt:
                return value.integer < bound;
            case CompareOp::Le:
                return value.integer <= bound;
            case CompareOp::Gt:
                return value.integer > bound;
            default:
                return value.integer >= bound;
            }
        });
    }
    case CompareOp::Contains: {
        const std::string &needle = literal.strings.front();
        return visitValues(row, field, kind, false, [&](const Value &value) {
            return value.bytes.find(needle) != std::string_view::npos;
        });
    }
    case CompareOp::Matches:
        return visitValues(row, field, kind, false, [&](const Value &value) {
            return regexMatches(*literal.regex, kind, value.bytes);
        });
    }
    return false;
}

bool evaluateNode(const Program &program, std::uint32_t index, const Row &row)
{
    const Node &node = program.nodes[index];
    switch (node.kind) {
    case Node::Kind::And:
        for (std::uint32_t i = 0; i < node.count; ++i) {
            if (!evaluateNode(program, program.children[node.first + i], row))
                return false;
        }
        return true;
    case Node::Kind::Or:
        for (std::uint32_t i = 0; i < node.count; ++i) {
            if (evaluateNode(program, program.children[node.first + i], row))
                return true;
        }
        return false;
    case Node::Kind::Not:
        return !evaluateNode(program, node.first, row);
    case Node::Kind::Present:
        return visitValues(row, fieldCatalogue()[node.field], ValueKind::Integer, true,
                           [](const Value &) { return true; });
    case Node::Kind::Compare:
        return compare(program, node, row);
    }
    return false;
}

} // namespace

bool evaluate(const Program &program, const Row &row)
{
    return evaluateNode(program, program.root, row);
}

} // namespace hyperscope::filter
