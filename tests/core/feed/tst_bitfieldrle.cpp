// bitfield-rle: npm bitfield-rle's own encodings (feed.json "bitfieldRle"), the invalid cases,
// and the Have bitfields of real hypercore 9 feeds decoded to the blocks those feeds hold.
#include "bitfieldrle.h"
#include "feedvectors.h"
#include "varint.h"

#include <QTest>

using namespace hyperscope;
using namespace hyperscope::feed;

Q_DECLARE_METATYPE(hyperscope::feed::BlockRanges)

namespace {

BlockRanges rangesOfBlocks(const std::vector<std::uint64_t> &blocks)
{
    BlockRanges out;
    for (const std::uint64_t block : blocks) {
        if (!out.empty() && out.back().last + 1 == block)
            out.back().last = block;
        else
            out.push_back({block, block});
    }
    return out;
}

/// The ranges of a decoded bitfield, bit by bit: the slow, obviously right way.
BlockRanges rangesOfBitfield(const Bytes &bitfield, std::uint64_t start)
{
    std::vector<std::uint64_t> blocks;
    for (std::size_t i = 0; i < bitfield.size() * 8; ++i)
        if (bitfield[i / 8] & (0x80 >> (i % 8)))
            blocks.push_back(start + i);
    return rangesOfBlocks(blocks);
}

} // namespace

class tst_BitfieldRle : public QObject
{
    Q_OBJECT

private slots:
    void matchesNpmBitfieldRle_data();
    void matchesNpmBitfieldRle();
    void invalidInputIsRejected_data();
    void invalidInputIsRejected();
    void hugeRunsDecodeToRangesWithoutMemory();
    void realHaveBitfieldsDecodeToTheFeedsBlocks_data();
    void realHaveBitfieldsDecodeToTheFeedsBlocks();
    void issueExample();
};

void tst_BitfieldRle::matchesNpmBitfieldRle_data()
{
    QTest::addColumn<QJsonObject>("row");
    for (const QJsonValue &row : feedtest::feedVectors()["bitfieldRle"].toArray())
        QTest::addRow("%s", qPrintable(row["bitfield"].toString().left(24))) << row.toObject();
}

void tst_BitfieldRle::matchesNpmBitfieldRle()
{
    QFETCH(QJsonObject, row);
    const Bytes bitfield = feedtest::hexBytes(row["bitfield"]);
    const Bytes encoded = feedtest::hexBytes(row["encoded"]);
    QCOMPARE(toHex(bitfieldrle::encode(bitfield)), toHex(encoded));
    const auto decoded = bitfieldrle::decode(encoded);
    QVERIFY2(decoded, decoded.error.c_str());
    QCOMPARE(toHex(*decoded.value), row["decoded"].toString().toStdString());
    const auto ranges = bitfieldrle::decodeRanges(encoded, 100);
    QVERIFY(ranges);
    QCOMPARE(*ranges.value, rangesOfBitfield(*decoded.value, 100));
}

void tst_BitfieldRle::invalidInputIsRejected_data()
{
    QTest::addColumn<QString>("encoded");
    QTest::addColumn<QString>("error");
    QTest::newRow("literal overruns") << "0aff"
                                      << "literal of 5 bytes at offset 0 runs past the end of the "
                                         "2-byte bitfield";
    QTest::newRow("second literal overruns") << "0702"
                                             << "literal of 1 bytes at offset 1 runs past "
                                                "the end of the 2-byte bitfield";
    QTest::newRow("varint cut short") << "ff"
                                      << "chunk header at offset 0 is cut short";
    QTest::newRow("varint too long") << "ffffffffffffffffffffff01"
                                     << "chunk header at offset 0 is not a valid varint";
    QTest::newRow("run beyond the decode limit") << "ffffffff0f" /* a run of ~1 GiB ones */
                                                 << "decodes to more than 16777216 bytes";
}

void tst_BitfieldRle::invalidInputIsRejected()
{
    QFETCH(QString, encoded);
    QFETCH(QString, error);
    const Bytes input = *fromHex(encoded.toStdString());
    const auto decoded = bitfieldrle::decode(input);
    QVERIFY(!decoded);
    QCOMPARE(QString::fromStdString(decoded.error), error);
    if (!error.startsWith(QLatin1String("decodes to"))) {
        const auto ranges = bitfieldrle::decodeRanges(input);
        QVERIFY(!ranges);
        QCOMPARE(QString::fromStdString(ranges.error), error);
    }
}

