#include "builders.h"
#include "messages.h"
#include "varint.h"

#include <QRandomGenerator>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

class tst_Messages : public QObject
{
    Q_OBJECT

private slots:
    void namesTypes_data();
    void namesTypes();
    void rejectsUnknownTypeNames();
    void makesEmptyMessageOfEachType();

    void decodesAndReencodesEveryType_data();
    void decodesAndReencodesEveryType();
    void encodesSetDefaultsExplicitly();
    void readsDefaultsOfAbsentFields();
    void reportsMissingRequiredFields_data();
    void reportsMissingRequiredFields();
    void reportsMalformedPayloads_data();
    void reportsMalformedPayloads();
    void keepsUnknownFields();
    void refusesNonProtobufTypes_data();
    void refusesNonProtobufTypes();

    void roundTripsExtensionPayloads_data();
    void roundTripsExtensionPayloads();
    void rejectsBadExtensionIds_data();
    void rejectsBadExtensionIds();

    void walksWireFormatWithOffsets();
    void survivesGarbagePayloads();
};

void tst_Messages::namesTypes_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("name");
    const char *names[] = {"Open",   "Options", "Status", "Have", "Unhave", "Want",
                           "Unwant", "Request", "Cancel", "Data", "Close"};
    for (int i = 0; i < 11; ++i)
        QTest::newRow(names[i]) << i << QString::fromLatin1(names[i]);
    QTest::newRow("Extension") << 15 << QStringLiteral("Extension");
    QTest::newRow("11") << 11 << QStringLiteral("Unknown(11)");
    QTest::newRow("14") << 14 << QStringLiteral("Unknown(14)");
    QTest::newRow("255") << 255 << QStringLiteral("Unknown(255)");
}

void tst_Messages::namesTypes()
{
    QFETCH(int, type);
    QFETCH(QString, name);
    const std::string_view text = messageTypeName(std::uint8_t(type));
    QCOMPARE(QString::fromUtf8(text.data(), qsizetype(text.size())), name);
    const auto back = messageTypeFromName(name.toStdString());
    if (type <= 10 || type == 15) {
        QVERIFY(back);
        QCOMPARE(int(*back), type);
    } else {
        QVERIFY(!back);
    }
}

void tst_Messages::rejectsUnknownTypeNames()
{
    for (const char *name : {"", "want", "WANT", "Want ", "Node", "NoisePayload", "Unknown(11)"})
        QVERIFY2(!messageTypeFromName(name), name);
}

void tst_Messages::makesEmptyMessageOfEachType()
{
    for (int type = 0; type <= 10; ++type) {
        const auto message = makeMessage(MessageType(type));
        QVERIFY(message);
        QCOMPARE(int(message->index()), type);
        QCOMPARE(int(messageType(*message)), type);
        QCOMPARE(asProtobuf(*message).GetDescriptor()->name(),
                 std::string(messageTypeName(std::uint8_t(type))));
    }
    QVERIFY(!makeMessage(MessageType::Extension));
    QVERIFY(!makeMessage(MessageType(12)));
}

