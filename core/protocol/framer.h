// Framing of the transport phase (PROTOCOL.md §4): frame = varint(L) || varint(header) || payload,
// header = channel << 4 | type, L = size of header + payload, L == 0 is a keepalive.
//
// This layer knows nothing about protobuf: it cuts a plaintext byte stream into frames and
// builds frames around payloads. Decryption happens before (the caller feeds plaintext).
//
// Before the transport phase, the same stream carries the Noise handshake's messages, each as
// varint(length) || noise message (PROTOCOL.md §3). Cutting those is this layer's business too
// (HandshakeDecoder); noise.h only sees bare Noise messages.
#pragma once

#include "bytes.h"
#include "error.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace hyperscope {

/// The largest frame body (header + payload) accepted: the reference's limit
/// (simple-message-channels maxSize, 8 MiB). The reference destroys the stream on a larger length;
/// so do we, as soon as the length varint is read, before buffering anything.
constexpr std::size_t MaxFrameSize = 8 * 1024 * 1024;

/// The frame types of PROTOCOL.md §4. The numbers are the wire values; 0..10 are protobuf messages
/// (see messages.h), 15 is an extension message, 11..14 are unassigned (the reference ignores them,
/// so the decoder passes them through and leaves the decision to the engine).
enum class MessageType : std::uint8_t {
    Open = 0,
    Options,
    Status,
    Have,
    Unhave,
    Want,
    Unwant,
    Request,
    Cancel,
    Data,
    Close,
    Extension = 15,
};

/// Appends one frame, varint(L) || varint(channel << 4 | type) || payload, to @p out.
///
/// @p channel must be below 2^60 (it shares a 64-bit varint with the 4-bit type) and @p type below
/// 16; both are caller invariants, not checked. The frame size limit is not checked either: a
/// sender is expected to respect MaxFrameSize itself (frameSize() tells the size in advance).
void appendFrame(Bytes &out, std::uint64_t channel, std::uint8_t type, ByteView payload);

/// Appends only the frame's prefix, varint(L) || varint(channel << 4 | type), for a payload of
/// @p payloadSize bytes that the caller appends right after (appendFrame() is this plus the
/// payload). Lets a sender encode a message straight into its output buffer. Same invariants as
/// appendFrame().
void appendFrameHeader(Bytes &out, std::uint64_t channel, std::uint8_t type,
                       std::size_t payloadSize);

/// Convenience overload of appendFrame() for a known type.
inline void appendFrame(Bytes &out, std::uint64_t channel, MessageType type, ByteView payload)
{
    appendFrame(out, channel, static_cast<std::uint8_t>(type), payload);
}

/// The number of bytes appendFrame() writes for a payload of @p payloadSize bytes on @p channel
/// (the type does not change the header's size).
std::size_t frameSize(std::uint64_t channel, std::size_t payloadSize);

/// One decoded frame. All views point either into the input given to FrameDecoder::next() or into
/// the decoder's own buffer: they are valid until the next call to next() on that decoder and as
/// long as the caller's input bytes live, whichever ends first. Copy what must outlive that.
struct Frame
{
    ByteView bytes;            ///< The whole frame: length prefix + header + payload (plaintext).
    std::uint64_t offset = 0;  ///< Position of bytes[0] in this direction's plaintext stream,
                               ///< counted from the decoder's first byte (after the handshake).
    bool keepAlive = false;    ///< L == 0: a keepalive (channel and type 0, no payload).
    std::uint64_t channel = 0; ///< The sender's channel id (header >> 4). Valid if !keepAlive.
    std::uint8_t type = 0;     ///< header & 15, any of 0..15. Valid if !keepAlive.
    std::size_t headerOffset = 0;  ///< Offset of the header varint within @c bytes.
    std::size_t payloadOffset = 0; ///< Offset of the payload within @c bytes.
    ByteView payload;              ///< bytes.subspan(payloadOffset); may be empty.
};

/// Cuts one direction's plaintext stream into frames. A sans-IO state machine: give it whatever
/// bytes arrived, in pieces of any size, and take the frames out one by one.
///
/// @code
///   ByteView input = received;
///   Frame frame; Error error;
///   for (;;) {
///       switch (decoder.next(input, frame, error)) {
///       case FrameDecoder::Status::Frame: handle(frame); continue;
///       case FrameDecoder::Status::NeedMore: break;          // input is now empty
///       case FrameDecoder::Status::Failed: destroy(error);   // fatal: the stream is unusable
///       }
///       break;
///   }
/// @endcode
///
/// A frame that lies entirely inside the input is returned without copying. A frame split across
/// calls is accumulated in an internal buffer that grows with the bytes actually received, so an
/// announced length of 8 MiB costs nothing until the bytes arrive.
class FrameDecoder
{
public:
    /// @p maxFrameSize is the largest accepted L; a larger announced length fails the stream.
    explicit FrameDecoder(std::size_t maxFrameSize = MaxFrameSize);

