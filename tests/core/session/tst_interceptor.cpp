// Tests core/session/interceptor.cpp (hold, resume, edit, drop, order per lane, runtime change,
// off, session end, bound) on the bare Interceptor, and SessionDriver's intercept hooks on two
// real drivers over loopback TCP (an outgoing Request held and resumed edited, an incoming
// message held and dropped, held messages dropped when the session ends).
#include "builders.h"
#include "crypto.h"
#include "interceptor.h"
#include "relay.h"
#include "sessiondriver.h"
#include "sessionserver.h"

#include <QtTest>

#include <memory>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

constexpr int Wait = 15000; // generous: CI machines are busy

filter::Filter compiled(const char *expression)
{
    filter::FilterError error;
    std::optional<filter::Filter> f = filter::Filter::compile(expression, error);
    if (!f)
        qFatal("%s", error.toString().c_str());
    return *f;
}

Message requestOf(std::uint64_t index)
{
    Message message(std::in_place_type<schema::Request>);
    std::get<schema::Request>(message).set_index(index);
    return message;
}

std::uint64_t indexOf(const Message &message)
{
    return std::get<schema::Request>(message).index();
}

ChannelInfo channelOf(std::uint8_t fill, std::uint64_t localId)
{
    ChannelInfo channel;
    channel.discoveryKey = keyOf(fill);
    channel.localId = localId;
    channel.remoteId = localId;
    channel.established = true;
    return channel;
}

/// Everything an Interceptor reported, as short strings in order: "deliver in 1 Request 5",
/// "held 7", "released 7 edited", "dropped 7 dropped", "warning ...".
struct Log : Interceptor::Listener
{
    QStringList events;
    std::vector<std::uint64_t> heldIds;

    void deliver(Direction direction, const ChannelInfo &channel, const Message &message) override
    {
        QString text = QStringLiteral("deliver %1 %2 %3")
                           .arg(direction == Direction::Inbound ? "in" : "out")
                           .arg(channel.localId.value_or(0))
                           .arg(QString::fromStdString(std::string(
                               messageTypeName(static_cast<std::uint8_t>(messageType(message))))));
        if (std::holds_alternative<schema::Request>(message))
            text += QStringLiteral(" %1").arg(indexOf(message));
        events << text;
    }
    void held(const InterceptedMessage &message) override
    {
        heldIds.push_back(message.id);
        events << QStringLiteral("held");
    }
    void released(std::uint64_t id, bool edited) override
    {
        (void)id;
        events << (edited ? QStringLiteral("released edited") : QStringLiteral("released"));
    }
    void dropped(std::uint64_t id, const std::string &reason) override
    {
        (void)id;
        events << QStringLiteral("dropped: ") + QString::fromStdString(reason);
    }
    void warning(const std::string &message) override
    {
        events << QStringLiteral("warning: ") + QString::fromStdString(message);
    }
};

/// A SessionServer and one dialing SessionDriver with one channel (key 0x11) established.
struct Pair
{
    SessionIds ids;
    SessionServer server{&ids};
    std::unique_ptr<SessionDriver> client;
    QPointer<SessionDriver> serverDriver;
    std::vector<Message> clientReceived;
    std::vector<Message> serverReceived;

