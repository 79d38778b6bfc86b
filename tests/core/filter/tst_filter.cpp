// The filter language (core/filter): a table of expressions against a table of rows covering every
// field kind and operator, precedence, errors with their columns, and hostile input.
#include "fieldcatalogue.h"
#include "filter.h"
#include "framer.h"
#include "messages.h"

#include <QElapsedTimer>
#include <QtTest>

#include <map>

using namespace hyperscope;
using namespace hyperscope::filter;

namespace {

/// A row and the bytes its views point into.
struct TestRow
{
    Row row;
    Bytes payload;
    Bytes discoveryKey;
    Bytes feedKey;
    std::string extension;
    std::string warning;
    std::string error;
};

std::string binary(std::initializer_list<int> bytes)
{
    std::string out;
    for (const int b : bytes)
        out += static_cast<char>(b);
    return out;
}

/// The rows every expression runs against, by name. Views are set by finish() once the strings are
/// in place (the map never moves its values).
std::map<std::string, TestRow> &rows()
{
    static std::map<std::string, TestRow> table = [] {
        std::map<std::string, TestRow> t;
        const auto withMessage = [](TestRow &r, const Message &message) {
            appendMessage(r.payload, message);
            r.row.type = static_cast<int>(messageType(message));
        };
        {
            TestRow &r = t["request"];
            schema::Request m;
            m.set_index(7);
            m.set_bytes(100);
            m.set_hash(true);
            m.set_nodes(3);
            withMessage(r, Message(m));
            r.row.direction = Direction::Inbound;
            r.row.session = 1;
            r.row.channel = 2;
            r.discoveryKey =
                *fromHex("6b7ecf9c00112233445566778899aabbccddeeff00112233445566778899aabb");
            r.feedKey =
                *fromHex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
            r.row.size = 12;
            r.row.time = 1500;
        }
        {
            TestRow &r = t["data"];
            schema::Data m;
            m.set_index(1000);
            m.set_value("hello error world");
            for (const int index : {4, 9}) {
                auto *node = m.add_nodes();
                node->set_index(std::uint64_t(index));
                node->set_hash(binary({0xaa, 0xbb}));
                node->set_size(10);
            }
            m.set_signature(binary({0xff, 0x00, 0xff}));
            withMessage(r, Message(m));
            r.row.direction = Direction::Outbound;
            r.row.session = 2;
            r.row.leg = Leg::Server;
            r.row.channel = 1;
            r.discoveryKey =
                *fromHex("00ff00ff00112233445566778899aabbccddeeff00112233445566778899aabb");
            r.row.size = 70;
            r.row.time = 2500;
        }
        {
            TestRow &r = t["options"];
            schema::Options m;
            m.add_extensions("hypercore/alpha");
            m.add_extensions("beta");
            m.set_ack(true);
            withMessage(r, Message(m));
            r.row.direction = Direction::Inbound;
            r.row.session = 1;
            r.row.leg = Leg::Client;
            r.row.size = 30;
        }
        {
            TestRow &r = t["have"];
            schema::Have m;
            m.set_start(0);
            m.set_length(1000);
            m.set_bitfield(binary({0x00, 0xff, 0x00}));
            withMessage(r, Message(m));
            r.row.direction = Direction::Inbound;
            r.row.session = 1;
            r.row.channel = 2;
        }
        {
            TestRow &r = t["status"];
            schema::Status m;
            m.set_uploading(false);
            withMessage(r, Message(m));
            r.row.direction = Direction::Outbound;
            r.row.session = 1;
            r.row.channel = 2;
        }
        {
            TestRow &r = t["open"];
            schema::Open m;
            m.set_discoverykey(binary({0x6b, 0x7e}));
            m.set_capability(binary({0xcc, 0xcc}));
            withMessage(r, Message(m));
            r.row.direction = Direction::Outbound;
            r.row.session = 1;
            r.row.channel = 0;
        }
        {
            TestRow &r = t["keepalive"];
            r.row.type = Row::KeepaliveType;
            r.row.direction = Direction::Outbound;
            r.row.session = 1;
            r.row.size = 1;
        }
        {
            TestRow &r = t["extension"];
            r.row.type = static_cast<int>(MessageType::Extension);
            r.row.direction = Direction::Inbound;
            r.row.session = 3;
            r.extension = "hypercore/alpha";
        }
        {
            TestRow &r = t["warning"];
            r.row.session = 1;
            r.warning = "unexpected Open on channel 2";
        }
        {
            TestRow &r = t["error"];
            r.row.session = 4;
            r.error = "RemoteKeyRejected: handshake refused";
        }
        for (auto &[name, r] : t) {
            if (!r.payload.empty() || (r.row.type >= 0 && r.row.type <= 10))
                r.row.payload = ByteView(r.payload);
            r.row.discoveryKey = ByteView(r.discoveryKey);
            r.row.feedKey = ByteView(r.feedKey);
            if (!r.extension.empty())
                r.row.extension = r.extension;
            if (!r.warning.empty())
                r.row.warning = r.warning;
            if (!r.error.empty())
                r.row.error = r.error;
        }
        return t;
    }();
    return table;
}

Filter compiled(const QString &expression)
{
    FilterError error;
    const std::optional<Filter> filter = Filter::compile(expression.toStdString(), error);
    if (!filter)
        qFatal("'%s' did not compile: %s", qPrintable(expression), error.toString().c_str());
    return *filter;
}

QString matchingRows(const Filter &filter)
{
    QStringList names;
    for (const auto &[name, r] : rows()) {
        if (filter.matches(r.row))
            names << QString::fromStdString(name);
    }
    return names.join(QLatin1Char(','));
}

} // namespace

