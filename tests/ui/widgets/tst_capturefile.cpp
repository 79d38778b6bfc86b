// Capture files (ui/capturefile.h): a saved log reads back row for row and dissects the same, and
// every malformed file is refused with a message naming its line; MainWindow's Save/Open Log.
#include "builders.h"
#include "capturefile.h"
#include "crypto.h"
#include "demorunner.h"
#include "fieldtreemodel.h"
#include "framer.h"
#include "guisettings.h"
#include "hexview.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "messages.h"
#include "sessiondriver.h"
#include "varint.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QBuffer>
#include <QComboBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// Owns the bytes a FrameTrace points at.
struct Frame
{
    Bytes plain;
    Bytes wire;
    std::optional<Message> message;
    FrameTrace trace;
};

Frame frame(Bytes plain, Direction direction, std::optional<Key32> key = std::nullopt)
{
    Frame f;
    f.plain = std::move(plain);
    f.wire = f.plain;
    f.trace.direction = direction;
    f.trace.keepAlive = f.plain.size() == 1 && f.plain[0] == 0;
    if (!f.trace.keepAlive) {
        const varint::Decoded length = varint::decode(f.plain);
        const varint::Decoded header = varint::decode(ByteView(f.plain).subspan(length.size));
        f.trace.channel = header.value >> 4;
        f.trace.type = std::uint8_t(header.value & 0x0f);
        const ByteView payload = ByteView(f.plain).subspan(length.size + header.size);
        std::string error;
        if (f.trace.type <= 10)
            f.message = decodeMessage(f.trace.type, payload, error);
        if (f.trace.type == 15)
            f.trace.extension = decodeExtension(payload, error);
    }
    f.trace.discoveryKey = key;
    return f;
}

void append(MessageLogModel &log, int session, Frame &f, MessageLogModel::WireStorage storage,
            quint64 offset, const QString &extension = {})
{
    f.trace.plain = f.plain;
    f.trace.wire = f.wire;
    f.trace.message = f.message ? &*f.message : nullptr;
    f.trace.streamOffset = offset;
    log.appendFrame(session, f.trace, storage, extension);
}

/// A log with every kind of row: handshake steps (one failed), frames of several types in both
/// directions, keepalives, an extension, a malformed frame, an unassigned type, encrypted frames
/// with stored and with recomputed wire bytes, a frame whose bytes were dropped, and notes.
void fill(MessageLogModel &log)
{
    using WS = MessageLogModel::WireStorage;
    log.setSessionLabel(1, QStringLiteral("#1 127.0.0.1:4000"));
    log.setSessionLabel(2, QStringLiteral("#2 10.0.0.2:5000"));

    const Bytes hs0 = {0x20, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                       17,   18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    HandshakeTrace step;
    step.index = 0;
    step.direction = Direction::Outbound;
    step.tokens = "e";
    step.wire = hs0;
    log.appendHandshake(1, step);
    HandshakeTrace failed = step;
    failed.index = 1;
    failed.direction = Direction::Inbound;
    failed.error = "handshake message 2: decryption failed";
    log.appendHandshake(2, failed);
    log.appendNote(1, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                   QStringLiteral("Handshake complete"));

    const Key32 dk = keyOf(0x6b);
    Message want(std::in_place_type<schema::Want>);
    std::get<schema::Want>(want).set_start(5);
    std::get<schema::Want>(want).set_length(3);
    Message request(std::in_place_type<schema::Request>);
    std::get<schema::Request>(request).set_index(7);
    Message data(std::in_place_type<schema::Data>);
    std::get<schema::Data>(data).set_index(7);
    std::get<schema::Data>(data).set_value("hello");
    auto *node = std::get<schema::Data>(data).add_nodes();
    node->set_index(1);
    node->set_hash(std::string(32, '\x11'));
    node->set_size(5);
    Bytes ext;
    appendExtension(ext, 0, asView(std::string_view("hi there")));
    Bytes extFrame;
    appendFrame(extFrame, 0, MessageType::Extension, ext);
    Bytes unassigned;
    appendFrame(unassigned, 1, 12, asView(std::string_view("xyz")));
    Bytes malformed;
    appendFrame(malformed, 1, MessageType::Want, Bytes{0xff});

    Frame f1 = frame(frameOf(1, want), Direction::Outbound, dk);
    append(log, 1, f1, WS::SameAsPlain, 100);
    Frame f2 = frame(frameOf(2, request), Direction::Inbound, dk);
    append(log, 1, f2, WS::SameAsPlain, 200);
    Frame f3 = frame(frameOf(2, data), Direction::Inbound, dk);
    append(log, 1, f3, WS::SameAsPlain, 300);
    Frame k1 = frame(Bytes{0}, Direction::Outbound);
    append(log, 1, k1, WS::SameAsPlain, 400);
    Frame k2 = frame(Bytes{0}, Direction::Inbound);
    append(log, 1, k2, WS::SameAsPlain, 401);
    Frame x = frame(extFrame, Direction::Inbound);
    append(log, 1, x, WS::SameAsPlain, 500, QStringLiteral("chat"));
    Frame m = frame(malformed, Direction::Inbound, dk);
    append(log, 1, m, WS::SameAsPlain, 600);
    Frame u = frame(unassigned, Direction::Outbound);
    append(log, 1, u, WS::SameAsPlain, 700);
    log.appendNote(1, MessageLogModel::Kind::Warning, Direction::Inbound, 650,
                   QStringLiteral("unassigned frame type 12"));

    // Session 2: encrypted. One frame with stored wire bytes, then keys known: recomputed.
    Frame s1 = frame(frameOf(1, want), Direction::Outbound, dk);
    s1.wire = s1.plain;
    for (auto &b : s1.wire)
        b ^= 0x5a;
    append(log, 2, s1, WS::Store, 10);
    crypto::SplitKeys split;
    split.tx = keyOf(1);
    split.rx = keyOf(2);
    Nonce24 local;
    local.fill(3);
    Nonce24 remote;
    remote.fill(4);
    log.setTransportKeys(2, split, local, remote);
    Frame s2 = frame(frameOf(1, data), Direction::Inbound, dk);
    append(log, 2, s2, WS::Recompute, 20);
    Frame s3 = frame(Bytes{0}, Direction::Outbound);
    append(log, 2, s3, WS::Recompute, 30);
    log.appendNote(2, MessageLogModel::Kind::Error, Direction::Inbound, 0,
                   QStringLiteral("timeout: no bytes for 20000 ms"));
    log.flush();
    // Bytes dropped: the budget is already spent, the frame keeps none (and is malformed).
    log.setByteBudget(log.storedBytes());
    Frame d = frame(malformed, Direction::Inbound, dk);
    append(log, 1, d, WS::SameAsPlain, 800);
    log.flush();
}

QList<int> allRows(const MessageLogModel &log)
{
    QList<int> rows;
    for (int i = 0; i < log.rowCount(); ++i)
        rows << i;
    return rows;
}

QByteArray save(const MessageLogModel &log, const QList<int> &rows)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QString error;
    if (!capture::write(buffer, log, rows, &error))
        qWarning() << error;
    return buffer.data();
}

