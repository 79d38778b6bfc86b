// Tests core/cli/jsonevents.cpp's direct JSON writer: the "message" and "frame" events it writes
// without QJsonObject must be byte for byte what QJsonDocument writes for the same objects (the
// way they were built before, kept here as the reference), for every message type and for the
// values where Qt's writer has rules of its own (numbers beyond 2^53, escapes, invalid UTF-8).
// Also: EventPrinter writes one burst of lines at once, when control returns to the event loop.
#include "jsonevents.h"
#include "messagejson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryFile>
#include <QtTest>

#include <cstdio>

using namespace hyperscope;

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// The "message" event as jsonevents.cpp built it with QJsonObject.
QByteArray referenceMessageEvent(int session, const ChannelInfo &channel, const Message &message)
{
    QJsonObject object{{QStringLiteral("event"), QStringLiteral("message")},
                       {QStringLiteral("session"), session}};
    object.insert(QStringLiteral("discoveryKey"), hexString(channel.discoveryKey));
    object.insert(QStringLiteral("type"),
                  QLatin1String(messageTypeName(static_cast<std::uint8_t>(messageType(message)))));
    object.insert(QStringLiteral("message"), messageToJson(message));
    return compact(object);
}

/// The "frame" event as jsonevents.cpp built it with QJsonObject.
QByteArray referenceFrameEvent(int session, const FrameTrace &frame)
{
    QJsonObject object{{QStringLiteral("event"), QStringLiteral("frame")},
                       {QStringLiteral("session"), session}};
    object.insert(QStringLiteral("direction"), frame.direction == Direction::Inbound
                                                   ? QStringLiteral("in")
                                                   : QStringLiteral("out"));
    object.insert(QStringLiteral("channel"), double(frame.channel));
    object.insert(QStringLiteral("type"), frame.keepAlive
                                              ? QStringLiteral("Keepalive")
                                              : QString::fromLatin1(messageTypeName(frame.type)));
    object.insert(QStringLiteral("length"), double(frame.plain.size()));
    object.insert(QStringLiteral("wire"), hexString(frame.wire));
    object.insert(QStringLiteral("plain"), hexString(frame.plain));
    return compact(object);
}

ChannelInfo channelOf(std::uint8_t fill)
{
    ChannelInfo channel;
    channel.discoveryKey.fill(fill);
    channel.localId = 1;
    channel.remoteId = 2;
    return channel;
}

/// uint64 values around the places where Qt's number writer changes form.
const std::vector<std::uint64_t> &edgeNumbers()
{
    static const std::vector<std::uint64_t> numbers{
        0,
        1,
        1024,
        999999999999999,
        1000000000000000,
        4503599627370497,
        9000000000000000,
        9007199254740991,
        9007199254740992,
        9007199254740993,
        9007199254740994,
        10000000000000000,
        100000000000000000,
        123456789012345678,
        std::uint64_t(1) << 60,
        18446744073709551615u,
    };
    return numbers;
}

/// Strings whose escapes differ between writers: quotes, backslashes, every control character,
/// DEL, non-ASCII, U+2028, and bytes that are not UTF-8.
std::vector<std::string> edgeStrings()
{
    std::vector<std::string> out{"",
                                 "plain",
                                 "quote\" backslash\\ slash/",
                                 "caf\xc3\xa9",
                                 "line\xe2\x80\xa8separator",
                                 "\x7f",
                                 "bad\xff\xfe utf8",
                                 "overlong \xc0\xaf",
                                 std::string("nul\0byte", 8)};
    std::string controls;
    for (char c = 1; c < 0x20; ++c)
        controls.push_back(c);
    out.push_back(controls);
    return out;
}

