// Unsigned LEB128 varints, 64 bits wide: the integer encoding of frame lengths, frame headers,
// extension ids and protobuf (PROTOCOL.md §4).
#pragma once

#include "bytes.h"

#include <cstddef>
#include <cstdint>

namespace hyperscope::varint {

/// The longest encoding of a 64-bit value: 7 bits per byte, ceil(64 / 7) = 10.
constexpr std::size_t MaxBytes = 10;

/// Number of bytes encode() writes for @p value (1..MaxBytes).
std::size_t encodedSize(std::uint64_t value);

/// Writes @p value to @p out, which must have room for encodedSize(value) bytes (MaxBytes always
/// suffices). Returns the number of bytes written. The encoding is the shortest (canonical) one.
std::size_t encode(std::uint64_t value, std::uint8_t *out);

/// Appends the encoding of @p value to @p out.
void append(Bytes &out, std::uint64_t value);

/// Outcome of decode().
enum class Status {
    Ok,       ///< A complete varint was read.
    NeedMore, ///< The input ended inside the varint (or was empty): not an error, wait for bytes.
    Invalid,  ///< More than MaxBytes bytes, or a value that does not fit in 64 bits.
};

/// Result of decode(). @c value and @c size are meaningful only when status is Ok; @c size is then
/// the number of bytes the varint occupies at the front of the input.
struct Decoded
{
    Status status = Status::NeedMore;
    std::uint64_t value = 0;
    std::size_t size = 0;
};

/// Decodes the varint at the front of @p in. Non-canonical encodings (redundant 0x80 bytes) are
/// accepted, as protobuf and the reference do, as long as they stay within MaxBytes.
Decoded decode(ByteView in);

} // namespace hyperscope::varint