    Pair()
    {
        QObject::connect(&server, &SessionServer::sessionStarted, &server,
                         [this](SessionDriver *driver) {
                             if (serverDriver)
                                 return;
                             serverDriver = driver;
                             QObject::connect(driver, &SessionDriver::messageReceived, driver,
                                              [this](const ChannelInfo &, const Message &m) {
                                                  serverReceived.push_back(m);
                                              });
                         });
        if (!server.listen(QHostAddress::LocalHost, 0))
            qFatal("cannot listen");
        EngineOptions options;
        options.initiator = true;
        client = std::make_unique<SessionDriver>(ids.next(), options);
        QObject::connect(
            client.get(), &SessionDriver::messageReceived, client.get(),
            [this](const ChannelInfo &, const Message &m) { clientReceived.push_back(m); });
        client->connectToHost(QStringLiteral("127.0.0.1"), server.port());
    }
    ~Pair()
    {
        client.reset();
        delete serverDriver.data();
    }
    bool establish()
    {
        if (!QTest::qWaitFor(
                [&] {
                    return serverDriver && client->engine().handshake() &&
                           serverDriver->engine().handshake();
                },
                Wait))
            return false;
        if (client->openChannel(keyOf(0x11)) || serverDriver->openChannel(keyOf(0x11)))
            return false;
        const Key32 dk = crypto::discoveryKey(keyOf(0x11));
        return QTest::qWaitFor(
            [&] {
                const auto a = client->engine().channel(dk);
                const auto b = serverDriver->engine().channel(dk);
                return a && a->established && b && b->established;
            },
            Wait);
    }
};

} // namespace

class tst_Interceptor : public QObject
{
    Q_OBJECT

private slots:
    void offHoldsNothing();
    void expressionSeesDirectionLegSession_data();
    void expressionSeesDirectionLegSession();
    void resumeDeliversOriginalOrEdited_data();
    void resumeDeliversOriginalOrEdited();
    void refusesUnknownIdAndOtherType();
    void dropDiscardsAndLetsFollowersGo();
    void keepsOrderPerLane();
    void resumeOutOfOrderWaitsForEarlier();
    void emptyExpressionReleasesAllInOrder();
    void runtimeChangeKeepsHeld();
    void endSessionDropsAndSaysSo();
    void boundPassesMessagesOnWithWarning();
    void relayLegInterceptsIncomingOnly();

    void driverHoldsOutgoingAndSendsEdited();
    void driverHoldsIncomingAndDrops();
    void driverEndDropsHeld();
    void relayHoldsBeforeForwarding();
};

void tst_Interceptor::offHoldsNothing()
{
    Log log;
    Interceptor interceptor(&log);
    QVERIFY(!interceptor.isOn());
    QVERIFY(!interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(1)));
    QVERIFY(!interceptor.offer(Direction::Outbound, channelOf(1, 1), requestOf(2)));
    QCOMPARE(interceptor.waitingCount(), std::size_t(0));
    QVERIFY(log.events.isEmpty());
}

void tst_Interceptor::expressionSeesDirectionLegSession_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<bool>("outgoing"); // offered as outgoing (else incoming)
    QTest::addColumn<bool>("held");

    QTest::newRow("type matches") << "type == Request" << false << true;
    QTest::newRow("type differs") << "type == Data" << false << false;
    QTest::newRow("dir in, incoming") << "dir == in" << false << true;
    QTest::newRow("dir in, outgoing") << "dir == in" << true << false;
    QTest::newRow("dir out, outgoing") << "dir == out" << true << true;
    QTest::newRow("index field") << "index > 5" << false << true;
    QTest::newRow("index field no") << "index > 50" << false << false;
    QTest::newRow("session") << "session == 7" << false << true;
    QTest::newRow("other session") << "session == 8" << false << false;
    QTest::newRow("channel") << "channel == 3" << true << true;
    QTest::newRow("dk prefix") << "dk == " + discoveryKeyHex(keyOf(9)).left(8) << false << false;
    QTest::newRow("no leg on own session") << "leg" << false << false;
}

void tst_Interceptor::expressionSeesDirectionLegSession()
{
    QFETCH(QString, expression);
    QFETCH(bool, outgoing);
    QFETCH(bool, held);
    Log log;
    Interceptor interceptor(&log);
    interceptor.setContext(7, filter::Leg::None);
    interceptor.setFilter(compiled(expression.toUtf8().constData()));
    const bool taken = interceptor.offer(outgoing ? Direction::Outbound : Direction::Inbound,
                                         channelOf(1, 3), requestOf(10));
    QCOMPARE(taken, held);
    QCOMPARE(log.heldIds.size(), std::size_t(held ? 1 : 0));
}

