#include "framer.h"
#include "messages.h"
#include "varint.h"
#include "vectors.h"

#include <QRandomGenerator>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

// Test-local check of a decoded protobuf message against the vector's JSON "message", by
// reflection: every JSON key is a set field with that value, and every set field is in the JSON.
bool matchesJson(const google::protobuf::Message &message, const QJsonObject &json, QString &why)
{
    using google::protobuf::FieldDescriptor;
    const auto *descriptor = message.GetDescriptor();
    const auto *r = message.GetReflection();
    auto same = [&](const FieldDescriptor *field, int index, const QJsonValue &value) -> bool {
        const bool rep = field->is_repeated();
        switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_UINT64:
            return value.toInteger(-1) == qint64(rep ? r->GetRepeatedUInt64(message, field, index)
                                                     : r->GetUInt64(message, field));
        case FieldDescriptor::CPPTYPE_BOOL:
            return value.isBool() &&
                   value.toBool() == (rep ? r->GetRepeatedBool(message, field, index)
                                          : r->GetBool(message, field));
        case FieldDescriptor::CPPTYPE_STRING: {
            const std::string s =
                rep ? r->GetRepeatedString(message, field, index) : r->GetString(message, field);
            if (field->type() == FieldDescriptor::TYPE_BYTES)
                return value.toString().toStdString() == toHex(asView(s));
            return value.toString().toStdString() == s;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE: {
            QString inner;
            return matchesJson(rep ? r->GetRepeatedMessage(message, field, index)
                                   : r->GetMessage(message, field),
                               value.toObject(), inner);
        }
        default:
            return false;
        }
    };
    for (int i = 0; i < descriptor->field_count(); ++i) {
        const FieldDescriptor *field = descriptor->field(i);
        const QString name = QString::fromStdString(field->name());
        if (field->is_repeated()) {
            const QJsonArray array = json.value(name).toArray();
            if (array.size() != r->FieldSize(message, field)) {
                why = name + QStringLiteral(": element count differs");
                return false;
            }
            for (int j = 0; j < array.size(); ++j) {
                if (!same(field, j, array.at(j))) {
                    why = name + QStringLiteral(": element %1 differs").arg(j);
                    return false;
                }
            }
        } else if (r->HasField(message, field) != json.contains(name)) {
            why = name + QStringLiteral(": presence differs");
            return false;
        } else if (json.contains(name) && !same(field, -1, json.value(name))) {
            why = name + QStringLiteral(": value differs");
            return false;
        }
    }
    return true;
}

struct Decoded
{
    QByteArray bytes;
    quint64 offset;
    bool keepAlive;
    quint64 channel;
    int type;
    QByteArray payload;
    bool operator==(const Decoded &) const = default;
};

// Feeds @p stream in chunks of the sizes produced by @p nextChunk; returns the frames, or fails.
template<typename Chunker>
QList<Decoded> decodeAll(FrameDecoder &decoder, const Bytes &stream, Chunker nextChunk)
{
    QList<Decoded> frames;
    std::size_t pos = 0;
    while (pos < stream.size()) {
        const std::size_t size = std::min(nextChunk(), stream.size() - pos);
        ByteView input(stream.data() + pos, size);
        pos += size;
        for (;;) {
            Frame frame;
            Error error;
            const auto status = decoder.next(input, frame, error);
            if (status == FrameDecoder::Status::Failed)
                qFatal("decoder failed: %s", error.message.c_str());
            if (status == FrameDecoder::Status::NeedMore) {
                if (!input.empty())
                    qFatal("NeedMore with input left");
                break;
            }
            frames.append({toQByteArray(frame.bytes), frame.offset, frame.keepAlive, frame.channel,
                           frame.type, toQByteArray(frame.payload)});
        }
    }
    return frames;
}

} // namespace

class tst_Framer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void matchesVectorFrames_data();
    void matchesVectorFrames();
    void encodesKeepAliveVector();
    void decodesStreamInAnyChunking_data();
    void decodesStreamInAnyChunking();
    void returnsFramesWithoutCopyingWhenWhole();
    void rejectsOversizedLength_data();
    void rejectsOversizedLength();
    void acceptsLengthAtTheLimit();
    void rejectsInvalidLengthVarint_data();
    void rejectsInvalidLengthVarint();
    void rejectsInvalidHeader_data();
    void rejectsInvalidHeader();
    void staysFailed();
    void decodesZeroLengthKeepAlive();
    void passesUnassignedTypesThrough_data();
    void passesUnassignedTypesThrough();
    void framesLargeChannelsAndPayloads_data();
    void framesLargeChannelsAndPayloads();

