// Opened captures behave like live sessions (issue 11, items 4 and 5), driven through the real
// MainWindow: the demo's two in-process sessions, saved from a live window and opened in another,
// are listed in the sidebar as read-only captures and show the same handshake, channels,
// extensions and counters as they did live; they are numbered within their file and take no live
// session's number; files written before the header kept session state still rebuild what the
// rows tell. A relayed session saved from a window opens as a read-only relayed pair: one sidebar
// entry with a line per leg, the leg chooser, and every tab on either leg.
#include "../inspection/relayscenario.h"
#include "channelspane.h"
#include "channeltablemodel.h"
#include "demorunner.h"
#include "extensionmodel.h"
#include "extensionspane.h"
#include "feedpane.h"
#include "flowgraph.h"
#include "guisettings.h"
#include "handshakeladder.h"
#include "inspectedsession.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogmodel.h"
#include "sendmessageform.h"
#include "sessionlistmodel.h"
#include "sessionmanager.h"
#include "sessionsidebar.h"

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// The captured session that was @p live (same local static key).
InspectedSession *capturedOf(const MainWindow &window, const InspectedSession *live)
{
    for (InspectedSession *s : window.sessions()) {
        if (s->isCapture() && s->handshake().localStaticKey == live->handshake().localStaticKey)
            return s;
    }
    return nullptr;
}

/// Every cell of @p model as text, row by row.
QStringList cells(QAbstractItemModel *model)
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

/// The capture at @p from with the header's session entries cut down to id and label, as files
/// written before SessionInfo existed have them.
void stripSessionInfo(const QString &from, const QString &to)
{
    QFile in(from);
    QVERIFY(in.open(QIODevice::ReadOnly));
    QByteArray header = in.readLine();
    const QByteArray rest = in.readAll();
    QJsonObject h = QJsonDocument::fromJson(header).object();
    QJsonArray sessions;
    for (const QJsonValue &entry : h.value(QLatin1String("sessions")).toArray())
        sessions.append(QJsonObject{{QStringLiteral("id"), entry[QLatin1String("id")]},
                                    {QStringLiteral("label"), entry[QLatin1String("label")]}});
    h.insert(QStringLiteral("sessions"), sessions);
    QFile out(to);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QJsonDocument(h).toJson(QJsonDocument::Compact) + '\n' + rest);
}

} // namespace

class TestMainWindowCapture : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void capturedSessionsAreListedAsCaptures();
    void everyTabShowsWhatItShowedLive();
    void capturesAreReadOnly();
    void capturesTakeNoLiveNumbers();
    void olderFilesRebuildWhatTheRowsTell();
    void resavedCaptureKeepsItsState();
    void relayedCaptureReplaysEachLegFromItsRows();
    void relayedCaptureOpensAsARelayedPair();

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<MainWindow> m_live;
};

// One live demo (Noise, XSalsa20, channels opened, refused and closed, extensions, every message
// type), stopped and saved: the capture every test opens.
void TestMainWindowCapture::initTestCase()
{
    useCleanTestSettings(QStringLiteral("tst_mainwindowcapture"));
    m_live = std::make_unique<MainWindow>();
    QVERIFY(m_live->startDemo());
    m_live->demo()->setInterval(20);
    QTRY_VERIFY_WITH_TIMEOUT(m_live->demo()->cycles() >= 1, 30000);
    m_live->stopDemo();
    QTRY_VERIFY_WITH_TIMEOUT(!m_live->demo()->isRunning(), 10000);
    QCOMPARE(m_live->sessions().size(), 2);
    for (InspectedSession *s : m_live->sessions()) {
        QTRY_COMPARE(s->state(), InspectedSession::State::Ended);
        s->channels()->flush();
        s->extensions()->flush();
        QVERIFY(s->channels()->rowCount() > 0);
        QVERIFY(s->extensions()->rowCount() > 0);
    }
    m_path = m_dir.filePath(QStringLiteral("demo.jsonl"));
    QString error;
    QVERIFY2(m_live->saveLog(m_path, false, &error), qPrintable(error));
}

