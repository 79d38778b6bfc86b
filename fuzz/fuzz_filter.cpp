// The filter language (core/filter): any text as an expression, evaluated on rows whose payload is
// the rest of the input. Properties besides "no crash, no hang": an error names a column inside
// the expression (or just past its end) and says something; a compiled expression compiles again
// from its own text; evaluation never fails on any payload.
#include "filter.h"

#include <cstring>

using namespace hyperscope;
using namespace hyperscope::filter;

namespace {

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // expression NUL payload: the part after the first NUL is a message payload for the rows.
    const auto *nul = static_cast<const std::uint8_t *>(std::memchr(data, 0, size));
    const std::size_t expressionSize = nul ? std::size_t(nul - data) : size;
    const std::string_view expression(reinterpret_cast<const char *>(data), expressionSize);
    const ByteView payload = nul ? ByteView(nul + 1, size - expressionSize - 1) : ByteView();

    FilterError error;
    const std::optional<Filter> filter = Filter::compile(expression, error);
    if (!filter) {
        check(!error.message.empty());
        check(error.column >= 1 && std::size_t(error.column) <= expression.size() + 1);
        return 0;
    }
    FilterError again;
    check(Filter::compile(filter->expression(), again).has_value());

    const Key32 key{};
    Row row;
    row.session = 1;
    row.channel = 1;
    row.direction = Direction::Inbound;
    row.discoveryKey = ByteView(key);
    row.size = payload.size();
    row.payload = payload;
    for (int type = 0; type <= 10; ++type) {
        row.type = type;
        (void)filter->matches(row);
    }
    Row other;
    other.type = Row::KeepaliveType;
    (void)filter->matches(other);
    const std::string_view text(reinterpret_cast<const char *>(payload.data()), payload.size());
    other.type = Row::NoType;
    other.warning = text;
    other.error = text;
    other.extension = text;
    (void)filter->matches(other);
    return 0;
}