private:
    QJsonObject m_vectors;
};

void tst_Framer::initTestCase()
{
    m_vectors = wireVectors();
    QVERIFY(m_vectors.value(QStringLiteral("frames")).toArray().size() >= 12);
}

void tst_Framer::matchesVectorFrames_data()
{
    QTest::addColumn<QJsonObject>("vector");
    const QJsonArray frames = m_vectors.value(QStringLiteral("frames")).toArray();
    for (qsizetype i = 0; i < frames.size(); ++i) {
        const QJsonObject v = frames.at(i).toObject();
        const QByteArray name = QStringLiteral("%1 %2 ch%3")
                                    .arg(i)
                                    .arg(v.value(QStringLiteral("name")).toString())
                                    .arg(v.value(QStringLiteral("channel")).toInteger())
                                    .toUtf8();
        QTest::newRow(name.constData()) << v;
    }
}

void tst_Framer::matchesVectorFrames()
{
    QFETCH(QJsonObject, vector);
    const Bytes expected = hex(vector.value(QStringLiteral("frame")).toString());
    const auto channel = quint64(vector.value(QStringLiteral("channel")).toInteger());
    const auto type = std::uint8_t(vector.value(QStringLiteral("type")).toInt());
    QCOMPARE(messageTypeName(type), vector.value(QStringLiteral("name")).toString().toStdString());

    // Decode the reference's frame.
    FrameDecoder decoder;
    ByteView input = expected;
    Frame frame;
    Error error;
    QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Frame);
    QVERIFY(input.empty());
    QCOMPARE(frame.bytes.size(), expected.size());
    QCOMPARE(frame.offset, quint64(0));
    QVERIFY(!frame.keepAlive);
    QCOMPARE(frame.channel, channel);
    QCOMPARE(frame.type, type);
    QCOMPARE(frame.payloadOffset + frame.payload.size(), expected.size());
    QCOMPARE(frame.headerOffset, varint::decode(expected).size);

    // Rebuild it from the decoded content.
    Bytes payload;
    if (type == std::uint8_t(MessageType::Extension)) {
        std::string why;
        const auto extension = decodeExtension(frame.payload, why);
        QVERIFY2(extension, why.c_str());
        QCOMPARE(extension->id, quint64(vector.value(QStringLiteral("id")).toInteger()));
        QCOMPARE(toHex(extension->data),
                 vector.value(QStringLiteral("payload")).toString().toStdString());
        appendExtension(payload, extension->id, extension->data);
    } else {
        std::string why;
        const auto message = decodeMessage(type, frame.payload, why);
        QVERIFY2(message, why.c_str());
        QCOMPARE(std::uint8_t(messageType(*message)), type);
        QString mismatch;
        QVERIFY2(matchesJson(asProtobuf(*message),
                             vector.value(QStringLiteral("message")).toObject(), mismatch),
                 qPrintable(mismatch));
        appendMessage(payload, *message);
        QCOMPARE(messageSize(*message), payload.size());
    }
    QCOMPARE(toQByteArray(payload), toQByteArray(frame.payload));

    Bytes out{0xee}; // appendFrame appends
    appendFrame(out, channel, type, payload);
    QCOMPARE(toQByteArray(ByteView(out).subspan(1)), toQByteArray(expected));
    QCOMPARE(frameSize(channel, payload.size()), expected.size());
}

void tst_Framer::encodesKeepAliveVector()
{
    const Bytes expected = hex(m_vectors.value(QStringLiteral("keepAlive")).toString());
    Bytes out;
    varint::append(out, 0);
    QCOMPARE(out, expected);

    FrameDecoder decoder;
    ByteView input = expected;
    Frame frame;
    Error error;
    QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Frame);
    QVERIFY(frame.keepAlive);
    QCOMPARE(frame.bytes.size(), std::size_t(1));
    QVERIFY(frame.payload.empty());
}

void tst_Framer::decodesStreamInAnyChunking_data()
{
    QTest::addColumn<int>("chunk"); // > 0: fixed size; 0: whole; < 0: random sizes, seed = -chunk
    QTest::newRow("whole") << 0;
    QTest::newRow("1-byte chunks") << 1;
    QTest::newRow("2-byte chunks") << 2;
    QTest::newRow("7-byte chunks") << 7;
    QTest::newRow("random seed 1") << -1;
    QTest::newRow("random seed 2") << -2;
    QTest::newRow("random seed 3") << -3;
    QTest::newRow("random seed 42") << -42;
}