void TestMainWindowCapture::cleanupTestCase()
{
    m_live.reset();
}

// The sidebar lists the file's sessions, numbered within the file and marked as captures; the
// first is current and the window's title says which.
void TestMainWindowCapture::capturedSessionsAreListedAsCaptures()
{
    MainWindow window;
    QCOMPARE(window.sessionModel()->rowCount(), 0);
    QString error;
    QVERIFY2(window.openLog(m_path, &error), qPrintable(error));

    SessionListModel *list = window.sessionModel();
    QCOMPARE(list->rowCount(), 2);
    for (int row = 0; row < 2; ++row) {
        const QModelIndex index = list->index(row, SessionListModel::SessionColumn);
        QCOMPARE(index.data().toString(), QStringLiteral("demo.jsonl #%1").arg(row + 1));
        QVERIFY(index.data(SessionListModel::IsCaptureRole).toBool());
        QVERIFY(index.data(Qt::ToolTipRole).toString().contains(QLatin1String("read-only")));
        QVERIFY(list->index(row, SessionListModel::StateColumn)
                    .data()
                    .toString()
                    .contains(QLatin1String("captured")));
        // The peer is the one the live session had.
        InspectedSession *captured = list->session(row);
        QVERIFY(captured->isCapture());
        QCOMPARE(captured->captureNumber(), row + 1);
        QVERIFY(!captured->peerAddress().isEmpty());
        QCOMPARE(window.logModel()->sessionLabel(captured->id()), captured->label());
        QVERIFY(captured->label().startsWith(QStringLiteral("demo.jsonl #%1 ").arg(row + 1)));
    }
    QCOMPARE(window.currentSession(), list->session(0));
    QCOMPARE(window.sidebar()->currentIndex().row(), 0);
    QVERIFY2(window.windowTitle().contains(QLatin1String("demo.jsonl #1")),
             qPrintable(window.windowTitle()));
    // The Flow tab numbers rows by the file's numbering, not by the sessions' (large) log ids.
    QVERIFY2(window.flowGraph()->labelText(0).startsWith(QLatin1String("demo.jsonl #")),
             qPrintable(window.flowGraph()->labelText(0)));
    QCOMPARE(window.logModel()->sessionNumber(list->session(1)->id()),
             QStringLiteral("demo.jsonl #2"));
    // The log's Session column tells captured rows from live ones by their start.
    QVERIFY(window.logModel()
                ->index(0, MessageLogModel::SessionColumn)
                .data()
                .toString()
                .startsWith(QLatin1String("demo.jsonl #")));
}

