// SessionManager without a widget: real sessions over loopback TCP against in-process peers
// (a SessionServer or a SessionDriver in the test plays the remote side), and the signals a
// window would wire to its views.
#include "capturefile.h"
#include "crypto.h"
#include "demorunner.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"
#include "sessiondriver.h"
#include "sessionlistmodel.h"
#include "sessionmanager.h"
#include "sessionserver.h"

#include <QBuffer>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace hyperscope;

namespace {

constexpr int Timeout = 15000;

/// A remote peer that listens on a free loopback port and opens the channels of its keys when
/// the other side asks for them.
struct Peer
{
    Peer()
    {
        QObject::connect(&server, &SessionServer::sessionStarted, &server,
                         [this](SessionDriver *driver) {
                             QObject::connect(driver, &SessionDriver::discoveryKeyReceived, driver,
                                              [this, driver](const Key32 &dk) {
                                                  for (const Key32 &key : keys)
                                                      if (crypto::discoveryKey(key) == dk)
                                                          driver->openChannel(key);
                                              });
                         });
        ok = server.listen(QHostAddress::LocalHost, 0);
    }
    SessionServer server;
    QList<Key32> keys;
    bool ok = false;
};

/// A loopback port nobody listens on (it was free a moment ago).
quint16 closedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

/// A dialer that opens @p key once connected.
std::unique_ptr<SessionDriver> dialer(int id, const Key32 &key)
{
    EngineOptions options;
    options.initiator = true;
    auto driver = std::make_unique<SessionDriver>(id, options);
    SessionDriver *d = driver.get();
    QObject::connect(d, &SessionDriver::transportConnected, d, [d, key] { d->openChannel(key); });
    return driver;
}

} // namespace

class TestSessionManager : public QObject
{
    Q_OBJECT
private slots:
    void dialsAPeerAndOpensTheRequestedChannels();
    void listensOnAFreePortAndAcceptsPeers();
    void stopListeningRefusesNewPeers();
    void listenOnAPortInUseIsExplained();
    void refusedConnectReportsAnError();
    void idsAreDistinctWhateverTheOrigin();
    void adoptAndRemoveAreAnnounced();
    void demoPlaysTwoSessionsAndStops();
    void capturesAreNumberedWithinTheirFile();
};

