// hyperscope-cli's --filter on live message events with the feed layer's fields: what CliApp does
// for each received message (FeedEventAnnotator::annotate(), then EventFilter::passesMessage()
// with the verdict it found), on a real hypercore 9 replication (tests/vectors/feed.json's
// "sequential" conversation, one Data tampered). The filter passes exactly the events whose
// printed "verified" / "verdict" keys say so, and `blocks` reads the messages themselves.
#include "eventfilter.h"
#include "feedevents.h"
#include "messagejson.h"
#include "vectors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace hyperscope;

namespace {

constexpr std::uint64_t TamperedBlock = 7;

struct Received
{
    feed::Side sender;
    Message message;
};

/// The conversation, as the clone (us) sees it: the writer's messages are received (Remote),
/// ours are sent (Local).
std::vector<Received> conversation()
{
    const QJsonObject vectors = test::loadVectors(QStringLiteral("feed.json"));
    std::vector<Received> out;
    for (const QJsonValue &entry : vectors["replications"].toObject()["sequential"].toArray()) {
        QString name = entry["type"].toString();
        name[0] = name[0].toUpper();
        QString error;
        std::optional<Message> message = messageFromJson(*messageTypeFromName(name.toStdString()),
                                                         entry["message"].toObject(), error);
        if (!message)
            qFatal("feed.json: %s", qPrintable(error));
        if (auto *data = std::get_if<schema::Data>(&*message);
            data && data->index() == TamperedBlock)
            (*data->mutable_value())[3] ^= 0x20;
        out.push_back({entry["from"].toString() == QLatin1String("sequential") ? feed::Side::Local
                                                                               : feed::Side::Remote,
                       std::move(*message)});
    }
    return out;
}

filter::Filter compiled(const QString &expression)
{
    filter::FilterError error;
    std::optional<filter::Filter> filter = filter::Filter::compile(expression.toStdString(), error);
    if (!filter)
        qFatal("%s", error.toString().c_str());
    return *filter;
}

} // namespace

class tst_EventFilter : public QObject
{
    Q_OBJECT
private slots:
    void filtersLiveEventsOnTheirVerdicts_data();
    void filtersLiveEventsOnTheirVerdicts();
};

void tst_EventFilter::filtersLiveEventsOnTheirVerdicts_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("leg");
    QTest::addColumn<QStringList>("expected"); // "Type block" of the events that pass

    QTest::newRow("verified == false") << "verified == false" << QString() << QStringList{"Data 7"};
    QTest::newRow("relay leg") << "leg == server && verified == false" << QStringLiteral("server")
                               << QStringList{"Data 7"};
    QTest::newRow("other leg") << "leg == client && verified == false" << QStringLiteral("server")
                               << QStringList{};
    QTest::newRow("verdict") << "verdict == failed && verifyError contains \"leaf\"" << QString()
                             << QStringList{"Data 7"};
    QTest::newRow("warning") << "warning" << QString() << QStringList{"Data 7"};
    QTest::newRow("verified == true, blocks")
        << "verified == true && blocks in {5..9}" << QString()
        << QStringList{"Data 5", "Data 6", "Data 8", "Data 9"};
    QTest::newRow("Haves") << "type == Have && blocks == 3" << QString() << QStringList{"Have 0"};
}

void tst_EventFilter::filtersLiveEventsOnTheirVerdicts()
{
    QFETCH(QString, expression);
    QFETCH(QString, leg);
    QFETCH(QStringList, expected);
    const QJsonObject vectors = test::loadVectors(QStringLiteral("feed.json"));
    ChannelInfo channel;
    channel.discoveryKey = test::key32(vectors["feed"].toObject()["discoveryKey"]);
    channel.key = test::key32(vectors["feed"].toObject()["key"]);
    channel.localId = 1;

    FeedEventAnnotator annotator;
    annotator.channelOpened(1, channel);
    const EventFilter filter(compiled(expression));
    QStringList passed;
    for (const Received &received : conversation()) {
        if (received.sender == feed::Side::Local) {
            annotator.sent(1, channel.discoveryKey, received.message);
            continue;
        }
        // As CliApp's messageReceived handler does.
        JsonEvent event = messageEvent(1, channel, received.message);
        const feed::FeedChannel::Observation found =
            annotator.annotate(event, 1, channel, feed::Side::Remote, received.message);
        if (!filter.passesMessage(1, leg, Direction::Inbound, channel, received.message,
                                  found.verdict ? &*found.verdict : nullptr))
            continue;
        const QJsonObject printed = QJsonDocument::fromJson(event.toJson()).object();
        const QJsonObject message = printed[QLatin1String("message")].toObject();
        passed << QStringLiteral("%1 %2")
                      .arg(printed[QLatin1String("type")].toString())
                      .arg(message.contains(QLatin1String("index"))
                               ? message[QLatin1String("index")].toInteger()
                               : message[QLatin1String("start")].toInteger());
        // What the filter saw is what the event prints.
        if (expression.startsWith(QLatin1String("verified == false")))
            QCOMPARE(printed[QLatin1String("verified")], QJsonValue(false));
    }
    QCOMPARE(passed, expected);
}

QTEST_APPLESS_MAIN(tst_EventFilter)
#include "tst_eventfilter.moc"