void tst_Interceptor::resumeDeliversOriginalOrEdited_data()
{
    QTest::addColumn<bool>("edit");
    QTest::newRow("original") << false;
    QTest::newRow("edited") << true;
}

void tst_Interceptor::resumeDeliversOriginalOrEdited()
{
    QFETCH(bool, edit);
    Log log;
    Interceptor interceptor(&log);
    interceptor.setFilter(compiled("type == Request"));
    QVERIFY(interceptor.offer(Direction::Outbound, channelOf(1, 1), requestOf(5)));
    QCOMPARE(log.heldIds.size(), std::size_t(1));
    const std::uint64_t id = log.heldIds[0];
    QVERIFY(interceptor.holds(id));
    QCOMPARE(interceptor.heldMessages().size(), std::size_t(1));
    QCOMPARE(indexOf(interceptor.heldMessages()[0].message), std::uint64_t(5));
    const Error result =
        edit ? interceptor.resume(id, requestOf(42)) : interceptor.resume(id, std::nullopt);
    QVERIFY2(result.ok(), result.message.c_str());
    QCOMPARE(log.events,
             QStringList({"held", edit ? "deliver out 1 Request 42" : "deliver out 1 Request 5",
                          edit ? "released edited" : "released"}));
    QVERIFY(!interceptor.holds(id));
    QCOMPARE(interceptor.waitingCount(), std::size_t(0));
    QCOMPARE(interceptor.waitingBytes(), std::size_t(0));
    QVERIFY(!interceptor.resume(id).ok()); // once
}

void tst_Interceptor::refusesUnknownIdAndOtherType()
{
    Log log;
    Interceptor interceptor(&log);
    interceptor.setFilter(compiled("type == Request"));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(5)));
    const std::uint64_t id = log.heldIds.at(0);

    const Error unknown = interceptor.resume(id + 1000);
    QCOMPARE(unknown.code, ErrorCode::InvalidArgument);
    QVERIFY2(unknown.message.find("no held message with id") != std::string::npos,
             unknown.message.c_str());
    QCOMPARE(interceptor.drop(id + 1000).code, ErrorCode::InvalidArgument);
    QCOMPARE(interceptor.drop(0).code, ErrorCode::InvalidArgument);

    const Error wrongType = interceptor.resume(id, wantOf(3));
    QCOMPARE(wrongType.code, ErrorCode::InvalidArgument);
    QVERIFY2(wrongType.message.find("is a Request, not a Want") != std::string::npos,
             wrongType.message.c_str());
    QVERIFY(interceptor.holds(id)); // still held
    QCOMPARE(log.events, QStringList({"held"}));
}

void tst_Interceptor::dropDiscardsAndLetsFollowersGo()
{
    Log log;
    Interceptor interceptor(&log);
    interceptor.setFilter(compiled("type == Request && index == 1"));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(1)));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(2))); // queued
    QCOMPARE(interceptor.waitingCount(), std::size_t(2));
    QVERIFY(interceptor.drop(log.heldIds.at(0)).ok());
    QCOMPARE(log.events, QStringList({"held", "dropped: dropped", "deliver in 1 Request 2"}));
    QCOMPARE(interceptor.waitingCount(), std::size_t(0));
}

