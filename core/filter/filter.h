// Filter expressions: Wireshark-style display filters over hyperscope's rows (issue 12).
//
//   type == Request && index > 5
//   type in {Request, Data} and channel == 2
//   value contains "error" || value contains 00:ff
//   extensions matches "^hypercore/" and not warning
//   nodes.index in {1..100, 200}
//   signature                      (a bare field: the row has it)
//   verified == false              (a Data that failed verification, or could not be verified)
//   blocks in {0..9} && type == Have
//
// Fields: see fieldcatalogue.h (the row's own fields and every schema field by name). Operators:
// ==, !=, <, <=, >, >= on integers; ==, !=, contains, matches on bytes and text; ==, != on
// booleans, types, directions and legs; `in {a, b, lo..hi}` on all of those; && / and, || / or,
// ! / not, parentheses (not binds tighter than and, and than or; it negates a whole test, so
// `!type == Request` is `!(type == Request)`). Keywords are case-insensitive; field names and
// message names are exactly as in the protocol (`discoveryKey`, `Request`; also `Keepalive`).
//
// Semantics:
//  - A field the row does not carry makes every comparison on it false, != included; a bare field
//    is true when the row carries it. `!(index == 5)` is true for a row without an index.
//  - A field with several values (a repeated field: `extensions`, `nodes.index`) matches == and the
//    ordering operators when any value does; != when it has values and none equals.
//  - `dk == 6b7e` and `key == ...` match a prefix of the key.
//  - The feed layer's fields (core/feed, issue 13): `blocks`, the blocks a message is about, is
//    many-valued like a repeated field and is compared on its ranges without expanding them;
//    `verified` / `verdict` / `verifyError` are a Data's verdict, present only where the row's
//    source knows it (setVerdict(); see fieldcatalogue.cpp for each field's one-line help). A bare
//    `verified` tests presence (a verdict exists) as a bare boolean does in Wireshark;
//    `verified == true` asks for the verified ones.
//  - Bytes literals: "text" (UTF-8, escapes \" \\ \n \r \t \xHH; any other backslash is kept, so
//    "\d+\." reaches a regular expression as written) or hex (00:ff, 00ff). Text fields also take
//    a bare word (`ext == alpha`). matches runs a Perl-compatible regular expression on the bytes
//    read as Latin-1 (text: UTF-8); it may not start with a PCRE2 (*...) option.
//  - Integers: decimal or 0x hex, up to 2^64 - 1.
//
// Hostile input is normal input: an expression longer than MaxExpressionLength, nested deeper than
// MaxDepth, with a set larger than MaxSetSize or a regular expression longer than
// MaxPatternLength is an error, and a compiled regular expression carries a PCRE2 match limit, so
// that compiling and evaluating are bounded whatever the text.
//
// Use: compile once (Filter::compile; show FilterError::toString() as it is), then per row fill a
// Row (row.h) with what the row knows, the message through setFrame() from a plain frame or
// setMessage() from a decoded one, and call matches(). The inspector's log, hyperscope-cli's
// events (core/cli/eventfilter.h) and relayed sessions (Row::leg) all go this way.
#pragma once

#include "row.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hyperscope::filter {

/// The longest expression accepted, in bytes: a filter is typed or pasted, never generated.
constexpr std::size_t MaxExpressionLength = 64 * 1024;
/// Parentheses and negations nested at most this deep (the parser recurses once per level).
constexpr int MaxDepth = 64;
/// Elements of one `in {...}` set.
constexpr std::size_t MaxSetSize = 4096;
/// Characters of one regular expression.
constexpr std::size_t MaxPatternLength = 4096;
/// The PCRE2 match limit of every `matches`: a catastrophic pattern gives up (no match) after this
/// many internal steps instead of running for minutes.
constexpr int RegexMatchLimit = 200000;

/// Why an expression did not compile: the 1-based column (in characters) where the problem lies
/// and what was expected there.
struct FilterError
{
    int column = 0;
    std::string message; ///< "unknown field 'indx' (did you mean 'index'?)"

    /// "filter: column 14: unknown field 'indx' (did you mean 'index'?)"
    std::string toString() const;
};

struct Program; // the compiled form (program.h); opaque to users

/// A compiled expression. Cheap to copy: copies share one immutable program. Evaluate a filter
/// (and its copies) from one thread at a time: the regular expressions it holds are reentrant,
/// which Qt does not promise to be thread-safe.
class Filter
{
public:
    /// The empty filter: matches every row.
    Filter();
    ~Filter();
    Filter(const Filter &);
    Filter &operator=(const Filter &);

    /// Compiles @p expression. An empty or blank expression compiles to the empty filter. On
    /// failure returns nullopt and sets @p error (left alone on success).
    static std::optional<Filter> compile(std::string_view expression, FilterError &error);

    /// Whether @p row passes. Never fails: anything that cannot be read (a malformed payload, a
    /// field of another message type) is an absent field.
    bool matches(const Row &row) const;

    /// True for the empty filter (every row passes).
    bool isEmpty() const;
    /// Whether matches() reads Row::payload: a caller that must encode a message to fill it can
    /// skip that when it is not.
    bool usesMessageFields() const;
    /// Whether matches() reads what setVerdict() fills (verified, verdict, verifyError, and
    /// warning, which a failed Data carries): a source that must look a verdict up can skip that
    /// when it is not.
    bool usesFeedVerdict() const;
    /// The expression as given to compile().
    const std::string &expression() const;

private:
    std::shared_ptr<const Program> m_program;
};

} // namespace hyperscope::filter