std::optional<capture::Capture> parse(const QByteArray &bytes, QString *error,
                                      const capture::Limits &limits = {})
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    return capture::read(buffer, error, limits);
}

/// The field tree as text, byte ranges included.
void dump(const DissectedField &field, QStringList &out, int depth = 0)
{
    // An Open's capability check is computed from the live session's keys, which a capture
    // does not hold: it is not part of what a capture must reproduce.
    if (field.name == "capability check")
        return;
    // Nor is the feed layer's verdict or block ranges (a session's FeedTracker adds them; a
    // bare log pane has none): tst_feedtracker checks that a capture read back gets them again.
    if (depth == 1 && (field.name == "feed verification" || field.name == "blocks"))
        return;
    out << QStringLiteral("%1%2 = %3 [%4+%5]")
               .arg(QString(depth * 2, QLatin1Char(' ')))
               .arg(QString::fromStdString(field.name), QString::fromStdString(field.value))
               .arg(field.offset)
               .arg(field.length);
    for (const DissectedField &child : field.children)
        dump(child, out, depth + 1);
}

/// What the log pane shows for @p row: its field tree and both hex views.
QStringList shown(LogPane &pane, int row)
{
    if (!pane.selectSourceRow(row))
        return {QStringLiteral("not selectable")};
    QStringList out;
    if (const DissectedField *root = pane.fieldModel()->root())
        dump(*root, out);
    out << QString::fromLatin1(pane.hexPane()->plainView()->bytes().toHex());
    out << QString::fromLatin1(pane.hexPane()->wireView()->bytes().toHex());
    return out;
}

const char *const Header =
    R"({"format":"hyperscope-capture","version":1,"rows":%1,"sessions":[{"id":1,"label":"a"}]})";

QByteArray header(int rows)
{
    return QByteArray(Header).replace("%1", QByteArray::number(rows)) + '\n';
}

QByteArray row(const QByteArray &fields)
{
    return R"({"t":1,"session":1,"dir":"in",)" + fields + "}\n";
}

} // namespace

class TestCaptureFile : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void roundTrip();
    void writesTheDocumentedFormat();
    void rejectsMalformedFiles_data();
    void rejectsMalformedFiles();
    void sessionInfoRoundTrip();
    void capsLineLength();
    void relayedLegsRoundTrip();
    void reportsFileErrors();
    void mainWindowSavesAndOpens();
    void demoSessionRoundTrip();
};

void TestCaptureFile::initTestCase()
{
    useCleanTestSettings(QStringLiteral("tst_capturefile"));
}