void tst_Interceptor::keepsOrderPerLane()
{
    Log log;
    Interceptor interceptor(&log);
    interceptor.setFilter(compiled("index == 1"));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(1)));  // held
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(2)));  // behind it
    QVERIFY(!interceptor.offer(Direction::Inbound, channelOf(2, 2), requestOf(3))); // other channel
    QVERIFY(!interceptor.offer(Direction::Outbound, channelOf(1, 1), requestOf(4))); // other dir
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(1)));   // held too
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(5)));   // behind
    QCOMPARE(log.heldIds.size(), std::size_t(2));
    QCOMPARE(log.events, QStringList({"held", "held"}));

    QVERIFY(interceptor.resume(log.heldIds[0]).ok());
    // The first, the one queued behind it, then the second held one stops the lane again.
    QCOMPARE(log.events, QStringList({"held", "held", "deliver in 1 Request 1", "released",
                                      "deliver in 1 Request 2"}));
    QVERIFY(interceptor.resume(log.heldIds[1], requestOf(9)).ok());
    QCOMPARE(log.events.mid(5),
             QStringList({"deliver in 1 Request 9", "released edited", "deliver in 1 Request 5"}));
    QCOMPARE(interceptor.waitingCount(), std::size_t(0));
    // The lane is free again: a message that does not match passes at once.
    QVERIFY(!interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(6)));
}

void tst_Interceptor::resumeOutOfOrderWaitsForEarlier()
{
    Log log;
    Interceptor interceptor(&log);
    interceptor.setFilter(compiled("type == Request"));
    QVERIFY(interceptor.offer(Direction::Outbound, channelOf(1, 1), requestOf(1)));
    QVERIFY(interceptor.offer(Direction::Outbound, channelOf(1, 1), requestOf(2)));
    QVERIFY(interceptor.resume(log.heldIds[1], requestOf(20)).ok());
    QCOMPARE(log.events, QStringList({"held", "held"})); // the second waits for the first
    QVERIFY(!interceptor.holds(log.heldIds[1]));         // but is no longer resumable
    QCOMPARE(interceptor.heldMessages().size(), std::size_t(1));
    QVERIFY(interceptor.resume(log.heldIds[0]).ok());
    QCOMPARE(log.events.mid(2), QStringList({"deliver out 1 Request 1", "released",
                                             "deliver out 1 Request 20", "released edited"}));
}

void tst_Interceptor::emptyExpressionReleasesAllInOrder()
{
    Log log;
    Interceptor interceptor(&log);
    interceptor.setFilter(compiled("index < 3"));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(1)));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(7)));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(2)));
    QVERIFY(interceptor.offer(Direction::Outbound, channelOf(2, 4), requestOf(0)));
    interceptor.setFilter({});
    QVERIFY(!interceptor.isOn());
    QCOMPARE(interceptor.waitingCount(), std::size_t(0));
    const QStringList delivered = log.events.filter(QStringLiteral("deliver"));
    // Per lane in order; lanes are independent.
    QCOMPARE(
        delivered.filter(" in ").join('|'),
        QStringLiteral("deliver in 1 Request 1|deliver in 1 Request 7|deliver in 1 Request 2"));
    QCOMPARE(delivered.filter(" out ").join('|'), QStringLiteral("deliver out 4 Request 0"));
    QVERIFY(!interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(1))); // off
}

void tst_Interceptor::runtimeChangeKeepsHeld()
{
    Log log;
    Interceptor interceptor(&log);
    interceptor.setFilter(compiled("index == 1"));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(1)));
    interceptor.setFilter(compiled("index == 2"));
    QVERIFY(interceptor.holds(log.heldIds[0]));
    QVERIFY(!interceptor.offer(Direction::Inbound, channelOf(2, 2), requestOf(1)));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(2, 2), requestOf(2)));
    QCOMPARE(log.heldIds.size(), std::size_t(2));
    QVERIFY(log.heldIds[1] > log.heldIds[0]);
}

void tst_Interceptor::endSessionDropsAndSaysSo()
{
    Log log;
    Interceptor interceptor(&log);
    interceptor.setFilter(compiled("index == 1"));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(1)));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(2)));
    QVERIFY(interceptor.offer(Direction::Outbound, channelOf(1, 1), requestOf(1)));
    interceptor.endSession("the session ended");
    QCOMPARE(std::count(log.events.begin(), log.events.end(),
                        QStringLiteral("dropped: the session ended")),
             2);
    QCOMPARE(log.events.filter("deliver").size(), 0);
    QCOMPARE(log.events.last(),
             QStringLiteral("warning: intercept: 1 messages waiting behind held ones were "
                            "dropped: the session ended"));
    QCOMPARE(interceptor.waitingCount(), std::size_t(0));
    QVERIFY(!interceptor.resume(log.heldIds[0]).ok());
}

