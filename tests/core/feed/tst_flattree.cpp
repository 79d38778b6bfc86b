// flat-tree: every function against npm flat-tree's own output (feed.json "flatTree", indexes
// 0..39), plus the extremes the verifier relies on.
#include "feedvectors.h"
#include "flattree.h"

#include <QTest>

using namespace hyperscope::feed;

class tst_FlatTree : public QObject
{
    Q_OBJECT

private slots:
    void matchesNpmFlatTree_data();
    void matchesNpmFlatTree();
    void fullRootsOfLengths_data();
    void fullRootsOfLengths();
    void largestIndexDoesNotOverflow();
};

void tst_FlatTree::matchesNpmFlatTree_data()
{
    QTest::addColumn<QJsonObject>("row");
    for (const QJsonValue &row : feedtest::feedVectors()["flatTree"].toArray())
        QTest::addRow("node %lld", row["index"].toInteger()) << row.toObject();
}

void tst_FlatTree::matchesNpmFlatTree()
{
    QFETCH(QJsonObject, row);
    const std::uint64_t index = feedtest::u64(row["index"]);
    QCOMPARE(flat::depth(index), unsigned(row["depth"].toInt()));
    QCOMPARE(flat::offset(index), feedtest::u64(row["offset"]));
    QCOMPARE(flat::parent(index), feedtest::u64(row["parent"]));
    QCOMPARE(flat::sibling(index), feedtest::u64(row["sibling"]));
    QCOMPARE(flat::leftSpan(index), feedtest::u64(row["leftSpan"]));
    QCOMPARE(flat::rightSpan(index), feedtest::u64(row["rightSpan"]));
    QCOMPARE(flat::spans(index), std::make_pair(flat::leftSpan(index), flat::rightSpan(index)));
    QCOMPARE(flat::count(index), feedtest::u64(row["count"]));
    QCOMPARE(flat::index(flat::depth(index), flat::offset(index)), index);
    if (row["children"].isArray()) {
        const QJsonArray children = row["children"].toArray();
        QCOMPARE(flat::children(index),
                 std::make_pair(feedtest::u64(children[0]), feedtest::u64(children[1])));
    } else {
        QCOMPARE(flat::children(index), std::make_pair(index, index));
    }
    if (row["fullRoots"].isArray()) {
        std::vector<std::uint64_t> expected;
        for (const QJsonValue &root : row["fullRoots"].toArray())
            expected.push_back(feedtest::u64(root));
        QCOMPARE(flat::fullRoots(index), expected);
    }
}

void tst_FlatTree::fullRootsOfLengths_data()
{
    QTest::addColumn<quint64>("length");
    QTest::addColumn<std::vector<std::uint64_t>>("roots");
    QTest::newRow("empty") << quint64(0) << std::vector<std::uint64_t>{};
    QTest::newRow("1") << quint64(1) << std::vector<std::uint64_t>{0};
    QTest::newRow("3") << quint64(3) << std::vector<std::uint64_t>{1, 4};
    QTest::newRow("4") << quint64(4) << std::vector<std::uint64_t>{3};
    QTest::newRow("13") << quint64(13) << std::vector<std::uint64_t>{7, 19, 24};
    QTest::newRow("2^40") << (quint64(1) << 40) << std::vector<std::uint64_t>{(1ull << 40) - 1};
}

void tst_FlatTree::fullRootsOfLengths()
{
    QFETCH(quint64, length);
    QFETCH(std::vector<std::uint64_t>, roots);
    QCOMPARE(flat::fullRoots(2 * length), roots);
}

void tst_FlatTree::largestIndexDoesNotOverflow()
{
    // The verifier accepts indexes up to MaxNodeIndex; every function must stay exact there.
    const std::uint64_t top = flat::MaxNodeIndex; // 2^62 - 1: the root of 2^61 blocks
    QCOMPARE(flat::depth(top), 62u);
    QCOMPARE(flat::leftSpan(top), 0ull);
    QCOMPARE(flat::rightSpan(top), (1ull << 63) - 2);
    QCOMPARE(flat::parent(top), (1ull << 63) - 1);
    QCOMPARE(flat::sibling(top), 3 * (1ull << 62) - 1);
    // 2^62 − 1 blocks: one root per set bit.
    QCOMPARE(flat::fullRoots((1ull << 63) - 2).size(), std::size_t(62));
}

QTEST_APPLESS_MAIN(tst_FlatTree)
#include "tst_flattree.moc"
