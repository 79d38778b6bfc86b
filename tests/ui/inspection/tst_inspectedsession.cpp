// InspectedSession: one connection as the inspector sees it, tested on a real pair over
// loopback (a dialed SessionDriver and the driver a SessionServer accepted, each wrapped in an
// InspectedSession sharing one log): identity and mode texts, the handshake record on both
// sides, the actions and their error texts, secrets before and after the end, the end itself
// (clean or failed, with the failed handshake step), and the session that outlives the driver a
// server deleted.
#include "builders.h"
#include "inspectedpair.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

bool containsStartingWith(const QStringList &texts, const QString &prefix)
{
    for (const QString &text : texts) {
        if (text.startsWith(prefix))
            return true;
    }
    return false;
}

} // namespace

class TestInspectedSession : public QObject
{
    Q_OBJECT
private slots:
    void describesRoleAndMode_data();
    void describesRoleAndMode();
    void errorTextNamesTheCode_data();
    void errorTextNamesTheCode();
    void adoptsADriverWithoutParent();
    void handshakeIsRecordedOnBothSides();
    void transportConnectionIsLogged();
    void channelsAndMessagesFlowBetweenThePair();
    void extensionsAreRegisteredAndCounted();
    void refusedActionsComeBackAsText();
    void unknownDiscoveryKeyIsExplained();
    void secretsMatchAndOutliveTheEngine();
    void cleanEndFreezesTheSession();
    void stateAndChannelsEndInOneStep();
    void outlivesTheDriverItsServerDeleted();
    void rejectedKeyFailsTheStepThatCarriedIt();
    void hangUpDuringTheHandshakeFailsTheMissingStep();
    void knowsWhichChannelsWeHaveOpen();
};

void TestInspectedSession::describesRoleAndMode_data()
{
    QTest::addColumn<int>("origin");
    QTest::addColumn<bool>("initiator");
    QTest::addColumn<bool>("noise");
    QTest::addColumn<bool>("encrypted");
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("mode");

    using O = InspectedSession::Origin;
    QTest::newRow("dialed initiator")
        << int(O::Dialed) << true << true << true << QStringLiteral("initiator (dialed)")
        << QStringLiteral("Noise XX + XSalsa20");
    QTest::newRow("dialed responder")
        << int(O::Dialed) << false << true << false << QStringLiteral("responder (dialed)")
        << QStringLiteral("Noise XX, plaintext transport");
    QTest::newRow("accepted responder")
        << int(O::Accepted) << false << false << true << QStringLiteral("responder (accepted)")
        << QStringLiteral("no Noise, plaintext");
    QTest::newRow("accepted initiator")
        << int(O::Accepted) << true << false << false << QStringLiteral("initiator (accepted)")
        << QStringLiteral("no Noise, plaintext");
    QTest::newRow("demo initiator")
        << int(O::Demo) << true << true << true << QStringLiteral("initiator (demo)")
        << QStringLiteral("Noise XX + XSalsa20");
    QTest::newRow("demo responder")
        << int(O::Demo) << false << true << true << QStringLiteral("responder (demo)")
        << QStringLiteral("Noise XX + XSalsa20");
}

void TestInspectedSession::describesRoleAndMode()
{
    QFETCH(int, origin);
    QFETCH(bool, initiator);
    QFETCH(bool, noise);
    QFETCH(bool, encrypted);
    QFETCH(QString, role);
    QFETCH(QString, mode);

    MessageLogModel log;
    EngineOptions options;
    options.initiator = initiator;
    options.noise = noise;
    options.encrypted = encrypted;
    auto *driver = new SessionDriver(5, options);
    InspectedSession session(5, driver, InspectedSession::Origin(origin), &log);
    QCOMPARE(session.roleText(), role);
    QCOMPARE(session.modeText(), mode);
    QCOMPARE(session.origin(), InspectedSession::Origin(origin));
    QCOMPARE(session.handshake().noise, noise);
    QCOMPARE(session.handshake().encrypted, noise && encrypted);
    QCOMPARE(session.handshake().initiator, initiator);
    QCOMPARE(session.handshake().localStaticKey, driver->engine().publicKey());
    QCOMPARE(session.state(), InspectedSession::State::Connecting);
    QCOMPARE(session.stateText(), QStringLiteral("connecting"));
    QCOMPARE(session.label(), QStringLiteral("#5 "));
    QCOMPARE(log.sessionLabel(5), session.label());
}