void tst_Messages::decodesAndReencodesEveryType_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("summary");
    const QByteArray key(32, char(0xdd));
    const QByteArray cap(32, char(0xcc));
    // Payloads of the reference vectors (tests/vectors/hypercore-wire.json), plus a few more.
    QTest::newRow("Open") << 0 << QByteArray::fromHex("0a20" + key.toHex() + "1220" + cap.toHex())
                          << QStringLiteral("Open discoveryKey=dddddddd… capability=cccccccc…");
    QTest::newRow("Open without capability") << 0 << QByteArray::fromHex("0a20" + key.toHex())
                                             << QStringLiteral("Open discoveryKey=dddddddd…");
    QTest::newRow("Options") << 1 << QByteArray::fromHex("0a05616c7068610a04626574611001")
                             << QStringLiteral("Options extensions=[alpha,beta] ack=true");
    QTest::newRow("Options empty") << 1 << QByteArray() << QStringLiteral("Options extensions=[]");
    QTest::newRow("Status") << 2 << QByteArray::fromHex("08001001")
                            << QStringLiteral("Status uploading=false downloading=true");
    QTest::newRow("Status empty") << 2 << QByteArray() << QStringLiteral("Status");
    QTest::newRow("Have") << 3 << QByteArray::fromHex("080010e8071a02ff0f2000")
                          << QStringLiteral("Have start=0 length=1000 bitfield=2 B");
    QTest::newRow("Have start only")
        << 3 << QByteArray::fromHex("08ac02") << QStringLiteral("Have start=300 length=1");
    QTest::newRow("Have ack") << 3 << QByteArray::fromHex("08012001")
                              << QStringLiteral("Have start=1 length=1 ack=true");
    QTest::newRow("Unhave") << 4 << QByteArray::fromHex("080a1002")
                            << QStringLiteral("Unhave start=10 length=2");
    QTest::newRow("Want") << 5 << QByteArray::fromHex("0800")
                          << QStringLiteral("Want start=0 length=∞");
    QTest::newRow("Want length") << 5 << QByteArray::fromHex("0801108008")
                                 << QStringLiteral("Want start=1 length=1024");
    QTest::newRow("Unwant") << 6 << QByteArray::fromHex("08001005")
                            << QStringLiteral("Unwant start=0 length=5");
    QTest::newRow("Request") << 7 << QByteArray::fromHex("080510ac0218012003")
                             << QStringLiteral("Request index=5 bytes=300 hash=true nodes=3");
    QTest::newRow("Cancel") << 8 << QByteArray::fromHex("080510ac021800")
                            << QStringLiteral("Cancel index=5 bytes=300 hash=false");
    QTest::newRow("Data") << 9
                          << QByteArray::fromHex("0805120568656c6c6f1a26080a1220" +
                                                 QByteArray(32, 0x11).toHex() + "18052240" +
                                                 QByteArray(64, 0x22).toHex())
                          << QStringLiteral("Data index=5 value=5 B nodes=1 signature");
    QTest::newRow("Data 1 KiB") << 9
                                << QByteArray::fromHex("08051280"
                                                       "08" +
                                                       QByteArray(1024, 0x33).toHex())
                                << QStringLiteral("Data index=5 value=1.0 KiB");
    QTest::newRow("Data large index")
        << 9 << QByteArray::fromHex("088580808010") << QStringLiteral("Data index=4294967301");
    QTest::newRow("Close") << 10 << QByteArray() << QStringLiteral("Close");
    QTest::newRow("Close refusing") << 10 << QByteArray::fromHex("0a20" + key.toHex())
                                    << QStringLiteral("Close discoveryKey=dddddddd…");
}

void tst_Messages::decodesAndReencodesEveryType()
{
    QFETCH(int, type);
    QFETCH(QByteArray, payload);
    QFETCH(QString, summary);
    const ByteView view(reinterpret_cast<const std::uint8_t *>(payload.constData()),
                        std::size_t(payload.size()));
    std::string error;
    const auto message = decodeMessage(std::uint8_t(type), view, error);
    QVERIFY2(message, error.c_str());
    QCOMPARE(int(messageType(*message)), type);
    QCOMPARE(QString::fromStdString(summarize(*message)), summary);

    Bytes encoded{0x99}; // appendMessage appends
    appendMessage(encoded, *message);
    QCOMPARE(toQByteArray(ByteView(encoded).subspan(1)), payload);
    QCOMPARE(messageSize(*message), std::size_t(payload.size()));
}

void tst_Messages::encodesSetDefaultsExplicitly()
{
    // proto2 presence: a field set to its default is still written (the reference writes
    // Have.ack = false and Cancel.hash = false).
    Message message(std::in_place_index<3>);
    auto &have = std::get<schema::Have>(message);
    have.set_start(0);
    have.set_length(1);
    have.set_ack(false);
    Bytes encoded;
    appendMessage(encoded, message);
    QCOMPARE(toHex(encoded), std::string("080010012000"));
}

void tst_Messages::readsDefaultsOfAbsentFields()
{
    std::string error;
    const auto have = decodeMessage(3, hex("0805"), error);
    QVERIFY(have);
    QVERIFY(!std::get<schema::Have>(*have).has_length());
    QCOMPARE(std::get<schema::Have>(*have).length(), quint64(1));
    const auto unhave = decodeMessage(4, hex("0805"), error);
    QCOMPARE(std::get<schema::Unhave>(*unhave).length(), quint64(1));
    const auto want = decodeMessage(5, hex("0805"), error);
    QCOMPARE(std::get<schema::Want>(*want).length(), quint64(0));
}

