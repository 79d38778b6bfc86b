// Engine::receive after a complete handshake: everything a connected peer can send.
//
// Two engines with the vector session's fixed keys complete a real handshake; the responder (the
// engine under test) has opened the vector's channel and registered its extensions. Then the fuzz
// input is delivered to it as the transport bytes of the initiator, in chunks, with the virtual
// clock advancing between chunks (so keepalives and timeouts fire), and finally EOF.
//
// Input: byte 0 = flags, the rest = the initiator's transport stream.
//   bit 0     a TraceSink is attached (the inspector's and --trace's code paths)
//   bit 1     fuzz_engine_encrypted only: feed the bytes as they are, as ciphertext (random
//             ciphertext decrypts to random frames); otherwise they are the plaintext, encrypted
//             with the initiator's real keystream first, so valid frames reach the decoder
//   bit 2     chunks go through receiveInPlace() (the driver's path) instead of receive()
//   bits 3-7  chunk size (0: one chunk)
//
// fuzz_engine_plaintext runs the same with the plaintext transport (Noise on, encryption off).
#include "fuzzsession.h"

#include <memory>

using namespace hyperscope;
using namespace hyperscope::fuzz;

namespace {

#ifdef HYPERSCOPE_FUZZ_ENCRYPTED
constexpr bool Encrypted = true;
#else
constexpr bool Encrypted = false;
#endif

void pump(Engine &a, Engine &b, Millis now)
{
    for (int round = 0; round < 10 && (a.outputSize() || b.outputSize()); ++round) {
        b.receive(a.takeOutput(), now);
        a.receive(b.takeOutput(), now);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::uint8_t flags = data[0];
    const bool traced = flags & 1;
    const bool rawCiphertext = Encrypted && (flags & 2);
    const bool inPlace = flags & 4;
    const std::size_t chunk = flags >> 3;
    Bytes stream(data + 1, data + size);

    FuzzHandler initiatorEvents, responderEvents;
    TouchingTrace trace;
    Engine initiator(sessionOptions(true, Encrypted), &initiatorEvents);
    Engine responder(sessionOptions(false, Encrypted), &responderEvents, traced ? &trace : nullptr);
    initiatorEvents.engine = &initiator;
    initiatorEvents.reactive = false; // its transport output is the fuzz input
    responderEvents.engine = &responder;

    const Key32 key = channelKey();
    responder.openChannel(key);
    responder.registerExtension(std::nullopt, "example-ext");
    responder.registerExtension(crypto::discoveryKey(key), "chan-ext");

    Millis now{0};
    responder.start(now);
    initiator.start(now);
    pump(initiator, responder, now);
    if (responder.state() != Engine::State::Open || !initiatorEvents.handshake)
        __builtin_trap(); // the fixed handshake must always complete
    initiator.takeOutput();
    responder.takeOutput();

    if (Encrypted && !rawCiphertext) {
        crypto::XSalsa20Stream cipher(initiatorEvents.handshake->split.tx,
                                      initiatorEvents.handshake->localNonce);
        cipher.apply(stream);
    }

    std::size_t offset = 0;
    while (offset < stream.size() && responder.state() != Engine::State::Ended) {
        const std::size_t n = chunk ? std::min(chunk, stream.size() - offset) : stream.size();
        if (inPlace)
            responder.receiveInPlace(std::span(stream).subspan(offset, n), now);
        else
            responder.receive(ByteView(stream).subspan(offset, n), now);
        responder.takeOutput();
        offset += n;
        now += Millis(1500);
        if (const auto deadline = responder.nextDeadline(); deadline && *deadline <= now)
            responder.handleTimers(now);
    }
    responder.receiveEnd(now);
    // After the end every call is refused, never crashes.
    responder.receive(ByteView(stream), now);
    responder.openChannel(key);
    responder.takeOutput();
    return 0;
}
