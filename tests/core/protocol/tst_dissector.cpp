#include "dissector.h"
#include "vectors.h"

#include <QRandomGenerator>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

// Finds a node by a path of child names, "nodes/hash"; "extensions#1" is the second child of
// that name. Returns nullptr if there is none.
const DissectedField *find(const DissectedField &root, const QString &path)
{
    const DissectedField *node = &root;
    for (const QString &segment : path.split(QLatin1Char('/'))) {
        const QStringList parts = segment.split(QLatin1Char('#'));
        int skip = parts.size() > 1 ? parts[1].toInt() : 0;
        const DissectedField *found = nullptr;
        for (const DissectedField &child : node->children) {
            if (QString::fromStdString(child.name) == parts[0] && skip-- == 0) {
                found = &child;
                break;
            }
        }
        if (!found)
            return nullptr;
        node = found;
    }
    return node;
}

// Every child lies inside its parent; returns a description of the first violation.
QString checkNesting(const DissectedField &node, std::size_t frameSize)
{
    if (node.offset > frameSize || node.length > frameSize - node.offset)
        return QStringLiteral("%1 [%2+%3] outside the frame")
            .arg(QString::fromStdString(node.name))
            .arg(node.offset)
            .arg(node.length);
    for (const DissectedField &child : node.children) {
        if (child.offset < node.offset || child.offset + child.length > node.offset + node.length)
            return QStringLiteral("%1 [%2+%3] outside %4 [%5+%6]")
                .arg(QString::fromStdString(child.name))
                .arg(child.offset)
                .arg(child.length)
                .arg(QString::fromStdString(node.name))
                .arg(node.offset)
                .arg(node.length);
        const QString inner = checkNesting(child, frameSize);
        if (!inner.isEmpty())
            return inner;
    }
    return {};
}

} // namespace

class tst_Dissector : public QObject
{
    Q_OBJECT

private slots:
    void locatesFields_data();
    void locatesFields();
    void tilesVectorFramesWithoutGaps_data();
    void tilesVectorFramesWithoutGaps();
    void showsDataNodesAsChildren();
    void summarizesFrameInRoot_data();
    void summarizesFrameInRoot();
    void survivesRandomBytes();
    void survivesMutatedVectorFrames();
};