void tst_Framer::decodesStreamInAnyChunking()
{
    QFETCH(int, chunk);

    // The vector frames, with keepalives between them, twice over.
    Bytes stream;
    QList<Decoded> expected;
    const QJsonArray frames = m_vectors.value(QStringLiteral("frames")).toArray();
    for (int round = 0; round < 2; ++round) {
        for (const QJsonValue &v : frames) {
            const QJsonObject o = v.toObject();
            const Bytes bytes = hex(o.value(QStringLiteral("frame")).toString());
            const std::size_t headerSize = varint::decode(bytes).size;
            const std::size_t payloadOffset =
                headerSize + varint::decode(ByteView(bytes).subspan(headerSize)).size;
            expected.append({toQByteArray(bytes), stream.size(), false,
                             quint64(o.value(QStringLiteral("channel")).toInteger()),
                             o.value(QStringLiteral("type")).toInt(),
                             toQByteArray(ByteView(bytes).subspan(payloadOffset))});
            stream.insert(stream.end(), bytes.begin(), bytes.end());
            expected.append({QByteArray(1, '\0'), stream.size(), true, 0, 0, QByteArray()});
            stream.push_back(0);
        }
    }

    FrameDecoder decoder;
    QList<Decoded> decoded;
    if (chunk >= 0) {
        const std::size_t size = chunk == 0 ? stream.size() : std::size_t(chunk);
        decoded = decodeAll(decoder, stream, [size] { return size; });
    } else {
        QRandomGenerator random(quint32(-chunk));
        decoded =
            decodeAll(decoder, stream, [&random] { return std::size_t(random.bounded(1, 64)); });
    }
    QCOMPARE(decoded.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i)
        QVERIFY2(decoded.at(i) == expected.at(i), qPrintable(QStringLiteral("frame %1").arg(i)));
    QCOMPARE(decoder.position(), quint64(stream.size()));
    QCOMPARE(decoder.state(), FrameDecoder::State::ReadingLength);
}

void tst_Framer::returnsFramesWithoutCopyingWhenWhole()
{
    Bytes stream;
    appendFrame(stream, 1, MessageType::Want, Bytes{0x08, 0x00});
    appendFrame(stream, 2, MessageType::Close, {});
    FrameDecoder decoder;
    ByteView input = stream;
    Frame frame;
    Error error;
    QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Frame);
    QCOMPARE(frame.bytes.data(), stream.data());
    QCOMPARE(input.size(), std::size_t(2));
    QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Frame);
    QCOMPARE(frame.bytes.data(), stream.data() + 4);
    QCOMPARE(frame.offset, quint64(4));
    QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::NeedMore);
}

void tst_Framer::rejectsOversizedLength_data()
{
    QTest::addColumn<quint64>("length");
    QTest::addColumn<int>("chunk");
    QTest::addColumn<QString>("message");
    const QString at = QStringLiteral(" at stream offset 4");
    QTest::newRow("9 MiB") << quint64(9437184) << 0
                           << QStringLiteral("frame of 9437184 bytes exceeds 8 MiB (8388608)") + at;
    QTest::newRow("9 MiB, 1-byte chunks")
        << quint64(9437184) << 1
        << QStringLiteral("frame of 9437184 bytes exceeds 8 MiB (8388608)") + at;
    QTest::newRow("8 MiB + 1") << quint64(8388609) << 0
                               << QStringLiteral("frame of 8388609 bytes exceeds 8 MiB (8388608)") +
                                      at;
    QTest::newRow("2^64-1") << ~quint64(0) << 1
                            << QStringLiteral("frame of 18446744073709551615 bytes exceeds 8 MiB "
                                              "(8388608)") +
                                   at;
}

void tst_Framer::rejectsOversizedLength()
{
    QFETCH(quint64, length);
    QFETCH(int, chunk);
    QFETCH(QString, message);

    // A valid frame first, so the offset is not 0; then only the length: the decoder must fail
    // as soon as the length is known, without waiting for (or buffering) a body.
    Bytes stream;
    appendFrame(stream, 1, MessageType::Want, Bytes{0x08, 0x00});
    varint::append(stream, length);

    FrameDecoder decoder;
    Frame frame;
    Error error;
    FrameDecoder::Status status = FrameDecoder::Status::NeedMore;
    std::size_t pos = 0;
    int frames = 0;
    while (pos < stream.size() && status != FrameDecoder::Status::Failed) {
        const std::size_t size =
            chunk ? std::min<std::size_t>(chunk, stream.size() - pos) : stream.size() - pos;
        ByteView input(stream.data() + pos, size);
        pos += size;
        while ((status = decoder.next(input, frame, error)) == FrameDecoder::Status::Frame)
            ++frames;
    }
    QCOMPARE(frames, 1);
    QCOMPARE(status, FrameDecoder::Status::Failed);
    QCOMPARE(error.code, ErrorCode::FrameTooLarge);
    QVERIFY(error.isFatal());
    QCOMPARE(QString::fromStdString(error.message), message);
    QCOMPARE(decoder.state(), FrameDecoder::State::Failed);
}

