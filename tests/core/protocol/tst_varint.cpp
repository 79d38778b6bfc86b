#include "varint.h"

#include <QTest>

using namespace hyperscope;

class tst_Varint : public QObject
{
    Q_OBJECT

private slots:
    void roundTripsBoundaries_data();
    void roundTripsBoundaries();
    void needsMoreOnTruncatedInput_data();
    void needsMoreOnTruncatedInput();
    void rejectsInvalid_data();
    void rejectsInvalid();
    void acceptsNonCanonicalWithinTenBytes();
    void decodesOnlyTheFirstVarint();
};

void tst_Varint::roundTripsBoundaries_data()
{
    QTest::addColumn<quint64>("value");
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("0") << quint64(0) << QByteArray::fromHex("00");
    QTest::newRow("1") << quint64(1) << QByteArray::fromHex("01");
    QTest::newRow("127") << quint64(127) << QByteArray::fromHex("7f");
    QTest::newRow("128") << quint64(128) << QByteArray::fromHex("8001");
    QTest::newRow("300") << quint64(300) << QByteArray::fromHex("ac02");
    QTest::newRow("16383") << quint64(16383) << QByteArray::fromHex("ff7f");
    QTest::newRow("16384") << quint64(16384) << QByteArray::fromHex("808001");
    QTest::newRow("2^32") << (quint64(1) << 32) << QByteArray::fromHex("8080808010");
    QTest::newRow("2^63") << (quint64(1) << 63) << QByteArray::fromHex("80808080808080808001");
    QTest::newRow("2^64-1") << ~quint64(0) << QByteArray::fromHex("ffffffffffffffffff01");
}

void tst_Varint::roundTripsBoundaries()
{
    QFETCH(quint64, value);
    QFETCH(QByteArray, encoded);
    const Bytes expected(encoded.begin(), encoded.end());

    QCOMPARE(varint::encodedSize(value), expected.size());
    std::uint8_t buffer[varint::MaxBytes] = {};
    QCOMPARE(varint::encode(value, buffer), expected.size());
    QCOMPARE(Bytes(buffer, buffer + expected.size()), expected);

    Bytes appended{0xaa};
    varint::append(appended, value);
    QCOMPARE(appended.size(), expected.size() + 1);
    QCOMPARE(Bytes(appended.begin() + 1, appended.end()), expected);

    const varint::Decoded decoded = varint::decode(expected);
    QCOMPARE(decoded.status, varint::Status::Ok);
    QCOMPARE(decoded.value, value);
    QCOMPARE(decoded.size, expected.size());
}

void tst_Varint::needsMoreOnTruncatedInput_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("one continuation byte") << QByteArray::fromHex("80");
    QTest::newRow("2^32 without last byte") << QByteArray::fromHex("80808080");
    QTest::newRow("nine continuation bytes") << QByteArray::fromHex("ffffffffffffffffff");
}

void tst_Varint::needsMoreOnTruncatedInput()
{
    QFETCH(QByteArray, input);
    const Bytes bytes(input.begin(), input.end());
    QCOMPARE(varint::decode(bytes).status, varint::Status::NeedMore);
}

void tst_Varint::rejectsInvalid_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::newRow("11 bytes") << QByteArray::fromHex("8080808080808080808001");
    QTest::newRow("10 continuation bytes") << QByteArray::fromHex("80808080808080808080");
    QTest::newRow("overflow: 2^64") << QByteArray::fromHex("80808080808080808002");
    QTest::newRow("overflow: 10th byte 0x7f") << QByteArray::fromHex("ffffffffffffffffff7f");
}

void tst_Varint::rejectsInvalid()
{
    QFETCH(QByteArray, input);
    const Bytes bytes(input.begin(), input.end());
    QCOMPARE(varint::decode(bytes).status, varint::Status::Invalid);
}

void tst_Varint::acceptsNonCanonicalWithinTenBytes()
{
    const Bytes padded{0x81, 0x80, 0x80, 0x00};
    const varint::Decoded decoded = varint::decode(padded);
    QCOMPARE(decoded.status, varint::Status::Ok);
    QCOMPARE(decoded.value, quint64(1));
    QCOMPARE(decoded.size, std::size_t(4));
}

void tst_Varint::decodesOnlyTheFirstVarint()
{
    const Bytes two{0xac, 0x02, 0x05};
    const varint::Decoded decoded = varint::decode(two);
    QCOMPARE(decoded.status, varint::Status::Ok);
    QCOMPARE(decoded.value, quint64(300));
    QCOMPARE(decoded.size, std::size_t(2));
}

QTEST_APPLESS_MAIN(tst_Varint)
#include "tst_varint.moc"
