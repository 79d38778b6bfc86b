// bitfield-rle (core/feed/bitfieldrle.h): a Have's bitfield is untrusted bytes.
// Properties besides "no crash, no hang, no huge allocation":
//  - decode() and decodeRanges() agree on validity and on the blocks set;
//  - encode() of a decoded bitfield decodes back to the same bitfield (the round trip);
//  - a valid decode is padded to a multiple of 4 bytes; an error is never empty.
#include "bitfieldrle.h"

#include <cstdint>

using namespace hyperscope;
using namespace hyperscope::feed;

namespace {

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // The first 8 bytes choose the Have's start (so that overflow near 2^64 is explored).
    std::uint64_t start = 0;
    if (size >= 9 && data[0] == 0xAA) {
        for (std::size_t i = 1; i < 9; ++i)
            start = (start << 8) | data[i];
        data += 9;
        size -= 9;
    }
    const ByteView input(data, size);
    const auto decoded = bitfieldrle::decode(input);
    const auto ranges = bitfieldrle::decodeRanges(input, start);
    if (!ranges)
        check(!ranges.error.empty());
    if (!decoded) {
        check(!decoded.error.empty());
        // decode() alone refuses huge runs; a structural error is one for both.
        if (decoded.error.rfind("decodes to more than", 0) != 0)
            check(!ranges);
        return 0;
    }
    const Bytes &bitfield = *decoded.value;
    check(bitfield.size() % 4 == 0);
    // Bit by bit only for small bitfields: a 2-byte run can decode to 16 MiB, and checking 128 Mi
    // bits per input would make the fuzzer crawl.
    if (ranges && start == 0 && bitfield.size() <= 4096) {
        // The ranges are exactly the set bits, ascending, disjoint and not adjacent.
        std::size_t next = 0;
        for (std::size_t bit = 0; bit < bitfield.size() * 8; ++bit) {
            const bool set = bitfield[bit / 8] & (0x80 >> (bit % 8));
            const bool inRange = next < ranges.value->size() &&
                                 (*ranges.value)[next].first <= bit &&
                                 bit <= (*ranges.value)[next].last;
            check(set == inRange);
            if (inRange && bit == (*ranges.value)[next].last)
                ++next;
        }
        check(next == ranges.value->size());
    }
    if (bitfield.size() > 65536)
        return 0; // the round trip of a 16 MiB run says nothing a 64 KiB one does not
    const Bytes encoded = bitfieldrle::encode(bitfield);
    const auto again = bitfieldrle::decode(encoded);
    check(bool(again));
    // The round trip keeps every byte; padding may differ only in trailing zeros.
    const Bytes &back = *again.value;
    for (std::size_t i = 0; i < std::max(back.size(), bitfield.size()); ++i)
        check((i < back.size() ? back[i] : 0) == (i < bitfield.size() ? bitfield[i] : 0));
    return 0;
}