/// Every type, with every field set, and with none of the optional ones.
std::vector<Message> everyMessage()
{
    std::vector<Message> out;
    schema::Open open;
    open.set_discoverykey(std::string(32, '\x11'));
    open.set_capability(std::string(32, '\x22'));
    out.emplace_back(open);
    schema::Open bareOpen;
    bareOpen.set_discoverykey(std::string(32, '\x00'));
    out.emplace_back(bareOpen);
    schema::Options options;
    for (const std::string &name : edgeStrings())
        options.add_extensions(name);
    options.set_ack(true);
    out.emplace_back(options);
    out.emplace_back(schema::Options());
    schema::Status status;
    status.set_uploading(true);
    status.set_downloading(false);
    out.emplace_back(status);
    out.emplace_back(schema::Status());
    for (const std::uint64_t n : edgeNumbers()) {
        schema::Have have;
        have.set_start(n);
        have.set_length(n / 3);
        have.set_bitfield(std::string("\x00\x01\xff", 3));
        have.set_ack(false);
        out.emplace_back(have);
    }
    schema::Unhave unhave;
    unhave.set_start(5);
    out.emplace_back(unhave);
    schema::Want want;
    want.set_start(0);
    want.set_length(1000);
    out.emplace_back(want);
    schema::Unwant unwant;
    unwant.set_start(10);
    unwant.set_length(20);
    out.emplace_back(unwant);
    schema::Request request;
    request.set_index(7);
    request.set_bytes(1024);
    request.set_hash(true);
    request.set_nodes(3);
    out.emplace_back(request);
    schema::Cancel cancel;
    cancel.set_index(7);
    cancel.set_bytes(1024);
    cancel.set_hash(false);
    out.emplace_back(cancel);
    schema::Data data;
    data.set_index(9);
    data.set_value(std::string(1024, 'v'));
    for (int i = 0; i < 3; ++i) {
        auto *node = data.add_nodes();
        node->set_index(std::uint64_t(i) << 58);
        node->set_hash(std::string(32, char(i)));
        node->set_size(4096);
    }
    data.set_signature(std::string(64, 's'));
    out.emplace_back(data);
    schema::Data bareData;
    bareData.set_index(0);
    out.emplace_back(bareData);
    schema::Close close;
    close.set_discoverykey(std::string(32, '\x33'));
    out.emplace_back(close);
    out.emplace_back(schema::Close());
    // Unknown fields are not represented.
    schema::Want withUnknown = want;
    withUnknown.mutable_unknown_fields()->AddVarint(15, 5);
    out.emplace_back(withUnknown);
    return out;
}

QByteArray readAll(std::FILE *file)
{
    std::fflush(file);
    std::rewind(file);
    QByteArray out;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0)
        out.append(buffer, qsizetype(n));
    return out;
}

} // namespace

class TestJsonEvents : public QObject
{
    Q_OBJECT

private slots:
    void messageEventsMatchQJsonDocument()
    {
        const std::vector<Message> messages = everyMessage();
        std::array<bool, 16> seen{};
        for (const Message &message : messages) {
            seen[std::size_t(messageType(message))] = true;
            for (const int session : {0, 1, 4242}) {
                const ChannelInfo channel = channelOf(std::uint8_t(session));
                const QByteArray fast = messageEvent(session, channel, message).toJson();
                const QByteArray reference = referenceMessageEvent(session, channel, message);
                QCOMPARE(fast, reference);
            }
        }
        // Every type there is, Open to Close.
        for (int type = 0; type <= int(MessageType::Close); ++type)
            QVERIFY2(seen[std::size_t(type)], qPrintable(QString::number(type)));
    }

    void frameEventsMatchQJsonDocument()
    {
        const Bytes wire{0x05, 0x12, 0xff, 0x00};
        const Bytes plain{0x04, 0x12, 0x08, 0x01};
        for (const bool keepAlive : {false, true}) {
            for (const std::uint8_t type : {0, 5, 9, 12, 15}) {
                for (const std::uint64_t channel : edgeNumbers()) {
                    FrameTrace frame{};
                    frame.direction = type % 2 ? Direction::Inbound : Direction::Outbound;
                    frame.channel = channel;
                    frame.type = type;
                    frame.keepAlive = keepAlive;
                    frame.wire = wire;
                    frame.plain = keepAlive ? ByteView() : ByteView(plain);
                    QCOMPARE(frameEvent(7, frame).toJson(), referenceFrameEvent(7, frame));
                }
            }
        }
    }