void tst_Interceptor::boundPassesMessagesOnWithWarning()
{
    Log log;
    Interceptor interceptor(&log);
    interceptor.setFilter(compiled("type == Request"));
    for (std::size_t i = 0; i < interceptlimits::MaxHeldMessages; ++i)
        QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(i)));
    QCOMPARE(interceptor.waitingCount(), interceptlimits::MaxHeldMessages);
    QVERIFY(!interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(99999)));
    QCOMPARE(interceptor.waitingCount(), interceptlimits::MaxHeldMessages);
    QVERIFY2(log.events.last().startsWith("warning: intercept: 4096 messages"),
             qPrintable(log.events.last()));
    QVERIFY(log.events.last().contains("passes without being held, ahead of"));

    // Bytes: one huge message beyond MaxHeldBytes passes too.
    Log bytesLog;
    Interceptor bytes(&bytesLog);
    bytes.setFilter(compiled("type == Data"));
    Message data(std::in_place_type<schema::Data>);
    std::get<schema::Data>(data).set_index(1);
    std::get<schema::Data>(data).set_value(std::string(interceptlimits::MaxHeldBytes + 1, 'x'));
    QVERIFY(!bytes.offer(Direction::Inbound, channelOf(1, 1), data));
    QCOMPARE(bytesLog.events.size(), 1);
    QVERIFY(bytesLog.events[0].startsWith("warning: "));
}

void tst_Interceptor::relayLegInterceptsIncomingOnly()
{
    Log log;
    Interceptor interceptor(&log);
    interceptor.setContext(3, filter::Leg::Client);
    interceptor.setOutgoingIntercepted(false);
    interceptor.setFilter(compiled("leg == client && type == Request"));
    QVERIFY(!interceptor.offer(Direction::Outbound, channelOf(1, 1), requestOf(1)));
    QVERIFY(interceptor.offer(Direction::Inbound, channelOf(1, 1), requestOf(1)));
    interceptor.setFilter(compiled("leg == server"));
    QVERIFY(!interceptor.offer(Direction::Inbound, channelOf(2, 2), requestOf(1)));
}

// --- SessionDriver
// ---------------------------------------------------------------------------------

void tst_Interceptor::driverHoldsOutgoingAndSendsEdited()
{
    Pair pair;
    QVERIFY(pair.establish());
    std::vector<InterceptedMessage> held;
    std::vector<std::pair<quint64, bool>> released;
    QObject::connect(pair.client.get(), &SessionDriver::messageIntercepted, pair.client.get(),
                     [&](const InterceptedMessage &m) { held.push_back(m); });
    QObject::connect(pair.client.get(), &SessionDriver::interceptReleased, pair.client.get(),
                     [&](quint64 id, bool edited) { released.emplace_back(id, edited); });
    pair.client->setInterceptFilter(compiled("type == Request && index > 4"));
    const Key32 dk = crypto::discoveryKey(keyOf(0x11));

    QVERIFY(pair.client->send(dk, requestOf(5)).ok()); // held: ok, nothing sent
    QCOMPARE(held.size(), std::size_t(1));
    QCOMPARE(held[0].direction, Direction::Outbound);
    QVERIFY(held[0].channel.discoveryKey == dk);
    QVERIFY(pair.client->send(dk, wantOf(1)).ok()); // another type, same lane: waits behind
    QTest::qWait(200);
    QVERIFY(pair.serverReceived.empty());

    QVERIFY(pair.client->resumeIntercepted(held[0].id, requestOf(7)).ok());
    QVERIFY(QTest::qWaitFor([&] { return pair.serverReceived.size() == 2; }, Wait));
    QVERIFY(std::holds_alternative<schema::Request>(pair.serverReceived[0]));
    QCOMPARE(indexOf(pair.serverReceived[0]), std::uint64_t(7)); // the edited index
    QVERIFY(std::holds_alternative<schema::Want>(pair.serverReceived[1]));
    QCOMPARE(released.size(), std::size_t(1));
    QVERIFY(released[0].second);

    // Off: nothing is held.
    pair.client->setInterceptFilter({});
    QVERIFY(pair.client->send(dk, requestOf(50)).ok());
    QVERIFY(QTest::qWaitFor([&] { return pair.serverReceived.size() == 3; }, Wait));
    QCOMPARE(held.size(), std::size_t(1));
}