class tst_Filter : public QObject
{
    Q_OBJECT
private slots:
    void matchesRows_data();
    void matchesRows();
    void emptyExpressionMatchesEverything();
    void catalogueFollowsTheSchema();
    void reportsErrorsWithColumns_data();
    void reportsErrorsWithColumns();
    void boundsHostileInput_data();
    void boundsHostileInput();
    void boundsPathologicalRegex();
    void malformedPayloadIsAbsent();
    void setMessageEncodes();
    void setFrameReadsPlainFrames();
    void usesMessageFields();
};

void tst_Filter::matchesRows_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("expected"); // names of the matching rows, sorted

    // type, with message names as in the protocol
    QTest::newRow("type ==") << "type == Request"
                             << "request";
    QTest::newRow("type !=") << "type != Request"
                             << "data,extension,have,keepalive,open,options,status";
    QTest::newRow("type in") << "type in {Request, Data}"
                             << "data,request";
    QTest::newRow("type Keepalive") << "type == Keepalive"
                                    << "keepalive";
    QTest::newRow("type Extension") << "type == Extension"
                                    << "extension";
    QTest::newRow("type number") << "type == 7"
                                 << "request";
    QTest::newRow("type presence") << "type"
                                   << "data,extension,have,keepalive,open,options,request,status";
    // dir and leg
    QTest::newRow("dir in") << "dir == in"
                            << "extension,have,options,request";
    QTest::newRow("dir out") << "dir == OUT"
                             << "data,keepalive,open,status";
    QTest::newRow("dir set") << "dir in {in, out} && type == Data"
                             << "data";
    QTest::newRow("leg") << "leg == server"
                         << "data";
    QTest::newRow("leg presence") << "leg"
                                  << "data,options";
    QTest::newRow("leg !=") << "leg != server"
                            << "options";
    // integers
    QTest::newRow("session ==") << "session == 2"
                                << "data";
    QTest::newRow("session >=") << "session >= 3"
                                << "error,extension";
    QTest::newRow("channel <") << "channel < 2"
                               << "data,open";
    QTest::newRow("channel <=") << "channel <= 1"
                                << "data,open";
    QTest::newRow("size >") << "size > 12"
                            << "data,options";
    QTest::newRow("time hex") << "time == 0x5dc"
                              << "request";
    QTest::newRow("int set ranges") << "size in {1..12, 70}"
                                    << "data,keepalive,request";
    QTest::newRow("absent != is false") << "size != 12"
                                        << "data,keepalive,options";
    // message fields by schema name
    QTest::newRow("index >") << "index > 5"
                             << "data,request";
    QTest::newRow("type && index") << "type == Request && index > 5"
                                   << "request";
    QTest::newRow("index range") << "index in {1..100, 1000}"
                                 << "data,request";
    QTest::newRow("start") << "start == 0"
                           << "have";
    QTest::newRow("length") << "length >= 1000"
                            << "have";
    QTest::newRow("bytes (Request's integer)") << "bytes == 100"
                                               << "request";
    QTest::newRow("nodes as Request's integer") << "nodes == 3"
                                                << "request";
    QTest::newRow("nodes presence (both)") << "nodes"
                                           << "data,request";
    QTest::newRow("nodes.index any") << "nodes.index == 9"
                                     << "data";
    QTest::newRow("nodes.index none") << "nodes.index == 5"
                                      << "";
    QTest::newRow("nodes.index !=") << "nodes.index != 5"
                                    << "data";
    QTest::newRow("nodes.hash") << "nodes.hash == aa:bb"
                                << "data";
    QTest::newRow("nodes.size") << "nodes.size < 11"
                                << "data";
    QTest::newRow("signature presence") << "signature"
                                        << "data";
    QTest::newRow("not signature") << "!signature && type == Request"
                                   << "request";
    QTest::newRow("bool true") << "hash == true"
                               << "request";
    QTest::newRow("bool false set") << "uploading == false"
                                    << "status";
    QTest::newRow("bool presence") << "uploading"
                                   << "status";
    QTest::newRow("downloading absent") << "downloading"
                                        << "";
    QTest::newRow("ack") << "ack == TRUE"
                         << "options";
    // bytes
    QTest::newRow("value contains text") << "value contains \"error\""
                                         << "data";
    QTest::newRow("value contains hex") << "signature contains 00:ff"
                                        << "data";
    QTest::newRow("value contains plain hex") << "bitfield contains ff00"
                                              << "have";
    QTest::newRow("bytes == hex") << "bitfield == 00:ff:00"
                                  << "have";
    QTest::newRow("bytes == text") << "value == \"hello error world\""
                                   << "data";
    QTest::newRow("bytes !=") << "value != \"x\""
                              << "data";
    QTest::newRow("bytes matches") << "value matches \"^hel+o\\s\""
                                   << "data";
    QTest::newRow("bytes matches binary") << "signature matches \"\\\\x00\""
                                          << "data";
    QTest::newRow("bytes in") << "capability in {\"x\", cc:cc}"
                              << "open";
    QTest::newRow("discoveryKey field") << "discoveryKey == 6b7e"
                                        << "open";
    QTest::newRow("dk prefix") << "dk == 6b7ecf"
                               << "request";
    QTest::newRow("dk prefix colons") << "dk == 00:ff"
                                      << "data";
    QTest::newRow("dk presence") << "dk"
                                 << "data,request";
    QTest::newRow("key")
        << "key == 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        << "request";
    QTest::newRow("dk string escape") << "dk contains \"\\x6b\\x7e\""
                                      << "request";
    // text
    QTest::newRow("extensions any") << "extensions == beta"
                                    << "options";
    QTest::newRow("extensions matches") << "extensions matches \"^hypercore/\""
                                        << "options";
    QTest::newRow("extensions contains") << "extensions contains \"alp\""
                                         << "options";
    QTest::newRow("ext") << "ext == \"hypercore/alpha\""
                         << "extension";
    QTest::newRow("ext bare word") << "ext contains alpha"
                                   << "extension";
    QTest::newRow("warning presence") << "warning"
                                      << "warning";
    QTest::newRow("warning contains") << "warning contains \"Open\""
                                      << "warning";
    QTest::newRow("error matches") << "error matches \"^Remote\""
                                   << "error";
    QTest::newRow("error or warning") << "error || warning"
                                      << "error,warning";
    // keywords, precedence, parentheses
    QTest::newRow("and keyword") << "type == Request AND index > 5"
                                 << "request";
    QTest::newRow("or keyword") << "type == Request Or type == Have"
                                << "have,request";
    QTest::newRow("not keyword") << "NOT type && session == 1"
                                 << "warning";
    QTest::newRow("and binds tighter than or") << "type == Have || type == Request && index > 100"
                                               << "have";
    QTest::newRow("parentheses") << "(type == Have || type == Request) && session == 1"
                                 << "have,request";
    // ! applies to a whole test (as in Wireshark): !(type == Request), not (!type) == Request.
    QTest::newRow("not takes a whole test")
        << "!type == Request || session == 4"
        << "data,error,extension,have,keepalive,open,options,status,warning";
    QTest::newRow("not parenthesised") << "!(type == Request || type)"
                                       << "error,warning";
    QTest::newRow("double not") << "!!leg"
                                << "data,options";
    QTest::newRow("not of absent comparison") << "!(index == 7) && type == Data"
                                              << "data";
    QTest::newRow("long and chain") << "session && dir && type && channel && size"
                                    << "data,request";
    QTest::newRow("whitespace") << "  \ttype\n==\rData  "
                                << "data";
    QTest::newRow("field of another type") << "index > 0 && type == Have"
                                           << "";
}

