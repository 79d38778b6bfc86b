// FieldTreeModel: the detail tree of a log row. tst_models checks that it wraps a real
// dissection; here, on hand-built trees, the texts of each column, the byte look-up at the edges
// (zero-length fields, bytes outside the frame), and the resets that keep views consistent.
#include "fielddocs.h"
#include "fieldtreemodel.h"
#include "handshakedissection.h"
#include "vectors.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QFont>
#include <QFontDatabase>
#include <QSignalSpy>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

DissectedField fieldOf(std::string name, std::string value, std::size_t offset, std::size_t length,
                       std::vector<DissectedField> children = {})
{
    return {std::move(name), std::move(value), offset, length, std::move(children)};
}

/// A 10-byte frame: [0] Length, [1] Header (Channel and Type share it), [2..9] Payload with a
/// zero-length "Marker" first and a "Malformed" node over [6..9].
DissectedField sampleTree()
{
    return fieldOf("Frame", "summary", 0, 10,
                   {fieldOf("Length", "9", 0, 1),
                    fieldOf("Header", "channel 1, Want", 1, 1,
                            {fieldOf("Channel", "1", 1, 1), fieldOf("Type", "Want", 1, 1)}),
                    fieldOf("Payload", "0a0b0c0d0e0f1011", 2, 8,
                            {fieldOf("Marker", "", 2, 0), fieldOf("start", "5", 2, 4),
                             fieldOf("Malformed", "truncated varint", 6, 4)})});
}

QModelIndex childNamed(const FieldTreeModel &model, const QModelIndex &parent, const QString &name)
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, FieldTreeModel::FieldColumn, parent);
        if (index.data().toString() == name)
            return index;
    }
    return {};
}

} // namespace

class TestFieldTreeModel : public QObject
{
    Q_OBJECT
private slots:
    void emptyModelHasNoRows();
    void headersNameTheColumns();
    void showsNameValueAndByteRange_data();
    void showsNameValueAndByteRange();
    void tooltipsRepeatTheValueAndTheRange();
    void malformedFieldsStandOut();
    void findsTheInnermostFieldOfAByte_data();
    void findsTheInnermostFieldOfAByte();
    void bytesOutsideTheFrameHaveNoField_data();
    void bytesOutsideTheFrameHaveNoField();
    void onlyTheFirstColumnHasChildren();
    void fieldOfAnIndexIsTheDissectedNode();
    void replacingTheTreeIsOneReset();
    void fieldNamesExplainThemselves_data();
    void fieldNamesExplainThemselves();
    void handshakeFieldsPointToTheHandshakePage();
    void notesHaveNoHelpPage();
    void annotatorSeesEveryTree();
};

void TestFieldTreeModel::emptyModelHasNoRows()
{
    FieldTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.root(), nullptr);
    QVERIFY(!model.index(0, 0).isValid());
    QVERIFY(!model.indexForByte(0).isValid());
    QCOMPARE(model.field({}), nullptr);
}

void TestFieldTreeModel::headersNameTheColumns()
{
    FieldTreeModel model;
    QCOMPARE(model.columnCount(), int(FieldTreeModel::ColumnCount));
    QCOMPARE(model.headerData(FieldTreeModel::FieldColumn, Qt::Horizontal).toString(),
             QStringLiteral("Field"));
    QCOMPARE(model.headerData(FieldTreeModel::ValueColumn, Qt::Horizontal).toString(),
             QStringLiteral("Value"));
    QCOMPARE(model.headerData(FieldTreeModel::BytesColumn, Qt::Horizontal).toString(),
             QStringLiteral("Bytes"));
    QVERIFY(!model.headerData(0, Qt::Vertical).isValid());
    QVERIFY(
        !model.headerData(FieldTreeModel::FieldColumn, Qt::Horizontal, Qt::ToolTipRole).isValid());
}