void TestSessionManager::dialsAPeerAndOpensTheRequestedChannels()
{
    Peer peer;
    QVERIFY(peer.ok);
    const Key32 key = randomKey();
    peer.keys.append(key);
    MessageLogModel log;
    SessionManager manager(&log);
    QSignalSpy added(&manager, &SessionManager::sessionAdded);
    QSignalSpy current(&manager, &SessionManager::currentChanged);

    ConnectionOptions options;
    options.keys = {key};
    InspectedSession *session =
        manager.connectToPeer(QStringLiteral("127.0.0.1"), peer.server.port(), options);
    QVERIFY(session);
    QCOMPARE(added.count(), 1);
    QCOMPARE(added.first().first().value<InspectedSession *>(), session);
    QCOMPARE(current.count(), 1);
    QCOMPARE(manager.current(), session);
    QCOMPARE(session->origin(), InspectedSession::Origin::Dialed);
    QCOMPARE(session->id(), 1);
    QCOMPARE(manager.sessions(), QList<InspectedSession *>{session});
    QCOMPARE(manager.model()->rowCount(), 1);
    QCOMPARE(session->state(), InspectedSession::State::Connecting);

    QTRY_VERIFY_WITH_TIMEOUT(session->handshake().complete, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(session->channels()->rowCount(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        session->channels()->index(0, ChannelTableModel::StateColumn).data().toString(),
        QStringLiteral("established"), Timeout);
    QCOMPARE(session->state(), InspectedSession::State::Open);

    // A clean end is no error.
    QSignalSpy errors(&manager, &SessionManager::errorOccurred);
    QSignalSpy ended(session, &InspectedSession::ended);
    session->disconnectFromPeer();
    QVERIFY(ended.wait(Timeout));
    QCOMPARE(ended.first().first().toString(), QString());
    QCOMPARE(errors.count(), 0);
}

void TestSessionManager::listensOnAFreePortAndAcceptsPeers()
{
    MessageLogModel log;
    SessionManager manager(&log);
    QSignalSpy listening(&manager, &SessionManager::listeningChanged);
    QSignalSpy added(&manager, &SessionManager::sessionAdded);
    const Key32 key = randomKey();
    ConnectionOptions options;
    options.keys = {key};
    QString error;
    QVERIFY2(manager.listen(QHostAddress::LocalHost, 0, options, &error), qPrintable(error));
    QCOMPARE(listening.count(), 1);
    const quint16 port = manager.listeningPort();
    QVERIFY(port != 0);
    QCOMPARE(manager.listeningPorts(), QList<quint16>{port});

    std::unique_ptr<SessionDriver> remote = dialer(100, key);
    QSignalSpy opened(remote.get(), &SessionDriver::channelOpened);
    remote->connectToHost(QStringLiteral("127.0.0.1"), port);
    QVERIFY(added.wait(Timeout));
    auto *session = added.first().first().value<InspectedSession *>();
    QCOMPARE(session->origin(), InspectedSession::Origin::Accepted);
    QVERIFY(!session->handshake().initiator);
    QCOMPARE(manager.current(), session); // the first session becomes current
    QTRY_VERIFY_WITH_TIMEOUT(session->handshake().complete, Timeout);
    // The accepted session opened the listener's keys for the dialer.
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, Timeout);

    remote->disconnectFromPeer();
    QTRY_COMPARE_WITH_TIMEOUT(session->state(), InspectedSession::State::Ended, Timeout);
    // The server deleted its driver; the session keeps what it showed.
    QTRY_VERIFY_WITH_TIMEOUT(!session->driver(), Timeout);
    QCOMPARE(session->channels()->rowCount(), 1);
}

void TestSessionManager::stopListeningRefusesNewPeers()
{
    MessageLogModel log;
    SessionManager manager(&log);
    QVERIFY(manager.listen(QHostAddress::LocalHost, 0, {}));
    const quint16 port = manager.listeningPort();
    QSignalSpy listening(&manager, &SessionManager::listeningChanged);
    manager.stopListening();
    QCOMPARE(listening.count(), 1);
    QCOMPARE(manager.listeningPort(), quint16(0));
    QVERIFY(manager.listeningPorts().isEmpty());

    std::unique_ptr<SessionDriver> remote = dialer(100, randomKey());
    QSignalSpy ended(remote.get(), &SessionDriver::ended);
    remote->connectToHost(QStringLiteral("127.0.0.1"), port);
    QVERIFY(ended.wait(Timeout));
    QVERIFY(manager.sessions().isEmpty());
}

void TestSessionManager::listenOnAPortInUseIsExplained()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    MessageLogModel log;
    SessionManager manager(&log);
    QSignalSpy listening(&manager, &SessionManager::listeningChanged);
    QString error;
    QVERIFY(!manager.listen(QHostAddress::LocalHost, occupant.serverPort(), {}, &error));
    QVERIFY2(error.startsWith(
                 QStringLiteral("cannot listen on 127.0.0.1:%1: ").arg(occupant.serverPort())),
             qPrintable(error));
    QCOMPARE(listening.count(), 0);
    QCOMPARE(manager.listeningPort(), quint16(0));
}

void TestSessionManager::refusedConnectReportsAnError()
{
    const quint16 port = closedPort();
    QVERIFY(port != 0);
    MessageLogModel log;
    SessionManager manager(&log);
    QSignalSpy errors(&manager, &SessionManager::errorOccurred);
    InspectedSession *session = manager.connectToPeer(QStringLiteral("127.0.0.1"), port, {});
    QVERIFY(errors.wait(Timeout));
    QCOMPARE(errors.count(), 1);
    const QString message = errors.first().first().toString();
    // "what: why"
    QVERIFY2(message.startsWith(QStringLiteral("Session #%1 ended: ").arg(session->id())),
             qPrintable(message));
    QCOMPARE(message.mid(message.indexOf(QStringLiteral(": ")) + 2), session->endReason());
    QVERIFY(!session->endReason().isEmpty());
    QCOMPARE(session->state(), InspectedSession::State::Ended);
    QVERIFY(session->endedWithError());
    // The session stays on the list, ended, until it is removed.
    QCOMPARE(manager.sessions(), QList<InspectedSession *>{session});
}

void TestSessionManager::idsAreDistinctWhateverTheOrigin()
{
    Peer peer;
    QVERIFY(peer.ok);
    MessageLogModel log;
    SessionManager manager(&log);
    QVERIFY(manager.listen(QHostAddress::LocalHost, 0, {}));
    InspectedSession *dialed =
        manager.connectToPeer(QStringLiteral("127.0.0.1"), peer.server.port(), {});
    std::unique_ptr<SessionDriver> remote = dialer(100, randomKey());
    QSignalSpy added(&manager, &SessionManager::sessionAdded);
    remote->connectToHost(QStringLiteral("127.0.0.1"), manager.listeningPort());
    QVERIFY(added.wait(Timeout));
    auto *accepted = added.first().first().value<InspectedSession *>();
    const int loaded = manager.allocateId(); // a driver made by hand

    QCOMPARE(dialed->id(), 1);
    QCOMPARE(accepted->id(), 2);
    QCOMPARE(loaded, 3);
    QCOMPARE(manager.sessionById(1), dialed);
    QCOMPARE(manager.sessionById(2), accepted);
    QCOMPARE(manager.sessionById(3), nullptr); // an id, but no live session
    QCOMPARE(manager.sessions(), (QList<InspectedSession *>{dialed, accepted}));
    // Dialing made the dialed session current; an accepted one does not take over.
    QCOMPARE(manager.current(), dialed);
}