void tst_Filter::matchesRows()
{
    QFETCH(QString, expression);
    QFETCH(QString, expected);
    QCOMPARE(matchingRows(compiled(expression)), expected);
}

void tst_Filter::emptyExpressionMatchesEverything()
{
    for (const char *blank : {"", "   ", "\t\n"}) {
        const Filter filter = compiled(QString::fromLatin1(blank));
        QVERIFY(filter.isEmpty());
        QCOMPARE(matchingRows(filter).count(QLatin1Char(',')) + 1, int(rows().size()));
    }
    QVERIFY(Filter().isEmpty());
    QVERIFY(Filter().matches(Row()));
}

void tst_Filter::catalogueFollowsTheSchema()
{
    // Every field of every message, from the descriptors (no second hand-written list).
    for (std::uint8_t type = 0; type <= static_cast<std::uint8_t>(MessageType::Close); ++type) {
        const auto *descriptor =
            asProtobuf(*makeMessage(static_cast<MessageType>(type))).GetDescriptor();
        for (int i = 0; i < descriptor->field_count(); ++i) {
            const FieldInfo *field = findField(descriptor->field(i)->name());
            QVERIFY2(field, descriptor->field(i)->name().c_str());
            QCOMPARE(field->source, RowField::Message);
        }
    }
    for (const char *name :
         {"type",        "dir",        "session",    "leg",          "channel",  "dk",
          "key",         "size",       "time",       "ext",          "warning",  "error",
          "index",       "start",      "length",     "bytes",        "value",    "nodes",
          "nodes.index", "nodes.hash", "nodes.size", "signature",    "bitfield", "uploading",
          "downloading", "extensions", "capability", "discoveryKey", "ack",      "hash"})
        QVERIFY2(findField(name), name);
    QVERIFY(!findField("Index"));
    QCOMPARE(findField("nodes")->locations.size(), std::size_t(2)); // Request's and Data's
    QCOMPARE(findField("value")->kind, ValueKind::Bytes);
    QCOMPARE(findField("extensions")->kind, ValueKind::Text);
    QVERIFY(findField("extensions")->locations.front().repeated);
    QVERIFY(findField("nodes.index")->locations.front().repeated);
}