void TestInspectedSession::errorTextNamesTheCode_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("text");
    QTest::newRow("with a message")
        << int(ErrorCode::UnknownChannel) << QStringLiteral("no channel 6b7e")
        << QStringLiteral("unknown-channel: no channel 6b7e");
    QTest::newRow("code alone") << int(ErrorCode::Timeout) << QString()
                                << QStringLiteral("timeout");
}

void TestInspectedSession::errorTextNamesTheCode()
{
    QFETCH(int, code);
    QFETCH(QString, message);
    QFETCH(QString, text);
    QCOMPARE(InspectedSession::errorText(Error(ErrorCode(code), message.toStdString())), text);
}

void TestInspectedSession::adoptsADriverWithoutParent()
{
    MessageLogModel log;
    QObject owner;
    auto *owned = new SessionDriver(1, {}, &owner);
    auto *orphan = new SessionDriver(2, {});
    {
        InspectedSession a(1, owned, InspectedSession::Origin::Accepted, &log);
        InspectedSession b(2, orphan, InspectedSession::Origin::Dialed, &log);
        QCOMPARE(owned->parent(), &owner);
        QCOMPARE(orphan->parent(), &b);
        QCOMPARE(a.driver(), owned);
        QCOMPARE(a.engine(), &owned->engine());
    }
    // The driver the session did not own outlives it.
    QCOMPARE(owner.children().size(), 1);
}

void TestInspectedSession::handshakeIsRecordedOnBothSides()
{
    InspectedPair pair;
    QVERIFY(pair.start());
    QVERIFY(pair.waitUntilOpen());
    const HandshakeRecord &a = pair.dialer->handshake();
    const HandshakeRecord &b = pair.accepted->handshake();
    QVERIFY(a.complete && b.complete);
    QVERIFY(a.initiator && !b.initiator);
    QCOMPARE(a.remoteStaticKey, std::optional<Key32>(b.localStaticKey));
    QCOMPARE(b.remoteStaticKey, std::optional<Key32>(a.localStaticKey));
    QVERIFY(a.handshakeHash && b.handshakeHash);
    QCOMPARE(*a.handshakeHash, *b.handshakeHash);
    QCOMPARE(a.localNonce, b.remoteNonce);
    QCOMPARE(a.remoteNonce, b.localNonce);
    // The three messages, seen from each side in opposite directions with the same sizes.
    const Direction initiatorSide[] = {Direction::Outbound, Direction::Inbound,
                                       Direction::Outbound};
    for (std::size_t i = 0; i < 3; ++i) {
        QVERIFY(a.steps[i].seen && b.steps[i].seen);
        QCOMPARE(a.steps[i].direction, initiatorSide[i]);
        QVERIFY(b.steps[i].direction != initiatorSide[i]);
        QCOMPARE(a.steps[i].tokens, b.steps[i].tokens);
        QCOMPARE(a.steps[i].wireSize, b.steps[i].wireSize);
        QVERIFY(a.steps[i].error.isEmpty());
    }
    QCOMPARE(a.steps[0].tokens, QStringLiteral("e"));
    QCOMPARE(a.failedStep, -1);
    QCOMPARE(pair.dialer->stateText(), QStringLiteral("open"));
    QVERIFY(pair.dialer->endReason().isEmpty());
}