void TestCaptureFile::roundTrip()
{
    MessageLogModel original;
    fill(original);
    QCOMPARE(original.rowCount(), 17);
    const QByteArray bytes = save(original, allRows(original));

    QString error;
    const std::optional<capture::Capture> file = parse(bytes, &error);
    QVERIFY2(file, qPrintable(error));
    QCOMPARE(int(file->rows.size()), original.rowCount());
    QCOMPARE(file->sessionLabels.value(2), QStringLiteral("#2 10.0.0.2:5000"));

    MessageLogModel loaded;
    QAbstractItemModelTester tester(&loaded,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    capture::addTo(
        loaded, *file, [](int id) { return id; }, QString());
    QCOMPARE(loaded.rowCount(), original.rowCount());

    LogPane before(&original, nullptr);
    LogPane after(&loaded, nullptr);
    before.setShowKeepAlives(true);
    after.setShowKeepAlives(true);
    for (int i = 0; i < original.rowCount(); ++i) {
        const MessageLogModel::Record &a = original.record(i);
        const MessageLogModel::Record &b = loaded.record(i);
        const QByteArray whereText = "row " + QByteArray::number(i);
        const char *where = whereText.constData();
        QVERIFY2(a.timeUs == b.timeUs, where);
        QVERIFY2(a.streamOffset == b.streamOffset, where);
        QVERIFY2(a.channel == b.channel, where);
        QVERIFY2(a.session == b.session, where);
        QVERIFY2(a.type == b.type, where);
        QVERIFY2(a.kind == b.kind, where);
        QVERIFY2(a.flags == b.flags, (whereText + ": flags " + QByteArray::number(a.flags) +
                                      " vs " + QByteArray::number(b.flags))
                                         .constData());
        QVERIFY2(original.channelKey(a.channelKey) == loaded.channelKey(b.channelKey), where);
        QCOMPARE(loaded.plainBytes(i), original.plainBytes(i));
        QCOMPARE(loaded.wireBytes(i), original.wireBytes(i));
        QCOMPARE(loaded.noteText(b), original.noteText(a));
        for (int column = 0; column < MessageLogModel::ColumnCount; ++column) {
            for (int role :
                 {int(Qt::DisplayRole), int(Qt::ToolTipRole), int(MessageLogModel::SeverityRole),
                  int(MessageLogModel::TypeRole), int(MessageLogModel::ChannelRole)})
                QCOMPARE(loaded.index(i, column).data(role), original.index(i, column).data(role));
        }
        const QStringList expected = shown(before, i);
        QVERIFY2(expected.size() > 2, where); // selectable, with a field tree and hex
        QCOMPARE(shown(after, i), expected);
    }
    // Row 5 is the Data frame: its fields, down to the value, as when it was live.
    QVERIFY(shown(after, 5).join(QLatin1Char('\n')).contains(QStringLiteral("value = ")));
    // The wire bytes of the recomputed frame are stored in the file and read back.
    QVERIFY(!(original.record(13).flags & MessageLogModel::PlainOnWire));
    QVERIFY(!loaded.wireBytes(13).isEmpty());
    QVERIFY(loaded.wireBytes(13) != loaded.plainBytes(13));

    // Saved again, the capture is the same but for the creation time.
    QList<QByteArray> first = bytes.split('\n');
    QList<QByteArray> second = save(loaded, allRows(loaded)).split('\n');
    first.removeFirst();
    second.removeFirst();
    QCOMPARE(second, first);
}

void TestCaptureFile::writesTheDocumentedFormat()
{
    MessageLogModel log;
    fill(log);
    const QList<QByteArray> lines = save(log, {0, 1, 2, 6, 13, 15, 16}).split('\n');
    QCOMPARE(lines.size(), 9); // header, 7 rows, and the empty string after the last newline
    QVERIFY(lines.last().isEmpty());
    QVERIFY(lines[0].startsWith(R"({"created":")"));
    QVERIFY(lines[0].contains(R"("format":"hyperscope-capture")"));
    QVERIFY(lines[0].contains(R"("rows":7,"sessions":[{"id":1,"label":"#1 127.0.0.1:4000"},)"
                              R"({"id":2,"label":"#2 10.0.0.2:5000"}],"version":1})"));
    auto withoutTime = [](QByteArray line) {
        const qsizetype start = line.indexOf(R"(,"t":)");
        return line.remove(start, line.indexOf('}', start) - start);
    };
    QCOMPARE(withoutTime(lines[1]),
             QByteArray(R"({"dir":"out","kind":"handshake","plain":"200102030405060708090a0b0c0d0e)"
                        R"(0f101112131415161718191a1b1c1d1e1f20","session":1,"step":0})"));
    QCOMPARE(withoutTime(lines[2]),
             QByteArray(R"({"dir":"in","kind":"handshake","note":"handshake message 2: )"
                        R"(decryption failed","plain":"200102030405060708090a0b0c0d0e0f1011121314)"
                        R"(15161718191a1b1c1d1e1f20","session":2,"step":1})"));
    QCOMPARE(withoutTime(lines[3]), QByteArray(R"({"dir":"in","kind":"event","note":"Handshake )"
                                               R"(complete","session":1})"));
    QCOMPARE(withoutTime(lines[4]), QByteArray(R"({"dir":"out","kind":"keepalive","offset":400,)"
                                               R"("plain":"00","session":1})"));
    QVERIFY(lines[5].contains(R"("encrypted":true,"key":"6b6b)"));
    QVERIFY(lines[5].contains(R"("wire":")"));
    QCOMPARE(withoutTime(lines[6]), QByteArray(R"({"dir":"in","kind":"error","note":"timeout: no )"
                                               R"(bytes for 20000 ms","session":2})"));
    QVERIFY(lines[7].contains(R"("bytesDropped":true)"));
    QVERIFY(lines[7].contains(R"("malformed":true)"));
    QVERIFY(!lines[7].contains(R"("plain")"));
    QVERIFY(lines[7].contains(R"("channel":1,)"));
    QVERIFY(lines[7].contains(R"("type":5})"));
}

void TestCaptureFile::rejectsMalformedFiles_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("error");
    const QByteArray one = header(1);
    const QByteArray frame = R"("kind":"frame","plain":"03150805")";
    auto add = [](const char *name, const QByteArray &file, const char *error) {
        QTest::newRow(name) << file << QString::fromUtf8(error);
    };

    add("empty file", "", "the file is empty");
    add("not JSON", "PK\x03\x04 binary\n", "line 1: not valid JSON (illegal value at offset 1)");
    add("not an object", "[1,2]\n", "line 1: not a JSON object");
    add("other format",
        R"({"format":"pcapng","version":1,"rows":0})"
        "\n",
        "line 1: not a hyperscope capture (no \"format\":\"hyperscope-capture\")");
    add("newer version",
        R"({"format":"hyperscope-capture","version":2,"rows":0})"
        "\n",
        "line 1: unsupported version 2 (this hyperscope reads version 1)");
    add("version not a number",
        R"({"format":"hyperscope-capture","version":"1","rows":0})"
        "\n",
        "line 1: 'version' must be an integer");
    add("no row count",
        R"({"format":"hyperscope-capture","version":1})"
        "\n",
        "line 1: 'rows' is missing");
    add("negative row count",
        R"({"format":"hyperscope-capture","version":1,"rows":-1})"
        "\n",
        "line 1: 'rows' is -1, less than 0");
    add("too many rows announced", header(3), // Limits below: 2 rows at most
        "line 1: the header announces 3 rows, more than the 2 a capture may hold");
    add("sessions not an array",
        R"({"format":"hyperscope-capture","version":1,"rows":0,"sessions":{}})"
        "\n",
        "line 1: 'sessions' must be an array");
    add("session without label",
        R"({"format":"hyperscope-capture","version":1,"rows":0,"sessions":[{"id":1}]})"
        "\n",
        "line 1: in 'sessions': 'label' is missing");
    add("truncated at a line end", header(2) + row(frame),
        "truncated: the header announces 2 rows, the file has 1");
    add("truncated inside a line", one + row(frame).left(30),
        "line 2: not valid JSON (unterminated object at offset 30)");
    add("more rows than announced", one + row(frame) + row(frame),
        "line 3: more rows than the 1 the header announces");
    add("empty line", one + "\n" + row(frame), "line 2: empty line");
    add("unknown leg",
        one + R"({"t":1,"session":1,"dir":"in","leg":"middle","kind":"event","note":"x"})"
              "\n",
        "line 2: 'leg' must be \"client\" or \"server\", not \"middle\"");
    add("leg not a string",
        one + R"({"t":1,"session":1,"dir":"in","leg":1,"kind":"event","note":"x"})"
              "\n",
        "line 2: 'leg' must be a string");
    add("row not an object", one + "[]\n", "line 2: not a JSON object");
    add("row a bare string", one + "\"frame\"\n",
        "line 2: not valid JSON (illegal value at offset 1)");
    add("no time",
        one + R"({"session":1,"dir":"in","kind":"event","note":"x"})"
              "\n",
        "line 2: 't' is missing");
    add("time not an integer",
        one + R"({"t":1.5,"session":1,"dir":"in","kind":"event"})"
              "\n",
        "line 2: 't' must be an integer");
    add("negative time",
        one + R"({"t":-1,"session":1,"dir":"in","kind":"event"})"
              "\n",
        "line 2: 't' is -1, less than 0");
    add("session out of range",
        one + R"({"t":1,"session":2147483648,"dir":"in","kind":"event"})"
              "\n",
        "line 2: 'session' is 2147483648, out of range 0..2147483647");
    add("bad direction",
        one + R"({"t":1,"session":1,"dir":"up","kind":"event"})"
              "\n",
        "line 2: 'dir' must be \"in\" or \"out\", not \"up\"");
    add("bad kind", one + row(R"("kind":"packet")"),
        "line 2: 'kind' \"packet\" is not one of frame, keepalive, handshake, warning, error, "
        "event");
    add("note missing", one + row(R"("kind":"error")"), "line 2: 'note' is missing");
    add("note not a string", one + row(R"("kind":"warning","note":5)"),
        "line 2: 'note' must be a string");
    add("handshake step out of range", one + row(R"("kind":"handshake","step":3,"plain":"00")"),
        "line 2: 'step' is 3, out of range 0..2");
    add("handshake without step", one + row(R"("kind":"handshake","plain":"00")"),
        "line 2: 'step' is missing");
    add("frame without bytes", one + row(R"("kind":"frame")"), "line 2: 'plain' is missing");
    add("odd hex", one + row(R"("kind":"frame","plain":"031")"),
        "line 2: 'plain' has an odd number of hex digits");
    add("not hex", one + row(R"("kind":"frame","plain":"03zz0a05")"),
        "line 2: 'plain' is not hexadecimal");
    add("plain not a string", one + row(R"("kind":"frame","plain":3)"),
        "line 2: 'plain' must be a string");
    add("oversized handshake",
        one + row(R"("kind":"handshake","step":0,"plain":")" + QByteArray(2 * 65536, 'a') + "\""),
        "line 2: 'plain' holds 65536 bytes, more than the 65535 allowed");
    add("short key", one + row(frame + R"(,"key":"6b6b")"), "line 2: 'key' must be 64 hex digits");
    add("long key", one + row(frame + R"(,"key":")" + QByteArray(66, 'a') + "\""),
        "line 2: 'key' holds 33 bytes, more than the 32 allowed");
    add("wire without encryption", one + row(frame + R"(,"wire":"00000000")"),
        "line 2: 'wire' is given but 'encrypted' is not true");
    add("wire of another length", one + row(frame + R"(,"encrypted":true,"wire":"0000")"),
        "line 2: 'wire' holds 2 bytes, 'plain' 4: they must be as long");
    add("encrypted not a bool", one + row(frame + R"(,"encrypted":"yes")"),
        "line 2: 'encrypted' must be true or false");
    add("bytesDropped not a bool", one + row(frame + R"(,"bytesDropped":1)"),
        "line 2: 'bytesDropped' must be true or false");
    add("keepalive with a payload", one + row(R"("kind":"keepalive","plain":"0100")"),
        "line 2: a keepalive's 'plain' must be \"00\"");
    add("frame shorter than its prefix", one + row(R"("kind":"frame","plain":"0515")"),
        "line 2: 'plain' is not one whole frame: its length prefix says 5 bytes follow, 1 do");
    add("frame longer than its prefix", one + row(R"("kind":"frame","plain":"01150000")"),
        "line 2: 'plain' is not one whole frame: its length prefix says 1 bytes follow, 3 do");
    add("empty frame", one + row(R"("kind":"frame","plain":"00")"),
        "line 2: an empty frame must have kind \"keepalive\"");
    add("bad length varint", one + row(R"("kind":"frame","plain":"ffff")"),
        "line 2: 'plain' does not start with a valid length varint");
    add("bad header varint", one + row(R"("kind":"frame","plain":"01ff")"),
        "line 2: 'plain' has no valid header varint");
    add("dropped frame without type",
        one + row(R"("kind":"frame","bytesDropped":true,"channel":1)"),
        "line 2: 'type' is missing");
    add("dropped frame with a huge channel",
        one + row(R"("kind":"frame","bytesDropped":true,"channel":4294967296,"type":1)"),
        "line 2: 'channel' is 4294967296, out of range 0..4294967295");
    add("too much note text",
        header(2) + row(R"("kind":"event","note":"ab")") + row(R"("kind":"event","note":"cd")"),
        "line 3: the rows so far hold more than 6 bytes, the most a capture may hold");
    add("too many bytes", header(2) + row(frame) + row(frame), // Limits below: 6 bytes at most
        "line 3: the rows so far hold more than 6 bytes, the most a capture may hold");

    add("too many sessions",
        header(2) + row(R"("kind":"event","note":"a")") +
            R"({"t":1,"session":2,"dir":"in","kind":"event","note":"b"})"
            "\n", // Limits below: 1 session at most
        "line 3: the rows so far belong to more than 1 sessions, the most a capture may hold");

    // The session state of the header (SessionInfo): optional, but checked when given.
    auto session = [](const QByteArray &fields) {
        return R"({"format":"hyperscope-capture","version":1,"rows":0,"sessions":[{"id":1,)"
               R"("label":"a",)" +
               fields + "}]}\n";
    };
    add("short static key", session(R"("remoteStaticKey":"abcd")"),
        "line 1: in 'sessions': 'remoteStaticKey' must be 64 hex digits");
    add("hash not hex", session(R"("handshakeHash":"zz")"),
        "line 1: in 'sessions': 'handshakeHash' is not hexadecimal");
    add("long nonce", session(R"("localNonce":")" + QByteArray(50, 'a') + '"'),
        "line 1: in 'sessions': 'localNonce' holds 25 bytes, more than the 24 allowed");
    add("initiator not a boolean", session(R"("initiator":1)"),
        "line 1: in 'sessions': 'initiator' must be true or false");
    add("peer not a string", session(R"("peer":4000)"),
        "line 1: in 'sessions': 'peer' must be a string");
    add("channels not an array", session(R"("channels":{})"),
        "line 1: in 'sessions': 'channels' must be an array");
    add("channel without key",
        session(R"("channels":[{"discoveryKey":")" + QByteArray(64, '1') + R"("}])"),
        "line 1: in 'sessions': in 'channels': 'discoveryKey' and 'key' are both required");
    add("channel key too short", session(R"("channels":[{"discoveryKey":"11","key":"22"}])"),
        "line 1: in 'sessions': in 'channels': 'discoveryKey' must be 64 hex digits");
    add("server leg not an object", session(R"("serverLeg":[])"),
        "line 1: in 'sessions': 'serverLeg' must be an object");
    add("server leg with a bad key", session(R"("serverLeg":{"remoteStaticKey":"ab"})"),
        "line 1: in 'sessions': in 'serverLeg': 'remoteStaticKey' must be 64 hex digits");
    add("server leg in a server leg", session(R"("serverLeg":{"serverLeg":{}})"),
        "line 1: in 'sessions': in 'serverLeg': 'serverLeg' cannot have a 'serverLeg'");
}