void tst_Dissector::locatesFields_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("length");
    QTest::addColumn<QString>("value");

    const QString want = QStringLiteral("03150800");
    QTest::newRow("Want: Length") << want << "Length" << 0 << 1 << "3";
    QTest::newRow("Want: Header") << want << "Header" << 1 << 1 << "channel 1, Want";
    QTest::newRow("Want: Channel") << want << "Header/Channel" << 1 << 1 << "1";
    QTest::newRow("Want: Type") << want << "Header/Type" << 1 << 1 << "5 (Want)";
    QTest::newRow("Want: start") << want << "start" << 2 << 2 << "0";
    QTest::newRow("Want: length") << "06150801108008"
                                  << "length" << 4 << 3 << "1024";

    const QString dd(64, QLatin1Char('d'));
    const QString open = "45100a20" + dd + "1220" + QString(64, QLatin1Char('c'));
    QTest::newRow("Open: Length") << open << "Length" << 0 << 1 << "69";
    QTest::newRow("Open: discoveryKey") << open << "discoveryKey" << 2 << 34 << dd + " (32 bytes)";
    QTest::newRow("Open: capability")
        << open << "capability" << 36 << 34 << QString(64, QLatin1Char('c')) + " (32 bytes)";

    const QString options = QStringLiteral("10110a05616c7068610a04626574611001");
    QTest::newRow("Options: extensions 0") << options << "extensions" << 2 << 7 << "\"alpha\"";
    QTest::newRow("Options: extensions 1") << options << "extensions#1" << 9 << 6 << "\"beta\"";
    QTest::newRow("Options: ack") << options << "ack" << 15 << 2 << "true";

    const QString have = QStringLiteral("0c33080010e8071a02ff0f2000");
    QTest::newRow("Have: Header") << have << "Header" << 1 << 1 << "channel 3, Have";
    QTest::newRow("Have: length") << have << "length" << 4 << 3 << "1000";
    QTest::newRow("Have: bitfield") << have << "bitfield" << 7 << 4 << "ff0f (2 bytes)";
    QTest::newRow("Have: ack") << have << "ack" << 11 << 2 << "false";

    const QString data = "74190805120568656c6c6f1a26080a1220" + QString(64, QLatin1Char('1')) +
                         "18052240" + QString(128, QLatin1Char('2'));
    QTest::newRow("Data: Length") << data << "Length" << 0 << 1 << "116";
    QTest::newRow("Data: index") << data << "index" << 2 << 2 << "5";
    QTest::newRow("Data: value") << data << "value" << 4 << 7 << "\"hello\" (5 bytes)";
    QTest::newRow("Data: nodes") << data << "nodes" << 11 << 40 << "index=10 hash=32 bytes size=5";
    QTest::newRow("Data: nodes/index") << data << "nodes/index" << 13 << 2 << "10";
    QTest::newRow("Data: nodes/hash")
        << data << "nodes/hash" << 15 << 34 << QString(64, QLatin1Char('1')) + " (32 bytes)";
    QTest::newRow("Data: nodes/size") << data << "nodes/size" << 49 << 2 << "5";
    QTest::newRow("Data: signature")
        << data << "signature" << 51 << 66 << "\"" + QString("\\\"").repeated(64) + "\" (64 bytes)";

    const QString bigData = "b70289190885808080101"
                            "2ac02" +
                            QString(600, QLatin1Char('3'));
    QTest::newRow("Data ch200: Length") << bigData << "Length" << 0 << 2 << "311";
    QTest::newRow("Data ch200: Header") << bigData << "Header" << 2 << 2 << "channel 200, Data";
    QTest::newRow("Data ch200: index") << bigData << "index" << 4 << 6 << "4294967301";
    QTest::newRow("Data ch200: value") << bigData << "value" << 10 << 303
                                       << "\"" + QString(64, QLatin1Char('3')) + "…\" (300 bytes)";

    QTest::newRow("Close: discoveryKey")
        << "237a0a20" + dd << "discoveryKey" << 2 << 34 << dd + " (32 bytes)";
    const QString ext = QStringLiteral("0c0f0073747265616d2d657874");
    QTest::newRow("Extension: id") << ext << "Extension id" << 2 << 1 << "0";
    QTest::newRow("Extension: payload")
        << ext << "Extension payload" << 3 << 10 << "\"stream-ext\" (10 bytes)";
    const QString ext130 = QStringLiteral("0b3f82016368616e2d657874");
    QTest::newRow("Extension 130: Header")
        << ext130 << "Header" << 1 << 1 << "channel 3, Extension";
    QTest::newRow("Extension 130: id") << ext130 << "Extension id" << 2 << 2 << "130";
    QTest::newRow("Extension 130: payload")
        << ext130 << "Extension payload" << 4 << 8 << "\"chan-ext\" (8 bytes)";
    QTest::newRow("Extension: truncated id") << "020f80"
                                             << "Malformed" << 2 << 1 << "truncated extension id";

    QTest::newRow("Keepalive") << "00"
                               << "Keepalive" << 0 << 1 << "";
    QTest::newRow("unassigned type 12")
        << "041c010203"
        << "Payload" << 2 << 3 << "010203 (3 bytes), unassigned type (ignored)";
    QTest::newRow("unknown field") << "05150800"
                                      "4807"
                                   << "field 9 (wire type 0)" << 4 << 2 << "7";
    QTest::newRow("known field, wrong wire type")
        << "04150a0100"
        << "field 1 (wire type 2)" << 2 << 3 << "00 (1 byte)";
    QTest::newRow("string with control bytes") << "06110a03610a22"
                                               << "extensions" << 2 << 5 << "\"a\\x0a\\\"\"";

    QTest::newRow("malformed field")
        << "06190805120568"
        << "Malformed" << 4 << 3 << "truncated field 2 at payload offset 2";
    QTest::newRow("malformed in a Data node")
        << "0919 08011a04080a1205"
        << "nodes/Malformed" << 8 << 2 << "truncated field 2 at payload offset 6";
    QTest::newRow("invalid length varint")
        << "ffffffffffffffffffff01"
        << "Malformed" << 0 << 11 << "invalid varint in frame length";
    QTest::newRow("empty input") << ""
                                 << "Malformed" << 0 << 0 << "truncated frame length";
    QTest::newRow("truncated header") << "028080"
                                      << "Malformed" << 1 << 2 << "truncated frame header";
    QTest::newRow("truncated body")
        << "05150800"
        << "Malformed" << 4 << 0 << "truncated frame: length says 5, only 3 bytes present";
    QTest::newRow("bytes after the frame")
        << "011a00"
        << "Malformed" << 2 << 1 << "1 byte after the end of the frame";
}

void tst_Dissector::locatesFields()
{
    QFETCH(QString, frame);
    QFETCH(QString, path);
    QFETCH(int, offset);
    QFETCH(int, length);
    QFETCH(QString, value);

    const Bytes bytes = hex(frame.remove(QLatin1Char(' ')));
    const DissectedField root = dissectFrame(bytes);
    QCOMPARE(root.name, std::string("Frame"));
    QCOMPARE(root.offset, std::size_t(0));
    QCOMPARE(root.length, bytes.size());
    const QString nesting = checkNesting(root, bytes.size());
    QVERIFY2(nesting.isEmpty(), qPrintable(nesting));

    const DissectedField *node = find(root, path);
    QVERIFY2(node, qPrintable(path));
    QCOMPARE(int(node->offset), offset);
    QCOMPARE(int(node->length), length);
    QCOMPARE(QString::fromStdString(node->value), value);
}

void tst_Dissector::tilesVectorFramesWithoutGaps_data()
{
    QTest::addColumn<QString>("frame");
    const QJsonArray frames = wireVectorFrames();
    for (qsizetype i = 0; i < frames.size(); ++i) {
        const QJsonObject v = frames.at(i).toObject();
        QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(i).arg(v.value("name").toString())))
            << v.value(QStringLiteral("frame")).toString();
    }
    QTest::newRow("keepalive") << QStringLiteral("00");
}