void tst_Interceptor::driverHoldsIncomingAndDrops()
{
    Pair pair;
    QVERIFY(pair.establish());
    std::vector<InterceptedMessage> held;
    QStringList dropped;
    QObject::connect(pair.serverDriver, &SessionDriver::messageIntercepted, pair.serverDriver,
                     [&](const InterceptedMessage &m) { held.push_back(m); });
    QObject::connect(pair.serverDriver, &SessionDriver::interceptDropped, pair.serverDriver,
                     [&](quint64, const QString &reason) { dropped << reason; });
    pair.serverDriver->setInterceptFilter(compiled("dir == in && type == Request"));
    const Key32 dk = crypto::discoveryKey(keyOf(0x11));

    QVERIFY(pair.client->send(dk, requestOf(3)).ok());
    QVERIFY(pair.client->send(dk, wantOf(0)).ok());
    QVERIFY(QTest::qWaitFor([&] { return !held.empty(); }, Wait));
    QCOMPARE(held[0].direction, Direction::Inbound);
    QCOMPARE(indexOf(held[0].message), std::uint64_t(3));
    QTest::qWait(200);
    QVERIFY(pair.serverReceived.empty()); // the Want waits behind the held Request

    QVERIFY(pair.serverDriver->dropIntercepted(held[0].id).ok());
    QCOMPARE(dropped, QStringList({"dropped"}));
    QCOMPARE(pair.serverReceived.size(), std::size_t(1));
    QVERIFY(std::holds_alternative<schema::Want>(pair.serverReceived[0]));
    QVERIFY(!pair.serverDriver->dropIntercepted(held[0].id).ok());
}

void tst_Interceptor::driverEndDropsHeld()
{
    Pair pair;
    QVERIFY(pair.establish());
    QStringList dropped;
    QObject::connect(pair.client.get(), &SessionDriver::interceptDropped, pair.client.get(),
                     [&](quint64, const QString &reason) { dropped << reason; });
    pair.client->setInterceptFilter(compiled("type == Request"));
    const Key32 dk = crypto::discoveryKey(keyOf(0x11));
    QVERIFY(pair.client->send(dk, requestOf(1)).ok());
    QVERIFY(pair.client->send(dk, requestOf(2)).ok());
    QCOMPARE(pair.client->interceptor().heldMessages().size(), std::size_t(2));
    pair.client->disconnectFromPeer();
    QVERIFY(QTest::qWaitFor([&] { return dropped.size() == 2; }, Wait));
    QCOMPARE(dropped, QStringList({"the session ended", "the session ended"}));
    QVERIFY(pair.client->interceptor().heldMessages().empty());
    QTest::qWait(100);
    QVERIFY(pair.serverReceived.empty());
}