// What the header keeps of a session beyond its rows (SessionInfo) reads back as written, and a
// header without it reads as an empty SessionInfo (files from before it existed).
void TestCaptureFile::sessionInfoRoundTrip()
{
    MessageLogModel log;
    fill(log);
    capture::SessionInfo info;
    info.peer = QStringLiteral("127.0.0.1:4000");
    info.origin = QStringLiteral("dialed");
    info.initiator = false;
    info.noise = true;
    info.encrypted = true;
    info.localStaticKey = keyOf(1);
    info.remoteStaticKey = keyOf(2);
    Hash64 hash;
    hash.fill(3);
    info.handshakeHash = hash;
    Nonce24 nonce;
    nonce.fill(4);
    info.localNonce = nonce;
    nonce.fill(5);
    info.remoteNonce = nonce;
    info.ended = true;
    info.endReason = QStringLiteral("timeout: no bytes for 20000 ms");
    info.feedKeys[keyOf(6)] = keyOf(7);
    auto server = std::make_shared<capture::SessionInfo>();
    server->peer = QStringLiteral("127.0.0.1:5000");
    server->initiator = true;
    server->remoteStaticKey = keyOf(8);
    server->handshakeHash = hash;
    server->ended = true;
    server->endReason = QStringLiteral("connection-refused");
    info.serverLeg = server;
    const int session = log.record(0).session;

    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QString error;
    QVERIFY2(capture::write(buffer, log, allRows(log), &error, {{session, info}}),
             qPrintable(error));
    buffer.close();
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    const std::optional<capture::Capture> read = capture::read(buffer, &error);
    QVERIFY2(read, qPrintable(error));
    QVERIFY(read->sessionInfo.contains(session));
    const capture::SessionInfo &back = read->sessionInfo[session];
    QCOMPARE(back.peer, info.peer);
    QCOMPARE(back.origin, info.origin);
    QCOMPARE(back.initiator, info.initiator);
    QCOMPARE(back.noise, info.noise);
    QCOMPARE(back.encrypted, info.encrypted);
    QCOMPARE(back.localStaticKey, info.localStaticKey);
    QCOMPARE(back.remoteStaticKey, info.remoteStaticKey);
    QCOMPARE(back.handshakeHash, info.handshakeHash);
    QCOMPARE(back.localNonce, info.localNonce);
    QCOMPARE(back.remoteNonce, info.remoteNonce);
    QCOMPARE(back.ended, info.ended);
    QCOMPARE(back.endReason, info.endReason);
    QVERIFY(back.feedKeys == info.feedKeys);
    // A relayed session's server leg, in its own entry.
    QVERIFY(back.serverLeg);
    QCOMPARE(back.serverLeg->peer, server->peer);
    QCOMPARE(back.serverLeg->initiator, server->initiator);
    QCOMPARE(back.serverLeg->remoteStaticKey, server->remoteStaticKey);
    QCOMPARE(back.serverLeg->handshakeHash, server->handshakeHash);
    QCOMPARE(back.serverLeg->ended, server->ended);
    QCOMPARE(back.serverLeg->endReason, server->endReason);
    QVERIFY(!back.serverLeg->localStaticKey && !back.serverLeg->serverLeg);
    // Sessions the caller said nothing about have an empty SessionInfo.
    for (auto it = read->sessionInfo.cbegin(); it != read->sessionInfo.cend(); ++it) {
        if (it.key() != session) {
            QVERIFY(it->peer.isEmpty());
            QVERIFY(!it->initiator && !it->remoteStaticKey && it->feedKeys.empty() &&
                    !it->serverLeg);
        }
    }
}