void tst_BitfieldRle::hugeRunsDecodeToRangesWithoutMemory()
{
    // A run of 2^40 bytes of ones after 1 byte of zeros: one range, computed, not materialised.
    Bytes encoded = {0x02, 0x00};
    varint::append(encoded, ((std::uint64_t(1) << 40) << 2) | 3);
    const auto ranges = bitfieldrle::decodeRanges(encoded);
    QVERIFY(ranges);
    QCOMPARE(*ranges.value, (BlockRanges{{8, 8 + (std::uint64_t(1) << 43) - 1}}));
    // Past 2^64 bits the input is invalid, not wrapped around.
    Bytes tooLong;
    varint::append(tooLong, ((std::uint64_t(1) << 61) << 2) | 3);
    varint::append(tooLong, ((std::uint64_t(1) << 60) << 2) | 3);
    QVERIFY(!bitfieldrle::decodeRanges(tooLong));
    // Alternating bits: more separate ranges than allowed is an error, not 32 Mi ranges.
    Bytes alternating;
    const std::size_t literal = bitfieldrle::MaxDecodedRanges / 4 + 1; // 4 ranges per 0xAA byte
    varint::append(alternating, 2 * std::uint64_t(literal));
    alternating.insert(alternating.end(), literal, 0xAA);
    const auto tooMany = bitfieldrle::decodeRanges(alternating);
    QVERIFY(!tooMany);
    QCOMPARE(tooMany.error,
             std::string("bitfield has more than 1048576 separate ranges of blocks"));
    {
        // One byte less: exactly the limit, accepted.
        Bytes exact;
        varint::append(exact, 2 * std::uint64_t(literal - 1));
        exact.insert(exact.end(), literal - 1, 0xAA);
        const auto accepted = bitfieldrle::decodeRanges(exact);
        QVERIFY(accepted);
        QCOMPARE(accepted.value->size(), bitfieldrle::MaxDecodedRanges);
    }
    // A start near 2^64 with ones that would pass the last block.
    const Bytes ones = {0x02, 0xff};
    QVERIFY(!bitfieldrle::decodeRanges(ones, UINT64_MAX - 3));
    QVERIFY(bitfieldrle::decodeRanges(ones, UINT64_MAX - 7));
}

void tst_BitfieldRle::realHaveBitfieldsDecodeToTheFeedsBlocks_data()
{
    QTest::addColumn<QJsonObject>("have");
    int count = 0;
    for (const QJsonValue &have : feedtest::feedVectors()["haves"].toArray()) {
        if (!have["message"].toObject().contains(QLatin1String("bitfield")))
            continue;
        QTest::addRow("%d from %s", count++, qPrintable(have["from"].toString()))
            << have.toObject();
    }
    QVERIFY(count >= 3);
}

void tst_BitfieldRle::realHaveBitfieldsDecodeToTheFeedsBlocks()
{
    QFETCH(QJsonObject, have);
    const QJsonObject message = have["message"].toObject();
    const auto ranges = bitfieldrle::decodeRanges(feedtest::hexBytes(message["bitfield"]),
                                                  feedtest::u64(message["start"]));
    QVERIFY2(ranges, ranges.error.c_str());
    std::vector<std::uint64_t> blocks;
    for (const QJsonValue &block : have["holderBlocks"].toArray())
        blocks.push_back(feedtest::u64(block));
    QCOMPARE(*ranges.value, rangesOfBlocks(blocks));
    // And hypercore's encoding is the one we would write for the same bitfield.
    const auto decoded = bitfieldrle::decode(feedtest::hexBytes(message["bitfield"]));
    QVERIFY(decoded);
    QCOMPARE(toHex(bitfieldrle::encode(*decoded.value)),
             message["bitfield"].toString().toStdString());
}

void tst_BitfieldRle::issueExample()
{
    // PROTOCOL.md §12: 0702c0 -> ff c0 -> blocks 0-9.
    const auto decoded = bitfieldrle::decode(*fromHex("0702c0"));
    QVERIFY(decoded);
    QCOMPARE(toHex(*decoded.value), std::string("ffc00000"));
    QCOMPARE(*bitfieldrle::decodeRanges(*fromHex("0702c0")).value, (BlockRanges{{0, 9}}));
}

QTEST_APPLESS_MAIN(tst_BitfieldRle)
#include "tst_bitfieldrle.moc"
