// Cuts a filter expression into tokens. Words cover field names (nodes.index), numbers, ranges
// (1..100), hex (00:ff) and keywords, which the parser tells apart by context: `in` is an
// operator after a field and a direction after `dir ==`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hyperscope::filter {

struct FilterError;

struct Token
{
    enum class Kind {
        End,
        Word,   ///< [A-Za-z0-9_.:]+
        String, ///< "..." (text holds the unescaped bytes)
        EqEq,
        NotEq,
        Less,
        LessEq,
        Greater,
        GreaterEq,
        AndAnd,
        OrOr,
        Bang,
        LeftParen,
        RightParen,
        LeftBrace,
        RightBrace,
        Comma,
    };
    Kind kind = Kind::End;
    std::string text;       ///< Word: as written; String: unescaped.
    std::size_t offset = 0; ///< Byte offset of the token's first character.
};

/// Tokenizes @p expression. On failure returns false and sets @p error (an unterminated string, a
/// bad escape, a character that starts no token, a lone '=' or '&' or '|').
bool tokenize(std::string_view expression, std::vector<Token> &tokens, FilterError &error);

/// The 1-based column (in UTF-8 characters) of byte @p offset in @p expression.
int columnOf(std::string_view expression, std::size_t offset);

} // namespace hyperscope::filter
