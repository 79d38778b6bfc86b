// The inspector as a relay between two reference peers (issue 10, "The inspector"): the real
// MainWindow, driven with QTest the way a person would (File › Relay…, the sidebar, the message
// log, the Flow tab, the leg chooser and the send form), over real loopback TCP, with the npm
// package hypercore-protocol@8.0.7 (refpeer.js) on both ends:
//
//   client refpeer  --client leg-->  hyperscope (MainWindow)  --server leg-->  server refpeer
//
// It checks that the relayed connection is one sidebar entry showing both legs, that a message
// the client sends is seen arriving on the client leg and leaving on the server leg (log rows and
// the Flow tab's three lifelines) and reaches the server as sent, and that a message injected
// into the server leg with the send form reaches the server only.
//
// HYPERSCOPE_SCREENSHOT_DIR=DIR also saves the window as DIR/relay.png (docs/relay.png).
#include "interoppeer.h"

#include "connectdialog.h"
#include "crypto.h"
#include "flowgraph.h"
#include "guisettings.h"
#include "inspectedsession.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "screenshot.h"
#include "sendmessageform.h"
#include "sessionlistmodel.h"
#include "sessionmanager.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QImage>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>

using namespace hyperscope;

namespace {

constexpr int Timeout = 15000;
const QString KeyHex = QString(QStringLiteral("cd")).repeated(32);

using Leg = MessageLogModel::Leg;
using hyperscope::test::InteropPeer;

/// The log rows of @p session holding frames of @p type seen on @p leg in @p direction.
QList<int> frameRows(MessageLogModel *log, int session, int type, Leg leg, Direction direction)
{
    log->flush();
    QList<int> rows;
    for (int row = 0; row < log->rowCount(); ++row) {
        const MessageLogModel::Record &r = log->record(row);
        if (r.session == session && r.kind == MessageLogModel::Kind::Frame && r.type == type &&
            r.leg == leg && r.direction() == direction)
            rows.append(row);
    }
    return rows;
}

bool isMessage(const QJsonObject &e, const QString &type)
{
    return e[QStringLiteral("event")] == QLatin1String("message") &&
           e[QStringLiteral("type")] == type;
}

} // namespace

class TestGuiRelay : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void relayBetweenTwoReferencePeers();
};

void TestGuiRelay::initTestCase()
{
    hyperscope::test::useCleanTestSettings(QStringLiteral("tst_guirelay"));
}

