// Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from the test vectors and
// from a session captured between two engines with the vector session's fixed keys. The output
// is checked in; run this again only when the vectors or an input format change:
//
//   build-fuzz/fuzz/makecorpus tests/vectors fuzz/corpus
//
// Every file is named after what it holds, so a crash found later can be traced to its seed.
#include "fuzzsession.h"
#include "varint.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

using namespace hyperscope;
using namespace hyperscope::fuzz;

namespace {

QString g_outDir;
int g_written = 0;

void write(const QString &target, const QString &name, std::uint8_t flags, ByteView bytes)
{
    QDir().mkpath(g_outDir + u'/' + target);
    QFile file(g_outDir + u'/' + target + u'/' + name);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(file.fileName()));
    file.putChar(char(flags));
    file.write(reinterpret_cast<const char *>(bytes.data()), qint64(bytes.size()));
    ++g_written;
}

Bytes hex(const QJsonValue &value)
{
    return fromHex(value.toString().toStdString()).value();
}

Bytes concat(const QJsonArray &chunks)
{
    Bytes out;
    for (const QJsonValue &chunk : chunks) {
        const Bytes bytes = hex(chunk);
        out.insert(out.end(), bytes.begin(), bytes.end());
    }
    return out;
}

/// The payload of one frame (after the length and header varints).
ByteView payloadOf(ByteView frame)
{
    const auto length = varint::decode(frame);
    const auto header = varint::decode(frame.subspan(length.size));
    return frame.subspan(length.size + header.size);
}

/// Records the initiator's outbound plaintext frames.
class Capture : public TraceSink
{
public:
    Bytes plain;
    void traceFrame(const FrameTrace &trace) override
    {
        if (trace.direction == Direction::Outbound)
            plain.insert(plain.end(), trace.plain.begin(), trace.plain.end());
    }
};