void tst_Messages::reportsMissingRequiredFields_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("error");
    QTest::newRow("Open") << 0 << QByteArray::fromHex("1202cccc")
                          << QStringLiteral("Open: missing required field 'discoveryKey'");
    QTest::newRow("Have") << 3 << QByteArray::fromHex("1005")
                          << QStringLiteral("Have: missing required field 'start'");
    QTest::newRow("Unhave") << 4 << QByteArray()
                            << QStringLiteral("Unhave: missing required field 'start'");
    QTest::newRow("Want") << 5 << QByteArray::fromHex("1005")
                          << QStringLiteral("Want: missing required field 'start'");
    QTest::newRow("Unwant") << 6 << QByteArray()
                            << QStringLiteral("Unwant: missing required field 'start'");
    QTest::newRow("Request") << 7 << QByteArray::fromHex("1801")
                             << QStringLiteral("Request: missing required field 'index'");
    QTest::newRow("Cancel") << 8 << QByteArray()
                            << QStringLiteral("Cancel: missing required field 'index'");
    QTest::newRow("Data") << 9 << QByteArray::fromHex("1200")
                          << QStringLiteral("Data: missing required field 'index'");
    QTest::newRow("Data node without hash")
        << 9 << QByteArray::fromHex("08011a04080a1805")
        << QStringLiteral("Data: missing required field 'nodes[0].hash'");
    QTest::newRow("Data second node empty")
        << 9 << QByteArray::fromHex("08011a07080a1201aa18051a00")
        << QStringLiteral("Data: missing required fields 'nodes[1].index', 'nodes[1].hash', "
                          "'nodes[1].size'");
    QTest::newRow("Want start with wrong wire type")
        << 5 << QByteArray::fromHex("0a0100")
        << QStringLiteral("Want: missing required field 'start'");
}

void tst_Messages::reportsMissingRequiredFields()
{
    QFETCH(int, type);
    QFETCH(QByteArray, payload);
    QFETCH(QString, error);
    std::string why;
    const ByteView view(reinterpret_cast<const std::uint8_t *>(payload.constData()),
                        std::size_t(payload.size()));
    QVERIFY(!decodeMessage(std::uint8_t(type), view, why));
    QCOMPARE(QString::fromStdString(why), error);
}

void tst_Messages::reportsMalformedPayloads_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("error");
    QTest::newRow("value runs past the end")
        << 9 << QByteArray::fromHex("080512056865")
        << QStringLiteral("Data: malformed protobuf (truncated field 2 at payload offset 2)");
    QTest::newRow("truncated varint value")
        << 5 << QByteArray::fromHex("0880")
        << QStringLiteral("Want: malformed protobuf (truncated field 1 at payload offset 0)");
    QTest::newRow("truncated length prefix")
        << 0 << QByteArray::fromHex("0a")
        << QStringLiteral("Open: malformed protobuf (truncated field 1 at payload offset 0)");
    QTest::newRow("truncated fixed32")
        << 5 << QByteArray::fromHex("08001d0102")
        << QStringLiteral("Want: malformed protobuf (truncated field 3 at payload offset 2)");
    QTest::newRow("truncated fixed64")
        << 5 << QByteArray::fromHex("080019010203040506")
        << QStringLiteral("Want: malformed protobuf (truncated field 3 at payload offset 2)");
    QTest::newRow("truncated tag")
        << 5 << QByteArray::fromHex("080080")
        << QStringLiteral("Want: malformed protobuf (truncated tag at payload offset 2)");
    QTest::newRow("invalid varint value")
        << 5 << QByteArray::fromHex("08ffffffffffffffffff7f")
        << QStringLiteral(
               "Want: malformed protobuf (invalid varint in field 1 at payload offset 0)");
    QTest::newRow("tag above 32 bits")
        << 5 << QByteArray::fromHex("0800808080808001")
        << QStringLiteral("Want: malformed protobuf (invalid tag at payload offset 2)");
    QTest::newRow("field number 0")
        << 2 << QByteArray::fromHex("0001")
        << QStringLiteral("Status: malformed protobuf (field number 0 at payload offset 0)");
    QTest::newRow("group")
        << 10 << QByteArray::fromHex("0b0c")
        << QStringLiteral(
               "Close: malformed protobuf (field 1 uses group wire type 3 (not supported by "
               "the reference) at payload offset 0)");
    QTest::newRow("end group")
        << 10 << QByteArray::fromHex("0c")
        << QStringLiteral(
               "Close: malformed protobuf (field 1 uses group wire type 4 (not supported by "
               "the reference) at payload offset 0)");
    QTest::newRow("wire type 6")
        << 1
        << QByteArray::fromHex("1001"
                               "0e")
        << QStringLiteral(
               "Options: malformed protobuf (field 1 has invalid wire type 6 at payload offset 2)");
    QTest::newRow("wire type 7")
        << 1 << QByteArray::fromHex("0f")
        << QStringLiteral(
               "Options: malformed protobuf (field 1 has invalid wire type 7 at payload offset 0)");
    QTest::newRow("truncated inside a Data node")
        << 9 << QByteArray::fromHex("08011a04080a1205")
        << QStringLiteral("Data: malformed protobuf (truncated field 2 at payload offset 6)");
}