void tst_Filter::reportsErrorsWithColumns_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("error"); // the whole FilterError::toString()

    QTest::newRow("unknown field") << "type == Data && indx > 5"
                                   << "filter: column 17: unknown field 'indx' (did you mean "
                                      "'index'?)";
    QTest::newRow("issue's example") << "index > 5 || indx > 5"
                                     << "filter: column 14: unknown field 'indx' (did you mean "
                                        "'index'?)";
    QTest::newRow("case suggestion") << "discoverykey"
                                     << "filter: column 1: unknown field "
                                        "'discoverykey' (did you mean "
                                        "'discoveryKey'?)";
    QTest::newRow("nothing close") << "zzzzzzzz"
                                   << "filter: column 1: unknown field 'zzzzzzzz'";
    QTest::newRow("message name case") << "type == request"
                                       << "filter: column 9: unknown message type 'request' (did "
                                          "you mean 'Request'?)";
    QTest::newRow("missing value") << "index >"
                                   << "filter: column 8: expected an integer after '>', got the "
                                      "end of the expression";
    QTest::newRow("bytes ordering") << "value > 5"
                                    << "filter: column 7: 'value' is bytes: it takes ==, !=, "
                                       "contains, matches or in, not '>'";
    QTest::newRow("integer contains") << "index contains 5"
                                      << "filter: column 7: 'index' is an integer: it takes ==, "
                                         "!=, <, <=, >, >= or in, not 'contains'";
    QTest::newRow("odd hex") << "value contains 0"
                             << "filter: column 16: expected bytes for 'value': \"text\" or hex "
                                "like 00:ff after 'contains', got '0'";
    QTest::newRow("bad hex pairs") << "value == 0:ff"
                                   << "filter: column 10: expected bytes for 'value': \"text\" or "
                                      "hex like 00:ff after '==', got '0:ff'";
    QTest::newRow("single =") << "index = 5"
                              << "filter: column 7: expected '==' (a single '=' is not an "
                                 "operator)";
    QTest::newRow("single &") << "index & 5"
                              << "filter: column 7: expected '&&'";
    QTest::newRow("unclosed paren") << "(type == Data"
                                    << "filter: column 14: expected ')' to close the '(' at "
                                       "column 1, got the end of the expression";
    QTest::newRow("extra paren") << "type == Data)"
                                 << "filter: column 13: unbalanced ')'";
    QTest::newRow("unterminated string") << "value contains \"abc"
                                         << "filter: column 16: unterminated string: expected a "
                                            "closing '\"'";
    QTest::newRow("bad escape") << "value contains \"\\xg1\""
                                << "filter: column 17: expected two hex digits after \\x";
    QTest::newRow("bad regex") << "value matches \"(\""
                               << "filter: column 15: invalid regular expression: missing "
                                  "closing parenthesis";
    QTest::newRow("regex limit override") << "value matches \"(*LIMIT_MATCH=100000000)a\""
                                          << "filter: column 15: a regular expression may not "
                                             "start with a (*...) option";
    QTest::newRow("regex unquoted") << "value matches abc"
                                    << "filter: column 15: expected a regular expression in "
                                       "quotes after 'matches', got 'abc'";
    QTest::newRow("integer overflow") << "index == 18446744073709551616"
                                      << "filter: column 10: integer out of range (above 2^64 - "
                                         "1)";
    QTest::newRow("range outside set") << "index == 1..5"
                                       << "filter: column 10: a range (1..5) only goes in a set: "
                                          "in {1..5}";
    QTest::newRow("empty range") << "index in {5..1}"
                                 << "filter: column 11: empty range 5..1: the first bound is "
                                    "larger";
    QTest::newRow("unclosed set") << "index in {1, 2"
                                  << "filter: column 15: expected ',' or '}' to close the '{' at "
                                     "column 10, got the end of the expression";
    QTest::newRow("set without brace") << "index in 1"
                                       << "filter: column 10: expected '{' after 'in', got '1'";
    QTest::newRow("dir value") << "dir == up"
                               << "filter: column 8: expected 'in' or 'out' after '==', got 'up'";
    QTest::newRow("leg value") << "leg == middle"
                               << "filter: column 8: expected 'client' or 'server' after '==', "
                                  "got 'middle'";
    QTest::newRow("bool value") << "ack == yes"
                                << "filter: column 8: expected true or false after '==', got "
                                   "'yes'";
    QTest::newRow("nested message compared") << "nodes contains 5"
                                             << "filter: column 7: 'nodes' is an integer: it "
                                                "takes ==, !=, <, <=, >, >= or in, not "
                                                "'contains'";
    QTest::newRow("dangling and") << "type &&"
                                  << "filter: column 8: expected a field name, '!' or '(', got "
                                     "the end of the expression";
    QTest::newRow("two fields") << "type index"
                                << "filter: column 6: expected an operator (==, !=, <, <=, >, >=, "
                                   "contains, matches, in), '&&', '||' or ')' after 'type', got "
                                   "'index'";
    QTest::newRow("keyword as field") << "and"
                                      << "filter: column 1: expected a field name "
                                         "before 'and'";
    QTest::newRow("stray character") << "index == 5 $"
                                     << "filter: column 12: unexpected character '$'";
    QTest::newRow("columns count characters") << "value == \"é\" && x"
                                              << "filter: column 17: unknown field 'x'";
    QTest::newRow("control byte") << QString::fromLatin1("index\x01")
                                  << "filter: column 6: unexpected character (byte 0x01): quote "
                                     "text in \"...\"";
}

