#include "messagejson.h"
#include "vectors.h"

#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

QJsonObject parse(const char *json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON %s: %s", json, qPrintable(error.errorString()));
    return document.object();
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

class tst_MessageJson : public QObject
{
    Q_OBJECT

private slots:
    void roundTripsVectorMessages_data();
    void roundTripsVectorMessages();
    void leavesUnsetOptionalFieldsOut();
    void writesBytesAsLowerCaseHex();
    void keepsIntegerPrecision_data();
    void keepsIntegerPrecision();
    void rejectsBadInput_data();
    void rejectsBadInput();
};

void tst_MessageJson::roundTripsVectorMessages_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QJsonObject>("json");
    QTest::addColumn<QByteArray>("frame");
    const QJsonArray frames = wireVectorFrames();
    for (qsizetype i = 0; i < frames.size(); ++i) {
        const QJsonObject v = frames.at(i).toObject();
        const int type = v.value(QStringLiteral("type")).toInt();
        if (type > 10)
            continue; // Extension: not a protobuf message
        QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(i).arg(v.value("name").toString())))
            << type << v.value(QStringLiteral("message")).toObject()
            << QByteArray::fromHex(v.value(QStringLiteral("frame")).toString().toLatin1());
    }
}

void tst_MessageJson::roundTripsVectorMessages()
{
    QFETCH(int, type);
    QFETCH(QJsonObject, json);
    QFETCH(QByteArray, frame);

    QString error;
    const auto message = messageFromJson(MessageType(type), json, error);
    QVERIFY2(message, qPrintable(error));
    QCOMPARE(int(messageType(*message)), type);

    // Byte for byte what the reference sent for this JSON.
    const Bytes payload = encode(*message);
    QVERIFY(frame.endsWith(toQByteArray(payload)));

    // Back to the same JSON. Repeated fields are always written, so an absent one reads [].
    QJsonObject expected = json;
    const auto *descriptor = asProtobuf(*message).GetDescriptor();
    for (int i = 0; i < descriptor->field_count(); ++i) {
        const QString name = QString::fromStdString(descriptor->field(i)->name());
        if (descriptor->field(i)->is_repeated() && !expected.contains(name))
            expected.insert(name, QJsonArray());
    }
    QCOMPARE(compact(messageToJson(*message)), compact(expected));

    // And the decoded frame payload maps to the same JSON.
    std::string decodeError;
    const auto decoded = decodeMessage(std::uint8_t(type), payload, decodeError);
    QVERIFY2(decoded, decodeError.c_str());
    QCOMPARE(compact(messageToJson(*decoded)), compact(expected));
}

void tst_MessageJson::leavesUnsetOptionalFieldsOut()
{
    Message have(std::in_place_index<3>);
    std::get<schema::Have>(have).set_start(7);
    QCOMPARE(compact(messageToJson(have)), QStringLiteral("{\"start\":7}"));
    std::get<schema::Have>(have).set_ack(false);
    QCOMPARE(compact(messageToJson(have)), QStringLiteral("{\"ack\":false,\"start\":7}"));
    QCOMPARE(compact(messageToJson(Message(std::in_place_index<10>))), QStringLiteral("{}"));
    QCOMPARE(compact(messageToJson(Message(std::in_place_index<1>))),
             QStringLiteral("{\"extensions\":[]}"));
}

void tst_MessageJson::writesBytesAsLowerCaseHex()
{
    QString error;
    const auto message =
        messageFromJson(MessageType::Open, parse(R"({"discoveryKey":"ABcd01"})"), error);
    QVERIFY2(message, qPrintable(error));
    QCOMPARE(std::get<schema::Open>(*message).discoverykey(), std::string("\xab\xcd\x01", 3));
    QCOMPARE(compact(messageToJson(*message)), QStringLiteral("{\"discoveryKey\":\"abcd01\"}"));
    const auto empty = messageFromJson(MessageType::Open, parse(R"({"discoveryKey":""})"), error);
    QVERIFY2(empty, qPrintable(error));
    QVERIFY(std::get<schema::Open>(*empty).has_discoverykey());
}

void tst_MessageJson::keepsIntegerPrecision_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<quint64>("index");
    QTest::newRow("0") << QByteArray(R"({"index":0})") << quint64(0);
    QTest::newRow("2^32+5") << QByteArray(R"({"index":4294967301})") << quint64(4294967301);
    QTest::newRow("2^53+1") << QByteArray(R"({"index":9007199254740993})")
                            << quint64(9007199254740993);
    QTest::newRow("2^63-1") << QByteArray(R"({"index":9223372036854775807})")
                            << quint64(9223372036854775807);
    QTest::newRow("2^63 (as a double)")
        << QByteArray(R"({"index":9223372036854775808})") << (quint64(1) << 63);
    QTest::newRow("1e3") << QByteArray(R"({"index":1e3})") << quint64(1000);
}