void TestCaptureFile::rejectsMalformedFiles()
{
    QFETCH(QByteArray, file);
    QFETCH(QString, error);
    capture::Limits limits;
    limits.maxRows = 2;
    limits.maxTotalBytes = 6;
    limits.maxSessions = 1;
    QString message;
    QVERIFY(!parse(file, &message, limits));
    QCOMPARE(message, error);
}

void TestCaptureFile::relayedLegsRoundTrip()
{
    // A relayed session: each row says on which leg it was seen; other sessions' rows say
    // nothing, so files from before relays (no "leg" key) read exactly as before.
    using Leg = MessageLogModel::Leg;
    MessageLogModel original;
    original.setSessionLabel(3, QStringLiteral("#3 127.0.0.1:5555 → 127.0.0.1:4000"));
    const Key32 dk = keyOf(0x6b);
    Message want(std::in_place_type<schema::Want>);
    std::get<schema::Want>(want).set_start(5);
    auto in = frame(frameOf(1, want), Direction::Inbound, dk);
    auto out = frame(frameOf(2, want), Direction::Outbound, dk);
    in.trace.plain = in.plain;
    in.trace.wire = in.wire;
    in.trace.message = &*in.message;
    out.trace.plain = out.plain;
    out.trace.wire = out.wire;
    out.trace.message = &*out.message;
    original.appendFrame(3, in.trace, MessageLogModel::WireStorage::SameAsPlain, {}, Leg::Client);
    original.appendFrame(3, out.trace, MessageLogModel::WireStorage::SameAsPlain, {}, Leg::Server);
    original.appendNote(3, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                        QStringLiteral("held"), Leg::Server);
    original.appendNote(4, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                        QStringLiteral("not relayed"));
    original.flush();

    const QByteArray bytes = save(original, allRows(original));
    const QList<QByteArray> lines = bytes.split('\n');
    QVERIFY(lines[1].contains(R"("leg":"client")"));
    QVERIFY(lines[2].contains(R"("leg":"server")"));
    QVERIFY(lines[3].contains(R"("leg":"server")"));
    QVERIFY(!lines[4].contains("leg"));

    QString error;
    const std::optional<capture::Capture> file = parse(bytes, &error);
    QVERIFY2(file, qPrintable(error));
    MessageLogModel loaded;
    QAbstractItemModelTester tester(&loaded,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    capture::addTo(
        loaded, *file, [](int id) { return id; }, QString());
    QCOMPARE(loaded.rowCount(), 4);
    QVERIFY(loaded.hasLegs());
    const Leg legs[] = {Leg::Client, Leg::Server, Leg::Server, Leg::None};
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(loaded.record(i).leg, legs[i]);
        for (const int column :
             {int(MessageLogModel::LegColumn), int(MessageLogModel::DirectionColumn)})
            QCOMPARE(loaded.index(i, column).data(), original.index(i, column).data());
    }
    QCOMPARE(loaded.index(0, MessageLogModel::DirectionColumn).data().toString(),
             QStringLiteral("client → relay"));
    QCOMPARE(loaded.index(1, MessageLogModel::DirectionColumn).data().toString(),
             QStringLiteral("relay → server"));

    // A row written before relays existed: no "leg", read as an ordinary session's row.
    const std::optional<capture::Capture> old =
        parse(header(1) + R"({"t":1,"session":1,"dir":"in","kind":"event","note":"x"})"
                          "\n",
              &error);
    QVERIFY2(old, qPrintable(error));
    MessageLogModel oldLog;
    capture::addTo(
        oldLog, *old, [](int id) { return id; }, QString());
    oldLog.flush();
    QCOMPARE(oldLog.record(0).leg, Leg::None);
    QVERIFY(!oldLog.hasLegs());
}