void TestInspectedSession::transportConnectionIsLogged()
{
    InspectedPair pair;
    QVERIFY(pair.start());
    QSignalSpy changed(pair.dialer.get(), &InspectedSession::changed);
    QVERIFY(pair.waitUntilOpen());
    QVERIFY(changed.count() > 0);
    const QString peer = QStringLiteral("127.0.0.1:%1").arg(pair.server.port());
    QCOMPARE(pair.dialer->peerAddress(), peer);
    QCOMPARE(pair.dialer->label(), QStringLiteral("#1 ") + peer);
    QCOMPARE(pair.log.sessionLabel(1), pair.dialer->label());
    const QStringList notes = pair.notes(1);
    QVERIFY2(notes.contains(QStringLiteral("Connected to %1 as initiator (dialed) "
                                           "(Noise XX + XSalsa20)")
                                .arg(peer)),
             qPrintable(notes.join(u'\n')));
    QVERIFY(containsStartingWith(notes, QStringLiteral("Handshake complete: remote static key ")));
    // The accepted side knows its peer by the dialer's ephemeral port.
    QVERIFY(pair.accepted->peerAddress().startsWith(QStringLiteral("127.0.0.1:")));
    QCOMPARE(pair.accepted->roleText(), QStringLiteral("responder (accepted)"));
}

void TestInspectedSession::channelsAndMessagesFlowBetweenThePair()
{
    InspectedPair pair;
    QVERIFY(pair.start());
    QVERIFY(pair.waitUntilOpen());
    const Key32 feed = keyOf(0x33);
    const Key32 dk = crypto::discoveryKey(feed);
    QCOMPARE(pair.dialer->openChannel(feed), QString());
    QCOMPARE(pair.accepted->openChannel(feed), QString());
    ChannelTableModel *ours = pair.dialer->channels();
    ChannelTableModel *theirs = pair.accepted->channels();
    QTRY_COMPARE(ours->index(0, ChannelTableModel::StateColumn).data().toString(),
                 QStringLiteral("established"));
    QTRY_COMPARE(theirs->index(0, ChannelTableModel::StateColumn).data().toString(),
                 QStringLiteral("established"));

    const quint64 sentBefore = pair.dialer->framesSent();
    const quint64 receivedBefore = pair.accepted->framesReceived();
    QCOMPARE(pair.dialer->send(dk, wantOf(7)), QString());
    QCOMPARE(pair.dialer->framesSent(), sentBefore + 1);
    QTRY_COMPARE(pair.accepted->framesReceived(), receivedBefore + 1);
    // The Want is a row of the shared log, once per side, on the channel's interned key.
    pair.log.flush();
    const quint32 key = pair.log.channelKeyIndex(dk);
    QVERIFY(key != 0);
    int wants = 0;
    for (int row = 0; row < pair.log.rowCount(); ++row) {
        const auto &r = pair.log.record(row);
        if (r.kind == MessageLogModel::Kind::Frame && r.type == quint8(MessageType::Want)) {
            ++wants;
            QCOMPARE(r.channelKey, key);
            QVERIFY(pair.log.summaryText(r).contains(QStringLiteral("start=7")));
        }
    }
    QCOMPARE(wants, 2);

    QCOMPARE(pair.dialer->closeChannel(dk), QString());
    QTRY_COMPARE(theirs->index(0, ChannelTableModel::StateColumn).data().toString(),
                 QStringLiteral("closed by remote"));
    // Sessions are live by default: closing the last channel does not end them.
    QCOMPARE(pair.dialer->state(), InspectedSession::State::Open);
}

void TestInspectedSession::extensionsAreRegisteredAndCounted()
{
    InspectedPair pair;
    QVERIFY(pair.start());
    QVERIFY(pair.waitUntilOpen());
    const std::optional<Key32> stream;
    QCOMPARE(pair.dialer->registerExtension(stream, QStringLiteral("chat")), QString());
    QCOMPARE(pair.accepted->registerExtension(stream, QStringLiteral("chat")), QString());
    ExtensionModel *ours = pair.dialer->extensions();
    ExtensionModel *theirs = pair.accepted->extensions();
    QCOMPARE(ours->localNames(stream), QStringList{QStringLiteral("chat")});
    // Names are announced with the first message: until then each side sees only its own.
    QCOMPARE(ours->index(0, ExtensionModel::MatchColumn).data().toString(),
             QStringLiteral("local only"));

    QCOMPARE(pair.dialer->sendExtension(stream, QStringLiteral("chat"), "hello"), QString());
    ours->flush();
    QCOMPARE(ours->index(0, ExtensionModel::SentColumn).data().toULongLong(), 1ull);
    QTRY_COMPARE(theirs->remoteNames(stream), QStringList{QStringLiteral("chat")});
    QTRY_COMPARE(theirs->index(0, ExtensionModel::ReceivedColumn).data().toULongLong(), 1ull);
    QCOMPARE(theirs->index(0, ExtensionModel::MatchColumn).data().toString(),
             QStringLiteral("match"));
    // The log names the extension of the frame on both sides.
    pair.log.flush();
    int named = 0;
    for (int row = 0; row < pair.log.rowCount(); ++row) {
        const auto &r = pair.log.record(row);
        if (r.kind == MessageLogModel::Kind::Frame && r.type == 15) {
            QCOMPARE(pair.log.noteText(r), QStringLiteral("chat"));
            ++named;
        }
    }
    QCOMPARE(named, 2);
}

