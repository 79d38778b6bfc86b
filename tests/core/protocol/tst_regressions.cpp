// Inputs the fuzzers (fuzz/) turned up, kept as plain tests so that the behaviour they pinned down
// stays checked by the main suite (and under the sanitizer build) without libFuzzer. Each case
// names its fuzz target and the input (also in fuzz/corpus/<target>/regression-*).
#include "engine.h"
#include "framer.h"

#include <QtTest>

using namespace hyperscope;
using namespace std::chrono_literals;

namespace {

Bytes hex(const char *text)
{
    return fromHex(text).value();
}

/// Two engines past the handshake, plaintext transport, so a test controls every byte.
struct PlainPair : EngineHandler
{
    Engine initiator{options(true), nullptr};
    Engine responder{options(false), this};
    std::optional<Error> ended;

    PlainPair()
    {
        responder.start(0ms);
        initiator.start(0ms);
        for (int i = 0; i < 4; ++i) {
            responder.receive(initiator.takeOutput(), 0ms);
            initiator.receive(responder.takeOutput(), 0ms);
        }
    }
    static EngineOptions options(bool initiator)
    {
        EngineOptions o;
        o.initiator = initiator;
        o.encrypted = false;
        return o;
    }
    void onEnd(const Error &reason) override { ended = reason; }
};

} // namespace

class tst_Regressions : public QObject
{
    Q_OBJECT

private slots:
    // fuzz_framer, input 6c 80006f32: a zero length written as a two-byte varint (80 00) is a
    // keepalive like 00, as the reference's varint decoder reads it; the frame that follows is
    // cut right after it. (The target's own check had assumed a keepalive is always one byte.)
    void nonMinimalZeroLengthIsAKeepalive()
    {
        const Bytes stream = hex("8000"
                                 "03150800");
        FrameDecoder decoder;
        ByteView input = stream;
        Frame frame;
        Error error;
        QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Frame);
        QVERIFY(frame.keepAlive);
        QCOMPARE(frame.bytes.size(), std::size_t(2));
        QVERIFY(frame.payload.empty());
        QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Frame);
        QVERIFY(!frame.keepAlive);
        QCOMPARE(frame.offset, 2u);
        QCOMPARE(frame.type, std::uint8_t(5));

        PlainPair pair;
        QCOMPARE(pair.responder.state(), Engine::State::Open);
        pair.responder.receive(stream, 0ms);
        QVERIFY(!pair.ended);
        QCOMPARE(pair.responder.state(), Engine::State::Open);
    }
};

QTEST_APPLESS_MAIN(tst_Regressions)
#include "tst_regressions.moc"