void tst_Filter::reportsErrorsWithColumns()
{
    QFETCH(QString, expression);
    QFETCH(QString, error);
    FilterError failure;
    QVERIFY(!Filter::compile(expression.toStdString(), failure));
    QCOMPARE(QString::fromStdString(failure.toString()), error);
}

void tst_Filter::boundsHostileInput_data()
{
    QTest::addColumn<QByteArray>("expression");
    QTest::addColumn<QString>("error"); // a substring; empty: compiles

    QTest::newRow("deep parentheses")
        << QByteArray(10000, '(') << "column 65: nested deeper than 64 levels";
    QTest::newRow("deep negations") << QByteArray(10000, '!') + "type"
                                    << "column 65: nested deeper than 64 levels";
    QTest::newRow("depth limit is usable")
        << QByteArray(64, '(') + "type" + QByteArray(64, ')') << "";
    QTest::newRow("too long") << QByteArray(100000, '(')
                              << "column 65537: the expression is longer than 65536 bytes";
    QTest::newRow("huge literal") << "value contains \"" + QByteArray(1 << 20, 'a') + "\""
                                  << "the expression is longer than 65536 bytes";
    QTest::newRow("long or chain") << [] {
        QByteArray text = "type == Data";
        while (text.size() < 60000)
            text += " || index == 5";
        return text;
    }() << "";
    QTest::newRow("huge set") << "index in {" + QByteArray("1,").repeated(5000) + "1}"
                              << "more than 4096 elements in one set";
    QTest::newRow("long regex") << "value matches \"" + QByteArray(5000, 'a') + "\""
                                << "regular expression longer than 4096 characters";
    QTest::newRow("NUL bytes") << QByteArray("type\0==", 7) << "unexpected character (byte 0x00)";
    QTest::newRow("invalid UTF-8") << QByteArray("\xff\xfe") << "unexpected character (byte 0xff)";
    QTest::newRow("huge unknown word") << QByteArray(60000, 'q') << "unknown field 'qqqq";
}