void TestSessionManager::adoptAndRemoveAreAnnounced()
{
    MessageLogModel log;
    SessionManager manager(&log);
    QSignalSpy added(&manager, &SessionManager::sessionAdded);
    QSignalSpy removed(&manager, &SessionManager::sessionRemoved);
    QSignalSpy current(&manager, &SessionManager::currentChanged);

    // Drivers that never connect: adopting needs no network.
    EngineOptions options;
    options.initiator = true;
    InspectedSession *first = manager.adopt(new SessionDriver(manager.allocateId(), options),
                                            SessionManager::Origin::Dialed);
    InspectedSession *second = manager.adopt(new SessionDriver(manager.allocateId(), options),
                                             SessionManager::Origin::Demo);
    QCOMPARE(added.count(), 2);
    QCOMPARE(added.at(0).first().value<InspectedSession *>(), first);
    QCOMPARE(added.at(1).first().value<InspectedSession *>(), second);
    QCOMPARE(second->origin(), InspectedSession::Origin::Demo);
    QCOMPARE(first->driver()->parent(), first); // a driver without parent is the session's
    QCOMPARE(current.count(), 1);               // only the first became current
    QCOMPARE(manager.current(), first);

    // Removing the current session: the one now in its row becomes current.
    QPointer<InspectedSession> gone = first;
    manager.remove(first);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.first().first().value<InspectedSession *>(), first);
    QCOMPARE(manager.current(), second);
    QCOMPARE(current.count(), 2);
    QCOMPARE(current.last().first().value<InspectedSession *>(), second);
    QCOMPARE(manager.sessions(), QList<InspectedSession *>{second});
    QCOMPARE(manager.model()->rowCount(), 1);
    QTRY_VERIFY(!gone); // deleted once the event loop ran

    // Removing twice, or what is not there, does nothing.
    manager.remove(nullptr);
    QCOMPARE(removed.count(), 1);

    manager.remove(second);
    QCOMPARE(manager.current(), nullptr);
    QCOMPARE(current.last().first().value<InspectedSession *>(), nullptr);
    QVERIFY(manager.sessions().isEmpty());

    manager.setCurrent(nullptr); // already none: no signal
    QCOMPARE(current.count(), 3);
}

void TestSessionManager::demoPlaysTwoSessionsAndStops()
{
    MessageLogModel log;
    SessionManager manager(&log);
    QSignalSpy running(&manager, &SessionManager::demoRunningChanged);
    QString error;
    QVERIFY2(manager.startDemo(&error), qPrintable(error));
    QCOMPARE(running.count(), 1);
    QCOMPARE(running.first().first().toBool(), true);
    QVERIFY(manager.isDemoRunning());
    QVERIFY(manager.startDemo()); // already running: nothing new
    QCOMPARE(running.count(), 1);

    QTRY_COMPARE_WITH_TIMEOUT(manager.sessions().size(), 2, Timeout);
    for (InspectedSession *session : manager.sessions())
        QCOMPARE(session->origin(), InspectedSession::Origin::Demo);
    QCOMPARE(manager.current()->driver(), manager.demo()->initiator());
    QCOMPARE(manager.sessions().first()->id() + 1, manager.sessions().last()->id());

    manager.stopDemo();
    QVERIFY(running.wait(Timeout));
    QCOMPARE(running.last().first().toBool(), false);
    QVERIFY(!manager.isDemoRunning());
    for (InspectedSession *session : manager.sessions())
        QTRY_COMPARE_WITH_TIMEOUT(session->state(), InspectedSession::State::Ended, Timeout);
}

