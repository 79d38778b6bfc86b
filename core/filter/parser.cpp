#include "parser.h"

#include "filter.h"
#include "lexer.h"
#include "messages.h"
#include "program.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace hyperscope::filter {

namespace {

bool equalsKeyword(std::string_view word, std::string_view keyword)
{
    return word.size() == keyword.size() &&
           std::equal(word.begin(), word.end(), keyword.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

std::optional<std::uint64_t> parseInteger(std::string_view text)
{
    if (text.empty())
        return std::nullopt;
    unsigned base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    std::uint64_t value = 0;
    for (const char c : text) {
        unsigned digit = 0;
        if (c >= '0' && c <= '9')
            digit = unsigned(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = unsigned(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = unsigned(c - 'A' + 10);
        else
            return std::nullopt;
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / base)
            return std::nullopt;
        value = value * base + digit;
    }
    return value;
}

bool allDigits(std::string_view text)
{
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// 00:ff:10 or 00ff10: whole bytes only.
std::optional<std::string> parseHexBytes(std::string_view text)
{
    std::string digits;
    if (text.find(':') != std::string_view::npos) {
        std::size_t start = 0;
        for (;;) {
            const std::size_t colon = text.find(':', start);
            const std::string_view part = text.substr(start, colon - start);
            if (part.size() != 2)
                return std::nullopt;
            digits += part;
            if (colon == std::string_view::npos)
                break;
            start = colon + 1;
        }
    } else {
        digits = text;
    }
    const std::optional<Bytes> bytes = fromHex(digits);
    if (!bytes || digits.empty())
        return std::nullopt;
    return std::string(bytes->begin(), bytes->end());
}

std::string opText(CompareOp op)
{
    switch (op) {
    case CompareOp::Eq:
        return "==";
    case CompareOp::Ne:
        return "!=";
    case CompareOp::Lt:
        return "<";
    case CompareOp::Le:
        return "<=";
    case CompareOp::Gt:
        return ">";
    case CompareOp::Ge:
        return ">=";
    case CompareOp::Contains:
        return "contains";
    case CompareOp::Matches:
        return "matches";
    case CompareOp::In:
        return "in";
    }
    return "?";
}

bool kindTakes(ValueKind kind, CompareOp op)
{
    switch (kind) {
    case ValueKind::Integer:
        return op != CompareOp::Contains && op != CompareOp::Matches;
    case ValueKind::Bytes:
    case ValueKind::Text:
        return op == CompareOp::Eq || op == CompareOp::Ne || op == CompareOp::Contains ||
               op == CompareOp::Matches || op == CompareOp::In;
    case ValueKind::Bool:
    case ValueKind::TypeName:
    case ValueKind::Direction:
    case ValueKind::Leg:
        return op == CompareOp::Eq || op == CompareOp::Ne || op == CompareOp::In;
    case ValueKind::Message:
        return false;
    }
    return false;
}

std::string operatorsOf(ValueKind kind)
{
    switch (kind) {
    case ValueKind::Integer:
        return "==, !=, <, <=, >, >= or in";
    case ValueKind::Bytes:
    case ValueKind::Text:
        return "==, !=, contains, matches or in";
    case ValueKind::Message:
        return "no operator (test its presence, or compare one of its fields)";
    default:
        return "==, != or in";
    }
}

std::vector<std::string> typeNames()
{
    std::vector<std::string> names;
    for (unsigned type = 0; type < 16; ++type) {
        if (messageTypeFromName(messageTypeName(static_cast<std::uint8_t>(type))))
            names.emplace_back(messageTypeName(static_cast<std::uint8_t>(type)));
    }
    names.emplace_back("Keepalive");
    return names;
}

class Parser
{
public:
    Parser(std::string_view expression, std::vector<Token> tokens, Program &program,
           FilterError &error)
        : m_expression(expression)
        , m_tokens(std::move(tokens))
        , m_program(program)
        , m_error(error)
    {}

    bool run()
    {
        std::uint32_t root = 0;
        if (!parseOr(0, root))
            return false;
        if (peek().kind != Token::Kind::End) {
            if (peek().kind == Token::Kind::RightParen)
                return fail(peek(), "unbalanced ')'");
            return fail(peek(), "expected '&&', '||' or the end of the expression, got " +
                                    describe(peek()));
        }
        m_program.root = root;
        return true;
    }

private:
    using K = Token::Kind;

    const Token &peek() const { return m_tokens[m_position]; }
    const Token &take() { return m_tokens[m_position++]; }

    bool fail(const Token &at, std::string message)
    {
        m_error = {columnOf(m_expression, at.offset), std::move(message)};
        return false;
    }

    static std::string describe(const Token &token)
    {
        switch (token.kind) {
        case K::End:
            return "the end of the expression";
        case K::Word: {
            // Built by appending (here and below): GCC 12 at -O3 reports a false -Wrestrict on
            // "'" + text + "'".
            std::string quoted = "'";
            quoted.append(token.text, 0, 40);
            if (token.text.size() > 40)
                quoted += "…";
            quoted += "'";
            return quoted;
        }
        case K::String:
            return "a string";
        default: {
            std::string quoted = "'";
            quoted += tokenText(token.kind);
            quoted += "'";
            return quoted;
        }
        }
    }

    static std::string tokenText(K kind)
    {
        switch (kind) {
        case K::EqEq:
            return "==";
        case K::NotEq:
            return "!=";
        case K::Less:
            return "<";
        case K::LessEq:
            return "<=";
        case K::Greater:
            return ">";
        case K::GreaterEq:
            return ">=";
        case K::AndAnd:
            return "&&";
        case K::OrOr:
            return "||";
        case K::Bang:
            return "!";
        case K::LeftParen:
            return "(";
        case K::RightParen:
            return ")";
        case K::LeftBrace:
            return "{";
        case K::RightBrace:
            return "}";
        case K::Comma:
            return ",";
        default:
            return "";
        }
    }

    bool isKeyword(const Token &token, std::string_view keyword) const
    {
        return token.kind == K::Word && equalsKeyword(token.text, keyword);
    }

    std::uint32_t addNode(Node node)
    {
        m_program.nodes.push_back(node);
        return static_cast<std::uint32_t>(m_program.nodes.size() - 1);
    }

    /// An n-ary And/Or: a long chain stays one node, so evaluation never recurses per operand.
    std::uint32_t addList(Node::Kind kind, const std::vector<std::uint32_t> &operands)
    {
        Node node;
        node.kind = kind;
        node.first = static_cast<std::uint32_t>(m_program.children.size());
        node.count = static_cast<std::uint32_t>(operands.size());
        m_program.children.insert(m_program.children.end(), operands.begin(), operands.end());
        return addNode(node);
    }

    bool parseOr(int depth, std::uint32_t &result)
    {
        std::vector<std::uint32_t> operands(1);
        if (!parseAnd(depth, operands[0]))
            return false;
        while (peek().kind == K::OrOr || isKeyword(peek(), "or")) {
            take();
            operands.emplace_back();
            if (!parseAnd(depth, operands.back()))
                return false;
        }
        result = operands.size() == 1 ? operands[0] : addList(Node::Kind::Or, operands);
        return true;
    }

    bool parseAnd(int depth, std::uint32_t &result)
    {
        std::vector<std::uint32_t> operands(1);
        if (!parseUnary(depth, operands[0]))
            return false;
        while (peek().kind == K::AndAnd || isKeyword(peek(), "and")) {
            take();
            operands.emplace_back();
            if (!parseUnary(depth, operands.back()))
                return false;
        }
        result = operands.size() == 1 ? operands[0] : addList(Node::Kind::And, operands);
        return true;
    }

    bool parseUnary(int depth, std::uint32_t &result)
    {
        const Token &token = peek();
        const bool negation = token.kind == K::Bang || isKeyword(token, "not");
        if (negation || token.kind == K::LeftParen) {
            if (depth >= MaxDepth) {
                return fail(token, "nested deeper than " + std::to_string(MaxDepth) +
                                       " levels of parentheses and negations");
            }
        }
        if (negation) {
            take();
            std::uint32_t operand = 0;
            if (!parseUnary(depth + 1, operand))
                return false;
            Node node;
            node.kind = Node::Kind::Not;
            node.first = operand;
            result = addNode(node);
            return true;
        }
        if (token.kind == K::LeftParen) {
            const Token &open = take();
            if (!parseOr(depth + 1, result))
                return false;
            if (peek().kind != K::RightParen) {
                return fail(peek(), "expected ')' to close the '(' at column " +
                                        std::to_string(columnOf(m_expression, open.offset)) +
                                        ", got " + describe(peek()));
            }
            take();
            return true;
        }
        return parseTest(result);
    }

    bool parseTest(std::uint32_t &result)
    {
        const Token &name = peek();
        if (name.kind != K::Word)
            return fail(name, "expected a field name, '!' or '(', got " + describe(name));
        for (const char *keyword : {"and", "or", "not", "in", "contains", "matches"}) {
            if (isKeyword(name, keyword))
                return fail(name, "expected a field name before '" + name.text + "'");
        }
        const FieldInfo *field = findField(name.text);
        if (!field) {
            std::string message = "unknown field " + describe(name);
            const std::string suggestion = closestFieldName(name.text);
            if (!suggestion.empty())
                message += " (did you mean '" + suggestion + "'?)";
            return fail(name, std::move(message));
        }
        take();
        const auto fieldIndex = static_cast<std::uint32_t>(field - fieldCatalogue().data());
        // `blocks` is read from the message too.
        if (field->source == RowField::Message || field->source == RowField::Blocks)
            m_program.usesMessageFields = true;
        // What setVerdict() fills; a failed Data carries its reason as a warning too.
        if (field->source == RowField::Verified || field->source == RowField::Verdict ||
            field->source == RowField::VerifyError || field->source == RowField::Warning)
            m_program.usesFeedVerdict = true;

        const Token &opToken = peek();
        std::optional<CompareOp> op;
        switch (opToken.kind) {
        case K::EqEq:
            op = CompareOp::Eq;
            break;
        case K::NotEq:
            op = CompareOp::Ne;
            break;
        case K::Less:
            op = CompareOp::Lt;
            break;
        case K::LessEq:
            op = CompareOp::Le;
            break;
        case K::Greater:
            op = CompareOp::Gt;
            break;
        case K::GreaterEq:
            op = CompareOp::Ge;
            break;
        default:
            if (isKeyword(opToken, "contains"))
                op = CompareOp::Contains;
            else if (isKeyword(opToken, "matches"))
                op = CompareOp::Matches;
            else if (isKeyword(opToken, "in"))
                op = CompareOp::In;
            break;
        }
        if (!op) {
            // A bare field: presence. What follows must end the test; anything else is a typo.
            if (opToken.kind == K::Word && !isKeyword(opToken, "and") &&
                !isKeyword(opToken, "or")) {
                return fail(opToken, "expected an operator (==, !=, <, <=, >, >=, contains, "
                                     "matches, in), '&&', '||' or ')' after '" +
                                         field->name + "', got " + describe(opToken));
            }
            if (opToken.kind == K::String) {
                return fail(opToken,
                            "expected an operator after '" + field->name + "', got a string");
            }
            Node node;
            node.kind = Node::Kind::Present;
            node.field = fieldIndex;
            result = addNode(node);
            return true;
        }
        take();

        // The kind compared: the field's own, or for a schema field that has several (nodes), the
        // first one the operator applies to.
        std::optional<ValueKind> kind;
        if (field->source != RowField::Message) {
            if (kindTakes(field->kind, *op))
                kind = field->kind;
        } else {
            for (const MessageFieldLocation &location : field->locations) {
                if (kindTakes(location.kind, *op)) {
                    kind = location.kind;
                    break;
                }
            }
        }
        if (!kind) {
            return fail(opToken, "'" + field->name + "' is " + std::string(kindName(field->kind)) +
                                     ": it takes " + operatorsOf(field->kind) + ", not '" +
                                     opText(*op) + "'");
        }

        Literal literal;
        if (*op == CompareOp::In) {
            if (!parseSet(*field, *kind, literal))
                return false;
        } else if (*op == CompareOp::Matches) {
            if (!parsePattern(literal))
                return false;
        } else {
            if (!parseValue(*field, *kind, *op, literal))
                return false;
        }
        m_program.literals.push_back(std::move(literal));
        Node node;
        node.kind = Node::Kind::Compare;
        node.field = fieldIndex;
        node.valueKind = *kind;
        node.op = *op;
        node.literal = static_cast<std::uint32_t>(m_program.literals.size() - 1);
        result = addNode(node);
        return true;
    }

    bool parsePattern(Literal &literal)
    {
        const Token &token = peek();
        if (token.kind != K::String)
            return fail(token, "expected a regular expression in quotes after 'matches', got " +
                                   describe(token));
        if (token.text.size() > MaxPatternLength) {
            return fail(token, "regular expression longer than " +
                                   std::to_string(MaxPatternLength) + " characters");
        }
        // PCRE2's start-of-pattern options ((*LIMIT_MATCH=...), (*UTF) ...) would let a pattern
        // lift the limit below back up to the library's (milliseconds per row, not microseconds).
        if (token.text.rfind("(*", 0) == 0) {
            return fail(token, "a regular expression may not start with a (*...) option");
        }
        // The limit in the pattern itself: PCRE2 lets a pattern lower the match limit (never raise
        // it above the library's), so a catastrophic pattern stops early instead of hanging.
        const QString pattern = QStringLiteral("(*LIMIT_MATCH=%1)").arg(RegexMatchLimit) +
                                QString::fromUtf8(token.text.data(), qsizetype(token.text.size()));
        QRegularExpression regex(pattern, QRegularExpression::DontCaptureOption);
        if (!regex.isValid()) {
            return fail(token, "invalid regular expression: " + regex.errorString().toStdString());
        }
        take();
        literal.regex = std::move(regex);
        return true;
    }

    bool parseSet(const FieldInfo &field, ValueKind kind, Literal &literal)
    {
        if (peek().kind != K::LeftBrace)
            return fail(peek(), "expected '{' after 'in', got " + describe(peek()));
        const Token &open = take();
        for (;;) {
            if (literal.integers.size() + literal.strings.size() >= MaxSetSize) {
                return fail(peek(),
                            "more than " + std::to_string(MaxSetSize) + " elements in one set");
            }
            if (!parseValue(field, kind, CompareOp::In, literal))
                return false;
            if (peek().kind == K::Comma) {
                take();
                continue;
            }
            if (peek().kind == K::RightBrace) {
                take();
                return true;
            }
            return fail(peek(), "expected ',' or '}' to close the '{' at column " +
                                    std::to_string(columnOf(m_expression, open.offset)) + ", got " +
                                    describe(peek()));
        }
    }

    /// One value of @p kind, appended to @p literal (an integer range for `in`).
    bool parseValue(const FieldInfo &field, ValueKind kind, CompareOp op, Literal &literal)
    {
        const Token &token = peek();
        const auto expected = [&](const std::string &what) {
            return fail(token,
                        "expected " + what + " after '" + opText(op) + "', got " + describe(token));
        };
        const auto addInteger = [&](std::uint64_t value) {
            literal.integers.push_back({value, value});
            take();
            return true;
        };
        switch (kind) {
        case ValueKind::Integer: {
            if (token.kind != K::Word)
                return expected("an integer");
            const std::string &text = token.text;
            const std::size_t dots = text.find("..");
            if (dots != std::string::npos) {
                if (op != CompareOp::In)
                    return fail(token,
                                "a range (" + text + ") only goes in a set: in {" + text + "}");
                const auto low = parseInteger(std::string_view(text).substr(0, dots));
                const auto high = parseInteger(std::string_view(text).substr(dots + 2));
                if (!low || !high)
                    return expected("a range of integers like 1..100");
                if (*low > *high)
                    return fail(token, "empty range " + text + ": the first bound is larger");
                literal.integers.push_back({*low, *high});
                take();
                return true;
            }
            const auto value = parseInteger(text);
            if (!value) {
                if (allDigits(text))
                    return fail(token, "integer out of range (above 2^64 - 1)");
                return expected("an integer");
            }
            return addInteger(*value);
        }
        case ValueKind::TypeName: {
            if (token.kind != K::Word)
                return expected("a message type (Open, Request, Data, ...)");
            if (const auto type = messageTypeFromName(token.text))
                return addInteger(static_cast<std::uint64_t>(*type));
            if (token.text == "Keepalive")
                return addInteger(Row::KeepaliveType);
            if (const auto number = parseInteger(token.text); number && *number < 16)
                return addInteger(*number);
            std::string message = "unknown message type " + describe(token);
            const std::string suggestion = closestMatch(token.text, typeNames());
            if (!suggestion.empty())
                message += " (did you mean '" + suggestion + "'?)";
            return fail(token, std::move(message));
        }
        case ValueKind::Direction:
            if (isKeyword(token, "in"))
                return addInteger(static_cast<std::uint64_t>(Direction::Inbound));
            if (isKeyword(token, "out"))
                return addInteger(static_cast<std::uint64_t>(Direction::Outbound));
            return expected("'in' or 'out'");
        case ValueKind::Leg:
            if (isKeyword(token, "client"))
                return addInteger(static_cast<std::uint64_t>(Leg::Client));
            if (isKeyword(token, "server"))
                return addInteger(static_cast<std::uint64_t>(Leg::Server));
            return expected("'client' or 'server'");
        case ValueKind::Bool:
            if (isKeyword(token, "true") || (token.kind == K::Word && token.text == "1"))
                return addInteger(1);
            if (isKeyword(token, "false") || (token.kind == K::Word && token.text == "0"))
                return addInteger(0);
            return expected("true or false");
        case ValueKind::Bytes: {
            if (token.kind == K::String) {
                literal.strings.push_back(token.text);
                take();
                return true;
            }
            if (token.kind == K::Word) {
                if (auto bytes = parseHexBytes(token.text)) {
                    literal.strings.push_back(std::move(*bytes));
                    take();
                    return true;
                }
            }
            return expected("bytes for '" + field.name + "': \"text\" or hex like 00:ff");
        }
        case ValueKind::Text:
            if (token.kind == K::String || token.kind == K::Word) {
                literal.strings.push_back(token.text);
                take();
                return true;
            }
            return expected("text for '" + field.name + "' (\"...\")");
        case ValueKind::Message:
            break;
        }
        return expected("a value");
    }

    std::string_view m_expression;
    std::vector<Token> m_tokens;
    std::size_t m_position = 0;
    Program &m_program;
    FilterError &m_error;
};

} // namespace

bool parseExpression(std::string_view expression, Program &program, FilterError &error)
{
    program.expression = std::string(expression);
    if (expression.size() > MaxExpressionLength) {
        error = {columnOf(expression, MaxExpressionLength),
                 "the expression is longer than " + std::to_string(MaxExpressionLength) + " bytes"};
        return false;
    }
    std::vector<Token> tokens;
    if (!tokenize(expression, tokens, error))
        return false;
    if (tokens.size() == 1) { // End only: blank
        program.empty = true;
        return true;
    }
    program.empty = false;
    Parser parser(expression, std::move(tokens), program, error);
    return parser.run();
}

} // namespace hyperscope::filter
