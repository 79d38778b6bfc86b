#include "varint.h"

namespace hyperscope::varint {

std::size_t encodedSize(std::uint64_t value)
{
    std::size_t size = 1;
    while (value >= 0x80) {
        value >>= 7;
        ++size;
    }
    return size;
}

std::size_t encode(std::uint64_t value, std::uint8_t *out)
{
    std::size_t size = 0;
    while (value >= 0x80) {
        out[size++] = static_cast<std::uint8_t>(value | 0x80);
        value >>= 7;
    }
    out[size++] = static_cast<std::uint8_t>(value);
    return size;
}

void append(Bytes &out, std::uint64_t value)
{
    std::uint8_t buffer[MaxBytes];
    out.insert(out.end(), buffer, buffer + encode(value, buffer));
}

Decoded decode(ByteView in)
{
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const std::uint8_t byte = in[i];
        // The 10th byte holds only bit 63: anything above 1 overflows, a continuation bit means
        // an 11th byte.
        if (i == MaxBytes - 1 && byte > 1)
            return {Status::Invalid, 0, 0};
        value |= std::uint64_t(byte & 0x7f) << (7 * i);
        if (!(byte & 0x80))
            return {Status::Ok, value, i + 1};
    }
    return {Status::NeedMore, 0, 0};
}

} // namespace hyperscope::varint
