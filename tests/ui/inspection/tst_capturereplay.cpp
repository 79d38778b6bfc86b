// CaptureReplay on a relayed session (issue 11, item 4): a live relayed session between two
// in-process peers (RelayScenario: a forwarded channel, a held one, a stream extension, a Want and
// a Have each way) is saved as the inspector saves it and opened in another SessionManager. It
// comes back as one read-only relayed pair whose legs each hold what the live leg held: the
// handshake, the channels, the extensions, the counters, the held channel, the Feed tab's
// channels; one sidebar entry with a line per leg; the relay's channel table; the Flow tab's
// three lifelines. A hyperscope-cli file (the client's address only, no handshake of its own in
// the header) opens as a pair too, and a pair saved again opens the same. Every model under
// QAbstractItemModelTester.
#include "capturefile.h"
#include "capturereplay.h"
#include "feedtracker.h"
#include "relaychannelmodel.h"
#include "relayscenario.h"
#include "sessionlistmodel.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

using Leg = MessageLogModel::Leg;

/// Every cell of @p model as text, row by row.
QStringList cells(const QAbstractItemModel *model)
{
    QStringList text;
    for (int row = 0; row < model->rowCount(); ++row) {
        QStringList line;
        for (int column = 0; column < model->columnCount(); ++column)
            line << model->index(row, column).data().toString();
        text << line.join(QLatin1Char('|'));
    }
    return text;
}

/// @p log's rows, written as the inspector's File › Save Log As writes them and read back.
std::optional<capture::Capture>
saveAndRead(const MessageLogModel &log, const QMap<int, capture::SessionInfo> &info, QString *error)
{
    QList<int> rows;
    for (int row = 0; row < log.rowCount(); ++row)
        rows << row;
    QBuffer buffer;
    buffer.open(QIODevice::ReadWrite);
    if (!capture::write(buffer, log, rows, error, info))
        return std::nullopt;
    buffer.seek(0);
    return capture::read(buffer, error);
}

} // namespace

class TestCaptureReplay : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void relayedCaptureIsARelayedPair();
    void eachLegIsRebuiltFromItsRows();
    void eachLegIsRebuiltFromItsRows_data();
    void heldChannelsComeFromTheRows();
    void sidebarFlowAndFeedShowBothLegs();
    void legsAreReadOnly();
    void resavedPairOpensTheSame();
    void fileWithoutServerLegEntryRebuildsWhatTheRowsTell();
    void cliRelayCaptureOpensAsAPair();

private:
    /// The captured pair opened from m_capture in a fresh manager (owned by m_opened).
    InspectedSession *open(const QString &name = QStringLiteral("relay.jsonl"));

    MessageLogModel m_liveLog;
    std::unique_ptr<SessionManager> m_live;
    RelayScenario m_scenario;
    std::optional<capture::Capture> m_capture;
    std::vector<std::unique_ptr<MessageLogModel>> m_openedLogs;
    std::vector<std::unique_ptr<SessionManager>> m_opened;
};

void TestCaptureReplay::initTestCase()
{
    m_live = std::make_unique<SessionManager>(&m_liveLog);
    QString failure;
    QVERIFY2(m_scenario.run(*m_live, &failure), qPrintable(failure));
    QString error;
    m_capture = saveAndRead(m_liveLog, m_live->captureInfo(), &error);
    QVERIFY2(m_capture, qPrintable(error));
}

InspectedSession *TestCaptureReplay::open(const QString &name)
{
    m_openedLogs.push_back(std::make_unique<MessageLogModel>());
    m_opened.push_back(std::make_unique<SessionManager>(m_openedLogs.back().get()));
    const QList<InspectedSession *> sessions = m_opened.back()->openCapture(*m_capture, name);
    return sessions.size() == 1 ? sessions.first() : nullptr;
}

