// Inputs the fuzzers (fuzz/) turned up, kept as plain tests so that the behaviour they pinned down
// stays checked by the main suite (and under the sanitizer build) without libFuzzer. Each case
// names its fuzz target and the input (also in fuzz/corpus/<target>/regression-*).
#include "enginepair.h"
#include "framer.h"

#include <QtTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// Options of two engines past the handshake on a plaintext transport, so that a test controls
/// every byte.
EngineOptions plaintextTransport()
{
    EngineOptions options;
    options.encrypted = false;
    return options;
}

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

        EnginePair pair(plaintextTransport());
        pair.start();
        QCOMPARE(pair.responder.state(), Engine::State::Open);
        pair.responder.receive(stream, pair.now);
        QVERIFY(!pair.responderEvents.ended);
        QCOMPARE(pair.responder.state(), Engine::State::Open);
    }
};

QTEST_APPLESS_MAIN(tst_Regressions)
#include "tst_regressions.moc"
