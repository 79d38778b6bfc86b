// fielddocs: every wire type has a documented message, and every field the dissector names in
// the reference's frames (hypercore-wire.json) has a one-line meaning, so that no field of the
// field tree is without its tooltip. The generated pages list every field.
#include "dissector.h"
#include "fielddocs.h"
#include "vectors.h"

#include <QRegularExpression>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// Every node name below @p node, with the message name each belongs to (Data's proof nodes'
/// fields are Node's).
void collectNames(const DissectedField &node, const QString &message,
                  QList<QPair<QString, QString>> &out)
{
    for (const DissectedField &child : node.children) {
        const QString childMessage = node.name == "nodes" ? QStringLiteral("Node") : message;
        out.append({childMessage, QString::fromStdString(child.name)});
        collectNames(child, childMessage, out);
    }
}

} // namespace

class TestFieldDocs : public QObject
{
    Q_OBJECT
private slots:
    void everyWireTypeIsDocumented_data();
    void everyWireTypeIsDocumented();
    void everyDissectedFieldHasAMeaning_data();
    void everyDissectedFieldHasAMeaning();
    void pagesListTheirFields();
    void unknownNamesHaveNoMeaning();
};

void TestFieldDocs::everyWireTypeIsDocumented_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("name");
    const char *names[] = {"Open",   "Options", "Status", "Have", "Unhave", "Want",
                           "Unwant", "Request", "Cancel", "Data", "Close"};
    for (int type = 0; type < int(std::size(names)); ++type)
        QTest::newRow(names[type]) << type << QString::fromLatin1(names[type]);
    QTest::newRow("Extension") << 15 << QStringLiteral("Extension");
}

void TestFieldDocs::everyWireTypeIsDocumented()
{
    QFETCH(int, type);
    QFETCH(QString, name);
    const fielddocs::MessageDoc *doc = fielddocs::messageOfType(type);
    QVERIFY(doc);
    QCOMPARE(doc->name, name);
    QCOMPARE(fielddocs::message(name), doc);
    QVERIFY(!doc->summary.isEmpty());
    QVERIFY(!doc->fields.isEmpty());
    QCOMPARE(fielddocs::pageName(name), QStringLiteral("message-%1.html").arg(name.toLower()));
    QCOMPARE(fielddocs::messageOfPage(fielddocs::pageName(name)), doc);
}

void TestFieldDocs::everyDissectedFieldHasAMeaning_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<QByteArray>("frame");
    const QJsonArray frames = wireVectorFrames();
    QVERIFY(!frames.isEmpty());
    for (int i = 0; i < frames.size(); ++i) {
        const QJsonObject f = frames[i].toObject();
        const QString name = f.value(QStringLiteral("name")).toString();
        QTest::addRow("%d %s", i, qPrintable(name))
            << name << QByteArray::fromHex(f.value(QStringLiteral("frame")).toString().toLatin1());
    }
}

void TestFieldDocs::everyDissectedFieldHasAMeaning()
{
    QFETCH(QString, message);
    QFETCH(QByteArray, frame);
    const DissectedField root = dissectFrame(
        {reinterpret_cast<const std::uint8_t *>(frame.constData()), std::size_t(frame.size())});
    QList<QPair<QString, QString>> names;
    collectNames(root, message, names);
    QVERIFY(names.size() >= 3); // Length, Header and at least one field or part
    for (const auto &[owner, field] : names) {
        QVERIFY2(field != QLatin1String("Malformed"), qPrintable(field));
        QVERIFY2(!fielddocs::fieldSummary(owner, field).isEmpty(),
                 qPrintable(owner + QLatin1Char('.') + field));
    }
}

void TestFieldDocs::pagesListTheirFields()
{
    for (const fielddocs::MessageDoc &doc : fielddocs::messages()) {
        const QString html = fielddocs::messagePageHtml(doc);
        QVERIFY2(html.contains(doc.name), qPrintable(doc.name));
        for (const fielddocs::FieldDoc &f : doc.fields) {
            QVERIFY2(html.contains(QStringLiteral("<tt>%1</tt>").arg(f.name.toHtmlEscaped())),
                     qPrintable(doc.name + QLatin1Char('.') + f.name));
            QVERIFY2(html.contains(f.summary.toHtmlEscaped()), qPrintable(f.summary));
        }
    }
}

void TestFieldDocs::unknownNamesHaveNoMeaning()
{
    QVERIFY(fielddocs::fieldSummary(QStringLiteral("Open"), QStringLiteral("field 9 (wire type 0)"))
                .isEmpty());
    QVERIFY(!fielddocs::message(QStringLiteral("Unknown(12)")));
    QVERIFY(!fielddocs::messageOfType(12));
    QVERIFY(!fielddocs::messageOfType(fielddocs::MessageDoc::NoWireType));
    // Frame parts are known whatever the message.
    QVERIFY(!fielddocs::fieldSummary(QString(), QStringLiteral("Header")).isEmpty());
}

QTEST_MAIN(TestFieldDocs)
#include "tst_fielddocs.moc"