void TestCaptureFile::capsLineLength()
{
    capture::Limits limits;
    limits.maxLineBytes = 100;
    const QByteArray ok =
        header(1) + row(R"("kind":"event","note":")" + QByteArray(40, 'x') + "\"");
    QString error;
    QVERIFY2(parse(ok, &error, limits), qPrintable(error));

    const QByteArray longLine =
        header(1) + row(R"("kind":"event","note":")" + QByteArray(100, 'x') + "\"");
    QVERIFY(!parse(longLine, &error, limits));
    QCOMPARE(error, QStringLiteral("line 2: longer than the limit of 100 bytes"));
    // Also without a final newline, and for a file that is one endless line.
    QVERIFY(!parse(longLine.chopped(1), &error, limits));
    QCOMPARE(error, QStringLiteral("line 2: longer than the limit of 100 bytes"));
    QVERIFY(!parse(QByteArray(1000, '{'), &error, limits));
    QCOMPARE(error, QStringLiteral("line 1: longer than the limit of 100 bytes"));

    // The default caps.
    QCOMPARE(capture::MaxLineBytes, 40 * 1024 * 1024);
    QCOMPARE(capture::MaxRows, 2'000'000);
    QCOMPARE(capture::MaxTotalBytes, qint64(1) << 30);
    QVERIFY(capture::MaxLineBytes > 4 * qint64(MaxFrameSize) + 4096);
}

