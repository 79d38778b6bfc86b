// logrow: what the log's right-click menu copies for each kind of row: the value, the bytes as
// hex and the JSON event hyperscope-cli prints for it.
#include "builders.h"
#include "logrowexport.h"
#include "messagelogmodel.h"
#include "messages.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// Every kind of row, one per source row:
///  0 Data in (value "block 5"), channel key 0xab   4 handshake 2/3 in, failed "bad key"
///  1 Open out (discovery key 0xcd..)               5 warning "odd"
///  2 extension in, id 1 "chat", named "chat-ext"   6 error "timeout"
///  3 keepalive out                                 7 event "Connected"
///                                                  8 malformed Want in (one byte 0xff)
class AllKinds
{
public:
    AllKinds()
    {
        Message data(std::in_place_type<schema::Data>);
        std::get<schema::Data>(data).set_index(5);
        std::get<schema::Data>(data).set_value("block 5");
        Message open(std::in_place_type<schema::Open>);
        const Key32 key = keyOf(0xcd);
        std::get<schema::Open>(open).set_discoverykey(std::string(key.begin(), key.end()));
        m_frames = {frameOf(1, data),
                    frameOf(2, open),
                    {},
                    Bytes{0},
                    frameOf(1, std::uint8_t(MessageType::Want), Bytes{0xff})};
        Bytes extension;
        appendExtension(extension, 1, hex("63686174")); // "chat"
        m_frames[2] = frameOf(1, 15, extension);
        ExtensionPayload payload{1, ByteView(m_frames[2]).subspan(3)};

        log.appendFrame(1, traceOf(m_frames[0], Direction::Inbound, &data, 1, 9, keyOf(0xab)),
                        MessageLogModel::WireStorage::SameAsPlain);
        log.appendFrame(1, traceOf(m_frames[1], Direction::Outbound, &open, 2, 0),
                        MessageLogModel::WireStorage::SameAsPlain);
        FrameTrace ext = traceOf(m_frames[2], Direction::Inbound, nullptr, 1, 15, keyOf(0xab));
        ext.extension = payload;
        log.appendFrame(1, ext, MessageLogModel::WireStorage::SameAsPlain,
                        QStringLiteral("chat-ext"));
        log.appendFrame(1, traceOf(m_frames[3], Direction::Outbound, nullptr, 0, 0),
                        MessageLogModel::WireStorage::SameAsPlain);
        HandshakeTrace step;
        step.index = 1;
        step.direction = Direction::Inbound;
        m_handshake = Bytes(48, 0x42);
        step.wire = m_handshake;
        step.error = "bad key";
        log.appendHandshake(1, step);
        log.appendNote(1, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                       QStringLiteral("odd"));
        log.appendNote(1, MessageLogModel::Kind::Error, Direction::Inbound, 0,
                       QStringLiteral("timeout"));
        log.appendNote(1, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                       QStringLiteral("Connected"));
        log.appendFrame(
            1,
            traceOf(m_frames[4], Direction::Inbound, nullptr, 1, std::uint8_t(MessageType::Want)),
            MessageLogModel::WireStorage::SameAsPlain);
        log.flush();
    }

    MessageLogModel log;

private:
    std::vector<Bytes> m_frames;
    Bytes m_handshake;
};

} // namespace

class TestLogRowExport : public QObject
{
    Q_OBJECT
private slots:
    void eachKindOfRow_data();
    void eachKindOfRow();
    void rowsOutOfRange();
};

void TestLogRowExport::eachKindOfRow_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<QString>("value"); // "-": none
    QTest::addColumn<QString>("event");
    QTest::addColumn<QJsonObject>("fields"); // fields the JSON must hold (besides "event")
    const QString none = QStringLiteral("-");
    QTest::newRow("Data") << 0 << QStringLiteral("block 5") << QStringLiteral("message")
                          << QJsonObject{
                                 {"type", "Data"},
                                 {"direction", "in"},
                                 {"session", 1},
                                 {"discoveryKey", hexOf(keyOf(0xab))},
                                 {"message", QJsonObject{{"index", 5.0}, // JSON numbers: doubles
                                                         {"nodes", QJsonArray()},
                                                         {"value", "626c6f636b2035"}}}};
    QTest::newRow("Open") << 1 << hexOf(keyOf(0xcd)) << QStringLiteral("message")
                          << QJsonObject{{"type", "Open"}, {"direction", "out"}};
    QTest::newRow("extension") << 2 << QStringLiteral("chat") << QStringLiteral("extension")
                               << QJsonObject{{"name", "chat-ext"},
                                              {"id", 1},
                                              {"payload", "63686174"},
                                              {"discoveryKey", hexOf(keyOf(0xab))}};
    QTest::newRow("keepalive") << 3 << none << QStringLiteral("frame")
                               << QJsonObject{{"type", "Keepalive"},
                                              {"length", 1},
                                              {"plain", "00"},
                                              {"wire", "00"},
                                              {"direction", "out"}};
    QTest::newRow("handshake") << 4 << none << QStringLiteral("handshake-message")
                               << QJsonObject{{"step", 1}, {"error", "bad key"}};
    QTest::newRow("warning") << 5 << QStringLiteral("odd") << QStringLiteral("warning")
                             << QJsonObject{{"message", "odd"}, {"session", 1}};
    QTest::newRow("error") << 6 << QStringLiteral("timeout") << QStringLiteral("error")
                           << QJsonObject{{"message", "timeout"}};
    QTest::newRow("event") << 7 << QStringLiteral("Connected") << QStringLiteral("session-event")
                           << QJsonObject{{"message", "Connected"}};
    QTest::newRow("malformed") << 8 << none << QStringLiteral("frame")
                               << QJsonObject{{"type", "Want"}, {"channel", 1}};
}

void TestLogRowExport::eachKindOfRow()
{
    QFETCH(int, row);
    QFETCH(QString, value);
    QFETCH(QString, event);
    QFETCH(QJsonObject, fields);
    AllKinds sample;
    QCOMPARE(sample.log.rowCount(), 9);
    const std::optional<QString> copied = logrow::valueText(sample.log, row);
    QCOMPARE(copied.value_or(QStringLiteral("-")), value);
    const QJsonObject json = logrow::toJson(sample.log, row);
    QCOMPARE(json.value(QStringLiteral("event")).toString(), event);
    for (auto it = fields.constBegin(); it != fields.constEnd(); ++it)
        QVERIFY2(json.value(it.key()) == it.value(),
                 qPrintable(QStringLiteral("%1: %2").arg(
                     it.key(), QString::fromUtf8(QJsonDocument(json).toJson()))));
    // Notes have no direction and no bytes; every other row has both.
    const bool note = row >= 5 && row <= 7;
    QCOMPARE(json.contains(QStringLiteral("direction")), !note);
    QCOMPARE(logrow::bytesHex(sample.log, row).isEmpty(), note);
    if (!note)
        QCOMPARE(logrow::bytesHex(sample.log, row),
                 QString::fromLatin1(sample.log.plainBytes(row).toHex()));
}

void TestLogRowExport::rowsOutOfRange()
{
    AllKinds sample;
    for (const int row : {-1, 9, 1000}) {
        QVERIFY(!logrow::valueText(sample.log, row));
        QVERIFY(logrow::bytesHex(sample.log, row).isEmpty());
        QVERIFY(logrow::toJson(sample.log, row).isEmpty());
    }
}

QTEST_GUILESS_MAIN(TestLogRowExport)
#include "tst_logrowexport.moc"