void tst_Messages::reportsMalformedPayloads()
{
    QFETCH(int, type);
    QFETCH(QByteArray, payload);
    QFETCH(QString, error);
    std::string why;
    const ByteView view(reinterpret_cast<const std::uint8_t *>(payload.constData()),
                        std::size_t(payload.size()));
    QVERIFY(!decodeMessage(std::uint8_t(type), view, why));
    QCOMPARE(QString::fromStdString(why), error);
}

void tst_Messages::keepsUnknownFields()
{
    // The reference skips unknown fields; we keep them, so re-encoding is lossless.
    const Bytes payload = hex("080048071a00");
    std::string error;
    const auto message = decodeMessage(std::uint8_t(MessageType::Want), payload, error);
    QVERIFY2(message, error.c_str());
    QCOMPARE(std::get<schema::Want>(*message).start(), quint64(0));
    QVERIFY(!std::get<schema::Want>(*message).has_length());
    Bytes encoded;
    appendMessage(encoded, *message);
    QCOMPARE(encoded, payload);
    QCOMPARE(QString::fromStdString(summarize(*message)),
             QStringLiteral("Want start=0 length=∞ (+2 unknown fields)"));
}

void tst_Messages::refusesNonProtobufTypes_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("error");
    QTest::newRow("11") << 11 << QStringLiteral("Unknown(11) is not a protobuf message");
    QTest::newRow("14") << 14 << QStringLiteral("Unknown(14) is not a protobuf message");
    QTest::newRow("Extension") << 15 << QStringLiteral("Extension is not a protobuf message");
    QTest::newRow("200") << 200 << QStringLiteral("Unknown(200) is not a protobuf message");
}

void tst_Messages::refusesNonProtobufTypes()
{
    QFETCH(int, type);
    QFETCH(QString, error);
    std::string why;
    QVERIFY(!decodeMessage(std::uint8_t(type), hex("0800"), why));
    QCOMPARE(QString::fromStdString(why), error);
}

void tst_Messages::roundTripsExtensionPayloads_data()
{
    QTest::addColumn<quint64>("id");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("vector: stream-ext")
        << quint64(0) << QByteArray("stream-ext") << QByteArray::fromHex("0073747265616d2d657874");
    QTest::newRow("vector: chan-ext, id 130")
        << quint64(130) << QByteArray("chan-ext") << QByteArray::fromHex("82016368616e2d657874");
    QTest::newRow("empty data") << quint64(5) << QByteArray() << QByteArray::fromHex("05");
    QTest::newRow("id 2^64-1") << ~quint64(0) << QByteArray("x")
                               << QByteArray::fromHex("ffffffffffffffffff0178");
}