void TestCaptureFile::reportsFileErrors()
{
    QString error;
    QVERIFY(!capture::load(QStringLiteral("/nonexistent/dir/nope.jsonl"), &error));
    QCOMPARE(error, QStringLiteral("nope.jsonl: No such file or directory"));

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(header(1) + "{\"t\":1}\n");
    file.close();
    QVERIFY(!capture::load(path, &error));
    QCOMPARE(error, QStringLiteral("bad.jsonl: line 2: 'session' is missing"));
    // \r\n line ends are fine.
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(header(1).replace("\n", "\r\n") +
               R"({"t":1,"session":1,"dir":"in","kind":"event","note":"x"})"
               "\r\n");
    file.close();
    QVERIFY2(capture::load(path, &error), qPrintable(error));

    MessageLogModel log;
    QVERIFY(!capture::save(dir.filePath(QStringLiteral("missing/x.jsonl")), log, {}, &error));
    QVERIFY(
        error.startsWith(dir.filePath(QStringLiteral("missing/x.jsonl")) + QStringLiteral(": ")));
}

void TestCaptureFile::mainWindowSavesAndOpens()
{
    QTemporaryDir dir;
    MainWindow window;
    QCOMPARE(window.action(QStringLiteral("openLog"))->shortcut(),
             QKeySequence(Qt::CTRL | Qt::Key_O));
    QCOMPARE(window.action(QStringLiteral("saveLog"))->shortcut(),
             QKeySequence(Qt::CTRL | Qt::Key_S));
    QVERIFY(window.action(QStringLiteral("saveShownLog")));
    QVERIFY(window.action(QStringLiteral("connect"))->shortcut() !=
            QKeySequence(Qt::CTRL | Qt::Key_O));

    MessageLogModel source;
    fill(source);
    const QString path = dir.filePath(QStringLiteral("session.jsonl"));
    QString error;
    QVERIFY2(capture::save(path, source, allRows(source), &error), qPrintable(error));

    QVERIFY2(window.openLog(path, &error), qPrintable(error));
    window.logPane()->setShowKeepAlives(true);
    MessageLogModel *log = window.logModel();
    QCOMPARE(log->rowCount(), source.rowCount());
    QCOMPARE(log->sessionLabel(log->record(0).session),
             QStringLiteral("session.jsonl #1 127.0.0.1:4000"));
    QVERIFY(log->record(0).session != log->record(1).session);
    QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::MessagesTab));
    // The file's sessions can be chosen in the log's session filter.
    QComboBox *sessionFilter = window.logPane()->sessionFilterCombo();
    const int entry = sessionFilter->findData(log->record(0).session);
    QVERIFY(entry > 0);
    QCOMPARE(sessionFilter->itemText(entry), QStringLiteral("session.jsonl #1 127.0.0.1:4000"));
    sessionFilter->setCurrentIndex(entry);
    QVERIFY(window.logPane()->filterModel()->rowCount() > 0);
    QVERIFY(window.logPane()->filterModel()->rowCount() < log->rowCount());
    sessionFilter->setCurrentIndex(0);
    // Every loaded row can be selected and shows what the original showed.
    LogPane original(&source, nullptr);
    for (int i = 0; i < log->rowCount(); ++i) {
        const QStringList expected = shown(original, i);
        QVERIFY(expected.size() > 2);
        QCOMPARE(shown(*window.logPane(), i), expected);
    }

    // Opened twice: the rows of the second copy get sessions of their own.
    QVERIFY(window.openLog(path, &error));
    QCOMPARE(log->rowCount(), 2 * source.rowCount());
    QVERIFY(log->record(source.rowCount()).session > log->record(source.rowCount() - 1).session);
    QCOMPARE(log->sessionLabel(log->record(source.rowCount()).session),
             QStringLiteral("session.jsonl (2) #1 127.0.0.1:4000"));

    // Save all rows, then only the shown ones (keepalives hidden).
    const QString all = dir.filePath(QStringLiteral("all.jsonl"));
    QVERIFY2(window.saveLog(all, false, &error), qPrintable(error));
    std::optional<capture::Capture> saved = capture::load(all, &error);
    QVERIFY2(saved, qPrintable(error));
    QCOMPARE(int(saved->rows.size()), 2 * source.rowCount());
    QCOMPARE(saved->sessionLabels.value(log->record(0).session),
             QStringLiteral("session.jsonl #1 127.0.0.1:4000"));

    window.logPane()->setShowKeepAlives(false);
    const int shownRows = window.logPane()->filterModel()->rowCount();
    QCOMPARE(shownRows, 2 * (source.rowCount() - 3));
    const QString some = dir.filePath(QStringLiteral("shown.jsonl"));
    QVERIFY2(window.saveLog(some, true, &error), qPrintable(error));
    saved = capture::load(some, &error);
    QVERIFY2(saved, qPrintable(error));
    QCOMPARE(int(saved->rows.size()), shownRows);
    for (const capture::Row &row : saved->rows)
        QVERIFY(row.record.kind != MessageLogModel::Kind::KeepAlive);

    // A bad file loads nothing and says why.
    const QString bad = dir.filePath(QStringLiteral("bad.jsonl"));
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(header(2) + row(R"("kind":"event","note":"x")"));
    file.close();
    QVERIFY(!window.openLog(bad, &error));
    QCOMPARE(error, QStringLiteral("bad.jsonl: truncated: the header announces 2 rows, the file "
                                   "has 1"));
    QCOMPARE(log->rowCount(), 2 * source.rowCount());
}