void tst_Dissector::tilesVectorFramesWithoutGaps()
{
    // In a well-formed frame the top-level nodes cover every byte exactly once, in order, and
    // nothing is Malformed.
    QFETCH(QString, frame);
    const Bytes bytes = hex(frame);
    const DissectedField root = dissectFrame(bytes);
    std::size_t next = 0;
    for (const DissectedField &child : root.children) {
        QVERIFY2(child.name != "Malformed", child.value.c_str());
        QCOMPARE(child.offset, next);
        next += child.length;
    }
    QCOMPARE(next, bytes.size());
    const QString nesting = checkNesting(root, bytes.size());
    QVERIFY2(nesting.isEmpty(), qPrintable(nesting));
}

void tst_Dissector::showsDataNodesAsChildren()
{
    // Data with two nodes: each "nodes" entry has index, hash, size children.
    const Bytes payload = fromHex("08011a07080a1201aa18051a08081412020102181e").value();
    Bytes frame{std::uint8_t(payload.size() + 1), 0x19};
    frame.insert(frame.end(), payload.begin(), payload.end());
    const DissectedField root = dissectFrame(frame);
    const DissectedField *first = find(root, QStringLiteral("nodes"));
    const DissectedField *second = find(root, QStringLiteral("nodes#1"));
    QVERIFY(first && second);
    QCOMPARE(first->children.size(), std::size_t(3));
    QCOMPARE(second->children.size(), std::size_t(3));
    QCOMPARE(second->children[0].name, std::string("index"));
    QCOMPARE(second->children[0].value, std::string("20"));
    QCOMPARE(second->children[1].name, std::string("hash"));
    QCOMPARE(second->children[1].value, std::string("0102 (2 bytes)"));
    QCOMPARE(second->children[1].offset, std::size_t(2 + 11 + 2 + 2));
    QCOMPARE(second->children[2].value, std::string("30"));
    QCOMPARE(second->value, std::string("index=20 hash=2 bytes size=30"));
}

void tst_Dissector::summarizesFrameInRoot_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<QString>("value");
    QTest::newRow("Want") << "03150800"
                          << "Want start=0 length=∞ on channel 1, 4 bytes";
    QTest::newRow("Close") << "011a"
                           << "Close on channel 1, 2 bytes";
    QTest::newRow("Extension") << "0c0f0073747265616d2d657874"
                               << "Extension id=0, 10 bytes on channel 0, 13 bytes";
    QTest::newRow("Keepalive") << "00"
                               << "Keepalive";
    QTest::newRow("invalid Want") << "021500"
                                  << "Want (invalid) on channel 1, 3 bytes";
    QTest::newRow("unassigned") << "011c"
                                << "Unknown(12) on channel 1, 2 bytes";
}

void tst_Dissector::summarizesFrameInRoot()
{
    QFETCH(QString, frame);
    QFETCH(QString, value);
    QCOMPARE(QString::fromStdString(dissectFrame(hex(frame)).value), value);
}

void tst_Dissector::survivesRandomBytes()
{
    QRandomGenerator random(0x5eed);
    for (int i = 0; i < 10000; ++i) {
        Bytes bytes(random.bounded(0, 80));
        for (auto &byte : bytes)
            byte = std::uint8_t(random.bounded(256));
        // Often make the length prefix plausible so that the payload walk runs.
        if (bytes.size() > 1 && random.bounded(4) != 0)
            bytes[0] = std::uint8_t(std::min<std::size_t>(bytes.size() - 1, 127));
        const DissectedField root = dissectFrame(bytes);
        QCOMPARE(root.length, bytes.size());
        const QString nesting = checkNesting(root, bytes.size());
        QVERIFY2(nesting.isEmpty(),
                 qPrintable(nesting + " in " + QString::fromStdString(toHex(bytes))));
    }
}

void tst_Dissector::survivesMutatedVectorFrames()
{
    QRandomGenerator random(77);
    const QJsonArray frames = wireVectorFrames();
    for (int i = 0; i < 10000; ++i) {
        Bytes bytes =
            hex(frames.at(random.bounded(frames.size())).toObject().value("frame").toString());
        const int mutations = random.bounded(1, 4);
        for (int m = 0; m < mutations; ++m) {
            switch (random.bounded(3)) {
            case 0:
                bytes[random.bounded(int(bytes.size()))] = std::uint8_t(random.bounded(256));
                break;
            case 1:
                bytes.resize(random.bounded(int(bytes.size()) + 1));
                break;
            default:
                bytes.push_back(std::uint8_t(random.bounded(256)));
                break;
            }
            if (bytes.empty())
                break;
        }
        const DissectedField root = dissectFrame(bytes);
        const QString nesting = checkNesting(root, bytes.size());
        QVERIFY2(nesting.isEmpty(),
                 qPrintable(nesting + " in " + QString::fromStdString(toHex(bytes))));
    }
}

QTEST_APPLESS_MAIN(tst_Dissector)
#include "tst_dissector.moc"