void tst_Messages::roundTripsExtensionPayloads()
{
    QFETCH(quint64, id);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, payload);
    Bytes encoded;
    appendExtension(encoded, id,
                    ByteView(reinterpret_cast<const std::uint8_t *>(data.constData()),
                             std::size_t(data.size())));
    QCOMPARE(toQByteArray(encoded), payload);
    std::string error;
    const auto decoded = decodeExtension(encoded, error);
    QVERIFY2(decoded, error.c_str());
    QCOMPARE(decoded->id, id);
    QCOMPARE(toQByteArray(decoded->data), data);
    QCOMPARE(decoded->data.data(), encoded.data() + varint::encodedSize(id)); // a view, no copy
}

void tst_Messages::rejectsBadExtensionIds_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("Extension: truncated id varint");
    QTest::newRow("truncated") << QByteArray::fromHex("8080")
                               << QStringLiteral("Extension: truncated id varint");
    QTest::newRow("11 bytes") << QByteArray::fromHex("8080808080808080808001")
                              << QStringLiteral("Extension: invalid id varint");
}

void tst_Messages::rejectsBadExtensionIds()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, error);
    std::string why;
    QVERIFY(!decodeExtension(ByteView(reinterpret_cast<const std::uint8_t *>(payload.constData()),
                                      std::size_t(payload.size())),
                             why));
    QCOMPARE(QString::fromStdString(why), error);
}

void tst_Messages::walksWireFormatWithOffsets()
{
    // Request {index: 5, bytes: 300, hash: true}, a fixed32 and a fixed64 unknown field.
    const Bytes payload = hex("080510ac0218012d01000000310200000000000000");
    WireReader reader(payload, 10);
    WireField field;
    std::string error;
    struct Expected
    {
        std::uint32_t number;
        std::uint8_t wireType;
        std::size_t offset, size, dataOffset;
        std::uint64_t value;
    };
    const Expected expected[] = {{1, 0, 10, 2, 11, 5},
                                 {2, 0, 12, 3, 13, 300},
                                 {3, 0, 15, 2, 16, 1},
                                 {5, 5, 17, 5, 18, 1},
                                 {6, 1, 22, 9, 23, 2}};
    for (const Expected &e : expected) {
        QCOMPARE(reader.next(field, error), WireReader::Status::Field);
        QCOMPARE(field.number, e.number);
        QCOMPARE(field.wireType, e.wireType);
        QCOMPARE(field.offset, e.offset);
        QCOMPARE(field.size, e.size);
        QCOMPARE(field.dataOffset, e.dataOffset);
        QCOMPARE(field.value, e.value);
    }
    QCOMPARE(reader.next(field, error), WireReader::Status::End);
    QCOMPARE(reader.offset(), std::size_t(10) + payload.size());

    const Bytes bytesField = hex("1203616263");
    WireReader second(bytesField);
    QCOMPARE(second.next(field, error), WireReader::Status::Field);
    QCOMPARE(field.value, quint64(3));
    QCOMPARE(field.dataOffset, std::size_t(2));
    QCOMPARE(toQByteArray(field.data), QByteArray("abc"));
}

void tst_Messages::survivesGarbagePayloads()
{
    QRandomGenerator random(20240611);
    int decoded = 0;
    for (int i = 0; i < 20000; ++i) {
        Bytes payload(random.bounded(0, 48));
        for (auto &byte : payload)
            byte = std::uint8_t(random.bounded(256));
        // Bias towards plausible tags so that parsing gets past the first byte often.
        if (!payload.empty() && random.bounded(2))
            payload[0] = std::uint8_t(8 * random.bounded(1, 5) + random.bounded(3));
        const auto type = std::uint8_t(random.bounded(16));
        std::string error;
        const auto message = decodeMessage(type, payload, error);
        if (!message) {
            QVERIFY(!error.empty());
            continue;
        }
        ++decoded;
        QVERIFY(!summarize(*message).empty());
        // Whatever decodes re-encodes into something that decodes to the same message.
        Bytes encoded;
        appendMessage(encoded, *message);
        const auto again = decodeMessage(type, encoded, error);
        QVERIFY2(again, error.c_str());
        QCOMPARE(asProtobuf(*again).SerializePartialAsString(),
                 asProtobuf(*message).SerializePartialAsString());
        std::string extensionError;
        decodeExtension(payload, extensionError);
    }
    QVERIFY(decoded > 100); // the loop exercised the success path too
}

QTEST_APPLESS_MAIN(tst_Messages)
#include "tst_messages.moc"
