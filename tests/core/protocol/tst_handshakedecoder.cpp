// HandshakeDecoder: the length-prefixed handshake messages, cut from a stream of any chunking.
#include "framer.h"
#include "noise.h"
#include "varint.h"

#include <QtTest>

using namespace hyperscope;

namespace {

Bytes prefixed(std::size_t size, std::uint8_t fill)
{
    Bytes out;
    varint::append(out, size);
    out.insert(out.end(), size, fill);
    return out;
}

} // namespace

class TestHandshakeDecoder : public QObject
{
    Q_OBJECT

private slots:
    void wholeMessagesAndTheRest()
    {
        HandshakeDecoder decoder(NoiseHandshake::MaxMessageSize);
        Bytes stream = prefixed(32, 0xaa);
        const Bytes second = prefixed(200, 0xbb); // a two-byte prefix
        stream.insert(stream.end(), second.begin(), second.end());
        stream.push_back(0x05); // a transport byte after the handshake: left in the input

        ByteView input = stream;
        HandshakeMessage message;
        Error error;
        QCOMPARE(decoder.next(input, 1, message, error), HandshakeDecoder::Status::Message);
        QCOMPARE(message.prefixSize, std::size_t(1));
        QCOMPARE(message.wire, prefixed(32, 0xaa));
        QCOMPARE(Bytes(message.body().begin(), message.body().end()), Bytes(32, 0xaa));
        QCOMPARE(decoder.buffered(), std::size_t(0));
        QCOMPARE(decoder.next(input, 2, message, error), HandshakeDecoder::Status::Message);
        QCOMPARE(message.prefixSize, std::size_t(2));
        QCOMPARE(message.wire, second);
        QCOMPARE(input.size(), std::size_t(1));
        QVERIFY(error.ok());
    }

    void oneByteAtATime()
    {
        HandshakeDecoder decoder(NoiseHandshake::MaxMessageSize);
        const Bytes stream = prefixed(300, 0x11);
        HandshakeMessage message;
        Error error;
        for (std::size_t i = 0; i < stream.size(); ++i) {
            ByteView input = ByteView(stream).subspan(i, 1);
            const auto status = decoder.next(input, 1, message, error);
            QVERIFY(input.empty());
            if (i + 1 < stream.size()) {
                QCOMPARE(status, HandshakeDecoder::Status::NeedMore);
                QCOMPARE(decoder.buffered(), i + 1);
            } else {
                QCOMPARE(status, HandshakeDecoder::Status::Message);
            }
        }
        QCOMPARE(message.wire, stream);
    }

    void emptyMessage()
    {
        HandshakeDecoder decoder(NoiseHandshake::MaxMessageSize);
        const Bytes stream{0x00};
        ByteView input = stream;
        HandshakeMessage message;
        Error error;
        QCOMPARE(decoder.next(input, 3, message, error), HandshakeDecoder::Status::Message);
        QVERIFY(message.body().empty());
    }

    void tooLarge()
    {
        HandshakeDecoder decoder(NoiseHandshake::MaxMessageSize);
        Bytes stream;
        varint::append(stream, 65536);
        ByteView input = stream;
        HandshakeMessage message;
        Error error;
        QCOMPARE(decoder.next(input, 2, message, error), HandshakeDecoder::Status::Failed);
        QCOMPARE(error.code, ErrorCode::HandshakeFailed);
        QCOMPARE(error.message, std::string("handshake message 2 of 65536 bytes exceeds 65535"));
        // Final: same error, nothing consumed.
        const Bytes more{0x01, 0x00};
        ByteView rest = more;
        Error again;
        QCOMPARE(decoder.next(rest, 2, message, again), HandshakeDecoder::Status::Failed);
        QCOMPARE(again.message, error.message);
        QCOMPARE(rest.size(), more.size());
    }

    void largestAccepted()
    {
        HandshakeDecoder decoder(NoiseHandshake::MaxMessageSize);
        Bytes stream;
        varint::append(stream, 65535);
        ByteView input = stream;
        HandshakeMessage message;
        Error error;
        QCOMPARE(decoder.next(input, 1, message, error), HandshakeDecoder::Status::NeedMore);
        QCOMPARE(decoder.buffered(), std::size_t(3));
    }

    void prefixLongerThanTheLimitsVarint()
    {
        // 0x80 0x80 0x80: no varint of at most 65535 takes a fourth byte; fail at the third.
        HandshakeDecoder decoder(NoiseHandshake::MaxMessageSize);
        const Bytes stream{0x80, 0x80, 0x80, 0x01};
        ByteView input = stream;
        HandshakeMessage message;
        Error error;
        QCOMPARE(decoder.next(input, 1, message, error), HandshakeDecoder::Status::Failed);
        QCOMPARE(error.code, ErrorCode::HandshakeFailed);
        QCOMPARE(error.message, std::string("handshake message 1: invalid length prefix 808080"));
        QCOMPARE(input.size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestHandshakeDecoder)
#include "tst_handshakedecoder.moc"
