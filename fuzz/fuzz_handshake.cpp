// The handshake readers: NoiseHandshake::readMessage at each step of XX, and Engine::receive while
// the engine is still handshaking (the length prefixes, the payload, the key check, and whatever
// follows the last message in the same read).
//
// Both sides use the vector session's fixed keys, so the real messages of that session (in the
// seed corpus) pass the MAC checks and the fuzzer can mutate what comes after them.
//
// Input: byte 0 = flags, the rest = the bytes under test.
//   bits 0-1  the step under test (mod 3): 0 the responder reads message 1, 1 the initiator
//             reads message 2, 2 the responder reads message 3 (the earlier messages are real)
//   bit 2     0: a bare NoiseHandshake reads the rest as one Noise message (no length prefix);
//             1: an Engine receives the rest as socket bytes (length prefixes included)
//   bit 3     Engine only: the application refuses the remote static key
//   bits 4-7  Engine only: chunk size (0: one chunk)
#include "fuzzsession.h"
#include "noise.h"

using namespace hyperscope;
using namespace hyperscope::fuzz;

namespace {

schema::NoisePayload payloadOf(std::uint8_t fill)
{
    schema::NoisePayload payload;
    payload.set_nonce(std::string(24, char(fill)));
    return payload;
}

void fuzzNoise(int step, ByteView message)
{
    const EngineOptions i = sessionOptions(true, true), r = sessionOptions(false, true);
    NoiseHandshake initiator(true, *i.staticKeyPair, crypto::keyPairFromSeed(*i.ephemeralSeed));
    NoiseHandshake responder(false, *r.staticKeyPair, crypto::keyPairFromSeed(*r.ephemeralSeed));
    const std::string initiatorPayload = payloadOf(0xa1).SerializeAsString();
    const std::string responderPayload = payloadOf(0xb2).SerializeAsString();

    Bytes wire, payload;
    NoiseHandshake *reader = &responder;
    if (step >= 1) {
        initiator.writeMessage(asView(initiatorPayload), wire);
        reader = &initiator;
    }
    if (step == 2) {
        responder.readMessage(wire, payload);
        wire.clear();
        responder.writeMessage(asView(responderPayload), wire);
        reader = &responder;
    }
    const Error error = reader->readMessage(message, payload);
    if (error.ok() != (reader->nextAction() != NoiseHandshake::Action::Failed))
        __builtin_trap(); // an error and only an error moves the handshake to Failed
    if (!error.ok() && error.code != ErrorCode::HandshakeFailed)
        __builtin_trap(); // Noise reports nothing else
    if (!error.ok() && !payload.empty())
        __builtin_trap(); // a failed read must not leak a payload
    if (reader->nextAction() == NoiseHandshake::Action::WriteMessage) {
        wire.clear();
        reader->writeMessage(asView(reader == &responder ? responderPayload : initiatorPayload),
                             wire);
    }
    if (reader->nextAction() == NoiseHandshake::Action::Split) {
        const crypto::SplitKeys keys = reader->split();
        (void)keys;
        (void)reader->handshakeHash();
    }
}

class KeyCheck : public FuzzHandler
{
public:
    bool refuse = false;
    bool acceptRemoteKey(const Key32 &) override { return !refuse; }
};

void fuzzEngine(int step, bool refuseKey, std::size_t chunk, ByteView bytes)
{
    KeyCheck initiatorEvents, responderEvents;
    TouchingTrace trace;
    Engine initiator(sessionOptions(true, true), &initiatorEvents, &trace);
    Engine responder(sessionOptions(false, true), &responderEvents, &trace);
    initiatorEvents.engine = &initiator;
    responderEvents.engine = &responder;
    initiatorEvents.refuse = responderEvents.refuse = refuseKey;
    responder.openChannel(channelKey());

    const Millis now{0};
    initiator.start(now);
    responder.start(now);
    Engine *reader = &responder;
    if (step >= 1)
        reader = &initiator;
    if (step == 2) {
        responder.receive(initiator.takeOutput(), now);
        reader = &responder;
    }
    reader->takeOutput();
    std::size_t offset = 0;
    while (offset < bytes.size() && reader->state() != Engine::State::Ended) {
        const std::size_t n = chunk ? std::min(chunk, bytes.size() - offset) : bytes.size();
        reader->receive(bytes.subspan(offset, n), now);
        reader->takeOutput();
        offset += n;
    }
    reader->handleTimers(Millis(60000)); // the handshake never completes: a timeout, not a hang
    if (reader->state() != Engine::State::Ended)
        __builtin_trap();
    reader->receiveEnd(Millis(60000));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::uint8_t flags = data[0];
    const int step = (flags & 3) % 3;
    const ByteView rest(data + 1, size - 1);
    if (flags & 4)
        fuzzEngine(step, flags & 8, flags >> 4, rest);
    else
        fuzzNoise(step, rest);
    return 0;
}