    /// Result of next().
    enum class Status {
        Frame,    ///< @c frame holds a complete frame (possibly a keepalive).
        NeedMore, ///< All of @c input was consumed without completing a frame.
        Failed,   ///< The stream is invalid; @c error says what and where. Final.
    };

    /// Consumes bytes from the front of @p input (advancing the span) until one frame is complete,
    /// the input is exhausted or the bytes are invalid.
    ///
    /// Errors (all fatal, with the absolute stream offset of the frame or header concerned):
    ///  - ErrorCode::FrameTooLarge: "frame of 9437184 bytes exceeds 8 MiB (8388608) at stream
    ///    offset 1234", as soon as the length varint is complete;
    ///  - ErrorCode::InvalidVarint: "invalid varint in frame length at stream offset 17" (more than
    ///    10 bytes or 64-bit overflow), or "invalid varint in frame header at stream offset 40"
    ///    (also when L >= 1 but the header varint does not end within the frame).
    ///
    /// After Failed, every call returns Failed with the same error and consumes nothing.
    /// Frame types 11..14 are not errors here: they are returned like any other frame.
    Status next(ByteView &input, Frame &frame, Error &error);

    /// Total number of bytes consumed so far (including a partial frame being buffered).
    std::uint64_t position() const { return m_position; }

    /// What the decoder waits for.
    enum class State {
        ReadingLength, ///< The length varint of the next frame (possibly partly received).
        ReadingBody,   ///< The rest of a frame whose length is known.
        Failed,        ///< Nothing: the stream was invalid.
    };
    State state() const { return m_state; }

private:
    Status fail(ErrorCode code, std::string message, Error &error);
    bool startBody(std::uint64_t length, std::size_t lengthSize, Error &error);
    Status deliver(ByteView bytes, Frame &frame, Error &error);

    std::size_t m_maxFrameSize;
    State m_state = State::ReadingLength;
    std::uint64_t m_position = 0;
    std::uint64_t m_frameStart = 0; // stream offset of the current frame's first byte
    std::size_t m_frameSize = 0;    // length prefix + L, known in ReadingBody
    Bytes m_buffer;                 // the current frame's bytes when it spans calls
    bool m_bufferDelivered = false; // m_buffer backs the frame returned last: clear on next call
    Error m_error;
};

/// One handshake message as cut by HandshakeDecoder: owned, so that it outlives the decoder's
/// next call (a handler may feed the engine again while the message is being read).
struct HandshakeMessage
{
    Bytes wire;                 ///< varint(length) || noise message, exactly as received.
    std::size_t prefixSize = 0; ///< Size of the length varint at the front of @c wire.
    /// The bare Noise message, for NoiseHandshake::readMessage().
    ByteView body() const { return ByteView(wire).subspan(prefixSize); }
};

/// Cuts the handshake phase of the stream into length-prefixed messages. Like FrameDecoder, a
/// sans-IO state machine fed in pieces of any size; unlike it, the messages are few and small,
/// so each one is accumulated (never returned as a view into the input) and the prefix is read
/// byte by byte, stopping at the first byte that cannot belong to a valid length.
class HandshakeDecoder
{
public:
    /// @p maxMessageSize is the largest accepted length (NoiseHandshake::MaxMessageSize, 65535).
    /// A prefix longer than that number's varint is rejected before its end is seen.
    explicit HandshakeDecoder(std::size_t maxMessageSize);

    /// Result of next().
    enum class Status {
        Message,  ///< @c message holds a complete message; the decoder starts on the next one.
        NeedMore, ///< All of @c input was consumed without completing a message.
        Failed,   ///< The prefix is invalid; @c error says what. Final.
    };

    /// Consumes bytes from the front of @p input (advancing the span) until one message is
    /// complete, the input is exhausted or the prefix is invalid. @p messageNumber (1..3) only
    /// names the message in errors. Errors (ErrorCode::HandshakeFailed, fatal):
    ///  - "handshake message 2 of 70000 bytes exceeds 65535", as soon as the prefix is complete;
    ///  - "handshake message 1: invalid length prefix ffffff" (an invalid varint, or one longer
    ///    than the limit's), as soon as the offending byte arrives.
    /// After Failed, every call returns Failed with the same error and consumes nothing.
    Status next(ByteView &input, int messageNumber, HandshakeMessage &message, Error &error);

    /// Bytes of the current message received so far, its prefix included (0 between messages).
    std::size_t buffered() const { return m_buffer.size(); }

private:
    Status fail(std::string message, Error &error);

    std::size_t m_maxMessageSize;
    std::size_t m_maxPrefixSize;
    Bytes m_buffer;                      ///< The current message: prefix, then body.
    std::optional<std::size_t> m_length; ///< Body size once the prefix is complete.
    std::size_t m_prefixSize = 0;
    bool m_failed = false;
    Error m_error;
};

} // namespace hyperscope