void tst_Framer::acceptsLengthAtTheLimit()
{
    // A custom limit, to keep the test small; the default is exercised by rejectsOversizedLength.
    const std::size_t limit = 1000;
    Bytes payload(limit - 1, 0x33); // header (1 byte) + payload == limit
    Bytes stream;
    appendFrame(stream, 0, 12, payload);
    appendFrame(stream, 0, 12, Bytes(limit, 0x33)); // one byte too many

    FrameDecoder decoder(limit);
    ByteView input = stream;
    Frame frame;
    Error error;
    QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Frame);
    QCOMPARE(frame.payload.size(), limit - 1);
    QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Failed);
    QCOMPARE(error.code, ErrorCode::FrameTooLarge);
    QCOMPARE(QString::fromStdString(error.message),
             QStringLiteral("frame of 1001 bytes exceeds 1000 bytes at stream offset %1")
                 .arg(frame.bytes.size()));
}

void tst_Framer::rejectsInvalidLengthVarint_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<int>("chunk");
    QTest::addColumn<QString>("message");
    const QByteArray eleven = QByteArray::fromHex("8080808080808080808001");
    const QByteArray overflow = QByteArray::fromHex("ffffffffffffffffff7f");
    const QString at0 = QStringLiteral("invalid varint in frame length at stream offset 0");
    const QString at5 = QStringLiteral("invalid varint in frame length at stream offset 5");
    const QByteArray keepAlives(5, '\0');
    QTest::newRow("11 bytes") << eleven << 0 << at0;
    QTest::newRow("11 bytes, 1-byte chunks") << eleven << 1 << at0;
    QTest::newRow("overflow") << overflow << 0 << at0;
    QTest::newRow("overflow, 3-byte chunks") << overflow << 3 << at0;
    QTest::newRow("after keepalives") << keepAlives + eleven << 0 << at5;
    QTest::newRow("after keepalives, 1-byte chunks") << keepAlives + eleven << 1 << at5;
}

void tst_Framer::rejectsInvalidLengthVarint()
{
    QFETCH(QByteArray, stream);
    QFETCH(int, chunk);
    QFETCH(QString, message);

    FrameDecoder decoder;
    Frame frame;
    Error error;
    FrameDecoder::Status status = FrameDecoder::Status::NeedMore;
    for (qsizetype pos = 0; pos < stream.size() && status != FrameDecoder::Status::Failed;) {
        const qsizetype size =
            chunk ? std::min<qsizetype>(chunk, stream.size() - pos) : stream.size() - pos;
        ByteView input(reinterpret_cast<const std::uint8_t *>(stream.constData()) + pos,
                       std::size_t(size));
        pos += size;
        while ((status = decoder.next(input, frame, error)) == FrameDecoder::Status::Frame)
            QVERIFY(frame.keepAlive);
    }
    QCOMPARE(status, FrameDecoder::Status::Failed);
    QCOMPARE(error.code, ErrorCode::InvalidVarint);
    QCOMPARE(QString::fromStdString(error.message), message);
}

void tst_Framer::rejectsInvalidHeader_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QString>("message");
    QTest::newRow("header runs past a 1-byte body")
        << QByteArray::fromHex("0180")
        << QStringLiteral("invalid varint in frame header at stream offset 1");
    QTest::newRow("header runs past a 3-byte body, after a frame")
        << QByteArray::fromHex("011a03ffffff00")
        << QStringLiteral("invalid varint in frame header at stream offset 3");
    QTest::newRow("11-byte header")
        << QByteArray::fromHex("0b8080808080808080808001")
        << QStringLiteral("invalid varint in frame header at stream offset 1");
}