void TestInspectedSession::refusedActionsComeBackAsText()
{
    InspectedPair pair;
    QVERIFY(pair.start());
    QVERIFY(pair.waitUntilOpen());
    QSignalSpy changed(pair.dialer.get(), &InspectedSession::changed);
    QVERIFY(
        pair.dialer->send(keyOf(0x44), wantOf(1)).startsWith(QStringLiteral("unknown-channel")));
    QVERIFY(pair.dialer->sendExtension(std::nullopt, QStringLiteral("nope"), "x")
                .startsWith(QStringLiteral("unknown-extension")));
    QVERIFY(pair.dialer->registerExtension(std::nullopt, QString())
                .startsWith(QStringLiteral("invalid-argument")));
    QCOMPARE(changed.count(), 3); // every action reports, refused or not
    // Refused calls leave the session as it was.
    QCOMPARE(pair.dialer->state(), InspectedSession::State::Open);
    QCOMPARE(pair.dialer->ping(), QString());
}

void TestInspectedSession::unknownDiscoveryKeyIsExplained()
{
    InspectedPair pair;
    QVERIFY(pair.start());
    QVERIFY(pair.waitUntilOpen());
    const Key32 feed = keyOf(0x55);
    QCOMPARE(pair.dialer->openChannel(feed), QString());
    const QString hex = QString::fromStdString(toHex(crypto::discoveryKey(feed)));
    QTRY_VERIFY(containsStartingWith(
        pair.notes(pair.accepted->id()),
        QStringLiteral("The remote opened discovery key %1, which we have not opened").arg(hex)));
}

void TestInspectedSession::secretsMatchAndOutliveTheEngine()
{
    InspectedPair pair;
    QVERIFY(pair.start());
    QVERIFY(pair.waitUntilOpen());
    const InspectedSession::Secrets a = pair.dialer->secrets();
    const InspectedSession::Secrets b = pair.accepted->secrets();
    QVERIFY(a.staticSecretKey && b.staticSecretKey);
    QVERIFY(a.transportKeys && b.transportKeys);
    QVERIFY(!a.transportKeysFromLog);
    QCOMPARE(a.transportKeys->tx, b.transportKeys->rx);
    QCOMPARE(a.transportKeys->rx, b.transportKeys->tx);

    QSignalSpy ended(pair.dialer.get(), &InspectedSession::ended);
    pair.dialer->disconnectFromPeer();
    QTRY_COMPARE(ended.count(), 1);
    // The engine wiped its keys; the inspector's copy remains for the log's wire bytes.
    const InspectedSession::Secrets after = pair.dialer->secrets();
    QVERIFY(!after.staticSecretKey);
    QVERIFY(after.transportKeys);
    QVERIFY(after.transportKeysFromLog);
    QCOMPARE(after.transportKeys->tx, a.transportKeys->tx);
}

void TestInspectedSession::cleanEndFreezesTheSession()
{
    InspectedPair pair;
    QVERIFY(pair.start());
    QVERIFY(pair.waitUntilOpen());
    QSignalSpy ended(pair.dialer.get(), &InspectedSession::ended);
    QSignalSpy remoteEnded(pair.accepted.get(), &InspectedSession::ended);
    pair.dialer->disconnectFromPeer();
    QTRY_COMPARE(ended.count(), 1);
    QTRY_COMPARE(remoteEnded.count(), 1);
    QCOMPARE(ended.first().at(0).toString(), QString()); // a clean end has no reason
    QCOMPARE(pair.dialer->state(), InspectedSession::State::Ended);
    QCOMPARE(pair.dialer->stateText(), QStringLiteral("closed"));
    QVERIFY(!pair.dialer->endedWithError());
    QVERIFY(containsStartingWith(pair.notes(1), QStringLiteral("Session ended cleanly")));
    // Once ended, the duration stops.
    const qint64 duration = pair.dialer->durationMs();
    QElapsedTimer clock;
    clock.start();
    QVERIFY(QTest::qWaitFor([&] { return clock.elapsed() > 50; }));
    QCOMPARE(pair.dialer->durationMs(), duration);
    // A second end changes nothing.
    pair.dialer->disconnectFromPeer();
    QCOMPARE(ended.count(), 1);
}