void TestFieldTreeModel::showsNameValueAndByteRange_data()
{
    QTest::addColumn<QStringList>("path");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("bytes");
    QTest::addColumn<qulonglong>("offset");
    QTest::addColumn<qulonglong>("length");

    QTest::newRow("root") << QStringList{} << QStringLiteral("summary")
                          << QStringLiteral("0–9 (10)") << 0ull << 10ull;
    QTest::newRow("one byte shows its offset alone")
        << QStringList{QStringLiteral("Length")} << QStringLiteral("9") << QStringLiteral("0")
        << 0ull << 1ull;
    QTest::newRow("nested field") << QStringList{QStringLiteral("Header"), QStringLiteral("Type")}
                                  << QStringLiteral("Want") << QStringLiteral("1") << 1ull << 1ull;
    QTest::newRow("range") << QStringList{QStringLiteral("Payload"), QStringLiteral("start")}
                           << QStringLiteral("5") << QStringLiteral("2–5 (4)") << 2ull << 4ull;
    QTest::newRow("zero length shows no bytes")
        << QStringList{QStringLiteral("Payload"), QStringLiteral("Marker")} << QString()
        << QString() << 2ull << 0ull;
}

void TestFieldTreeModel::showsNameValueAndByteRange()
{
    QFETCH(QStringList, path);
    QFETCH(QString, value);
    QFETCH(QString, bytes);
    QFETCH(qulonglong, offset);
    QFETCH(qulonglong, length);

    FieldTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTree(sampleTree());
    QModelIndex index = model.index(0, 0);
    for (const QString &name : path) {
        index = childNamed(model, index, name);
        QVERIFY2(index.isValid(), qPrintable(name));
    }
    const QString name = path.isEmpty() ? QStringLiteral("Frame") : path.last();
    QCOMPARE(index.data().toString(), name);
    QCOMPARE(index.siblingAtColumn(FieldTreeModel::ValueColumn).data().toString(), value);
    QCOMPARE(index.siblingAtColumn(FieldTreeModel::BytesColumn).data().toString(), bytes);
    // Every column carries the range, so a selection in any column can highlight the bytes.
    for (int column = 0; column < FieldTreeModel::ColumnCount; ++column) {
        QCOMPARE(index.siblingAtColumn(column).data(FieldTreeModel::OffsetRole).toULongLong(),
                 offset);
        QCOMPARE(index.siblingAtColumn(column).data(FieldTreeModel::LengthRole).toULongLong(),
                 length);
    }
}