void tst_Filter::boundsHostileInput()
{
    QFETCH(QByteArray, expression);
    QFETCH(QString, error);
    QElapsedTimer timer;
    timer.start();
    FilterError failure;
    const std::optional<Filter> filter =
        Filter::compile(std::string_view(expression.constData(), expression.size()), failure);
    if (error.isEmpty()) {
        QVERIFY2(filter, failure.toString().c_str());
        matchingRows(*filter); // evaluates without recursing per operand
    } else {
        QVERIFY(!filter);
        QVERIFY2(QString::fromStdString(failure.toString()).contains(error),
                 failure.toString().c_str());
        QVERIFY(failure.toString().size() < 300); // an error names a token, never pastes it all
    }
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
}

void tst_Filter::boundsPathologicalRegex()
{
    // Exponential backtracking in a naive engine: PCRE2's match limit makes it give up.
    const Filter filter = compiled(QStringLiteral("value matches \"^(a+)+$\""));
    schema::Data data;
    data.set_index(0);
    data.set_value(std::string(5000, 'a') + "b");
    Bytes scratch;
    Row row;
    setMessage(row, Message(data), scratch);
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!filter.matches(row));
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
}

void tst_Filter::malformedPayloadIsAbsent()
{
    Row row;
    row.type = static_cast<int>(MessageType::Request);
    const Bytes garbage = {0x08, 0xff}; // index, truncated varint
    row.payload = ByteView(garbage);
    QVERIFY(!compiled(QStringLiteral("index == 127")).matches(row));
    QVERIFY(!compiled(QStringLiteral("index")).matches(row));
    QVERIFY(compiled(QStringLiteral("!index")).matches(row));
    QVERIFY(compiled(QStringLiteral("type == Request")).matches(row));
}