// Issue 11, item 5: a capture's sessions are numbered within the file ("x.jsonl #1", in the order
// their rows come), take their log ids from a range of their own so that the next live session's
// number does not move, are announced and listed like live ones, and time from their own start.
void TestSessionManager::capturesAreNumberedWithinTheirFile()
{
    QByteArray file =
        R"({"format":"hyperscope-capture","version":1,"rows":4,"sessions":[)"
        R"({"id":3,"label":"#3 10.0.0.2:2"},{"id":7,"label":"#7 10.0.0.1:1","peer":"10.0.0.1:1",)"
        R"("initiator":false,"noise":false}]})"
        "\n"
        R"({"t":5000,"session":7,"dir":"in","kind":"event","note":"Connected"})"
        "\n"
        R"({"t":9000,"session":3,"dir":"in","kind":"event","note":"Connected"})"
        "\n"
        R"({"t":12000,"session":7,"dir":"out","kind":"keepalive","plain":"00"})"
        "\n"
        R"({"t":15000,"session":3,"dir":"in","kind":"error","note":"timeout: no bytes"})"
        "\n";
    QBuffer buffer(&file);
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    QString error;
    const std::optional<capture::Capture> capture = capture::read(buffer, &error);
    QVERIFY2(capture, qPrintable(error));

    MessageLogModel log;
    SessionManager manager(&log);
    EngineOptions options;
    InspectedSession *live = manager.adopt(new SessionDriver(manager.allocateId(), options),
                                           SessionManager::Origin::Dialed);
    QCOMPARE(live->id(), 1);
    QSignalSpy added(&manager, &SessionManager::sessionAdded);
    const QList<InspectedSession *> opened =
        manager.openCapture(*capture, QStringLiteral("x.jsonl"));
    QCOMPARE(opened.size(), 2);
    QCOMPARE(added.count(), 2);
    QCOMPARE(manager.sessions(), (QList<InspectedSession *>{live, opened[0], opened[1]}));
    QCOMPARE(manager.current(), opened[0]); // what the user opened is shown

    // File session 7 comes first in the rows: it is #1.
    QCOMPARE(opened[0]->numberText(), QStringLiteral("x.jsonl #1"));
    QCOMPARE(opened[0]->label(), QStringLiteral("x.jsonl #1 10.0.0.1:1"));
    QCOMPARE(opened[0]->roleText(), QStringLiteral("responder (captured)"));
    QCOMPARE(opened[0]->framesSent(), quint64(1));
    QCOMPARE(opened[0]->bytesSent(), quint64(1));
    QVERIFY(!opened[0]->endedWithError());
    QCOMPARE(opened[1]->numberText(), QStringLiteral("x.jsonl #2"));
    QCOMPARE(opened[1]->label(), QStringLiteral("x.jsonl #2 10.0.0.2:2")); // from the old label
    QVERIFY(opened[1]->endedWithError());
    QCOMPARE(opened[1]->endReason(), QStringLiteral("timeout: no bytes"));
    QCOMPARE(opened[1]->durationMs(), qint64(6));
    for (InspectedSession *s : opened) {
        QVERIFY(s->isCapture());
        QVERIFY(s->id() >= SessionManager::FirstCaptureId);
        QCOMPARE(s->state(), InspectedSession::State::Ended);
        QCOMPARE(manager.sessionById(s->id()), s);
        QCOMPARE(log.sessionLabel(s->id()), s->label());
        QCOMPARE(manager.model()->index(manager.model()->rowOf(s), 0).data().toString(),
                 s->numberText());
    }

    // The log: the rows under the new ids, each session timed from its first row.
    QCOMPARE(log.rowCount(), 4);
    const QList<std::pair<int, qint64>> expected = {{opened[0]->id(), 0},
                                                    {opened[1]->id(), 0},
                                                    {opened[0]->id(), 7000},
                                                    {opened[1]->id(), 6000}};
    for (int row = 0; row < 4; ++row) {
        QCOMPARE(log.record(row).session, expected[row].first);
        QCOMPARE(log.record(row).timeUs, expected[row].second);
    }

    // Opened again: a name of its own; the live numbering goes on untouched.
    const QList<InspectedSession *> again =
        manager.openCapture(*capture, QStringLiteral("x.jsonl"));
    QCOMPARE(again.size(), 2);
    QCOMPARE(again[0]->numberText(), QStringLiteral("x.jsonl (2) #1"));
    QVERIFY(again[0]->id() > opened[1]->id());
    QCOMPARE(manager.allocateId(), 2);

    // What a save keeps of them.
    const QMap<int, capture::SessionInfo> info = manager.captureInfo();
    QCOMPARE(info.size(), 5);
    QCOMPARE(info.value(opened[0]->id()).peer, QStringLiteral("10.0.0.1:1"));
    QCOMPARE(info.value(opened[0]->id()).initiator, std::optional<bool>(false));
    QCOMPARE(info.value(opened[1]->id()).endReason, QStringLiteral("timeout: no bytes"));
}

QTEST_GUILESS_MAIN(TestSessionManager)
#include "tst_sessionmanager.moc"
