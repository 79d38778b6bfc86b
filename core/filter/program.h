// The compiled form of a filter (internal to core/filter): a flat array of nodes with the
// literals already parsed to the field's kind and regular expressions already compiled, so that
// evaluation does no parsing, no allocation and no lookup by name.
#pragma once

#include "fieldcatalogue.h"

#include <QRegularExpression>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hyperscope::filter {

enum class CompareOp : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge, Contains, Matches, In };

struct IntegerRange
{
    std::uint64_t low = 0;
    std::uint64_t high = 0;
};

struct Node
{
    enum class Kind : std::uint8_t { And, Or, Not, Present, Compare };
    Kind kind = Kind::Present;
    /// And, Or: children are m_children[first, first + count); Not: node index in first.
    std::uint32_t first = 0;
    std::uint32_t count = 0;
    /// Present, Compare: the field (an index into fieldCatalogue()) and the kind compared (which
    /// selects the field's locations of that kind).
    std::uint32_t field = 0;
    ValueKind valueKind = ValueKind::Integer;
    CompareOp op = CompareOp::Eq;
    /// Compare: the literal, an index into Program::literals.
    std::uint32_t literal = 0;
};

/// One right-hand side: integers (ranges; a single value is low == high; also types, directions,
/// legs and booleans as numbers), byte strings (bytes and text), or a regular expression.
struct Literal
{
    std::vector<IntegerRange> integers;
    std::vector<std::string> strings;
    std::optional<QRegularExpression> regex;
};

struct Program
{
    std::string expression;
    std::vector<Node> nodes;
    std::vector<std::uint32_t> children;
    std::vector<Literal> literals;
    std::uint32_t root = 0;
    bool empty = true;
    bool usesMessageFields = false;
    bool usesFeedVerdict = false;
};

} // namespace hyperscope::filter