    void fieldsAddedLaterKeepQtsOrderAndForm()
    {
        // What the relay adds ("leg"), and values of every kind, land where QJsonObject puts them.
        const Message message = everyMessage().back();
        JsonEvent event = messageEvent(3, channelOf(3), message);
        QJsonObject reference = QJsonDocument::fromJson(event.toJson()).object();
        const QJsonArray array{1, QStringLiteral("x"), QJsonValue::Null};
        const QList<std::pair<QString, QJsonValue>> added{
            {QStringLiteral("leg"), QStringLiteral("client")},
            {QStringLiteral("Alpha"), true},
            {QStringLiteral("zeta"), 1e17},
            {QStringLiteral("nothing"), QJsonValue::Null},
            {QStringLiteral("list"), array},
            {QStringLiteral("object"), QJsonObject{{QStringLiteral("b"), 2}, {"a", 1}}},
            {QStringLiteral("escape"), QStringLiteral("tab\there \"quoted\" \u00e9")},
            {QStringLiteral("session"), 12},
        };
        for (const auto &[key, value] : added) {
            event.insert(key, value);
            reference.insert(key, value);
            QCOMPARE(event.toJson(), compact(reference));
        }
        // And back: the conversion for callers that want a QJsonObject holds the same values
        // (a number beyond 2^53 comes back as an integer: compared as numbers).
        const QJsonObject back = event;
        QCOMPARE(back.keys(), reference.keys());
        for (const QString &key : reference.keys()) {
            if (reference.value(key).isDouble())
                QCOMPARE(back.value(key).toDouble(), reference.value(key).toDouble());
            else
                QCOMPARE(back.value(key), reference.value(key));
        }
    }

    void printerWritesABurstAtOnceWhenTheEventLoopRuns()
    {
        QTemporaryFile file;
        QVERIFY(file.open());
        std::FILE *out = std::fopen(qPrintable(file.fileName()), "w+");
        QVERIFY(out);
        const Message message = everyMessage().front();
        QByteArray expected;
        {
            EventPrinter printer(out);
            for (int session = 1; session <= 3; ++session) {
                printer.print(messageEvent(session, channelOf(1), message));
                expected += referenceMessageEvent(session, channelOf(1), message) + '\n';
            }
            const QJsonObject other{{QStringLiteral("event"), QStringLiteral("end")},
                                    {QStringLiteral("session"), 1}};
            printer.print(other);
            expected += compact(other) + '\n';
            // Nothing yet: the burst is written when control returns to the event loop.
            QCOMPARE(readAll(out), QByteArray());
            std::fseek(out, 0, SEEK_END);
            QTRY_COMPARE(readAll(out), expected);
            std::fseek(out, 0, SEEK_END);

            // A burst larger than the threshold goes out without waiting for the event loop.
            schema::Data big;
            big.set_index(1);
            big.set_value(std::string(40 * 1024, 'b'));
            printer.print(messageEvent(1, channelOf(2), big));
            printer.print(messageEvent(1, channelOf(2), big));
            expected += referenceMessageEvent(1, channelOf(2), big) + '\n';
            expected += referenceMessageEvent(1, channelOf(2), big) + '\n';
            QCOMPARE(readAll(out), expected);
            std::fseek(out, 0, SEEK_END);

            // The last lines are written when the printer goes away, event loop or not.
            printer.print(messageEvent(9, channelOf(9), message));
            expected += referenceMessageEvent(9, channelOf(9), message) + '\n';
        }
        QCOMPARE(readAll(out), expected);
        // A flush queued by a printer that is gone does nothing (and does not crash).
        QCoreApplication::processEvents();
        std::fclose(out);
    }
};

QTEST_GUILESS_MAIN(TestJsonEvents)
#include "tst_jsonevents.moc"