// Handshake, Channels and Extensions of each captured session, and its counters, as they were
// live; the tabs show the captured session chosen in the sidebar.
void TestMainWindowCapture::everyTabShowsWhatItShowedLive()
{
    MainWindow window;
    QString error;
    QVERIFY2(window.openLog(m_path, &error), qPrintable(error));
    for (InspectedSession *live : m_live->sessions()) {
        InspectedSession *captured = capturedOf(window, live);
        QVERIFY(captured);
        QCOMPARE(captured->peerAddress(), live->peerAddress());
        QCOMPARE(captured->roleText(), live->handshake().initiator
                                           ? QStringLiteral("initiator (captured)")
                                           : QStringLiteral("responder (captured)"));
        QCOMPARE(captured->modeText(), live->modeText());

        // Handshake.
        const HandshakeRecord &h = captured->handshake();
        const HandshakeRecord &l = live->handshake();
        QVERIFY(l.complete);
        QCOMPARE(h.complete, l.complete);
        QCOMPARE(h.noise, l.noise);
        QCOMPARE(h.encrypted, l.encrypted);
        QCOMPARE(h.initiator, l.initiator);
        QCOMPARE(h.remoteStaticKey, l.remoteStaticKey);
        QCOMPARE(h.handshakeHash, l.handshakeHash);
        QCOMPARE(h.localNonce, l.localNonce);
        QCOMPARE(h.remoteNonce, l.remoteNonce);
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
            QCOMPARE(s.staticKey, t.staticKey);
            QCOMPARE(s.payloadNonce, t.payloadNonce);
        }

        // Counters.
        QCOMPARE(captured->framesSent(), live->framesSent());
        QCOMPARE(captured->framesReceived(), live->framesReceived());
        QCOMPARE(captured->bytesSent(), live->bytesSent());
        QCOMPARE(captured->bytesReceived(), live->bytesReceived());
        QCOMPARE(captured->warnings(), live->warnings());

        // Channels and extensions: every cell as the live tables show it.
        QCOMPARE(cells(captured->channels()), cells(live->channels()));
        for (int row = 0; row < live->channels()->rowCount(); ++row) {
            const ChannelTableModel::Row &c = captured->channels()->row(row);
            const ChannelTableModel::Row &r = live->channels()->row(row);
            QCOMPARE(c.key, r.key);
            QCOMPARE(c.state, r.state);
            QCOMPARE(c.verified, r.verified);
        }
        QCOMPARE(cells(captured->extensions()), cells(live->extensions()));

        // The tabs follow the sidebar.
        const int row = window.sessionModel()->rowOf(captured);
        window.sidebar()->setCurrentIndex(window.sessionModel()->index(row, 0));
        QCOMPARE(window.currentSession(), captured);
        QCOMPARE(window.handshakeLadder()->record(), &captured->handshake());
        m_live->handshakeLadder()->setRecord(&live->handshake());
        QCOMPARE(window.handshakeLadder()->outcomeText(), m_live->handshakeLadder()->outcomeText());
        QCOMPARE(window.channelsPane()->table()->model()->rowCount(), live->channels()->rowCount());
        QCOMPARE(window.extensionsPane()->table()->model()->rowCount(),
                 live->extensions()->rowCount());
    }
}

// Nothing can be sent on a capture, and the panes and actions say so.
void TestMainWindowCapture::capturesAreReadOnly()
{
    MainWindow window;
    QString error;
    QVERIFY2(window.openLog(m_path, &error), qPrintable(error));
    InspectedSession *captured = window.currentSession();
    QVERIFY(captured && captured->isCapture());
    QVERIFY(!window.sendForm()->sendButton()->isEnabled());
    QVERIFY(!window.action(QStringLiteral("disconnect"))->isEnabled());
    QVERIFY(!window.action(QStringLiteral("openChannel"))->isEnabled());
    QVERIFY(captured->legLabel().contains(QLatin1String("read-only")));
    const QString reason = captured->readOnlyReason();
    QCOMPARE(reason,
             QStringLiteral("demo.jsonl #1 is a capture opened from a file: it is read-only"));
    const Key32 key = m_live->demo()->keys()[0];
    QCOMPARE(captured->openChannel(key), reason);
    QCOMPARE(captured->closeChannel(key), reason);
    QCOMPARE(captured->ping(), reason);
    QCOMPARE(captured->sendFrame(0, 4, {}), reason);
    QCOMPARE(captured->registerExtension(std::nullopt, QStringLiteral("x")), reason);
    QCOMPARE(captured->sendExtension(std::nullopt, QStringLiteral("x"), {}), reason);
    const int rows = window.logModel()->rowCount();
    captured->disconnectFromPeer(); // nothing to disconnect: a no-op
    window.logModel()->flush();
    QCOMPARE(window.logModel()->rowCount(), rows);
}

