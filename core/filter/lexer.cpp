#include "lexer.h"

#include "filter.h"

namespace hyperscope::filter {

namespace {

bool isWordChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':';
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

int columnOf(std::string_view expression, std::size_t offset)
{
    int column = 1;
    for (std::size_t i = 0; i < offset && i < expression.size(); ++i) {
        // Count characters, not bytes: continuation bytes of UTF-8 do not start a column.
        if ((static_cast<unsigned char>(expression[i]) & 0xc0) != 0x80)
            ++column;
    }
    return column;
}

bool tokenize(std::string_view expression, std::vector<Token> &tokens, FilterError &error)
{
    const auto fail = [&](std::size_t offset, std::string message) {
        error = {columnOf(expression, offset), std::move(message)};
        return false;
    };
    std::size_t i = 0;
    const std::size_t n = expression.size();
    while (i < n) {
        const char c = expression[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
            continue;
        }
        Token token;
        token.offset = i;
        if (isWordChar(c)) {
            std::size_t end = i;
            while (end < n && isWordChar(expression[end]))
                ++end;
            token.kind = Token::Kind::Word;
            token.text = std::string(expression.substr(i, end - i));
            i = end;
        } else if (c == '"') {
            token.kind = Token::Kind::String;
            ++i;
            bool closed = false;
            while (i < n) {
                const char d = expression[i];
                if (d == '"') {
                    closed = true;
                    ++i;
                    break;
                }
                if (d != '\\') {
                    token.text += d;
                    ++i;
                    continue;
                }
                if (i + 1 >= n)
                    break;
                const char e = expression[i + 1];
                switch (e) {
                case '"':
                case '\\':
                    token.text += e;
                    i += 2;
                    break;
                case 'n':
                    token.text += '\n';
                    i += 2;
                    break;
                case 'r':
                    token.text += '\r';
                    i += 2;
                    break;
                case 't':
                    token.text += '\t';
                    i += 2;
                    break;
                case 'x': {
                    const int high = i + 2 < n ? hexDigit(expression[i + 2]) : -1;
                    const int low = i + 3 < n ? hexDigit(expression[i + 3]) : -1;
                    if (high < 0 || low < 0)
                        return fail(i, "expected two hex digits after \\x");
                    token.text += static_cast<char>(high * 16 + low);
                    i += 4;
                    break;
                }
                default:
                    // Kept as written: regular expressions use \d, \s, \. ... and read better
                    // without doubled backslashes.
                    token.text += '\\';
                    token.text += e;
                    i += 2;
                    break;
                }
            }
            if (!closed)
                return fail(token.offset, "unterminated string: expected a closing '\"'");
        } else {
            const char next = i + 1 < n ? expression[i + 1] : '\0';
            using K = Token::Kind;
            auto two = [&](K kind) {
                token.kind = kind;
                i += 2;
            };
            auto one = [&](K kind) {
                token.kind = kind;
                i += 1;
            };
            switch (c) {
            case '=':
                if (next != '=')
                    return fail(i, "expected '==' (a single '=' is not an operator)");
                two(K::EqEq);
                break;
            case '!':
                if (next == '=')
                    two(K::NotEq);
                else
                    one(K::Bang);
                break;
            case '<':
                if (next == '=')
                    two(K::LessEq);
                else
                    one(K::Less);
                break;
            case '>':
                if (next == '=')
                    two(K::GreaterEq);
                else
                    one(K::Greater);
                break;
            case '&':
                if (next != '&')
                    return fail(i, "expected '&&'");
                two(K::AndAnd);
                break;
            case '|':
                if (next != '|')
                    return fail(i, "expected '||'");
                two(K::OrOr);
                break;
            case '(':
                one(K::LeftParen);
                break;
            case ')':
                one(K::RightParen);
                break;
            case '{':
                one(K::LeftBrace);
                break;
            case '}':
                one(K::RightBrace);
                break;
            case ',':
                one(K::Comma);
                break;
            default: {
                const unsigned char u = static_cast<unsigned char>(c);
                if (u >= 0x20 && u < 0x7f)
                    return fail(i, std::string("unexpected character '") + c + "'");
                return fail(i, "unexpected character (byte 0x" +
                                   std::string(1, "0123456789abcdef"[u >> 4]) +
                                   std::string(1, "0123456789abcdef"[u & 15]) +
                                   "): quote text in \"...\"");
            }
            }
        }
        tokens.push_back(std::move(token));
    }
    Token end;
    end.kind = Token::Kind::End;
    end.offset = n;
    tokens.push_back(std::move(end));
    return true;
}

} // namespace hyperscope::filter