// One sidebar entry, a capture and a relayed pair at once: the client leg's object owns the
// server leg's, both read-only, no relay behind them.
void TestCaptureReplay::relayedCaptureIsARelayedPair()
{
    InspectedSession *captured = open();
    QVERIFY(captured);
    QAbstractItemModelTester listTester(m_opened.back()->model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(m_opened.back()->sessions().size(), 1);
    QVERIFY(captured->isCapture());
    QVERIFY(captured->isRelayed());
    QCOMPARE(captured->leg(), Leg::Client);
    QVERIFY(!captured->relay());
    InspectedSession *server = captured->serverLeg();
    QVERIFY(server);
    QVERIFY(server->isCapture());
    QVERIFY(server->isRelayed());
    QCOMPARE(server->leg(), Leg::Server);
    QCOMPARE(server->id(), captured->id());
    QCOMPARE(server->relayRoot(), captured);
    QCOMPARE(captured->legSession(Leg::Server), server);
    QCOMPARE(server->legSession(Leg::Client), captured);

    InspectedSession *live = m_scenario.session();
    QCOMPARE(captured->relayText(), live->relayText());
    QVERIFY(captured->relayText().endsWith(m_scenario.upstreamAddress()));
    QCOMPARE(captured->label(), QStringLiteral("relay.jsonl #1 %1").arg(live->relayText()));
    QCOMPARE(m_openedLogs.back()->sessionLabel(captured->id()), captured->label());
    QCOMPARE(captured->legLabel(), QStringLiteral("relay.jsonl #1, client leg (a capture: "
                                                  "read-only)"));
    QCOMPARE(server->legLabel(), QStringLiteral("relay.jsonl #1, server leg (a capture: "
                                                "read-only)"));
    QCOMPARE(server->peerAddress(), m_scenario.upstreamAddress());
    QCOMPARE(captured->peerAddress(), live->peerAddress());
    QCOMPARE(captured->state(), InspectedSession::State::Ended);
    QVERIFY(!captured->endedWithError());
    QVERIFY(!server->endedWithError());
}

void TestCaptureReplay::eachLegIsRebuiltFromItsRows_data()
{
    QTest::addColumn<int>("leg");
    QTest::newRow("client leg") << int(Leg::Client);
    QTest::newRow("server leg") << int(Leg::Server);
}

// Handshake, counters, channels and extensions of each leg, as the live leg showed them.
void TestCaptureReplay::eachLegIsRebuiltFromItsRows()
{
    QFETCH(int, leg);
    InspectedSession *captured = open()->legSession(Leg(leg));
    const InspectedSession *live = m_scenario.session()->legSession(Leg(leg));
    QVERIFY(captured && live);
    QAbstractItemModelTester channelTester(captured->channels(),
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester extensionTester(
        captured->extensions(), QAbstractItemModelTester::FailureReportingMode::QtTest);

    const HandshakeRecord &h = captured->handshake();
    const HandshakeRecord &l = live->handshake();
    QVERIFY(l.complete);
    QVERIFY(h.complete);
    QCOMPARE(h.noise, l.noise);
    QCOMPARE(h.encrypted, l.encrypted);
    QCOMPARE(h.initiator, l.initiator);
    QCOMPARE(h.initiator, Leg(leg) == Leg::Server); // the relay dials the server
    QCOMPARE(h.failedStep, -1);
    for (std::size_t i = 0; i < 3; ++i) {
        const HandshakeStep &s = h.steps[i];
        const HandshakeStep &t = l.steps[i];
        QVERIFY(s.seen);
        QCOMPARE(s.direction, t.direction);
        QCOMPARE(s.tokens, t.tokens);
        QCOMPARE(s.wireSize, t.wireSize);
        QCOMPARE(s.payloadSize, t.payloadSize);
        QCOMPARE(s.ephemeralKey, t.ephemeralKey);
    }
    QCOMPARE(h.steps[0].payloadNonce, l.steps[0].payloadNonce); // message 1's payload is in clear
    // What the header keeps of each leg (the server leg's in its "serverLeg").
    QVERIFY(l.handshakeHash && l.remoteStaticKey);
    QCOMPARE(h.remoteStaticKey, l.remoteStaticKey);
    QCOMPARE(h.handshakeHash, l.handshakeHash);
    QCOMPARE(h.localStaticKey, l.localStaticKey);
    QCOMPARE(h.localNonce, l.localNonce);
    QCOMPARE(h.remoteNonce, l.remoteNonce);
    for (std::size_t i = 0; i < 3; ++i) {
        QCOMPARE(h.steps[i].staticKey, l.steps[i].staticKey);
        QCOMPARE(h.steps[i].payloadNonce, l.steps[i].payloadNonce);
    }

    QCOMPARE(captured->framesSent(), live->framesSent());
    QCOMPARE(captured->framesReceived(), live->framesReceived());
    QCOMPARE(captured->bytesSent(), live->bytesSent());
    QCOMPARE(captured->bytesReceived(), live->bytesReceived());
    QCOMPARE(captured->warnings(), live->warnings());
    QVERIFY(captured->framesSent() > 0 && captured->framesReceived() > 0);

    // Channels: every cell as the live leg's table shows it (the forwarded channel on both legs
    // with its feed key, the held one on the client leg only).
    QCOMPARE(cells(captured->channels()), cells(live->channels()));
    QCOMPARE(captured->channels()->rowCount(), Leg(leg) == Leg::Client ? 2 : 1);
    const int forwarded =
        captured->channels()->rowOf(crypto::discoveryKey(m_scenario.forwardedKey));
    QVERIFY(forwarded >= 0);
    QCOMPARE(captured->channels()->row(forwarded).key, std::optional(m_scenario.forwardedKey));
    QVERIFY(captured->channels()->row(forwarded).verified);
    for (int row = 0; row < live->channels()->rowCount(); ++row) {
        QCOMPARE(captured->channels()->row(row).localId, live->channels()->row(row).localId);
        QCOMPARE(captured->channels()->row(row).remoteId, live->channels()->row(row).remoteId);
        QCOMPARE(captured->channels()->row(row).state, live->channels()->row(row).state);
    }

    // Extensions: the peer's "hello" on each leg, forwarded verbatim.
    QCOMPARE(cells(captured->extensions()), cells(live->extensions()));
    QVERIFY(captured->extensions()->remoteNames(std::nullopt).contains(QStringLiteral("hello")));
}

// The channel the relay held (the client opened it, the relay lacked its key) is held on the
// client leg of the capture too, and the relay's table says so without offering to add a key.
void TestCaptureReplay::heldChannelsComeFromTheRows()
{
    InspectedSession *captured = open();
    const Key32 held = crypto::discoveryKey(m_scenario.heldKey);
    QCOMPARE(captured->heldChannels(), std::vector<Key32>{held});
    QVERIFY(captured->serverLeg()->heldChannels().empty());

    RelayChannelModel relay(captured->serverLeg()); // from either leg's object
    QAbstractItemModelTester tester(&relay, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(relay.session(), captured);
    QCOMPARE(relay.rowCount(), 2);
    const int heldRow = relay.rowOf(held);
    QVERIFY(heldRow >= 0);
    QCOMPARE(relay.forwarding(heldRow), RelayChannelModel::Forwarding::Held);
    QCOMPARE(relay.heldOn(heldRow), QStringLiteral("client"));
    QCOMPARE(relay.index(heldRow, RelayChannelModel::ForwardingColumn).data().toString(),
             QStringLiteral("held: feed key unknown"));
    QVERIFY(!relay.index(heldRow, RelayChannelModel::ForwardingColumn)
                 .data(Qt::ToolTipRole)
                 .toString()
                 .contains(QStringLiteral("Add Key")));
    QCOMPARE(relay.index(heldRow, RelayChannelModel::ServerStateColumn).data().toString(),
             QStringLiteral("not opened"));

    // The forwarded channel: each leg's ids as the live relay's table showed them.
    RelayChannelModel liveRelay(m_scenario.session());
    const Key32 forwarded = crypto::discoveryKey(m_scenario.forwardedKey);
    const int row = relay.rowOf(forwarded);
    const int liveRow = liveRelay.rowOf(forwarded);
    QVERIFY(row >= 0 && liveRow >= 0);
    for (const int column :
         {int(RelayChannelModel::ClientIdsColumn), int(RelayChannelModel::ServerIdsColumn),
          int(RelayChannelModel::ClientStateColumn), int(RelayChannelModel::ServerStateColumn),
          int(RelayChannelModel::ForwardingColumn)})
        QCOMPARE(relay.index(row, column).data().toString(),
                 liveRelay.index(liveRow, column).data().toString());
    // Open on both legs when the session ended: forwarded to the end, not merely "closed".
    QCOMPARE(relay.index(row, RelayChannelModel::ForwardingColumn).data().toString(),
             QStringLiteral("forwarded until the session ended"));
}

// The sidebar's entry has a line per leg; the log knows both legs' peers (the Flow tab's client
// and server lifelines); each leg's Feed tab tracks its own rows.
void TestCaptureReplay::sidebarFlowAndFeedShowBothLegs()
{
    InspectedSession *captured = open();
    SessionListModel *list = m_opened.back()->model();
    list->refresh();
    const QModelIndex entry = list->index(0, 0);
    QCOMPARE(entry.siblingAtColumn(SessionListModel::PeerColumn).data().toString(),
             captured->relayText());
    QVERIFY(entry.data(SessionListModel::IsCaptureRole).toBool());
    const QStringList lines = entry.data(SessionListModel::SubtitleRole).toString().split(u'\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines[1].startsWith(QStringLiteral("client · captured, read-only · ↓ ")),
             qPrintable(lines[1]));
    QVERIFY2(lines[2].startsWith(QStringLiteral("server · captured, read-only · ↓ ")),
             qPrintable(lines[2]));
    QVERIFY2(lines[2].endsWith(QStringLiteral(" · ") + m_scenario.upstreamAddress()),
             qPrintable(lines[2]));

    const MessageLogModel *log = m_openedLogs.back().get();
    QVERIFY(log->sessionHasLegs(captured->id()));
    QCOMPARE(log->sessionEndpoints(captured->id(), Leg::Client).peer, captured->peerAddress());
    QCOMPARE(log->sessionEndpoints(captured->id(), Leg::Server).peer, m_scenario.upstreamAddress());

    for (const Leg leg : {Leg::Client, Leg::Server}) {
        const FeedTracker *feed = captured->legSession(leg)->feed();
        const FeedTracker *liveFeed = m_scenario.session()->legSession(leg)->feed();
        QCOMPARE(feed->leg(), leg);
        QCOMPARE(feed->channels().size(), std::size_t(1));
        QCOMPARE(feed->channels().size(), liveFeed->channels().size());
        const FeedTracker::Channel &channel = feed->channels().begin()->second;
        QCOMPARE(channel.discoveryKey, crypto::discoveryKey(m_scenario.forwardedKey));
        QCOMPARE(channel.highestBlock, liveFeed->channels().begin()->second.highestBlock);
    }
}

// Nothing can be sent on either leg of a capture.
void TestCaptureReplay::legsAreReadOnly()
{
    InspectedSession *captured = open();
    const Key32 forwarded = crypto::discoveryKey(m_scenario.forwardedKey);
    for (InspectedSession *leg : {captured, captured->serverLeg()}) {
        const QString reason = leg->readOnlyReason();
        QCOMPARE(reason, QStringLiteral("relay.jsonl #1 is a capture opened from a file: it is "
                                        "read-only"));
        QCOMPARE(leg->openChannel(m_scenario.heldKey), reason);
        QCOMPARE(leg->closeChannel(forwarded), reason);
        QCOMPARE(leg->send(forwarded, wantOf(1)), reason);
        QCOMPARE(leg->sendExtension(std::nullopt, QStringLiteral("hello"), "x"), reason);
        QCOMPARE(leg->ping(), reason);
        leg->disconnectFromPeer(); // a no-op
    }
}

// A captured pair saved again keeps both legs' peers and the client leg's handshake.
void TestCaptureReplay::resavedPairOpensTheSame()
{
    InspectedSession *first = open();
    QString error;
    const std::optional<capture::Capture> again =
        saveAndRead(*m_openedLogs.back(), m_opened.back()->captureInfo(), &error);
    QVERIFY2(again, qPrintable(error));
    MessageLogModel log;
    SessionManager manager(&log);
    const QList<InspectedSession *> reopened =
        manager.openCapture(*again, QStringLiteral("again.jsonl"));
    QCOMPARE(reopened.size(), 1);
    InspectedSession *second = reopened.first();
    QVERIFY(second->isRelayed());
    QCOMPARE(second->relayText(), first->relayText());
    for (const Leg leg : {Leg::Client, Leg::Server}) {
        QCOMPARE(second->legSession(leg)->peerAddress(), first->legSession(leg)->peerAddress());
        QCOMPARE(second->legSession(leg)->handshake().handshakeHash,
                 first->legSession(leg)->handshake().handshakeHash);
        QCOMPARE(second->legSession(leg)->handshake().remoteStaticKey,
                 first->legSession(leg)->handshake().remoteStaticKey);
        QCOMPARE(cells(second->legSession(leg)->channels()),
                 cells(first->legSession(leg)->channels()));
        QCOMPARE(second->legSession(leg)->framesSent(), first->legSession(leg)->framesSent());
        QCOMPARE(second->legSession(leg)->heldChannels(), first->legSession(leg)->heldChannels());
    }
}

// A file whose header says nothing of the server leg (written before "serverLeg" existed): the
// server leg's handshake comes from its rows and the relay's one static key.
void TestCaptureReplay::fileWithoutServerLegEntryRebuildsWhatTheRowsTell()
{
    capture::Capture older = *m_capture;
    for (capture::SessionInfo &info : older.sessionInfo)
        info.serverLeg.reset();
    MessageLogModel log;
    SessionManager manager(&log);
    const QList<InspectedSession *> opened =
        manager.openCapture(older, QStringLiteral("old.jsonl"));
    QCOMPARE(opened.size(), 1);
    const InspectedSession *server = opened.first()->serverLeg();
    const InspectedSession *live = m_scenario.session()->serverLeg();
    QVERIFY(server);
    QCOMPARE(server->peerAddress(), m_scenario.upstreamAddress()); // from "client → server"
    const HandshakeRecord &h = server->handshake();
    QVERIFY(h.complete);
    QVERIFY(h.initiator);
    QCOMPARE(h.localStaticKey, live->handshake().localStaticKey);
    QVERIFY(!h.remoteStaticKey); // encrypted in message 2, and not in the header
    QVERIFY(!h.handshakeHash);
    for (std::size_t i = 0; i < 3; ++i)
        QCOMPARE(h.steps[i].ephemeralKey, live->handshake().steps[i].ephemeralKey);
    QCOMPARE(cells(server->channels()), cells(live->channels()));
}

// hyperscope-cli relay --capture names only the client's address and no handshake of its own:
// the pair still opens, the server's address unknown, each leg from its rows.
void TestCaptureReplay::cliRelayCaptureOpensAsAPair()
{
    QByteArray file(
        R"({"format":"hyperscope-capture","version":1,"rows":4,"sessions":[{"id":1,)"
        R"("label":"#1 127.0.0.1:5","peer":"127.0.0.1:5","origin":"relayed",)"
        R"("noise":false,"ended":true,"endReason":"upstream refused"}]})"
        "\n"
        R"({"t":10,"session":1,"dir":"in","leg":"client","kind":"keepalive","plain":"00"})"
        "\n"
        R"({"t":20,"session":1,"dir":"out","leg":"server","kind":"keepalive","plain":"00"})"
        "\n"
        R"({"t":30,"session":1,"dir":"in","leg":"server","kind":"warning","note":"w"})"
        "\n"
        R"({"t":40,"session":1,"dir":"in","leg":"server","kind":"error","note":"upstream refused"})"
        "\n");
    QBuffer buffer(&file);
    buffer.open(QIODevice::ReadOnly);
    QString error;
    const std::optional<capture::Capture> capture = capture::read(buffer, &error);
    QVERIFY2(capture, qPrintable(error));
    MessageLogModel log;
    SessionManager manager(&log);
    const QList<InspectedSession *> opened =
        manager.openCapture(*capture, QStringLiteral("cli.jsonl"));
    QCOMPARE(opened.size(), 1);
    InspectedSession *captured = opened.first();
    QVERIFY(captured->isRelayed());
    InspectedSession *server = captured->serverLeg();
    QVERIFY(server);
    QCOMPARE(captured->relayText(), QStringLiteral("127.0.0.1:5 → unknown server"));
    QCOMPARE(captured->peerAddress(), QStringLiteral("127.0.0.1:5"));
    QVERIFY(server->peerAddress().isEmpty());
    QCOMPARE(captured->framesReceived(), quint64(1));
    QCOMPARE(captured->framesSent(), quint64(0));
    QCOMPARE(server->framesSent(), quint64(1));
    QCOMPARE(server->framesReceived(), quint64(0));
    QCOMPARE(server->warnings(), quint64(1));
    QCOMPARE(captured->warnings(), quint64(0));
    // The failure was the server leg's (its error row), not the client leg's.
    QVERIFY(server->endedWithError());
    QCOMPARE(server->endReason(), QStringLiteral("upstream refused"));
    QVERIFY(!captured->endedWithError());

    // Saved again, the unknown server stays unknown (not "unknown server" as an address).
    const capture::SessionInfo info = CaptureReplay::describe(*captured);
    QCOMPARE(info.peer, QStringLiteral("127.0.0.1:5"));
    QVERIFY(info.serverLeg);
    QVERIFY(info.serverLeg->peer.isEmpty());
    QCOMPARE(info.serverLeg->endReason, QStringLiteral("upstream refused"));
    QVERIFY(info.endReason.isEmpty());
}

QTEST_MAIN(TestCaptureReplay)
#include "tst_capturereplay.moc"