void tst_MessageJson::keepsIntegerPrecision()
{
    QFETCH(QByteArray, json);
    QFETCH(quint64, index);
    QString error;
    const auto message = messageFromJson(MessageType::Cancel, parse(json.constData()), error);
    QVERIFY2(message, qPrintable(error));
    QCOMPARE(quint64(std::get<schema::Cancel>(*message).index()), index);
}

void tst_MessageJson::rejectsBadInput_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    const int want = int(MessageType::Want);
    const int open = int(MessageType::Open);
    const int options = int(MessageType::Options);
    const int data = int(MessageType::Data);
    QTest::newRow("unknown field")
        << want << QByteArray(R"({"start":0,"begin":1})") << "Want has no field 'begin'";
    QTest::newRow("field name is case sensitive")
        << int(MessageType::Close) << QByteArray(R"({"discoverykey":"00"})")
        << "Close has no field 'discoverykey'";
    QTest::newRow("missing required")
        << want << QByteArray(R"({"length":5})") << "Want: missing required field 'start'";
    QTest::newRow("string for uint64")
        << want << QByteArray(R"({"start":"0"})")
        << "Want field 'start' must be a non-negative integer, got a string";
    QTest::newRow("negative") << want << QByteArray(R"({"start":-1})")
                              << "Want field 'start' must be a non-negative integer, got -1";
    QTest::newRow("fraction") << want << QByteArray(R"({"start":1.5})")
                              << "Want field 'start' must be a non-negative integer, got 1.5";
    QTest::newRow("2^64")
        << want << QByteArray(R"({"start":18446744073709551616})")
        << "Want field 'start' must be a non-negative integer, got 1.8446744073709552e+19";
    QTest::newRow("null") << want << QByteArray(R"({"start":null})")
                          << "Want field 'start' must be a non-negative integer, got null";
    QTest::newRow("bool for uint64")
        << want << QByteArray(R"({"start":true})")
        << "Want field 'start' must be a non-negative integer, got a boolean";
    QTest::newRow("bad hex") << open << QByteArray(R"({"discoveryKey":"xyz0"})")
                             << "Open field 'discoveryKey' is not valid hex";
    QTest::newRow("odd hex") << open << QByteArray(R"({"discoveryKey":"abc"})")
                             << "Open field 'discoveryKey' is not valid hex";
    QTest::newRow("number for bytes")
        << open << QByteArray(R"({"discoveryKey":12})")
        << "Open field 'discoveryKey' must be a hex string, got a number";
    QTest::newRow("number for bool") << options << QByteArray(R"({"ack":1})")
                                     << "Options field 'ack' must be a boolean, got a number";
    QTest::newRow("string for repeated")
        << options << QByteArray(R"({"extensions":"alpha"})")
        << "Options field 'extensions' must be an array, got a string";
    QTest::newRow("number in repeated string")
        << options << QByteArray(R"({"extensions":["a",1]})")
        << "Options field 'extensions[1]' must be a string, got a number";
    QTest::newRow("unknown field in a node")
        << data << QByteArray(R"({"index":1,"nodes":[{"index":1,"hash":"00","size":1,"foo":2}]})")
        << "Data.nodes[0] has no field 'foo'";
    QTest::newRow("bad value in a node")
        << data
        << QByteArray(R"({"index":1,"nodes":[{"index":1,"hash":"00","size":1},{"size":-2}]})")
        << "Data.nodes[1] field 'size' must be a non-negative integer, got -2";
    QTest::newRow("node missing fields")
        << data << QByteArray(R"({"index":1,"nodes":[{"index":1}]})")
        << "Data: missing required fields 'nodes[0].hash', 'nodes[0].size'";
    QTest::newRow("number for a node") << data << QByteArray(R"({"index":1,"nodes":[5]})")
                                       << "Data field 'nodes[0]' must be an object, got a number";
    QTest::newRow("Extension") << int(MessageType::Extension) << QByteArray("{}")
                               << "Extension is not a protobuf message";
}

void tst_MessageJson::rejectsBadInput()
{
    QFETCH(int, type);
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QString why;
    QVERIFY(!messageFromJson(MessageType(type), parse(json.constData()), why));
    QCOMPARE(why, error);
}

QTEST_APPLESS_MAIN(tst_MessageJson)
#include "tst_messagejson.moc"