void TestGuiRelay::relayBetweenTwoReferencePeers()
{
    // The server: a reference peer listening, opening K.
    InteropPeer server(InteropPeer::Kind::Reference, QStringLiteral("server"));
    server.start({QStringLiteral("listen"), QStringLiteral("--port"), QStringLiteral("0"),
                  QStringLiteral("--key"), KeyHex, QStringLiteral("--trace")});
    const QJsonObject listening = server.waitFor(QStringLiteral("listening"));
    QVERIFY2(!listening.isEmpty(), qPrintable(server.transcript()));
    const auto serverPort = quint16(listening[QStringLiteral("port")].toInt());
    QVERIFY(serverPort != 0);

    MainWindow window;
    window.resize(1440, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // 1. File › Relay…: any free port, upstream = the server, the feed key K. The dialog is
    //    modal (exec), so a timer fills it in once it is up.
    const QString upstream = QStringLiteral("127.0.0.1:%1").arg(serverPort);
    QString dialogProblem = QStringLiteral("the Relay dialog never appeared");
    int attempts = 0;
    std::function<void()> fillDialog = [&] {
        auto *dialog = qobject_cast<ConnectDialog *>(QApplication::activeModalWidget());
        if (!dialog) {
            if (++attempts < 500)
                QTimer::singleShot(10, &window, fillDialog);
            return;
        }
        auto *port = dialog->findChild<QSpinBox *>(QStringLiteral("port"));
        auto *upstreamBox = dialog->findChild<QComboBox *>(QStringLiteral("upstream"));
        auto *keys = dialog->findChild<QPlainTextEdit *>(QStringLiteral("keys"));
        auto *buttons = dialog->findChild<QDialogButtonBox *>();
        if (!port || !upstreamBox || !upstreamBox->lineEdit() || !keys || !buttons) {
            dialogProblem = QStringLiteral("the Relay dialog lacks a port, upstream, keys field "
                                           "or buttons");
            dialog->reject();
            return;
        }
        port->setValue(0); // any free port
        upstreamBox->lineEdit()->selectAll();
        QTest::keyClicks(upstreamBox->lineEdit(), upstream);
        keys->clear();
        QTest::keyClicks(keys, KeyHex);
        QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
        if (dialog->isVisible()) {
            dialogProblem = QStringLiteral("the Relay dialog refused: %1")
                                .arg(dialog->findChild<QLabel *>(QStringLiteral("error"))->text());
            dialog->reject();
            return;
        }
        dialogProblem.clear();
    };
    QTimer::singleShot(0, &window, fillDialog);
    window.action(QStringLiteral("relay"))->trigger(); // returns when the dialog closed
    QVERIFY2(dialogProblem.isEmpty(), qPrintable(dialogProblem));
    const QList<Relay *> relays = window.sessionManager()->relays();
    QCOMPARE(relays.size(), 1);
    const quint16 relayPort = relays.first()->port();
    QVERIFY(relayPort != 0);
    QCOMPARE(relays.first()->upstreamPort(), serverPort);

    // 2. The client: a reference peer dialing the relay, opening K.
    InteropPeer client(InteropPeer::Kind::Reference, QStringLiteral("client"));
    client.start({QStringLiteral("connect"), QStringLiteral("127.0.0.1:%1").arg(relayPort),
                  QStringLiteral("--key"), KeyHex, QStringLiteral("--trace")});

    // One relayed session in the sidebar, both legs through their handshakes.
    QTRY_COMPARE_WITH_TIMEOUT(window.sessions().size(), 1, Timeout);
    InspectedSession *session = window.sessions().first();
    QVERIFY(session->isRelayed());
    InspectedSession *serverLeg = session->serverLeg();
    QVERIFY(serverLeg);
    QCOMPARE(window.currentSession(), session);
    QTRY_VERIFY_WITH_TIMEOUT(session->handshake().complete && serverLeg->handshake().complete,
                             Timeout);
    QVERIFY2(!client.waitFor(QStringLiteral("handshake")).isEmpty(),
             qPrintable(client.transcript()));
    QVERIFY2(!server.waitFor(QStringLiteral("handshake")).isEmpty(),
             qPrintable(server.transcript()));
    // Each peer's handshake is with the relay: the relay's static key on both sides.
    QCOMPARE(session->handshake().localStaticKey, relays.first()->publicKey());
    QCOMPARE(serverLeg->handshake().localStaticKey, relays.first()->publicKey());
    QVERIFY(session->handshake().handshakeHash != serverLeg->handshake().handshakeHash);

    // The channel opens on both legs (the relay knows K).
    const Key32 discoveryKey = crypto::discoveryKey(*parseKeyHex(KeyHex, nullptr));
    QVERIFY2(!client.waitFor(QStringLiteral("channel")).isEmpty(), qPrintable(client.transcript()));
    QVERIFY2(!server.waitFor(QStringLiteral("channel")).isEmpty(), qPrintable(server.transcript()));

    // The sidebar entry shows both legs: addresses, state, bytes each way.
    SessionListModel *list = window.sessionModel();
    QCOMPARE(list->rowCount(), 1);
    list->refresh();
    const QModelIndex entry = list->index(0, 0);
    QCOMPARE(entry.siblingAtColumn(SessionListModel::PeerColumn).data().toString(),
             QStringLiteral("%1 → %2").arg(session->peerAddress(), upstream));
    const QStringList lines = entry.data(SessionListModel::SubtitleRole).toString().split(u'\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines[1].startsWith(QStringLiteral("client · open · ↓ ")), qPrintable(lines[1]));
    QVERIFY2(lines[1].endsWith(QStringLiteral(" · %1").arg(session->peerAddress())),
             qPrintable(lines[1]));
    QVERIFY2(lines[2].startsWith(QStringLiteral("server · open · ↓ ")), qPrintable(lines[2]));
    QVERIFY2(lines[2].endsWith(QStringLiteral(" · %1").arg(upstream)), qPrintable(lines[2]));

    // 3. The client sends Want{start: 3, length: 2}: it arrives on the client leg, leaves on the
    //    server leg, and reaches the server exactly as sent.
    client.send({{QStringLiteral("cmd"), QStringLiteral("send")},
                 {QStringLiteral("key"), KeyHex},
                 {QStringLiteral("type"), QStringLiteral("Want")},
                 {QStringLiteral("message"),
                  QJsonObject{{QStringLiteral("start"), 3}, {QStringLiteral("length"), 2}}}});
    const QJsonObject want = server.waitFor(
        [](const QJsonObject &e) { return isMessage(e, QStringLiteral("Want")); }, Timeout);
    QVERIFY2(!want.isEmpty(), qPrintable(server.transcript()));
    QCOMPARE(want[QStringLiteral("message")].toObject(),
             QJsonObject({{QStringLiteral("start"), 3}, {QStringLiteral("length"), 2}}));

    MessageLogModel *log = window.logModel();
    const int wantType = int(MessageType::Want);
    QTRY_VERIFY_WITH_TIMEOUT(
        !frameRows(log, session->id(), wantType, Leg::Server, Direction::Outbound).isEmpty(),
        Timeout);
    const QList<int> wantIn =
        frameRows(log, session->id(), wantType, Leg::Client, Direction::Inbound);
    const QList<int> wantOut =
        frameRows(log, session->id(), wantType, Leg::Server, Direction::Outbound);
    QCOMPARE(wantIn.size(), 1);
    QCOMPARE(wantOut.size(), 1);
    QVERIFY(wantIn.first() < wantOut.first()); // received, then forwarded
    // The log says who sent it to whom.
    QCOMPARE(log->index(wantIn.first(), MessageLogModel::DirectionColumn).data().toString(),
             QStringLiteral("client → relay"));
    QCOMPARE(log->index(wantOut.first(), MessageLogModel::DirectionColumn).data().toString(),
             QStringLiteral("relay → server"));
    QCOMPARE(log->index(wantIn.first(), MessageLogModel::LegColumn).data().toString(),
             QStringLiteral("client"));
    QCOMPARE(log->index(wantOut.first(), MessageLogModel::LegColumn).data().toString(),
             QStringLiteral("server"));
    QVERIFY(!window.logPane()->logView()->isColumnHidden(MessageLogModel::LegColumn));
    // The bytes the relay decrypted on each leg are the bytes each peer saw.
    const QJsonObject wantSent = client.waitFor([](const QJsonObject &e) {
        return e[QStringLiteral("event")] == QLatin1String("frame") &&
               e[QStringLiteral("direction")] == QLatin1String("out") &&
               e[QStringLiteral("type")] == QLatin1String("Want");
    });
    const QJsonObject wantReceived = server.waitFor([](const QJsonObject &e) {
        return e[QStringLiteral("event")] == QLatin1String("frame") &&
               e[QStringLiteral("direction")] == QLatin1String("in") &&
               e[QStringLiteral("type")] == QLatin1String("Want");
    });
    QCOMPARE(QString::fromLatin1(log->plainBytes(wantIn.first()).toHex()),
             wantSent[QStringLiteral("bytes")].toString());
    QCOMPARE(QString::fromLatin1(log->plainBytes(wantOut.first()).toHex()),
             wantReceived[QStringLiteral("bytes")].toString());

    // The Flow tab: three lifelines; the Want arrives on the client's and leaves on the
    // server's.
    window.tabs()->setCurrentIndex(MainWindow::FlowTab);
    FlowGraph *flow = window.flowGraph();
    QTRY_VERIFY(flow->lifelineCount() == 3);
    MessageLogFilterModel *filter = window.logPane()->filterModel();
    const int inRow = filter->mapFromSource(log->index(wantIn.first(), 0)).row();
    const int outRow = filter->mapFromSource(log->index(wantOut.first(), 0)).row();
    QVERIFY(inRow >= 0 && outRow >= 0);
    QCOMPARE(flow->arrowEnds(inRow), std::make_pair(0, 1));  // client → hyperscope
    QCOMPARE(flow->arrowEnds(outRow), std::make_pair(1, 2)); // hyperscope → server

    // 4. Inject into the server leg with the send form: Have{start: 7} reaches the server...
    window.setCurrentLeg(Leg::Server);
    window.action(QStringLiteral("sendMessage"))->trigger();
    SendMessageForm *form = window.sendForm();
    QCOMPARE(form->session(), serverLeg);
    form->typeCombo()->setCurrentIndex(form->typeCombo()->findText(QStringLiteral("Have")));
    QTRY_COMPARE(form->channelCombo()->count(), 1);
    QCOMPARE(form->channel(), std::optional(discoveryKey));
    auto *start = qobject_cast<QLineEdit *>(form->fieldEditor(QStringLiteral("start")));
    QVERIFY(start);
    QTest::keyClicks(start, QStringLiteral("7"));
    QTest::mouseClick(form->sendButton(), Qt::LeftButton);
    QVERIFY2(form->statusText().startsWith(QStringLiteral("Sent Have")),
             qPrintable(form->statusText()));
    const QJsonObject have = server.waitFor(
        [](const QJsonObject &e) { return isMessage(e, QStringLiteral("Have")); }, Timeout);
    QVERIFY2(!have.isEmpty(), qPrintable(server.transcript()));
    QCOMPARE(have[QStringLiteral("message")].toObject()[QStringLiteral("start")].toInt(), 7);

    // ...and not the client: the server answers with Status, forwarded to the client after
    // anything the relay had sent it before; when the Status is there, no Have came first.
    server.send({{QStringLiteral("cmd"), QStringLiteral("send")},
                 {QStringLiteral("key"), KeyHex},
                 {QStringLiteral("type"), QStringLiteral("Status")},
                 {QStringLiteral("message"), QJsonObject{{QStringLiteral("uploading"), true}}}});
    QVERIFY2(
        !client
             .waitFor([](const QJsonObject &e) { return isMessage(e, QStringLiteral("Status")); },
                      Timeout)
             .isEmpty(),
        qPrintable(client.transcript()));
    for (const QJsonObject &e : client.events())
        QVERIFY2(!isMessage(e, QStringLiteral("Have")), "the injected Have was forwarded");
    // The log shows the Have leaving on the server leg only.
    QTRY_COMPARE_WITH_TIMEOUT(
        frameRows(log, session->id(), int(MessageType::Have), Leg::Server, Direction::Outbound)
            .size(),
        1, Timeout);
    QVERIFY(frameRows(log, session->id(), int(MessageType::Have), Leg::Client, Direction::Outbound)
                .isEmpty());

    // 5. The picture: the Flow tab's three lifelines, client leg chosen, the forwarded Want
    //    selected.
    window.setCurrentLeg(Leg::Client);
    window.logPane()->setAutoScroll(false);
    flow->setAutoScroll(false);
    QVERIFY(window.logPane()->selectSourceRow(wantOut.first()));
    window.tabs()->setCurrentIndex(MainWindow::FlowTab);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString shot = dir.filePath(QStringLiteral("relay.png"));
    QVERIFY(saveScreenshot(window, shot));
    QVERIFY(!QImage(shot).isNull());
    const QString docsDir = qEnvironmentVariable("HYPERSCOPE_SCREENSHOT_DIR");
    if (!docsDir.isEmpty()) {
        const QString docsShot = QDir(docsDir).filePath(QStringLiteral("relay.png"));
        QVERIFY2(saveScreenshot(window, docsShot), qPrintable(docsShot));
        qInfo("screenshot saved to %s", qPrintable(docsShot));
        // The same views at a small and a large screen size, to look at before calling a view
        // done (not part of the docs).
        const QList<QPair<int, QString>> tabs = {
            {MainWindow::MessagesTab, QStringLiteral("log")},
            {MainWindow::ChannelsTab, QStringLiteral("channels")},
            {MainWindow::FlowTab, QStringLiteral("flow")}};
        for (const QSize size : {QSize(1024, 640), QSize(1920, 1080)}) {
            window.resize(size);
            QApplication::processEvents(); // the new layout, before grabbing
            for (const auto &[tab, name] : tabs) {
                window.tabs()->setCurrentIndex(tab);
                QApplication::processEvents();
                const QString file = QDir(docsDir).filePath(QStringLiteral("relay-%1-%2x%3.png")
                                                                .arg(name)
                                                                .arg(size.width())
                                                                .arg(size.height()));
                QVERIFY2(saveScreenshot(window, file), qPrintable(file));
            }
        }
        // The server leg's handshake, as the leg chooser shows it.
        window.resize(1024, 640);
        window.setCurrentLeg(Leg::Server);
        window.tabs()->setCurrentIndex(MainWindow::HandshakeTab);
        QApplication::processEvents();
        QVERIFY(saveScreenshot(
            window, QDir(docsDir).filePath(QStringLiteral("relay-handshake-server-1024x640.png"))));
        window.setCurrentLeg(Leg::Client);
        window.resize(1440, 900);
    }

    // 6. Save the log and open it again: the relayed rows come back with their legs, under a
    //    new session id.
    const QString capture = dir.filePath(QStringLiteral("relay.jsonl"));
    QString captureError;
    QVERIFY2(window.saveLog(capture, false, &captureError), qPrintable(captureError));
    const int rowsBefore = log->rowCount();
    QVERIFY2(window.openLog(capture, &captureError), qPrintable(captureError));
    log->flush();
    QVERIFY(log->rowCount() > rowsBefore);
    int loadedWantIn = -1;
    int loadedWantOut = -1;
    for (int row = rowsBefore; row < log->rowCount(); ++row) {
        const MessageLogModel::Record &r = log->record(row);
        QVERIFY(r.session != session->id());
        if (r.kind != MessageLogModel::Kind::Frame || r.type != wantType)
            continue;
        if (r.leg == Leg::Client && r.direction() == Direction::Inbound)
            loadedWantIn = row;
        if (r.leg == Leg::Server && r.direction() == Direction::Outbound)
            loadedWantOut = row;
    }
    QVERIFY(loadedWantIn >= 0 && loadedWantOut >= 0);
    QCOMPARE(log->plainBytes(loadedWantIn), log->plainBytes(wantIn.first()));
    QCOMPARE(log->wireBytes(loadedWantOut), log->wireBytes(wantOut.first()));
    QCOMPARE(log->index(loadedWantOut, MessageLogModel::DirectionColumn).data().toString(),
             QStringLiteral("relay → server"));

    // 7. The client quits: the relay ends the server leg cleanly; the session ends without error.
    client.send({{QStringLiteral("cmd"), QStringLiteral("quit")}});
    QVERIFY(client.waitForExit());
    QCOMPARE(client.exitCode(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(session->state(), InspectedSession::State::Ended, Timeout);
    QVERIFY2(!session->endedWithError(), qPrintable(session->endReason()));
    QVERIFY2(!serverLeg->endedWithError(), qPrintable(serverLeg->endReason()));
    server.send({{QStringLiteral("cmd"), QStringLiteral("quit")}});
    QVERIFY(server.waitForExit());
    QCOMPARE(client.all(QStringLiteral("error")).size(), 0);
    QCOMPARE(server.all(QStringLiteral("error")).size(), 0);
}

QTEST_MAIN(TestGuiRelay)
#include "tst_guirelay.moc"