void TestFieldTreeModel::tooltipsRepeatTheValueAndTheRange()
{
    FieldTreeModel model;
    model.setTree(sampleTree());
    const QModelIndex length = childNamed(model, model.index(0, 0), QStringLiteral("Length"));
    QCOMPARE(length.siblingAtColumn(FieldTreeModel::ValueColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("9"));
    QCOMPARE(length.siblingAtColumn(FieldTreeModel::BytesColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("Bytes 0 to 1 of the frame"));
    // The field name's tooltip is its meaning (sampleTree's type has no known name: no F1 line).
    QCOMPARE(length.data(Qt::ToolTipRole).toString(),
             fielddocs::fieldSummary(QString(), QStringLiteral("Length")));
    const QModelIndex marker =
        childNamed(model, childNamed(model, model.index(0, 0), QStringLiteral("Payload")),
                   QStringLiteral("Marker"));
    // No value, no tooltip.
    QVERIFY(!marker.siblingAtColumn(FieldTreeModel::ValueColumn).data(Qt::ToolTipRole).isValid());
}

void TestFieldTreeModel::malformedFieldsStandOut()
{
    FieldTreeModel model;
    model.setTree(sampleTree());
    const QModelIndex payload = childNamed(model, model.index(0, 0), QStringLiteral("Payload"));
    const QModelIndex malformed = childNamed(model, payload, QStringLiteral("Malformed"));
    const QModelIndex normal = childNamed(model, payload, QStringLiteral("start"));
    QVERIFY(malformed.isValid() && normal.isValid());
    QVERIFY(malformed.data(Qt::FontRole).value<QFont>().bold());
    QCOMPARE(malformed.data(Qt::ForegroundRole).value<QColor>(), QColor(183, 28, 28));
    QVERIFY(!normal.data(Qt::FontRole).isValid());
    QVERIFY(!normal.data(Qt::ForegroundRole).isValid());
    // Values are in a fixed-width font; the bytes column is grey and right-aligned.
    QCOMPARE(normal.siblingAtColumn(FieldTreeModel::ValueColumn).data(Qt::FontRole).value<QFont>(),
             QFontDatabase::systemFont(QFontDatabase::FixedFont));
    QCOMPARE(normal.siblingAtColumn(FieldTreeModel::BytesColumn)
                 .data(Qt::ForegroundRole)
                 .value<QColor>(),
             QColor(128, 128, 128));
    QCOMPARE(
        normal.siblingAtColumn(FieldTreeModel::BytesColumn).data(Qt::TextAlignmentRole).toInt(),
        int(Qt::AlignRight | Qt::AlignVCenter));
}

void TestFieldTreeModel::findsTheInnermostFieldOfAByte_data()
{
    QTest::addColumn<int>("offset");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("parent");
    QTest::newRow("leaf at the start") << 0 << QStringLiteral("Length") << QStringLiteral("Frame");
    // Channel and Type share the header byte: the first child wins.
    QTest::newRow("shared bytes") << 1 << QStringLiteral("Channel") << QStringLiteral("Header");
    // The zero-length Marker at offset 2 is skipped.
    QTest::newRow("zero-length field skipped")
        << 2 << QStringLiteral("start") << QStringLiteral("Payload");
    QTest::newRow("last byte") << 9 << QStringLiteral("Malformed") << QStringLiteral("Payload");
}

void TestFieldTreeModel::findsTheInnermostFieldOfAByte()
{
    QFETCH(int, offset);
    QFETCH(QString, field);
    QFETCH(QString, parent);
    FieldTreeModel model;
    model.setTree(sampleTree());
    const QModelIndex index = model.indexForByte(offset);
    QVERIFY(index.isValid());
    QCOMPARE(index.column(), 0);
    QCOMPARE(index.data().toString(), field);
    QCOMPARE(index.parent().data().toString(), parent);
}

void TestFieldTreeModel::bytesOutsideTheFrameHaveNoField_data()
{
    QTest::addColumn<int>("offset");
    QTest::newRow("negative") << -1;
    QTest::newRow("one past the end") << 10;
    QTest::newRow("far beyond") << 1000;
}

void TestFieldTreeModel::bytesOutsideTheFrameHaveNoField()
{
    QFETCH(int, offset);
    FieldTreeModel model;
    model.setTree(sampleTree());
    QVERIFY(!model.indexForByte(offset).isValid());
}

void TestFieldTreeModel::onlyTheFirstColumnHasChildren()
{
    FieldTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTree(sampleTree());
    const QModelIndex root = model.index(0, 0);
    QCOMPARE(model.rowCount(root), 3);
    QCOMPARE(model.rowCount(root.siblingAtColumn(FieldTreeModel::ValueColumn)), 0);
    QVERIFY(!model.index(1, 0).isValid()); // one top-level row only
    QVERIFY(!model.index(0, FieldTreeModel::ColumnCount).isValid());
    QVERIFY(!model.index(3, 0, root).isValid());
    const QModelIndex header = model.index(1, FieldTreeModel::ValueColumn, root);
    QCOMPARE(header.data().toString(), QStringLiteral("channel 1, Want"));
    QCOMPARE(header.parent(), root);
    QVERIFY(!root.parent().isValid());
}

void TestFieldTreeModel::fieldOfAnIndexIsTheDissectedNode()
{
    FieldTreeModel model;
    model.setTree(sampleTree());
    QVERIFY(model.root());
    QCOMPARE(model.field(model.index(0, 0)), model.root());
    const QModelIndex payload = model.index(2, 0, model.index(0, 0));
    QCOMPARE(model.field(payload), &model.root()->children[2]);
    QCOMPARE(model.field(payload)->children.size(), std::size_t(3));
}

void TestFieldTreeModel::replacingTheTreeIsOneReset()
{
    FieldTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.setTree(sampleTree());
    model.setTree(fieldOf("Handshake", "message 1", 0, 33, {fieldOf("e", "ab", 1, 32)}));
    QCOMPARE(reset.count(), 2);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("Handshake"));
    QCOMPARE(model.rowCount(model.index(0, 0)), 1);
    // The old tree's nodes are gone from the byte look-up too.
    QCOMPARE(model.indexForByte(5).data().toString(), QStringLiteral("e"));
    model.clear();
    QCOMPARE(reset.count(), 3);
    QCOMPARE(model.rowCount(), 0);
}

namespace {
ByteView viewOf(const QByteArray &bytes)
{
    return {reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())};
}

/// Calls @p visit for every index under @p parent (depth first).
template<typename Visit>
void forEachIndex(const FieldTreeModel &model, const QModelIndex &parent, const Visit &visit)
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, FieldTreeModel::FieldColumn, parent);
        visit(index);
        forEachIndex(model, index, visit);
    }
}
} // namespace

