// hyperscope-bench-filter: re-filtering a log (issue 12's target: a million rows well under a
// second).
//
//   hyperscope-bench-filter [--rows N] [--expression EXPR]
//
// Builds N log rows the way the inspector keeps them: a compact record per row (type, direction,
// session, channel, size, time, where its payload lies) and the payloads back to back in one
// arena, a mix of Data (64 B values, some containing "error"), Request, Have and Options. Then,
// for each expression, times one pass of Filter::matches over all rows, building each row's
// filter::Row from its record as a log model would. Prints one JSON line per expression
// (benchutil.h): {bench: "filter", expression, rows, seconds, rows_per_s, matched}.

#include "benchutil.h"

#include "filter.h"
#include "messages.h"

#include <iostream>

using namespace hyperscope;

namespace {

/// What a log keeps per row besides the bytes (the inspector's Record is 48 bytes; this is less).
struct Record
{
    std::uint8_t type = 0;
    std::uint8_t direction = 0;
    std::uint16_t session = 0;
    std::uint32_t channel = 0;
    std::uint32_t size = 0;
    std::uint32_t payloadLength = 0;
    std::uint64_t payloadOffset = 0;
    std::uint64_t timeMs = 0;
};

Message sampleMessage(std::uint64_t i)
{
    switch (i % 10) {
    case 0:
    case 1:
    case 2: {
        schema::Request m;
        m.set_index(i % 2000);
        return m;
    }
    case 3: {
        schema::Have m;
        m.set_start(i % 5000);
        m.set_length(1);
        return m;
    }
    case 4:
        if (i % 1000 == 4) {
            schema::Options m;
            m.add_extensions("hypercore/alpha");
            return m;
        }
        [[fallthrough]];
    default: {
        schema::Data m;
        m.set_index(i % 2000);
        std::string value(64, 'x');
        if (i % 97 == 0)
            value.replace(10, 5, "error");
        m.set_value(value);
        auto *node = m.add_nodes();
        node->set_index(i % 300);
        node->set_hash(std::string(32, 'h'));
        node->set_size(64);
        return m;
    }
    }
}

} // namespace

int main(int argc, char **argv)
{
    const bench::Options options(argc, argv, 1);
    const auto rowCount = std::uint64_t(options.number("rows", 1000000));
    std::vector<std::string> expressions = {
        "type == Request && index > 5",
        "dir == in && channel == 1",
        "value contains \"error\"",
        "type in {Have, Data} && (start in {1..100, 200} || nodes.index == 7)",
        "extensions matches \"^hypercore/\"",
        "value matches \"err.r\"",
    };
    if (options.flag("expression"))
        expressions = {options.text("expression")};

    std::vector<Record> records;
    records.reserve(rowCount);
    Bytes arena;
    for (std::uint64_t i = 0; i < rowCount; ++i) {
        const Message message = sampleMessage(i);
        Record record;
        record.type = static_cast<std::uint8_t>(messageType(message));
        record.direction = i % 2;
        record.session = 1 + i % 3;
        record.channel = 1 + i % 2;
        record.payloadOffset = arena.size();
        appendMessage(arena, message);
        record.payloadLength = std::uint32_t(arena.size() - record.payloadOffset);
        record.size = record.payloadLength + 3;
        record.timeMs = i / 100;
        records.push_back(record);
    }

    for (const std::string &expression : expressions) {
        filter::FilterError error;
        const std::optional<filter::Filter> compiled = filter::Filter::compile(expression, error);
        if (!compiled) {
            std::cerr << error.toString() << '\n';
            return 1;
        }
        const auto start = bench::Clock::now();
        std::uint64_t matched = 0;
        for (const Record &record : records) {
            filter::Row row;
            row.type = record.type;
            row.direction = record.direction ? Direction::Outbound : Direction::Inbound;
            row.session = record.session;
            row.channel = record.channel;
            row.size = record.size;
            row.time = record.timeMs;
            row.payload = ByteView(arena).subspan(record.payloadOffset, record.payloadLength);
            matched += compiled->matches(row) ? 1 : 0;
        }
        const double seconds = bench::secondsSince(start);
        bench::Result("filter")
            .add("expression", expression)
            .add("rows", rowCount)
            .add("seconds", seconds)
            .add("rows_per_s", double(rowCount) / seconds)
            .add("matched", matched)
            .print();
    }
    return 0;
}