// A real session (the built-in demo: Noise, XSalsa20, every message type, keepalives, a
// warning) saved and opened in another window: every row shows the same fields and bytes.
// With HYPERSCOPE_CAPTURE_SAMPLE=FILE set, the capture is also kept there (for screenshots).
void TestCaptureFile::demoSessionRoundTrip()
{
    MainWindow live;
    QVERIFY(live.startDemo());
    live.demo()->setInterval(20);
    MessageLogModel *log = live.logModel();
    auto count = [log](MessageLogModel::Kind kind, int type = -1) {
        int n = 0;
        for (int row = 0; row < log->rowCount(); ++row)
            n += log->record(row).kind == kind && (type < 0 || log->record(row).type == type);
        return n;
    };
    auto everything = [&] {
        log->flush();
        if (live.demo()->cycles() < 1)
            return false;
        for (int type : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15})
            if (count(MessageLogModel::Kind::Frame, type) == 0)
                return false;
        return count(MessageLogModel::Kind::KeepAlive) > 0 &&
               count(MessageLogModel::Kind::Handshake) == 6;
    };
    QTRY_VERIFY_WITH_TIMEOUT(everything(), 30000);
    live.stopDemo();
    QTRY_VERIFY_WITH_TIMEOUT(!live.demo()->isRunning(), 10000);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("demo.jsonl"));
    QString error;
    QVERIFY2(live.saveLog(path, false, &error), qPrintable(error));
    const int rows = log->rowCount();
    if (const QByteArray keep = qgetenv("HYPERSCOPE_CAPTURE_SAMPLE"); !keep.isEmpty()) {
        QFile::remove(QString::fromLocal8Bit(keep));
        QVERIFY(QFile::copy(path, QString::fromLocal8Bit(keep)));
    }

    MainWindow opened;
    opened.logPane()->setShowKeepAlives(true);
    live.logPane()->setShowKeepAlives(true);
    QVERIFY2(opened.openLog(path, &error), qPrintable(error));
    QCOMPARE(opened.logModel()->rowCount(), rows);
    int encrypted = 0;
    for (int i = 0; i < rows; ++i) {
        const MessageLogModel::Record &r = log->record(i);
        encrypted += !(r.flags & MessageLogModel::PlainOnWire);
        QCOMPARE(opened.logModel()->record(i).flags, r.flags);
        QCOMPARE(opened.logModel()->wireBytes(i), log->wireBytes(i));
        const QStringList expected = shown(*live.logPane(), i);
        QVERIFY(expected.size() > 2);
        QCOMPARE(shown(*opened.logPane(), i), expected);
    }
    QVERIFY(encrypted > 0);
}

QTEST_MAIN(TestCaptureFile)
#include "tst_capturefile.moc"