void TestFieldTreeModel::fieldNamesExplainThemselves_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<QByteArray>("frame");
    const QJsonArray frames = wireVectorFrames();
    for (int i = 0; i < frames.size(); ++i) {
        const QJsonObject f = frames[i].toObject();
        const QString name = f.value(QStringLiteral("name")).toString();
        QTest::addRow("%d %s", i, qPrintable(name))
            << name << QByteArray::fromHex(f.value(QStringLiteral("frame")).toString().toLatin1());
    }
}

void TestFieldTreeModel::fieldNamesExplainThemselves()
{
    // Issue 11 item 13: each field name's tooltip is its meaning, one line, and says where F1
    // leads; F1's page is the message type's.
    QFETCH(QString, message);
    QFETCH(QByteArray, frame);
    FieldTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTree(dissectFrame(viewOf(frame)));
    QCOMPARE(model.messageName(), message);
    int checked = 0;
    forEachIndex(model, {}, [&](const QModelIndex &index) {
        const QString name = index.data().toString();
        const bool inNode = index.parent().data().toString() == QLatin1String("nodes");
        const QString owner = inNode ? QStringLiteral("Node") : message;
        const QString tip = index.data(Qt::ToolTipRole).toString();
        const QStringList lines = tip.split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0], fielddocs::fieldSummary(owner, name));
        QVERIFY2(!lines[0].isEmpty(), qPrintable(name));
        QCOMPARE(lines[1], QStringLiteral("F1 for help on %1").arg(owner));
        QCOMPARE(index.data(FieldTreeModel::HelpPageRole).toString(), fielddocs::pageName(owner));
        ++checked;
    });
    QVERIFY(checked >= 4);
}

void TestFieldTreeModel::handshakeFieldsPointToTheHandshakePage()
{
    // Message 1 as the dissector sees it: length 32, then the ephemeral key (no payload).
    QByteArray message1(1, char(32));
    message1.append(QByteArray(32, char(7)));
    FieldTreeModel model;
    model.setTree(dissectHandshakeMessage(viewOf(message1), 0));
    QCOMPARE(model.messageName(), QStringLiteral("Handshake"));
    const QModelIndex ephemeral =
        childNamed(model, model.index(0, 0), QStringLiteral("Ephemeral key (e)"));
    QVERIFY(ephemeral.isValid());
    QVERIFY(ephemeral.data(Qt::ToolTipRole)
                .toString()
                .endsWith(QStringLiteral("F1 for help on Handshake")));
    QCOMPARE(ephemeral.data(FieldTreeModel::HelpPageRole).toString(),
             QStringLiteral("message-handshake.html"));
}

void TestFieldTreeModel::notesHaveNoHelpPage()
{
    FieldTreeModel model;
    model.setTree(fieldOf("Warning", "the remote reused channel id 1", 0, 0));
    QVERIFY(model.messageName().isEmpty());
    QVERIFY(model.index(0, 0).data(FieldTreeModel::HelpPageRole).toString().isEmpty());
    QVERIFY(!model.index(0, 0).data(Qt::ToolTipRole).isValid());
    // An unassigned type has no page either.
    model.setTree(dissectFrame(viewOf(QByteArray::fromHex("031c0102"))));
    QVERIFY(model.messageName().isEmpty());
}

void TestFieldTreeModel::annotatorSeesEveryTree()
{
    FieldTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    int calls = 0;
    model.setAnnotator([&calls](DissectedField &root) {
        ++calls;
        root.children.push_back({"added", "by the annotator", 0, 0, {}});
    });
    model.setTree(sampleTree());
    QCOMPARE(calls, 1);
    QVERIFY(childNamed(model, model.index(0, 0), QStringLiteral("added")).isValid());
    model.setAnnotator({});
    model.setTree(sampleTree());
    QCOMPARE(calls, 1);
    QVERIFY(!childNamed(model, model.index(0, 0), QStringLiteral("added")).isValid());
}

QTEST_MAIN(TestFieldTreeModel)
#include "tst_fieldtreemodel.moc"