// Opening a capture in a window with live sessions numbers the file's sessions within the file:
// live sessions keep counting from where they were, and each session's times start at 0.
void TestMainWindowCapture::capturesTakeNoLiveNumbers()
{
    MainWindow window;
    QVERIFY(window.startDemo());
    QTRY_COMPARE(window.sessions().size(), 2);
    QCOMPARE(window.sessions().at(0)->id(), 1);
    QCOMPARE(window.sessions().at(1)->id(), 2);
    QString error;
    QVERIFY2(window.openLog(m_path, &error), qPrintable(error));
    QVERIFY2(window.openLog(m_path, &error), qPrintable(error));
    window.stopDemo();
    QTRY_VERIFY_WITH_TIMEOUT(!window.demo()->isRunning(), 10000);

    QStringList numbers;
    for (int row = 0; row < window.sessionModel()->rowCount(); ++row)
        numbers
            << window.sessionModel()->index(row, SessionListModel::SessionColumn).data().toString();
    QCOMPARE(numbers, (QStringList{QStringLiteral("#1"), QStringLiteral("#2"),
                                   QStringLiteral("demo.jsonl #1"), QStringLiteral("demo.jsonl #2"),
                                   QStringLiteral("demo.jsonl (2) #1"),
                                   QStringLiteral("demo.jsonl (2) #2")}));
    // The next live session is #3.
    QCOMPARE(window.sessionManager()->allocateId(), 3);

    // Times per captured session count from that session's first row.
    MessageLogModel *log = window.logModel();
    log->flush();
    QHash<int, qint64> first;
    for (int row = 0; row < log->rowCount(); ++row) {
        const MessageLogModel::Record &r = log->record(row);
        if (r.session >= SessionManager::FirstCaptureId && !first.contains(r.session))
            first.insert(r.session, r.timeUs);
    }
    QCOMPARE(first.size(), 4);
    for (const qint64 t : std::as_const(first))
        QCOMPARE(t, qint64(0));
}

// A file whose header has no session state (written before it existed): the channels, ids,
// states, counters, ephemeral keys and message 1's nonce still come back from the rows.
void TestMainWindowCapture::olderFilesRebuildWhatTheRowsTell()
{
    const QString old = m_dir.filePath(QStringLiteral("old.jsonl"));
    stripSessionInfo(m_path, old);
    MainWindow window;
    QString error;
    QVERIFY2(window.openLog(old, &error), qPrintable(error));
    QCOMPARE(window.sessionModel()->rowCount(), 2);
    for (InspectedSession *live : m_live->sessions()) {
        InspectedSession *captured = nullptr;
        for (InspectedSession *s : window.sessions()) {
            if (s->handshake().steps[0].ephemeralKey == live->handshake().steps[0].ephemeralKey &&
                s->handshake().initiator == live->handshake().initiator)
                captured = s;
        }
        QVERIFY(captured);
        QCOMPARE(captured->peerAddress(), live->peerAddress()); // from the label
        const HandshakeRecord &h = captured->handshake();
        QVERIFY(h.complete);
        QVERIFY(!h.handshakeHash);
        QCOMPARE(h.steps[0].payloadNonce, live->handshake().steps[0].payloadNonce);
        QCOMPARE(h.steps[1].ephemeralKey, live->handshake().steps[1].ephemeralKey);
        QCOMPARE(captured->framesSent(), live->framesSent());
        QCOMPARE(captured->framesReceived(), live->framesReceived());
        QCOMPARE(captured->channels()->rowCount(), live->channels()->rowCount());
        for (int row = 0; row < live->channels()->rowCount(); ++row) {
            const ChannelTableModel::Row &c = captured->channels()->row(row);
            const ChannelTableModel::Row &r = live->channels()->row(row);
            QCOMPARE(c.discoveryKey, r.discoveryKey);
            QVERIFY(!c.key); // feed keys are not in the rows
            QCOMPARE(c.localId, r.localId);
            QCOMPARE(c.remoteId, r.remoteId);
            QCOMPARE(c.state, r.state);
            QCOMPARE(c.verified, r.verified);
            QCOMPARE(c.messagesIn, r.messagesIn);
            QCOMPARE(c.messagesOut, r.messagesOut);
            QCOMPARE(c.localExtensions, r.localExtensions);
            QCOMPARE(c.remoteExtensions, r.remoteExtensions);
        }
        QCOMPARE(cells(captured->extensions()), cells(live->extensions()));
    }
}

