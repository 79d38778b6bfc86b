#include "framer.h"

#include "varint.h"

#include <algorithm>

namespace hyperscope {

namespace {

std::string describeLimit(std::size_t limit)
{
    constexpr std::size_t MiB = 1024 * 1024;
    if (limit >= MiB && limit % MiB == 0)
        return std::to_string(limit / MiB) + " MiB (" + std::to_string(limit) + ")";
    return std::to_string(limit) + " bytes";
}

} // namespace

void appendFrameHeader(Bytes &out, std::uint64_t channel, std::uint8_t type,
                       std::size_t payloadSize)
{
    const std::uint64_t header = channel << 4 | (type & 0x0f);
    varint::append(out, varint::encodedSize(header) + payloadSize);
    varint::append(out, header);
}

void appendFrame(Bytes &out, std::uint64_t channel, std::uint8_t type, ByteView payload)
{
    appendFrameHeader(out, channel, type, payload.size());
    out.insert(out.end(), payload.begin(), payload.end());
}

std::size_t frameSize(std::uint64_t channel, std::size_t payloadSize)
{
    const std::size_t body = varint::encodedSize(channel << 4) + payloadSize;
    return varint::encodedSize(body) + body;
}

FrameDecoder::FrameDecoder(std::size_t maxFrameSize)
    : m_maxFrameSize(maxFrameSize)
{}

FrameDecoder::Status FrameDecoder::fail(ErrorCode code, std::string message, Error &error)
{
    m_state = State::Failed;
    m_buffer = Bytes();
    m_error = Error(code, std::move(message));
    error = m_error;
    return Status::Failed;
}

bool FrameDecoder::startBody(std::uint64_t length, std::size_t lengthSize, Error &error)
{
    if (length > m_maxFrameSize) {
        fail(ErrorCode::FrameTooLarge,
             "frame of " + std::to_string(length) + " bytes exceeds " +
                 describeLimit(m_maxFrameSize) + " at stream offset " +
                 std::to_string(m_frameStart),
             error);
        return false;
    }
    m_frameSize = lengthSize + static_cast<std::size_t>(length);
    m_state = State::ReadingBody;
    return true;
}

FrameDecoder::Status FrameDecoder::deliver(ByteView bytes, Frame &frame, Error &error)
{
    const varint::Decoded length = varint::decode(bytes);
    frame = Frame();
    frame.bytes = bytes;
    frame.offset = m_frameStart;
    frame.headerOffset = length.size;
    frame.payloadOffset = bytes.size();
    m_state = State::ReadingLength;
    m_frameStart += bytes.size();
    if (length.value == 0) {
        frame.keepAlive = true;
        return Status::Frame;
    }
    const varint::Decoded header = varint::decode(bytes.subspan(length.size));
    if (header.status != varint::Status::Ok) {
        return fail(ErrorCode::InvalidVarint,
                    "invalid varint in frame header at stream offset " +
                        std::to_string(frame.offset + length.size),
                    error);
    }
    frame.channel = header.value >> 4;
    frame.type = static_cast<std::uint8_t>(header.value & 0x0f);
    frame.payloadOffset = length.size + header.size;
    frame.payload = bytes.subspan(frame.payloadOffset);
    return Status::Frame;
}

FrameDecoder::Status FrameDecoder::next(ByteView &input, Frame &frame, Error &error)
{
    if (m_state == State::Failed) {
        error = m_error;
        return Status::Failed;
    }
    if (m_bufferDelivered) {
        m_buffer.clear();
        m_bufferDelivered = false;
    }

    if (m_state == State::ReadingLength) {
        if (input.empty())
            return Status::NeedMore;
        if (m_buffer.empty()) {
            // Fast path: the length is in the input, maybe the whole frame too.
            const varint::Decoded length = varint::decode(input);
            if (length.status == varint::Status::Invalid)
                return fail(ErrorCode::InvalidVarint,
                            "invalid varint in frame length at stream offset " +
                                std::to_string(m_frameStart),
                            error);
            if (length.status == varint::Status::Ok) {
                if (!startBody(length.value, length.size, error))
                    return Status::Failed;
                if (input.size() >= m_frameSize) {
                    const ByteView bytes = input.first(m_frameSize);
                    input = input.subspan(m_frameSize);
                    m_position += bytes.size();
                    return deliver(bytes, frame, error);
                }
            } else {
                m_buffer.assign(input.begin(), input.end());
                m_position += input.size();
                input = {};
                return Status::NeedMore;
            }
        } else {
            // The length began in an earlier call: complete it byte by byte (at most 10).
            while (m_state == State::ReadingLength && !input.empty()) {
                m_buffer.push_back(input.front());
                input = input.subspan(1);
                ++m_position;
                const varint::Decoded length = varint::decode(m_buffer);
                if (length.status == varint::Status::Invalid)
                    return fail(ErrorCode::InvalidVarint,
                                "invalid varint in frame length at stream offset " +
                                    std::to_string(m_frameStart),
                                error);
                if (length.status == varint::Status::Ok &&
                    !startBody(length.value, length.size, error))
                    return Status::Failed;
            }
            if (m_state == State::ReadingLength)
                return Status::NeedMore;
        }
    }

    // ReadingBody: accumulate. Growing with what arrived (no reserve(m_frameSize)) keeps a
    // hostile 8 MiB announcement from costing 8 MiB up front.
    const std::size_t take = std::min(m_frameSize - m_buffer.size(), input.size());
    m_buffer.insert(m_buffer.end(), input.begin(), input.begin() + take);
    input = input.subspan(take);
    m_position += take;
    if (m_buffer.size() < m_frameSize)
        return Status::NeedMore;
    m_bufferDelivered = true;
    return deliver(m_buffer, frame, error);
}

HandshakeDecoder::HandshakeDecoder(std::size_t maxMessageSize)
    : m_maxMessageSize(maxMessageSize)
    , m_maxPrefixSize(varint::encodedSize(maxMessageSize))
{}

HandshakeDecoder::Status HandshakeDecoder::fail(std::string message, Error &error)
{
    m_failed = true;
    m_error = Error(ErrorCode::HandshakeFailed, std::move(message));
    error = m_error;
    return Status::Failed;
}

HandshakeDecoder::Status HandshakeDecoder::next(ByteView &input, int messageNumber,
                                                HandshakeMessage &message, Error &error)
{
    if (m_failed) {
        error = m_error;
        return Status::Failed;
    }
    const std::string name = "handshake message " + std::to_string(messageNumber);
    // The prefix byte by byte: handshake messages are few and small.
    while (!m_length && !input.empty()) {
        m_buffer.push_back(input.front());
        input = input.subspan(1);
        const auto decoded = varint::decode(m_buffer);
        if (decoded.status == varint::Status::Ok) {
            if (decoded.value > m_maxMessageSize) {
                return fail(name + " of " + std::to_string(decoded.value) + " bytes exceeds " +
                                std::to_string(m_maxMessageSize),
                            error);
            }
            m_length = static_cast<std::size_t>(decoded.value);
            m_prefixSize = decoded.size;
        } else if (decoded.status == varint::Status::Invalid ||
                   m_buffer.size() >= m_maxPrefixSize) {
            // 65535 fits in 3 varint bytes; anything longer is not a handshake length.
            return fail(name + ": invalid length prefix " + toHex(m_buffer), error);
        }
    }
    if (!m_length)
        return Status::NeedMore;
    const std::size_t total = m_prefixSize + *m_length;
    const std::size_t take = std::min(total - m_buffer.size(), input.size());
    m_buffer.insert(m_buffer.end(), input.begin(), input.begin() + take);
    input = input.subspan(take);
    if (m_buffer.size() < total)
        return Status::NeedMore;
    message.wire.clear();
    message.wire.swap(m_buffer);
    message.prefixSize = m_prefixSize;
    m_length.reset();
    m_prefixSize = 0;
    return Status::Message;
}

} // namespace hyperscope
