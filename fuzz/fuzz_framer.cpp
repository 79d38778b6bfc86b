// FrameDecoder on any bytes. Differential: the stream decoded in one piece and decoded in small
// chunks must give the same frames and the same final error, and every frame must be consistent
// (contiguous offsets, payload inside the frame, type below 16).
//
// Input: byte 0 = flags, the rest = one direction's plaintext transport stream.
//   bits 0-5  chunk size minus one for the chunked pass (1..64 bytes)
//   bits 6-7  the decoder's size limit: 8 MiB (the real one), 16, 300 or 0 bytes
#include "framer.h"

#include <cstring>
#include <string>
#include <vector>

using namespace hyperscope;

namespace {

struct Decoded
{
    std::vector<Bytes> frames; // frame bytes, then channel/type/keepalive packed in
    Error error;
    bool failed = false;
};

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

Decoded decode(ByteView stream, std::size_t chunk, std::size_t limit)
{
    Decoded out;
    FrameDecoder decoder(limit);
    std::uint64_t expectedOffset = 0;
    std::size_t fed = 0;
    while (fed < stream.size() && !out.failed) {
        ByteView input = stream.subspan(fed, std::min(chunk, stream.size() - fed));
        const std::size_t before = input.size();
        for (;;) {
            Frame frame;
            Error error;
            const auto status = decoder.next(input, frame, error);
            if (status == FrameDecoder::Status::NeedMore) {
                check(input.empty());
                break;
            }
            if (status == FrameDecoder::Status::Failed) {
                check(error.isFatal());
                check(decoder.state() == FrameDecoder::State::Failed);
                // Final: the same error again, nothing consumed.
                ByteView again = input;
                Frame ignored;
                Error second;
                check(decoder.next(again, ignored, second) == FrameDecoder::Status::Failed);
                check(second.code == error.code && second.message == error.message);
                check(again.size() == input.size());
                out.error = error;
                out.failed = true;
                break;
            }
            check(frame.offset == expectedOffset);
            check(!frame.bytes.empty());
            check(frame.payloadOffset <= frame.bytes.size());
            check(frame.headerOffset <= frame.payloadOffset);
            check(frame.payload.size() == frame.bytes.size() - frame.payloadOffset);
            check(frame.payload.empty() ||
                  frame.payload.data() == frame.bytes.data() + frame.payloadOffset);
            check(frame.type < 16);
            // L == 0 is a keepalive, also when its varint is not minimal (80 00).
            check(!frame.keepAlive || (frame.payload.empty() && frame.channel == 0 &&
                                       frame.type == 0 && frame.bytes.back() == 0));
            check(frame.bytes.size() <= limit + 10);
            expectedOffset += frame.bytes.size();
            Bytes record(frame.bytes.begin(), frame.bytes.end());
            record.push_back(frame.type);
            record.push_back(frame.keepAlive);
            for (int shift = 0; shift < 64; shift += 8)
                record.push_back(std::uint8_t(frame.channel >> shift));
            out.frames.push_back(std::move(record));
        }
        fed += before - input.size();
        if (!out.failed)
            check(decoder.position() == fed);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::size_t chunk = (data[0] & 0x3f) + 1;
    static constexpr std::size_t limits[] = {MaxFrameSize, 16, 300, 0};
    const std::size_t limit = limits[data[0] >> 6];
    const ByteView stream(data + 1, size - 1);

    const Decoded whole = decode(stream, stream.size() ? stream.size() : 1, limit);
    const Decoded chunked = decode(stream, chunk, limit);
    check(whole.frames == chunked.frames);
    check(whole.failed == chunked.failed);
    check(whole.error.code == chunked.error.code);
    check(whole.error.message == chunked.error.message);
    return 0;
}