/// A session of every message type on the vector's channel, as the initiator sends it.
Bytes captureSession()
{
    FuzzHandler initiatorEvents, responderEvents;
    Capture capture;
    Engine initiator(sessionOptions(true, false), &initiatorEvents, &capture);
    Engine responder(sessionOptions(false, false), &responderEvents);
    initiatorEvents.engine = &initiator;
    responderEvents.engine = &responder;
    const Key32 key = channelKey();
    const Key32 discoveryKey = crypto::discoveryKey(key);
    initiator.start(Millis(0));
    responder.start(Millis(0));
    for (int round = 0; round < 4; ++round) {
        responder.receive(initiator.takeOutput(), Millis(0));
        initiator.receive(responder.takeOutput(), Millis(0));
    }
    initiator.openChannel(key);
    initiator.registerExtension(std::nullopt, "example-ext");
    initiator.registerExtension(discoveryKey, "chan-ext");
    initiator.sendExtension(discoveryKey, "chan-ext", asView("channel extension payload"));
    for (std::uint8_t type = 1; type <= 9; ++type) {
        Message message = *makeMessage(MessageType(type));
        google::protobuf::Message &proto = asProtobuf(message);
        // Fill the required fields (all uint64 "start"/"index") with small values.
        const auto *descriptor = proto.GetDescriptor();
        for (int i = 0; i < descriptor->field_count(); ++i) {
            const auto *field = descriptor->field(i);
            if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT64 &&
                !field->is_repeated())
                proto.GetReflection()->SetUInt64(&proto, field, 3 + i);
        }
        initiator.send(discoveryKey, message);
    }
    initiator.sendExtension(std::nullopt, "example-ext", asView("hello"));
    initiator.ping();
    initiator.closeChannel(discoveryKey);
    return capture.plain;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: makecorpus VECTORS_DIR OUT_DIR\n");
        return 2;
    }
    g_outDir = QString::fromLocal8Bit(argv[2]);
    QFile file(QString::fromLocal8Bit(argv[1]) + QStringLiteral("/hypercore-wire.json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read hypercore-wire.json");
    const QJsonObject vectors = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonObject session = vectors.value(QLatin1String("session")).toObject();
    const QJsonObject plaintext = session.value(QLatin1String("plaintext")).toObject();
    const QJsonObject wire = session.value(QLatin1String("wire")).toObject();

    // Frames of every type, and whole sessions.
    const Bytes initiatorPlain = concat(plaintext.value(QLatin1String("initiator")).toArray());
    const Bytes responderPlain = concat(plaintext.value(QLatin1String("responder")).toArray());
    const Bytes captured = captureSession();
    int index = 0;
    for (const QJsonValue &value : vectors.value(QLatin1String("frames")).toArray()) {
        const QJsonObject vector = value.toObject();
        const QString name = QStringLiteral("frame-%1-%2")
                                 .arg(index++, 2, 10, QChar(u'0'))
                                 .arg(vector.value(QLatin1String("name")).toString());
        const Bytes frame = hex(vector.value(QLatin1String("frame")));
        write(QStringLiteral("fuzz_framer"), name, 0x03, frame);
        const std::uint8_t typeAndChannel =
            std::uint8_t(vector.value(QLatin1String("type")).toInt() |
                         (vector.value(QLatin1String("channel")).toInt() & 15) << 4);
        write(QStringLiteral("fuzz_messages"), name, typeAndChannel, payloadOf(frame));
        // A frame the engine does not expect (wrong capability, unknown channel...).
        write(QStringLiteral("fuzz_engine_plaintext"), name, 0x00, frame);
        write(QStringLiteral("fuzz_engine_encrypted"), name, 0x00, frame);
    }
    write(QStringLiteral("fuzz_framer"), QStringLiteral("keepalive"), 0x00, Bytes{0});
    write(QStringLiteral("fuzz_framer"), QStringLiteral("oversized-length"), 0x00,
          Bytes{0x80, 0x80, 0xc0, 0x04});
    write(QStringLiteral("fuzz_framer"), QStringLiteral("session-initiator"), 0x07, initiatorPlain);
    write(QStringLiteral("fuzz_framer"), QStringLiteral("session-responder"), 0x40 | 0x05,
          responderPlain);
    write(QStringLiteral("fuzz_framer"), QStringLiteral("session-captured"), 0x80 | 0x0b, captured);

    // The engine after the handshake: the vector's initiator frames and the captured session are
    // valid for the fixed keys (capabilities included), whole and in chunks, traced or not.
    for (const QString &target :
         {QStringLiteral("fuzz_engine_plaintext"), QStringLiteral("fuzz_engine_encrypted")}) {
        write(target, QStringLiteral("session-initiator"), 0x00, initiatorPlain);
        write(target, QStringLiteral("session-initiator-traced-chunked"), 0x01 | (7 << 3),
              initiatorPlain);
        write(target, QStringLiteral("session-captured"), 0x00, captured);
        write(target, QStringLiteral("session-captured-in-place"), 0x04, captured);
        write(target, QStringLiteral("session-captured-traced-chunked-in-place"),
              0x01 | 0x04 | (13 << 3), captured);
    }
    // Encrypted only: the vector's own ciphertext, fed as is.
    Bytes initiatorCipher;
    const QJsonArray initiatorWire = wire.value(QLatin1String("initiator")).toArray();
    for (qsizetype i = 2; i < initiatorWire.size(); ++i) {
        const Bytes chunk = hex(initiatorWire.at(i));
        initiatorCipher.insert(initiatorCipher.end(), chunk.begin(), chunk.end());
    }
    write(QStringLiteral("fuzz_engine_encrypted"), QStringLiteral("session-initiator-ciphertext"),
          0x02, initiatorCipher);

    // The handshake: the vector's three messages, bare (Noise) and prefixed (Engine).
    const Bytes message1 = hex(initiatorWire.at(0));
    const Bytes message2 = hex(wire.value(QLatin1String("responder")).toArray().at(0));
    const Bytes message3 = hex(initiatorWire.at(1));
    const Bytes *messages[] = {&message1, &message2, &message3};
    for (std::uint8_t step = 0; step < 3; ++step) {
        const Bytes &prefixed = *messages[step];
        const ByteView bare = ByteView(prefixed).subspan(varint::decode(prefixed).size);
        const QString name = QStringLiteral("message-%1").arg(step + 1);
        write(QStringLiteral("fuzz_handshake"), name + QStringLiteral("-noise"), step, bare);
        write(QStringLiteral("fuzz_handshake"), name + QStringLiteral("-engine"), 0x04 | step,
              prefixed);
        write(QStringLiteral("fuzz_handshake"), name + QStringLiteral("-engine-refused"),
              0x0c | step, prefixed);
        write(QStringLiteral("fuzz_handshake"), name + QStringLiteral("-engine-chunked"),
              0x04 | step | (5 << 4), prefixed);
    }
    // Message 3 followed, in the same read, by the initiator's first transport bytes.
    Bytes third = message3;
    third.insert(third.end(), initiatorCipher.begin(), initiatorCipher.end());
    write(QStringLiteral("fuzz_handshake"), QStringLiteral("message-3-then-transport"), 0x06,
          third);

    // hyperscope-cli commands, one line each.
    const char *commands[] = {
        R"({"cmd":"open","key":"0303030303030303030303030303030303030303030303030303030303030303"})",
        R"({"cmd":"send","key":"0303030303030303030303030303030303030303030303030303030303030303","type":"Want","message":{"start":0,"length":10}})",
        R"({"cmd":"send","discoveryKey":"592eb5812ebff59c05049b32ce80cba9ffb8ce08268bdc97efb226e911189141","type":"Data","message":{"index":1,"value":"6869","nodes":[{"index":2,"hash":"11","size":3}],"signature":"22"},"session":2})",
        R"({"cmd":"send","key":"0303030303030303030303030303030303030303030303030303030303030303","type":"Options","message":{"extensions":["a","b"],"ack":true}})",
        R"({"cmd":"register","name":"example-ext"})",
        R"({"cmd":"extension","name":"example-ext","payload":"00ff","key":"0303030303030303030303030303030303030303030303030303030303030303"})",
        R"({"cmd":"close","discoveryKey":"592eb5812ebff59c05049b32ce80cba9ffb8ce08268bdc97efb226e911189141"})",
        R"({"cmd":"frame","channel":1,"type":"Want","payload":"0800"})",
        R"({"cmd":"frame","channel":0,"type":12,"payload":""})",
        R"({"cmd":"ping","session":1})",
        R"({"cmd":"quit"})",
    };
    index = 0;
    for (const char *command : commands) {
        const QByteArray line(command);
        // The flag byte of write() is the command's first character.
        write(QStringLiteral("fuzz_command"), QStringLiteral("command-%1").arg(index++),
              std::uint8_t(line.at(0)),
              ByteView(reinterpret_cast<const std::uint8_t *>(line.constData()) + 1,
                       std::size_t(line.size() - 1)));
    }
    std::printf("wrote %d seed files to %s\n", g_written, argv[2]);
    return 0;
}
