// bitfield-rle (npm bitfield-rle 0.2, as hypercore 9 uses it for Have.bitfield).
//
// The encoding is a sequence of chunks, each led by a LEB128 varint h:
//  - h & 1: a run of h >> 2 bytes, all 0xFF when h & 2, else all 0x00;
//  - otherwise a literal: the next h >> 1 raw bytes.
// Bits are most significant first: bit i of the decoded bitfield is block start + i. Decoders pad
// the result with zero bytes to a multiple of 4; a literal that runs past the input, or a varint
// cut short, is invalid.
#pragma once

#include "blockranges.h"
#include "bytes.h"

#include <cstdint>
#include <optional>
#include <string>

namespace hyperscope::feed::bitfieldrle {

/// decode() refuses to produce more than this many bytes (a 2-byte run can claim 2^60 bytes):
/// 16 MiB is a bitfield of 128 Mi blocks, beyond any Have a real feed sends in one message.
/// decodeRanges() has no such limit: it never materialises runs.
constexpr std::size_t MaxDecodedBytes = std::size_t(16) << 20;

/// decodeRanges() refuses to produce more than this many ranges: a frame of up to 8 MiB of
/// alternating bits would otherwise be 32 Mi ranges (512 MiB). 1 Mi ranges cover the worst case of
/// a real Have (hypercore answers a Want of 1 Mi blocks at most: half a million ranges).
constexpr std::size_t MaxDecodedRanges = std::size_t(1) << 20;

/// The result of a decode: the value, or one line saying why the input is invalid, e.g.
/// "literal of 5 bytes at offset 2 runs past the end of the 4-byte bitfield".
template<typename T> struct Decoded
{
    std::optional<T> value;
    std::string error;
    explicit operator bool() const { return value.has_value(); }
};

/// The bitfield bytes, zero-padded to a multiple of 4, as npm bitfield-rle's decode() returns.
Decoded<Bytes> decode(ByteView encoded);

/// The blocks set in the bitfield, as ascending inclusive ranges, bit i being block
/// @p start + i. Runs of 0xFF become one range however long they are. A bit whose block would
/// pass 2^64 − 1, or more than MaxDecodedRanges ranges, make the input invalid.
Decoded<BlockRanges> decodeRanges(ByteView encoded, std::uint64_t start = 0);

/// The encoding npm bitfield-rle's encode() produces for @p bitfield, byte for byte (trailing
/// zero bytes dropped; a run is used only where it is shorter than leaving the bytes literal).
Bytes encode(ByteView bitfield);

} // namespace hyperscope::feed::bitfieldrle