void tst_Filter::setMessageEncodes()
{
    schema::Want want;
    want.set_start(42);
    Bytes scratch;
    Row row;
    setMessage(row, Message(want), scratch);
    QCOMPARE(row.type, int(MessageType::Want));
    QVERIFY(compiled(QStringLiteral("type == Want && start == 42 && !length")).matches(row));
}

void tst_Filter::setFrameReadsPlainFrames()
{
    schema::Request request;
    request.set_index(7);
    Bytes payload;
    appendMessage(payload, Message(request));
    Bytes frame;
    appendFrame(frame, 3, MessageType::Request, payload);
    Row row;
    QVERIFY(setFrame(row, frame));
    QCOMPARE(row.type, int(MessageType::Request));
    QCOMPARE(row.channel, std::optional<std::uint64_t>(3));
    QCOMPARE(row.size, std::optional<std::uint64_t>(frame.size()));
    QVERIFY(compiled(QStringLiteral("type == Request && channel == 3 && index == 7")).matches(row));

    const Bytes keepalive = {0x00};
    QVERIFY(setFrame(row, keepalive));
    QCOMPARE(row.type, Row::KeepaliveType);
    QVERIFY(!row.payload);
    QVERIFY(compiled(QStringLiteral("type == Keepalive && !index")).matches(row));

    Bytes extension;
    appendFrame(extension, 0, 15, Bytes{0x00, 0x01});
    QVERIFY(setFrame(row, extension));
    QCOMPARE(row.type, int(MessageType::Extension));
    QVERIFY(!row.payload);

    Row untouched;
    for (const Bytes &broken : {Bytes{}, Bytes{0x05, 0x01}, Bytes{0x01}, Bytes{0x02, 0x80, 0x80}})
        QVERIFY(!setFrame(untouched, broken));
    QCOMPARE(untouched.type, Row::NoType);
}

void tst_Filter::usesMessageFields()
{
    QVERIFY(!compiled(QStringLiteral("type == Data && session == 1")).usesMessageFields());
    QVERIFY(compiled(QStringLiteral("type == Data && index == 1")).usesMessageFields());
    QCOMPARE(compiled(QStringLiteral("index == 1")).expression(), std::string("index == 1"));
}

QTEST_APPLESS_MAIN(tst_Filter)
#include "tst_filter.moc"