// A capture saved again keeps what it knew: its sessions open a second time the same.
void TestMainWindowCapture::resavedCaptureKeepsItsState()
{
    MainWindow window;
    QString error;
    QVERIFY2(window.openLog(m_path, &error), qPrintable(error));
    const QString again = m_dir.filePath(QStringLiteral("again.jsonl"));
    QVERIFY2(window.saveLog(again, false, &error), qPrintable(error));
    MainWindow reopened;
    QVERIFY2(reopened.openLog(again, &error), qPrintable(error));
    QCOMPARE(reopened.sessionModel()->rowCount(), 2);
    for (InspectedSession *live : m_live->sessions()) {
        InspectedSession *captured = capturedOf(reopened, live);
        QVERIFY(captured);
        QVERIFY(captured->label().startsWith(QLatin1String("again.jsonl #")));
        QCOMPARE(captured->peerAddress(), live->peerAddress());
        QCOMPARE(captured->handshake().handshakeHash, live->handshake().handshakeHash);
        QCOMPARE(cells(captured->channels()), cells(live->channels()));
    }
}

// A relayed session's capture (rows of both legs under one id) opens as one captured relayed
// pair: each leg counts its own rows; the relay's own rows (no leg) stay the client leg's.
void TestMainWindowCapture::relayedCaptureReplaysEachLegFromItsRows()
{
    const QString path = m_dir.filePath(QStringLiteral("relay.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"format":"hyperscope-capture","version":1,"rows":3,"sessions":[{"id":4,)"
               R"("label":"#4 127.0.0.1:5 → 127.0.0.1:6","peer":"127.0.0.1:5 → 127.0.0.1:6",)"
               R"("origin":"relayed","noise":false}]})"
               "\n"
               R"({"t":1,"session":4,"dir":"in","leg":"client","kind":"keepalive","plain":"00"})"
               "\n"
               R"({"t":2,"session":4,"dir":"out","leg":"server","kind":"keepalive","plain":"00"})"
               "\n"
               R"({"t":3,"session":4,"dir":"in","kind":"event","note":"forwarding"})"
               "\n");
    file.close();
    MainWindow window;
    QString error;
    QVERIFY2(window.openLog(path, &error), qPrintable(error));
    QCOMPARE(window.sessions().size(), 1);
    InspectedSession *captured = window.sessions().first();
    QCOMPARE(captured->label(), QStringLiteral("relay.jsonl #1 127.0.0.1:5 → 127.0.0.1:6"));
    QVERIFY(captured->isRelayed());
    QCOMPARE(captured->peerAddress(), QStringLiteral("127.0.0.1:5"));
    QCOMPARE(captured->framesReceived(), quint64(1));
    QCOMPARE(captured->framesSent(), quint64(0)); // the server leg's frame is not the client's
    InspectedSession *server = captured->serverLeg();
    QVERIFY(server);
    QCOMPARE(server->peerAddress(), QStringLiteral("127.0.0.1:6"));
    QCOMPARE(server->framesSent(), quint64(1));
    QCOMPARE(server->framesReceived(), quint64(0));
    QCOMPARE(window.logModel()->rowCount(), 3);
    QCOMPARE(window.logModel()->record(1).leg, MessageLogModel::Leg::Server);
}

// A relayed session saved from a live window (hyperscope --relay, then File › Save Log As) and
// opened in another: one sidebar entry with a line per leg, the leg chooser, and the Handshake,
// Channels (with the relay's table), Extensions and Feed tabs on the chosen leg, the Flow tab
// with its three lifelines.
void TestMainWindowCapture::relayedCaptureOpensAsARelayedPair()
{
    MainWindow live;
    RelayScenario scenario;
    QString failure;
    QVERIFY2(scenario.run(*live.sessionManager(), &failure), qPrintable(failure));
    const QString path = m_dir.filePath(QStringLiteral("relayed.jsonl"));
    QString error;
    QVERIFY2(live.saveLog(path, false, &error), qPrintable(error));

    MainWindow window;
    QVERIFY2(window.openLog(path, &error), qPrintable(error));
    QCOMPARE(window.sessionModel()->rowCount(), 1);
    InspectedSession *captured = window.currentSession();
    QVERIFY(captured && captured->isCapture() && captured->isRelayed());
    InspectedSession *server = captured->serverLeg();
    QVERIFY(server);
    window.sessionModel()->refresh();
    const QStringList lines = window.sessionModel()
                                  ->index(0, 0)
                                  .data(SessionListModel::SubtitleRole)
                                  .toString()
                                  .split(u'\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines[1].startsWith(QStringLiteral("client · ")), qPrintable(lines[1]));
    QVERIFY2(lines[2].startsWith(QStringLiteral("server · ")), qPrintable(lines[2]));
    QVERIFY2(window.windowTitle().contains(scenario.upstreamAddress()),
             qPrintable(window.windowTitle()));

    // The leg chooser, as for a live relay; the client leg first.
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.legCombo()->isVisible());
    QCOMPARE(window.currentLeg(), MessageLogModel::Leg::Client);
    QCOMPARE(window.currentLegSession(), captured);
    QCOMPARE(window.handshakeLadder()->record(), &captured->handshake());
    QCOMPARE(window.channelsPane()->table()->model(), captured->channels());
    QVERIFY(window.channelsPane()->relayTable()->isVisibleTo(window.channelsPane()));
    QCOMPARE(window.channelsPane()->relayTable()->model()->rowCount(), 2);

    // Switched to the server leg by the chooser itself: every leg pane follows.
    window.legCombo()->setCurrentIndex(
        window.legCombo()->findData(int(MessageLogModel::Leg::Server)));
    QCOMPARE(window.currentLeg(), MessageLogModel::Leg::Server);
    QCOMPARE(window.currentLegSession(), server);
    QCOMPARE(window.currentSession(), captured); // still the one sidebar entry
    QCOMPARE(window.handshakeLadder()->record(), &server->handshake());
    QVERIFY(server->handshake().complete);
    QVERIFY(server->handshake().steps[0].ephemeralKey);
    QCOMPARE(server->handshake().steps[0].ephemeralKey,
             scenario.session()->serverLeg()->handshake().steps[0].ephemeralKey);
    QCOMPARE(window.channelsPane()->table()->model(), server->channels());
    QCOMPARE(server->channels()->rowCount(), 1);
    QVERIFY(window.channelsPane()->relayTable()->isVisibleTo(window.channelsPane()));
    QCOMPARE(window.extensionsPane()->table()->model()->rowCount(),
             scenario.session()->serverLeg()->extensions()->rowCount());
    QVERIFY(window.extensionsPane()->table()->model()->rowCount() > 0);
    QCOMPARE(window.feedPane()->session(), server);
    QVERIFY(!window.sendForm()->sendButton()->isEnabled());

    // The Flow tab: client, hyperscope (the relay), server.
    window.tabs()->setCurrentIndex(MainWindow::FlowTab);
    FlowGraph *flow = window.flowGraph();
    QTRY_COMPARE(flow->lifelineCount(), 3);
    QCOMPARE(flow->lifelineTitle(0), QStringLiteral("client"));
    QCOMPARE(flow->lifelineTitle(1), QStringLiteral("hyperscope (relay)"));
    QCOMPARE(flow->lifelineTitle(2), QStringLiteral("server"));
    QCOMPARE(flow->lifelineSubtitle(2), scenario.upstreamAddress());
}

QTEST_MAIN(TestMainWindowCapture)
#include "tst_mainwindowcapture.moc"