// The session reads Ended exactly when its channel table has closed its channels (the end's
// report, onEnded()): never Ended with a channel still "established", from the moment the
// engine stops (a clean close drains the socket first; the report is queued) to the end.
void TestInspectedSession::stateAndChannelsEndInOneStep()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    const Key32 feed = keyOf(0x5e);
    QVERIFY(pair.establish(feed));
    const auto established = [](const InspectedSession *session) {
        const ChannelTableModel *channels = session->channels();
        return channels->rowCount() > 0 &&
               channels->row(0).state == ChannelTableModel::State::Established;
    };
    QVERIFY(QTest::qWaitFor([&] { return established(pair.accepted.get()); }));
    // Never Ended with a channel still established.
    const auto inOneStep = [&established](const InspectedSession *session) {
        return !(session->state() == InspectedSession::State::Ended && established(session));
    };
    QVERIFY(inOneStep(pair.dialer.get()));
    QSignalSpy ended(pair.dialer.get(), &InspectedSession::ended);
    QSignalSpy remoteEnded(pair.accepted.get(), &InspectedSession::ended);
    pair.dialer->disconnectFromPeer();
    // The engine has stopped; the end is not reported yet: still open, "ending".
    QVERIFY(inOneStep(pair.dialer.get()));
    QCOMPARE(pair.dialer->state(), InspectedSession::State::Open);
    QCOMPARE(pair.dialer->stateText(), QStringLiteral("ending"));
    QVERIFY(QTest::qWaitFor([&] {
        // Checked after every event the loop handles until both ends are reported.
        if (!inOneStep(pair.dialer.get()) || !inOneStep(pair.accepted.get()))
            return true;
        return !ended.isEmpty() && !remoteEnded.isEmpty();
    }));
    QVERIFY(inOneStep(pair.dialer.get()));
    QVERIFY(inOneStep(pair.accepted.get()));
    QVERIFY(!established(pair.dialer.get()) && !established(pair.accepted.get()));
    QCOMPARE(pair.dialer->state(), InspectedSession::State::Ended);
    QCOMPARE(pair.accepted->state(), InspectedSession::State::Ended);
    QCOMPARE(pair.dialer->channels()->row(0).state, ChannelTableModel::State::SessionEnded);
}

void TestInspectedSession::outlivesTheDriverItsServerDeleted()
{
    InspectedPair pair;
    QVERIFY(pair.start());
    QVERIFY(pair.waitUntilOpen());
    QCOMPARE(pair.dialer->ping(), QString());
    QTRY_VERIFY(pair.accepted->framesReceived() >= 1);
    QPointer<SessionDriver> driver = pair.accepted->driver();
    QVERIFY(driver);
    pair.dialer->disconnectFromPeer();
    // The server deletes its driver after it ended: the session keeps what it showed.
    QTRY_VERIFY(!driver);
    QCOMPARE(pair.accepted->driver(), nullptr);
    QCOMPARE(pair.accepted->engine(), nullptr);
    QCOMPARE(pair.accepted->state(), InspectedSession::State::Ended);
    QVERIFY(pair.accepted->bytesReceived() > 0);
    QCOMPARE(pair.accepted->bytesReceived(), pair.dialer->bytesSent());
    QVERIFY(pair.accepted->handshake().complete);
    QCOMPARE(pair.accepted->openChannel(keyOf(1)), QStringLiteral("the session is gone"));
    QCOMPARE(pair.accepted->ping(), QStringLiteral("the session is gone"));
    QCOMPARE(pair.accepted->sendFrame(0, 12, "x"), QStringLiteral("the session is gone"));
    pair.accepted->disconnectFromPeer(); // nothing to disconnect: no effect
    const InspectedSession::Secrets secrets = pair.accepted->secrets();
    QVERIFY(!secrets.staticSecretKey);
    QVERIFY(secrets.transportKeysFromLog);
}