void tst_Framer::rejectsInvalidHeader()
{
    QFETCH(QByteArray, stream);
    QFETCH(QString, message);
    for (const bool oneByte : {false, true}) {
        FrameDecoder decoder;
        Frame frame;
        Error error;
        FrameDecoder::Status status = FrameDecoder::Status::NeedMore;
        for (qsizetype pos = 0; pos < stream.size() && status != FrameDecoder::Status::Failed;) {
            const qsizetype size = oneByte ? 1 : stream.size();
            ByteView input(reinterpret_cast<const std::uint8_t *>(stream.constData()) + pos,
                           std::size_t(size));
            pos += size;
            while ((status = decoder.next(input, frame, error)) == FrameDecoder::Status::Frame) {
            }
        }
        QCOMPARE(status, FrameDecoder::Status::Failed);
        QCOMPARE(error.code, ErrorCode::InvalidVarint);
        QCOMPARE(QString::fromStdString(error.message), message);
    }
}

void tst_Framer::staysFailed()
{
    const Bytes bad = hex(QStringLiteral("0180"));
    FrameDecoder decoder;
    ByteView input = bad;
    Frame frame;
    Error error;
    QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Failed);
    const std::string first = error.message;
    const std::uint64_t position = decoder.position();

    const Bytes good = hex(QStringLiteral("011a"));
    ByteView more = good;
    Error again;
    QCOMPARE(decoder.next(more, frame, again), FrameDecoder::Status::Failed);
    QCOMPARE(again.message, first);
    QCOMPARE(again.code, ErrorCode::InvalidVarint);
    QCOMPARE(more.size(), good.size()); // nothing consumed
    QCOMPARE(decoder.position(), position);
    QCOMPARE(decoder.state(), FrameDecoder::State::Failed);
}

void tst_Framer::decodesZeroLengthKeepAlive()
{
    const Bytes stream{0x00, 0x00, 0x01, 0x1a, 0x00};
    FrameDecoder decoder;
    ByteView input = stream;
    Frame frame;
    Error error;
    const bool keepAlive[] = {true, true, false, true};
    const quint64 offsets[] = {0, 1, 2, 4};
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Frame);
        QCOMPARE(frame.keepAlive, keepAlive[i]);
        QCOMPARE(frame.offset, offsets[i]);
    }
    QCOMPARE(frame.bytes.size(), std::size_t(1));
    QVERIFY(frame.payload.empty());
    QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::NeedMore);
    QCOMPARE(decoder.position(), quint64(5));
}

void tst_Framer::passesUnassignedTypesThrough_data()
{
    QTest::addColumn<int>("type");
    for (int type = 11; type <= 14; ++type)
        QTest::newRow(qPrintable(QString::number(type))) << type;
}

void tst_Framer::passesUnassignedTypesThrough()
{
    QFETCH(int, type);
    Bytes stream;
    appendFrame(stream, 3, std::uint8_t(type), Bytes{1, 2, 3});
    appendFrame(stream, 3, MessageType::Close, {});
    FrameDecoder decoder;
    ByteView input = stream;
    Frame frame;
    Error error;
    QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Frame);
    QCOMPARE(int(frame.type), type);
    QCOMPARE(frame.channel, quint64(3));
    QCOMPARE(toQByteArray(frame.payload), QByteArray::fromHex("010203"));
    QCOMPARE(decoder.next(input, frame, error), FrameDecoder::Status::Frame);
    QCOMPARE(frame.type, std::uint8_t(MessageType::Close));
}

void tst_Framer::framesLargeChannelsAndPayloads_data()
{
    QTest::addColumn<quint64>("channel");
    QTest::addColumn<int>("payloadSize");
    QTest::newRow("channel 0, empty") << quint64(0) << 0;
    QTest::newRow("channel 7, 127-byte body") << quint64(7) << 126;
    QTest::newRow("channel 8, 2-byte header") << quint64(8) << 126;
    QTest::newRow("channel 2^60-1") << (quint64(1) << 60) - 1 << 1;
    QTest::newRow("64 KiB payload") << quint64(1) << 65536;
}

void tst_Framer::framesLargeChannelsAndPayloads()
{
    QFETCH(quint64, channel);
    QFETCH(int, payloadSize);
    Bytes payload(std::size_t(payloadSize), 0);
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = std::uint8_t(i * 7);
    Bytes stream;
    appendFrame(stream, channel, MessageType::Data, payload);
    QCOMPARE(stream.size(), frameSize(channel, payload.size()));

    for (const std::size_t chunk : {stream.size(), std::size_t(1), std::size_t(1000)}) {
        FrameDecoder decoder;
        const QList<Decoded> frames = decodeAll(decoder, stream, [chunk] { return chunk; });
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames[0].channel, channel);
        QCOMPARE(frames[0].type, int(MessageType::Data));
        QCOMPARE(frames[0].payload, toQByteArray(payload));
    }
}

QTEST_APPLESS_MAIN(tst_Framer)
#include "tst_framer.moc"
