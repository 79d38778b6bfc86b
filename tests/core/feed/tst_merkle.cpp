// Leaves, parents, tree hashes, signables and signatures against hypercore-crypto's own values
// for a real 13-block feed (feed.json "feed").
#include "feedvectors.h"
#include "flattree.h"
#include "merkle.h"

#include <QTest>

#include <map>

using namespace hyperscope;
using namespace hyperscope::feed;

class tst_Merkle : public QObject
{
    Q_OBJECT

private slots:
    void leavesMatchHypercoreCrypto();
    void parentsMatchHypercore();
    void treeHashSignableAndSignatureOfEveryLength_data();
    void treeHashSignableAndSignatureOfEveryLength();
    void signingWithTheFeedSeedReproducesHypercoresSignature();
    void verifyRejectsWrongSizesAndKeys();

private:
    std::map<std::uint64_t, TreeNode> nodes() const;
};

std::map<std::uint64_t, TreeNode> tst_Merkle::nodes() const
{
    std::map<std::uint64_t, TreeNode> out;
    for (const QJsonValue &node : feedtest::feedVectors()["feed"].toObject()["nodes"].toArray())
        out[feedtest::u64(node["index"])] = feedtest::treeNode(node);
    return out;
}

void tst_Merkle::leavesMatchHypercoreCrypto()
{
    const auto tree = nodes();
    const QJsonArray leaves = feedtest::feedVectors()["feed"].toObject()["leaves"].toArray();
    QCOMPARE(leaves.size(), 13);
    for (const QJsonValue &leaf : leaves) {
        const Bytes value = feedtest::hexBytes(leaf["value"]);
        const std::uint64_t index = feedtest::u64(leaf["index"]);
        const TreeNode node = leafNode(index / 2, value);
        QCOMPARE(toHex(node.hash), leaf["hash"].toString().toStdString());
        QCOMPARE(node, tree.at(index));
    }
}

void tst_Merkle::parentsMatchHypercore()
{
    const auto tree = nodes();
    int parents = 0;
    for (const auto &[index, node] : tree) {
        if (!(index & 1))
            continue;
        const auto [left, right] = flat::children(index);
        QCOMPARE(parentNode(tree.at(left), tree.at(right)), node);
        QCOMPARE(parentNode(tree.at(right), tree.at(left)), node); // order of arguments is free
        ++parents;
    }
    QCOMPARE(parents, 10); // 13 blocks: 6 + 3 + 1 parents
}

void tst_Merkle::treeHashSignableAndSignatureOfEveryLength_data()
{
    QTest::addColumn<QJsonObject>("row");
    for (const QJsonValue &row : feedtest::feedVectors()["feed"].toObject()["lengths"].toArray())
        QTest::addRow("length %lld", row["length"].toInteger()) << row.toObject();
}

void tst_Merkle::treeHashSignableAndSignatureOfEveryLength()
{
    QFETCH(QJsonObject, row);
    const auto tree = nodes();
    const std::uint64_t length = feedtest::u64(row["length"]);
    std::vector<TreeNode> roots;
    for (const std::uint64_t index : flat::fullRoots(2 * length))
        roots.push_back(tree.at(index));
    QCOMPARE(roots.size(), std::size_t(row["roots"].toArray().size()));
    const Hash32 tree32 = treeHash(roots);
    QCOMPARE(toHex(tree32), row["treeHash"].toString().toStdString());
    const auto signed40 = signable(tree32, length);
    QCOMPARE(toHex(signed40), row["signable"].toString().toStdString());
    const Bytes signature = feedtest::hexBytes(row["signature"]);
    QVERIFY(verifySignature(signed40, signature, feedtest::feedKey()));
    QVERIFY(!verifySignature(tree32, signature, feedtest::feedKey())); // hypercore 9 signs the 40
}

void tst_Merkle::signingWithTheFeedSeedReproducesHypercoresSignature()
{
    const QJsonObject feed = feedtest::feedVectors()["feed"].toObject();
    const SigningKeyPair pair =
        signingKeyPairFromSeed(*key32FromHex(feed["seed"].toString().toStdString()));
    QCOMPARE(pair.publicKey, feedtest::feedKey());
    const QJsonObject last = feed["lengths"].toArray().last().toObject();
    const Signature signature = sign(feedtest::hexBytes(last["signable"]), pair);
    // Ed25519 is deterministic: the same bytes as hypercore's.
    QCOMPARE(toHex(signature), last["signature"].toString().toStdString());
}

void tst_Merkle::verifyRejectsWrongSizesAndKeys()
{
    const SigningKeyPair pair = generateSigningKeyPair();
    const Bytes message = {1, 2, 3};
    const Signature signature = sign(message, pair);
    QVERIFY(verifySignature(message, signature, pair.publicKey));
    QVERIFY(!verifySignature(message, ByteView(signature).first(63), pair.publicKey));
    QVERIFY(!verifySignature(message, signature, feedtest::feedKey()));
    const Bytes other = {1, 2, 4};
    QVERIFY(!verifySignature(other, signature, pair.publicKey));
}

QTEST_APPLESS_MAIN(tst_Merkle)
#include "tst_merkle.moc"