void TestInspectedSession::rejectedKeyFailsTheStepThatCarriedIt()
{
    InspectedPair pair;
    QVERIFY(pair.start({}, [](SessionDriver *driver) {
        driver->setRemoteKeyFilter([](const Key32 &) { return false; });
    }));
    QSignalSpy ended(pair.dialer.get(), &InspectedSession::ended);
    QVERIFY(ended.wait(10000));
    const QString reason = ended.first().at(0).toString();
    QVERIFY2(reason.startsWith(QStringLiteral("remote-key-rejected")), qPrintable(reason));
    QCOMPARE(pair.dialer->stateText(), QStringLiteral("failed"));
    QVERIFY(pair.dialer->endedWithError());
    QCOMPARE(pair.dialer->endReason(), reason);
    const HandshakeRecord &h = pair.dialer->handshake();
    QVERIFY(!h.complete);
    // The initiator learns the remote key from message 2: that is the step that failed.
    QCOMPARE(h.failedStep, 1);
    QCOMPARE(h.failure, reason);
}

void TestInspectedSession::hangUpDuringTheHandshakeFailsTheMissingStep()
{
    // A listener that accepts and hangs up at once: message 2 never comes.
    QTcpServer rude;
    QVERIFY(rude.listen(QHostAddress::LocalHost, 0));
    connect(&rude, &QTcpServer::newConnection, &rude, [&rude] {
        while (QTcpSocket *socket = rude.nextPendingConnection()) {
            socket->close();
            socket->deleteLater();
        }
    });
    MessageLogModel log;
    EngineOptions options;
    options.initiator = true;
    auto *driver = new SessionDriver(1, options);
    InspectedSession session(1, driver, InspectedSession::Origin::Dialed, &log);
    QSignalSpy handshakeChanged(&session, &InspectedSession::handshakeChanged);
    QSignalSpy ended(&session, &InspectedSession::ended);
    driver->connectToHost(QStringLiteral("127.0.0.1"), rude.serverPort());
    QVERIFY(ended.wait(10000));
    QVERIFY(session.endedWithError());
    const HandshakeRecord &h = session.handshake();
    QVERIFY(h.steps[0].seen);
    QVERIFY(!h.steps[1].seen);
    QCOMPARE(h.failedStep, 1);
    QVERIFY(!h.failure.isEmpty());
    QVERIFY(handshakeChanged.count() >= 2); // message 1 written, then the failure
}

void TestInspectedSession::knowsWhichChannelsWeHaveOpen()
{
    // What lets a pane say "already open as local id N" instead of "Open sent" (issue 11, 3).
    InspectedPair pair;
    QVERIFY(pair.open());
    const Key32 feed = keyOf(0x44);
    const Key32 dk = crypto::discoveryKey(feed);
    QCOMPARE(pair.dialer->openLocalId(dk), std::nullopt);
    // Opened by the remote only: not ours to send on.
    const Key32 theirs = keyOf(0x45);
    QCOMPARE(pair.accepted->openChannel(theirs), QString());
    QTRY_COMPARE(pair.dialer->channels()->rowCount(), 1);
    QCOMPARE(pair.dialer->openLocalId(crypto::discoveryKey(theirs)), std::nullopt);
    QVERIFY(pair.establish(feed));
    const std::optional<std::uint64_t> id = pair.dialer->openLocalId(dk);
    QVERIFY(id);
    const std::optional<ChannelInfo> engineSide = pair.dialer->engine()->channel(dk);
    QVERIFY(engineSide);
    QCOMPARE(id, engineSide->localId);
    QCOMPARE(pair.dialer->closeChannel(dk), QString());
    QCOMPARE(pair.dialer->openLocalId(dk), std::nullopt);
}

QTEST_MAIN(TestInspectedSession)
#include "tst_inspectedsession.moc"