void tst_Interceptor::relayHoldsBeforeForwarding()
{
    // client driver -> Relay -> upstream SessionServer; the relay intercepts Requests.
    SessionIds upstreamIds;
    SessionServer upstream(&upstreamIds);
    QPointer<SessionDriver> upstreamDriver;
    std::vector<Message> upstreamReceived;
    QObject::connect(&upstream, &SessionServer::sessionStarted, &upstream, [&](SessionDriver *d) {
        upstreamDriver = d;
        QObject::connect(
            d, &SessionDriver::messageReceived, d,
            [&](const ChannelInfo &, const Message &m) { upstreamReceived.push_back(m); });
    });
    QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));

    Relay relay;
    relay.setUpstream(QStringLiteral("127.0.0.1"), upstream.port());
    relay.addKey(keyOf(0x11));
    QPointer<RelayedSession> session;
    std::vector<InterceptedMessage> held;
    QObject::connect(&relay, &Relay::sessionStarted, &relay, [&](RelayedSession *s) {
        session = s;
        s->setInterceptFilter(compiled("type == Request"));
        for (const RelayLeg leg : {RelayLeg::Client, RelayLeg::Server}) {
            QObject::connect(s->driver(leg), &SessionDriver::messageIntercepted, s,
                             [&](const InterceptedMessage &m) { held.push_back(m); });
        }
    });
    QVERIFY(relay.listen(QHostAddress::LocalHost, 0));

    EngineOptions options;
    options.initiator = true;
    SessionDriver client(99, options);
    client.connectToHost(QStringLiteral("127.0.0.1"), relay.port());
    QVERIFY(QTest::qWaitFor([&] { return client.engine().handshake() && upstreamDriver; }, Wait));
    QVERIFY(
        QTest::qWaitFor([&] { return upstreamDriver->engine().handshake().has_value(); }, Wait));
    QVERIFY(client.openChannel(keyOf(0x11)).ok());
    QVERIFY(upstreamDriver->openChannel(keyOf(0x11)).ok());
    const Key32 dk = crypto::discoveryKey(keyOf(0x11));
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto a = client.engine().channel(dk);
            const auto b = upstreamDriver->engine().channel(dk);
            return a && a->established && b && b->established;
        },
        Wait));

    QVERIFY(client.send(dk, requestOf(5)).ok()); // the client is not intercepting: sent
    QVERIFY(QTest::qWaitFor([&] { return !held.empty(); }, Wait));
    QCOMPARE(held[0].direction, Direction::Inbound);
    QCOMPARE(session->legHolding(held[0].id), std::optional(RelayLeg::Client));
    QTest::qWait(200);
    QVERIFY(upstreamReceived.empty());
    QVERIFY(session->driver(RelayLeg::Client)->resumeIntercepted(held[0].id, requestOf(8)).ok());
    QVERIFY(QTest::qWaitFor([&] { return upstreamReceived.size() == 1; }, Wait));
    QCOMPARE(indexOf(upstreamReceived[0]), std::uint64_t(8)); // forwarded edited
    QCOMPARE(session->legHolding(held[0].id), std::nullopt);
    QCOMPARE(held.size(), std::size_t(1)); // not held again on its way into the server leg

    // Off: what the relay holds is forwarded, and nothing more is held.
    QVERIFY(client.send(dk, requestOf(6)).ok());
    QVERIFY(QTest::qWaitFor([&] { return held.size() == 2; }, Wait));
    session->setInterceptFilter({});
    QVERIFY(QTest::qWaitFor([&] { return upstreamReceived.size() == 2; }, Wait));
    QCOMPARE(indexOf(upstreamReceived[1]), std::uint64_t(6));
    QVERIFY(client.send(dk, requestOf(7)).ok());
    QVERIFY(QTest::qWaitFor([&] { return upstreamReceived.size() == 3; }, Wait));
    QCOMPARE(held.size(), std::size_t(2));
    client.disconnectFromPeer();
    QVERIFY(QTest::qWaitFor([&] { return !session || session->isFinished(); }, Wait));
    delete upstreamDriver.data();
}

QTEST_GUILESS_MAIN(tst_Interceptor)
#include "tst_interceptor.moc"
