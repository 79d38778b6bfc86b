#include "bitfieldrle.h"

#include "varint.h"

#include <bit>

namespace hyperscope::feed::bitfieldrle {

namespace {

/// One chunk of the encoding.
struct Chunk
{
    bool run = false;
    bool ones = false;       ///< for a run: 0xFF bytes
    std::uint64_t bytes = 0; ///< length in bytes
    ByteView literal;        ///< for a literal: its bytes
};

/// Walks the chunks of @p encoded, calling @p onChunk for each; returns the error, if any.
template<typename F> std::string forEachChunk(ByteView encoded, F &&onChunk)
{
    std::size_t offset = 0;
    while (offset < encoded.size()) {
        const varint::Decoded header = varint::decode(encoded.subspan(offset));
        if (header.status != varint::Status::Ok)
            return "chunk header at offset " + std::to_string(offset) +
                   (header.status == varint::Status::NeedMore ? " is cut short"
                                                              : " is not a valid varint");
        const std::size_t headerOffset = offset;
        offset += header.size;
        Chunk chunk;
        if (header.value & 1) {
            chunk.run = true;
            chunk.ones = header.value & 2;
            chunk.bytes = header.value >> 2;
        } else {
            chunk.bytes = header.value >> 1;
            if (chunk.bytes > encoded.size() - offset)
                return "literal of " + std::to_string(chunk.bytes) + " bytes at offset " +
                       std::to_string(headerOffset) + " runs past the end of the " +
                       std::to_string(encoded.size()) + "-byte bitfield";
            chunk.literal = encoded.subspan(offset, chunk.bytes);
            offset += chunk.bytes;
        }
        if (std::string error = onChunk(chunk); !error.empty())
            return error;
    }
    return {};
}

} // namespace

Decoded<Bytes> decode(ByteView encoded)
{
    Decoded<Bytes> result;
    Bytes out;
    std::string error = forEachChunk(encoded, [&out](const Chunk &chunk) -> std::string {
        if (chunk.bytes > MaxDecodedBytes - out.size())
            return "decodes to more than " + std::to_string(MaxDecodedBytes) + " bytes";
        if (chunk.run)
            out.insert(out.end(), chunk.bytes, chunk.ones ? 0xFF : 0x00);
        else
            out.insert(out.end(), chunk.literal.begin(), chunk.literal.end());
        return {};
    });
    if (!error.empty()) {
        result.error = std::move(error);
        return result;
    }
    out.resize((out.size() + 3) / 4 * 4, 0);
    result.value = std::move(out);
    return result;
}

Decoded<BlockRanges> decodeRanges(ByteView encoded, std::uint64_t start)
{
    Decoded<BlockRanges> result;
    BlockRanges ranges;
    std::uint64_t bit = 0; // next bit's position, relative to start
    bool overflow = false;
    bool tooMany = false;
    auto addBlocks = [&](std::uint64_t firstBit, std::uint64_t count) {
        // Blocks start + firstBit .. start + firstBit + count - 1; merge with the previous range.
        if (firstBit > UINT64_MAX - start || count - 1 > UINT64_MAX - start - firstBit) {
            overflow = true;
            return;
        }
        const std::uint64_t first = start + firstBit;
        const std::uint64_t last = first + (count - 1);
        if (!ranges.empty() && ranges.back().last + 1 == first)
            ranges.back().last = last;
        else if (ranges.size() < MaxDecodedRanges)
            ranges.push_back({first, last});
        else
            tooMany = true;
    };
    std::string error = forEachChunk(encoded, [&](const Chunk &chunk) -> std::string {
        if (chunk.bytes > (UINT64_MAX - bit) / 8)
            return "bitfield is longer than 2^64 bits";
        if (chunk.run) {
            if (chunk.ones && chunk.bytes)
                addBlocks(bit, chunk.bytes * 8);
        } else {
            for (std::size_t i = 0; i < chunk.literal.size(); ++i) {
                const std::uint8_t byte = chunk.literal[i];
                for (int b = 0; b < 8; ++b) {
                    if (byte & (0x80 >> b))
                        addBlocks(bit + i * 8 + b, 1);
                }
            }
        }
        bit += chunk.bytes * 8;
        if (overflow)
            return "bitfield reaches past block 2^64 − 1";
        if (tooMany)
            return "bitfield has more than " + std::to_string(MaxDecodedRanges) +
                   " separate ranges of blocks";
        return {};
    });
    if (!error.empty()) {
        result.error = std::move(error);
        return result;
    }
    result.value = std::move(ranges);
    return result;
}

Bytes encode(ByteView bitfield)
{
    // npm bitfield-rle's encoder, step for step: scan for runs of equal 0x00/0xFF bytes and emit
    // one where its header is cheaper than keeping those bytes in a literal.
    Bytes out;
    std::size_t inputLength = bitfield.size();
    while (inputLength > 0 && !bitfield[inputLength - 1])
        --inputLength;
    std::size_t inputOffset = 0;

    auto encodeHead = [&](std::size_t end) {
        const std::size_t headLength = end - inputOffset;
        varint::append(out, 2 * std::uint64_t(headLength));
        out.insert(out.end(), bitfield.begin() + inputOffset, bitfield.begin() + end);
    };
    auto encodeUpdate = [&](std::size_t i, std::size_t len, std::uint8_t bits) {
        const std::size_t headLength = i - len - inputOffset;
        const std::size_t headCost =
            headLength ? varint::encodedSize(2 * std::uint64_t(headLength)) + headLength : 0;
        const std::uint64_t enc = 4 * std::uint64_t(len) + (bits ? 2 : 0) + 1;
        const std::size_t encCost = headCost + varint::encodedSize(enc);
        const std::size_t baseCost =
            varint::encodedSize(2 * std::uint64_t(i - inputOffset)) + i - inputOffset;
        if (encCost >= baseCost)
            return;
        if (headLength)
            encodeHead(i - len);
        varint::append(out, enc);
        inputOffset = i;
    };

    std::size_t len = 0;
    std::uint8_t bits = 0;
    for (std::size_t i = 0; i < inputLength; ++i) {
        if (bitfield[i] == bits) {
            ++len;
            continue;
        }
        if (len)
            encodeUpdate(i, len, bits);
        if (bitfield[i] == 0 || bitfield[i] == 255) {
            bits = bitfield[i];
            len = 1;
        } else {
            len = 0;
        }
    }
    if (len)
        encodeUpdate(inputLength, len, bits);
    if (inputLength > inputOffset)
        encodeHead(inputLength);
    return out;
}

} // namespace hyperscope::feed::bitfieldrle
