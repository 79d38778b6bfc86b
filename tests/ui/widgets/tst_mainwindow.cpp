// The real MainWindow, driven with QTest against in-process peers over loopback TCP: a
// SessionServer (or SessionDriver) in the test plays the remote side.
#include "channelspane.h"
#include "channeltablemodel.h"
#include "crypto.h"
#include "demorunner.h"
#include "extensionmodel.h"
#include "extensionspane.h"
#include "fieldtreemodel.h"
#include "guisettings.h"
#include "handshakeladder.h"
#include "hexpane.h"
#include "hexview.h"
#include "inspectedsession.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "screenshot.h"
#include "secretspanel.h"
#include "sendmessageform.h"
#include "sessiondriver.h"
#include "sessionlistmodel.h"
#include "sessionserver.h"

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeView>

#include <functional>

using namespace hyperscope;

namespace {

constexpr int Timeout = 15000;

/// A remote peer: a SessionServer that accepts one connection, opens the channels the test
/// asks for and records what it receives.
struct Peer
{
    explicit Peer(EngineOptions options = {})
    {
        server.setOptions(options);
        QObject::connect(
            &server, &SessionServer::sessionStarted, &server, [this](SessionDriver *d) {
                driver = d;
                QObject::connect(d, &SessionDriver::discoveryKeyReceived, d,
                                 [this, d](const Key32 &dk) {
                                     for (const Key32 &key : keys)
                                         if (crypto::discoveryKey(key) == dk)
                                             d->openChannel(key);
                                 });
                QObject::connect(d, &SessionDriver::messageReceived, d,
                                 [this](const ChannelInfo &, const Message &message) {
                                     received.push_back(message);
                                 });
                QObject::connect(
                    d, &SessionDriver::extensionReceived, d,
                    [this](const std::optional<Key32> &, const std::optional<std::string> &name,
                           quint64, const QByteArray &payload) {
                        extensions.append(
                            {name ? QString::fromStdString(*name) : QString(), payload});
                    });
                for (const std::string &name : streamExtensions)
                    d->registerExtension(std::nullopt, name);
            });
        ok = server.listen(QHostAddress::LocalHost, 0);
    }
    SessionServer server;
    QPointer<SessionDriver> driver;
    QList<Key32> keys;
    std::vector<std::string> streamExtensions;
    std::vector<Message> received;
    QList<QPair<QString, QByteArray>> extensions;
    bool ok = false;
};

int countRows(MessageLogModel *log, MessageLogModel::Kind kind, int type = -1)
{
    log->flush();
    int n = 0;
    for (int row = 0; row < log->rowCount(); ++row) {
        const auto &r = log->record(row);
        if (r.kind == kind && (type < 0 || r.type == type))
            ++n;
    }
    return n;
}

int findRow(MessageLogModel *log, int session, int type, Direction direction)
{
    log->flush();
    for (int row = log->rowCount() - 1; row >= 0; --row) {
        const auto &r = log->record(row);
        if (r.session == session && r.kind == MessageLogModel::Kind::Frame && r.type == type &&
            r.direction() == direction)
            return row;
    }
    return -1;
}

/// Clicks @p button of the next modal message box as soon as it is shown (its exec() blocks the
/// test's own code).
void answerNextMessageBox(QMessageBox::StandardButton button)
{
    auto *poll = new QTimer;
    QObject::connect(poll, &QTimer::timeout, poll, [poll, button] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            poll->deleteLater();
            poll->stop();
            box->button(button)->click();
        }
    });
    poll->start(10);
}

QModelIndex findField(QAbstractItemModel *model, const QString &name)
{
    const QModelIndexList found = model->match(model->index(0, 0), Qt::DisplayRole, name, 1,
                                               Qt::MatchExactly | Qt::MatchRecursive);
    return found.value(0);
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void connectsToALocalPeerAndShowsEverything();
    void secretKeysAreShownOnlyWhenAsked();
    void logListNavigatesByKeyboard();
    void sendFormSendsExactlyWhatWasFilledIn_data();
    void sendFormSendsExactlyWhatWasFilledIn();
    void rawFramesBypassTheEngine();
    void badInputIsExplained_data();
    void badInputIsExplained();
    void selectingAFieldHighlightsItsBytes();
    void extensionsPaneRegistersAndSends();
    void listenerAcceptsPeers();
    void plaintextSessionsShowTheSameBytesOnTheWire();
    void failedHandshakeSaysWhere();
    void logFiltersFromTheFilterBar();
    void demoFillsEveryView();
    void floodsAreInsertedInBatches();
    void remembersRecentConnections();
    void menusOfferEveryCommand();
    void helpShowsTheProtocolOverview();

private:
    struct Connected
    {
        std::unique_ptr<Peer> peer;
        std::unique_ptr<MainWindow> window;
        InspectedSession *session = nullptr;
        Key32 key{};
    };
    /// A window connected to a Peer, with one channel established.
    Connected connectWithChannel(ConnectionOptions options = {}, EngineOptions peerOptions = {});
};

void TestMainWindow::initTestCase()
{
    hyperscope::test::useCleanTestSettings(QStringLiteral("tst_mainwindow"));
}

TestMainWindow::Connected TestMainWindow::connectWithChannel(ConnectionOptions options,
                                                             EngineOptions peerOptions)
{
    Connected c;
    c.peer = std::make_unique<Peer>(peerOptions);
    c.key = randomKey();
    c.peer->keys.append(c.key);
    c.window = std::make_unique<MainWindow>();
    c.window->show();
    options.keys = {c.key};
    c.session =
        c.window->connectToPeer(QStringLiteral("127.0.0.1"), c.peer->server.port(), options);
    return c;
}

void TestMainWindow::connectsToALocalPeerAndShowsEverything()
{
    Connected c = connectWithChannel();
    QVERIFY(c.peer->ok);
    InspectedSession *s = c.session;
    QCOMPARE(c.window->currentSession(), s);
    QTRY_VERIFY_WITH_TIMEOUT(s->handshake().complete, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(s->channels()->rowCount(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        s->channels()->index(0, ChannelTableModel::StateColumn).data().toString(),
        QStringLiteral("established"), Timeout);
    QCOMPARE(s->channels()->index(0, ChannelTableModel::VerifiedColumn).data().toString(),
             QStringLiteral("verified"));
    QCOMPARE(s->channels()->index(0, ChannelTableModel::KeyColumn).data().toString(),
             QString::fromStdString(toHex(c.key)));

    // The handshake: three messages, all seen, the ladder says complete.
    MessageLogModel *log = c.window->logModel();
    QCOMPARE(countRows(log, MessageLogModel::Kind::Handshake), 3);
    for (const HandshakeStep &step : s->handshake().steps)
        QVERIFY(step.seen);
    QVERIFY(s->handshake().steps[1].staticKey.has_value());
    QVERIFY(s->handshake().handshakeHash.has_value());
    QCOMPARE(c.window->handshakeLadder()->outcomeText(), QStringLiteral("Handshake complete"));
    QCOMPARE(s->handshake().remoteStaticKey, std::optional(c.peer->driver->engine().publicKey()));

    // Both Opens are in the log, one each way, on the right channel.
    const int sent = findRow(log, s->id(), 0, Direction::Outbound);
    const int received = findRow(log, s->id(), 0, Direction::Inbound);
    QVERIFY(sent >= 0 && received >= 0);
    QCOMPARE(log->index(sent, MessageLogModel::ChannelColumn).data().toString(),
             QStringLiteral("1 · %1").arg(shortKeyHex(crypto::discoveryKey(c.key))));

    // The sidebar and the title say where we are.
    QCOMPARE(c.window->sessionModel()->rowCount(), 1);
    QTRY_COMPARE(
        c.window->sessionModel()->index(0, SessionListModel::StateColumn).data().toString(),
        QStringLiteral("open"));
    QVERIFY(c.window->windowTitle().contains(QStringLiteral("127.0.0.1")));
    QVERIFY(c.window->windowTitle().contains(QStringLiteral("open")));

    // Disconnect: the session ends cleanly and says so.
    c.window->action(QStringLiteral("disconnect"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(s->state(), InspectedSession::State::Ended, Timeout);
    QVERIFY(!s->endedWithError());
    QTRY_VERIFY_WITH_TIMEOUT(!c.window->action(QStringLiteral("disconnect"))->isEnabled(), Timeout);
    QCOMPARE(s->stateText(), QStringLiteral("closed"));
}

void TestMainWindow::secretKeysAreShownOnlyWhenAsked()
{
    Connected c = connectWithChannel();
    QVERIFY(c.peer->ok);
    InspectedSession *s = c.session;
    QTRY_VERIFY_WITH_TIMEOUT(s->handshake().complete, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(c.peer->driver, Timeout);
    SecretsPanel *panel = c.window->secretsPanel();
    auto *text = panel->findChild<QPlainTextEdit *>(QStringLiteral("secretsText"));
    QVERIFY(text);

    const Engine *engine = s->engine();
    const QString staticSecret = QString::fromStdString(toHex(*engine->staticSecretKey()));
    const crypto::SplitKeys split = *engine->transportKeys();
    const QString tx = QString::fromStdString(toHex(split.tx));
    // The peer's receive key is our send key: the panel shows the keys really in use.
    QCOMPARE(c.peer->driver->engine().transportKeys()->rx, split.tx);

    // Hidden by default, and declining the confirmation keeps them hidden.
    QVERIFY(!panel->isRevealed());
    QVERIFY(text->isHidden());
    QVERIFY(text->toPlainText().isEmpty());
    answerNextMessageBox(QMessageBox::No);
    QTest::mouseClick(panel->toggleButton(), Qt::LeftButton);
    QVERIFY(!panel->isRevealed());
    QVERIFY(text->toPlainText().isEmpty());

    // Confirmed: exactly the engine's keys.
    answerNextMessageBox(QMessageBox::Yes);
    c.window->action(QStringLiteral("revealSecrets"))->trigger();
    QVERIFY(panel->isRevealed());
    QVERIFY(!text->isHidden());
    QVERIFY(text->toPlainText().contains(staticSecret));
    QVERIFY(text->toPlainText().contains(tx));
    QVERIFY(text->toPlainText().contains(QString::fromStdString(toHex(split.rx))));

    // The session ends: the engine wiped its keys, the panel says so instead of showing them;
    // the transport keys left are the log's copy (to recompute the wire bytes), labelled as such.
    c.window->action(QStringLiteral("disconnect"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(s->state(), InspectedSession::State::Ended, Timeout);
    QTRY_VERIFY(text->toPlainText().contains(QStringLiteral("wiped when the session ended")));
    QVERIFY(!text->toPlainText().contains(staticSecret));
    QVERIFY(s->secrets().transportKeysFromLog);

    // Hide, and switching sessions hides them too.
    QTest::mouseClick(panel->toggleButton(), Qt::LeftButton);
    QVERIFY(!panel->isRevealed());
    QVERIFY(text->isHidden());
    panel->reveal(false);
    QVERIFY(panel->isRevealed());
    c.window->setCurrentSession(nullptr);
    QVERIFY(!panel->isRevealed());
    QVERIFY(panel->secretsText().isEmpty());
}

void TestMainWindow::logListNavigatesByKeyboard()
{
    Connected c = connectWithChannel();
    QTRY_COMPARE_WITH_TIMEOUT(
        c.session->channels()->index(0, ChannelTableModel::StateColumn).data().toString(),
        QStringLiteral("established"), Timeout);
    LogPane *pane = c.window->logPane();
    QTableView *view = pane->logView();
    c.window->logModel()->flush();
    const int rows = view->model()->rowCount();
    QVERIFY(rows >= 5);
    view->setFocus();
    view->setCurrentIndex(view->model()->index(2, MessageLogModel::SummaryColumn));

    // Home and End go to the first and last message (not the first and last column), and the
    // detail panes follow the selection.
    QTest::keyClick(view, Qt::Key_End);
    QCOMPARE(view->currentIndex().row(), rows - 1);
    QCOMPARE(pane->currentSourceRow(), rows - 1);
    QTest::keyClick(view, Qt::Key_Home);
    QCOMPARE(view->currentIndex().row(), 0);
    QCOMPARE(pane->currentSourceRow(), 0);
    QTest::keyClick(view, Qt::Key_Down);
    QCOMPARE(view->currentIndex().row(), 1);
    QVERIFY(pane->fieldModel()->rowCount() > 0);
    // Whole rows are selected, as in a list.
    QCOMPARE(view->selectionModel()->selectedRows().size(), 1);
    QCOMPARE(view->selectionBehavior(), QAbstractItemView::SelectRows);
}

void TestMainWindow::sendFormSendsExactlyWhatWasFilledIn_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QStringList>("fields");
    QTest::addColumn<QString>("expected");

    QTest::newRow("want") << 5 << QStringList{QStringLiteral("start=5"), QStringLiteral("length=3")}
                          << QStringLiteral("Want start=5 length=3");
    QTest::newRow("want forever") << 5 << QStringList{QStringLiteral("start=0x10")}
                                  << QStringLiteral("Want start=16 length=∞");
    QTest::newRow("have with bitfield and ack")
        << 3
        << QStringList{QStringLiteral("start=2"), QStringLiteral("bitfield=ff 0f"),
                       QStringLiteral("ack=true")}
        << QStringLiteral("Have start=2 length=1 bitfield=2 B ack=true");
    QTest::newRow("status") << 2
                            << QStringList{QStringLiteral("uploading=false"),
                                           QStringLiteral("downloading=true")}
                            << QStringLiteral("Status uploading=false downloading=true");
    QTest::newRow("request") << 7
                             << QStringList{QStringLiteral("index=9"), QStringLiteral("nodes=2")}
                             << QStringLiteral("Request index=9 nodes=2");
    QTest::newRow("data with a node")
        << 9
        << QStringList{QStringLiteral("index=1"), QStringLiteral("value=0102"),
                       QStringLiteral("nodes=2 ") + QString(64, QLatin1Char('a')) +
                           QStringLiteral(" 2")}
        << QStringLiteral("Data index=1 value=2 B nodes=1");
}

void TestMainWindow::sendFormSendsExactlyWhatWasFilledIn()
{
    QFETCH(int, type);
    QFETCH(QStringList, fields);
    QFETCH(QString, expected);

    Connected c = connectWithChannel();
    QTRY_COMPARE_WITH_TIMEOUT(
        c.session->channels()->index(0, ChannelTableModel::StateColumn).data().toString(),
        QStringLiteral("established"), Timeout);
    SendMessageForm *form = c.window->sendForm();
    QCOMPARE(form->session(), c.session);
    form->setMessageType(MessageType(type));
    QVERIFY(form->setChannel(crypto::discoveryKey(c.key)));
    for (const QString &field : fields) {
        const qsizetype eq = field.indexOf(QLatin1Char('='));
        QVERIFY2(form->setFieldText(field.left(eq), field.mid(eq + 1)), qPrintable(field));
    }
    QTest::mouseClick(form->sendButton(), Qt::LeftButton);
    QVERIFY2(!form->statusLabel()->property("error").toBool(), qPrintable(form->statusText()));
    QTRY_COMPARE_WITH_TIMEOUT(c.peer->received.size(), std::size_t(1), Timeout);
    QCOMPARE(QString::fromStdString(summarize(c.peer->received.front())), expected);
    QVERIFY(form->statusText().startsWith(QStringLiteral("Sent ")));
}

void TestMainWindow::rawFramesBypassTheEngine()
{
    Connected c = connectWithChannel();
    QTRY_COMPARE_WITH_TIMEOUT(
        c.session->channels()->index(0, ChannelTableModel::StateColumn).data().toString(),
        QStringLiteral("established"), Timeout);
    SendMessageForm *form = c.window->sendForm();
    form->setMessageType(MessageType::Want);
    form->setRawFrame(true);
    QVERIFY(form->findChild<QSpinBox *>(QStringLiteral("sendRawChannel"))->isEnabled());
    form->findChild<QSpinBox *>(QStringLiteral("sendRawChannel"))->setValue(1); // our local id
    form->setFieldText(QStringLiteral("start"), QStringLiteral("7"));
    QTest::mouseClick(form->sendButton(), Qt::LeftButton);
    QVERIFY2(form->statusText().startsWith(QStringLiteral("Sent raw Want start=7")),
             qPrintable(form->statusText()));
    QTRY_COMPARE_WITH_TIMEOUT(c.peer->received.size(), std::size_t(1), Timeout);
    QCOMPARE(QString::fromStdString(summarize(c.peer->received.front())),
             QStringLiteral("Want start=7 length=∞"));
    // In raw mode Open is an ordinary protobuf form (discoveryKey, capability).
    form->setMessageType(MessageType::Open);
    QVERIFY(form->fieldEditor(QStringLiteral("discoveryKey")));
    form->setRawFrame(false);
    QVERIFY(form->fieldEditor(QStringLiteral("key"))); // the feed key, for openChannel
}

void TestMainWindow::badInputIsExplained_data()
{
    QTest::addColumn<QString>("where");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("message");
    QTest::newRow("key with a bad digit") << QStringLiteral("key") << QStringLiteral("xyz")
                                          << QStringLiteral("'x' is not a hex digit");
    QTest::newRow("key too short")
        << QStringLiteral("key") << QStringLiteral("00112233445566778899")
        << QStringLiteral("has 20 hex digits");
    QTest::newRow("empty key") << QStringLiteral("key") << QString()
                               << QStringLiteral("Enter a key");
    QTest::newRow("start not a number") << QStringLiteral("start") << QStringLiteral("abc")
                                        << QStringLiteral("start: 'abc' is not a whole number");
    QTest::newRow("start negative") << QStringLiteral("start") << QStringLiteral("-1")
                                    << QStringLiteral("is not a whole number");
    QTest::newRow("start missing")
        << QStringLiteral("start") << QString() << QStringLiteral("start is required for Want");
}

void TestMainWindow::badInputIsExplained()
{
    QFETCH(QString, where);
    QFETCH(QString, input);
    QFETCH(QString, message);
    Connected c = connectWithChannel();
    QTRY_VERIFY_WITH_TIMEOUT(c.session->handshake().complete, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(c.session->channels()->rowCount(), 1, Timeout);
    if (where == QLatin1String("key")) {
        ChannelsPane *pane = c.window->channelsPane();
        c.window->tabs()->setCurrentIndex(MainWindow::ChannelsTab);
        pane->keyEdit()->setText(input);
        QTest::mouseClick(pane->openButton(), Qt::LeftButton);
        QVERIFY2(pane->statusText().contains(message), qPrintable(pane->statusText()));
        QCOMPARE(c.session->channels()->rowCount(), 1); // nothing was opened
        // A random key is accepted.
        QTest::mouseClick(pane->randomButton(), Qt::LeftButton);
        QTest::mouseClick(pane->openButton(), Qt::LeftButton);
        QTRY_COMPARE(c.session->channels()->rowCount(), 2);
    } else {
        SendMessageForm *form = c.window->sendForm();
        form->setMessageType(MessageType::Want);
        form->setFieldText(where, input);
        QTest::mouseClick(form->sendButton(), Qt::LeftButton);
        QVERIFY2(form->statusText().contains(message), qPrintable(form->statusText()));
        QVERIFY(form->statusLabel()->property("error").toBool());
        // Nothing went out: a marker sent after the click is the first thing the peer gets
        // (one ordered stream), instead of waiting some time for what might have been sent.
        QTRY_COMPARE_WITH_TIMEOUT(
            c.session->channels()->index(0, ChannelTableModel::StateColumn).data().toString(),
            QStringLiteral("established"), Timeout);
        Message marker(std::in_place_type<schema::Want>);
        std::get<schema::Want>(marker).set_start(42);
        QVERIFY(c.session->send(crypto::discoveryKey(c.key), marker).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!c.peer->received.empty(), Timeout);
        QCOMPARE(c.peer->received.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(summarize(c.peer->received.front())),
                 QStringLiteral("Want start=42 length=∞"));
    }
}

void TestMainWindow::selectingAFieldHighlightsItsBytes()
{
    Connected c = connectWithChannel();
    QTRY_COMPARE_WITH_TIMEOUT(
        c.session->channels()->index(0, ChannelTableModel::StateColumn).data().toString(),
        QStringLiteral("established"), Timeout);
    // The peer sends a Data message; select it in the log.
    Message data(std::in_place_type<schema::Data>);
    std::get<schema::Data>(data).set_index(3);
    std::get<schema::Data>(data).set_value("hello, inspector");
    QVERIFY(c.peer->driver->send(crypto::discoveryKey(c.key), data).ok());
    MessageLogModel *log = c.window->logModel();
    QTRY_VERIFY_WITH_TIMEOUT(findRow(log, c.session->id(), 9, Direction::Inbound) >= 0, Timeout);
    const int row = findRow(log, c.session->id(), 9, Direction::Inbound);
    LogPane *pane = c.window->logPane();
    QVERIFY(pane->selectSourceRow(row));
    QCOMPARE(pane->currentSourceRow(), row);

    QTreeView *fields = pane->fieldView();
    const QModelIndex value = findField(fields->model(), QStringLiteral("value"));
    QVERIFY(value.isValid());
    fields->setCurrentIndex(value);
    const auto offset = value.data(FieldTreeModel::OffsetRole).toLongLong();
    const auto length = value.data(FieldTreeModel::LengthRole).toLongLong();
    HexView *plain = pane->hexPane()->plainView();
    QCOMPARE(plain->highlightOffset(), offset);
    QCOMPARE(plain->highlightLength(), length);
    QVERIFY(plain->selectedHex().contains(QByteArray("hello").toHex(' ')));

    // The wire view shows different bytes (XSalsa20) at the same offsets, and they are the
    // ones the trace saw: the inspector never had to warn that it could not recompute them.
    const QByteArray wire = pane->hexPane()->wireView()->bytes();
    QCOMPARE(wire.size(), plain->bytes().size());
    QVERIFY(wire != plain->bytes());
    QCOMPARE(pane->hexPane()->wireView()->highlightOffset(), offset);
    QCOMPARE(countRows(log, MessageLogModel::Kind::Warning), 0);

    // Clicking a byte selects the innermost field that covers it.
    const QModelIndex index = findField(fields->model(), QStringLiteral("index"));
    emit plain->byteClicked(index.data(FieldTreeModel::OffsetRole).toLongLong());
    QCOMPARE(fields->currentIndex().data().toString(), QStringLiteral("index"));
}

void TestMainWindow::extensionsPaneRegistersAndSends()
{
    Connected c = connectWithChannel();
    QTRY_VERIFY_WITH_TIMEOUT(c.session->handshake().complete, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(c.peer->driver, Timeout);
    c.peer->driver->registerExtension(std::nullopt, "chat");
    ExtensionsPane *pane = c.window->extensionsPane();
    c.window->tabs()->setCurrentIndex(MainWindow::ExtensionsTab);
    pane->nameEdit()->setText(QStringLiteral("chat"));
    QTest::mouseClick(pane->registerButton(), Qt::LeftButton);
    QVERIFY2(pane->statusText().startsWith(QStringLiteral("Registered")),
             qPrintable(pane->statusText()));
    pane->payloadEdit()->setText(QStringLiteral("hello there"));
    QTest::mouseClick(pane->sendButton(), Qt::LeftButton);
    QVERIFY2(pane->statusText().startsWith(QStringLiteral("Sent")), qPrintable(pane->statusText()));
    QTRY_COMPARE_WITH_TIMEOUT(c.peer->extensions.size(), 1, Timeout);
    QCOMPARE(c.peer->extensions.first().first, QStringLiteral("chat"));
    QCOMPARE(c.peer->extensions.first().second, QByteArray("hello there"));

    // Hex payloads, and a bad one explained.
    pane->formatCombo()->setCurrentIndex(1);
    pane->payloadEdit()->setText(QStringLiteral("zz"));
    QTest::mouseClick(pane->sendButton(), Qt::LeftButton);
    QVERIFY(pane->statusText().contains(QStringLiteral("not hex")));
    pane->payloadEdit()->setText(QStringLiteral("00ff"));
    QTest::mouseClick(pane->sendButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(c.peer->extensions.size(), 2, Timeout);
    QCOMPARE(c.peer->extensions.last().second, QByteArray::fromHex("00ff"));

    // Names are announced (Options) with the first message sent through them: once the peer
    // answers, the table shows the name matching on both sides.
    ExtensionModel *model = c.session->extensions();
    QVERIFY(
        c.peer->driver->sendExtension(std::nullopt, "chat", asView(std::string_view("hi"))).ok());
    QTRY_VERIFY(model->rowCount() >= 1);
    int row = -1;
    for (int r = 0; r < model->rowCount(); ++r)
        if (model->index(r, ExtensionModel::NameColumn).data().toString() == QLatin1String("chat"))
            row = r;
    QVERIFY(row >= 0);
    QTRY_COMPARE(model->index(row, 0).data(ExtensionModel::MatchRole).toInt(),
                 int(ExtensionModel::Match::Both));
    QTRY_COMPARE(model->index(row, ExtensionModel::SentColumn).data().toInt(), 2);
    QTRY_COMPARE(model->index(row, ExtensionModel::ReceivedColumn).data().toInt(), 1);
}

void TestMainWindow::listenerAcceptsPeers()
{
    MainWindow window;
    window.show();
    ConnectionOptions options;
    const Key32 key = randomKey();
    options.keys = {key};
    QString error;
    QVERIFY2(window.listen(QHostAddress::LocalHost, 0, options, &error), qPrintable(error));
    const quint16 port = window.listeningPort();
    QVERIFY(port != 0);
    EngineOptions dialerOptions;
    dialerOptions.initiator = true;
    SessionDriver dialer(100, dialerOptions);
    QSignalSpy opened(&dialer, &SessionDriver::channelOpened);
    connect(&dialer, &SessionDriver::transportConnected, &dialer, [&] { dialer.openChannel(key); });
    dialer.connectToHost(QStringLiteral("127.0.0.1"), port);
    QTRY_COMPARE_WITH_TIMEOUT(window.sessionModel()->rowCount(), 1, Timeout);
    InspectedSession *s = window.sessions().first();
    QCOMPARE(s->origin(), InspectedSession::Origin::Accepted);
    QVERIFY(!s->handshake().initiator);
    QTRY_VERIFY_WITH_TIMEOUT(s->handshake().complete, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, Timeout); // the listener opened --key for us
    QVERIFY(s->roleText().startsWith(QStringLiteral("responder")));
    dialer.disconnectFromPeer();
    QTRY_COMPARE_WITH_TIMEOUT(s->state(), InspectedSession::State::Ended, Timeout);
    // The server deleted its driver; the session keeps what it showed.
    QTRY_VERIFY_WITH_TIMEOUT(!s->driver(), Timeout);
    QCOMPARE(s->channels()->rowCount(), 1);
    QVERIFY(s->bytesReceived() > 0);
}

void TestMainWindow::plaintextSessionsShowTheSameBytesOnTheWire()
{
    ConnectionOptions options;
    options.noise = false;
    options.encrypted = false;
    EngineOptions peer;
    peer.noise = false;
    peer.encrypted = false;
    Connected c = connectWithChannel(options, peer);
    QTRY_COMPARE_WITH_TIMEOUT(
        c.session->channels()->index(0, ChannelTableModel::StateColumn).data().toString(),
        QStringLiteral("established"), Timeout);
    MessageLogModel *log = c.window->logModel();
    QCOMPARE(countRows(log, MessageLogModel::Kind::Handshake), 0);
    const int row = findRow(log, c.session->id(), 0, Direction::Inbound);
    QVERIFY(row >= 0);
    QCOMPARE(log->wireBytes(row), log->plainBytes(row));
    QCOMPARE(c.session->channels()->index(0, ChannelTableModel::VerifiedColumn).data().toString(),
             QStringLiteral("n/a (no Noise)"));
    QCOMPARE(c.window->handshakeLadder()->outcomeText(),
             QStringLiteral("Noise is off: no handshake"));
}

void TestMainWindow::failedHandshakeSaysWhere()
{
    // The peer speaks without Noise; we expect a handshake: message 2 never comes right.
    EngineOptions peer;
    peer.noise = false;
    peer.encrypted = false;
    peer.timeout = Millis(2000);
    ConnectionOptions options;
    options.timeoutMs = 2000;
    Connected c = connectWithChannel(options, peer);
    QTRY_COMPARE_WITH_TIMEOUT(c.session->state(), InspectedSession::State::Ended, Timeout);
    const HandshakeRecord &h = c.session->handshake();
    QVERIFY(!h.complete);
    QVERIFY(h.failedStep >= 1);
    QVERIFY(!h.failure.isEmpty());
    const QString outcome = c.window->handshakeLadder()->outcomeText();
    QVERIFY2(outcome.startsWith(QStringLiteral("Handshake failed at message")),
             qPrintable(outcome));
    QVERIFY(c.session->endedWithError());
    // The log has a line that stands out.
    MessageLogModel *log = c.window->logModel();
    log->flush();
    bool problem = false;
    for (int row = 0; row < log->rowCount(); ++row)
        problem = problem || log->index(row, 0).data(MessageLogModel::SeverityRole).toInt() ==
                                 int(MessageLogModel::Severity::Error);
    QVERIFY(problem || c.session->endReason().size() > 0);
}

void TestMainWindow::logFiltersFromTheFilterBar()
{
    Connected c = connectWithChannel();
    QTRY_COMPARE_WITH_TIMEOUT(
        c.session->channels()->index(0, ChannelTableModel::StateColumn).data().toString(),
        QStringLiteral("established"), Timeout);
    QVERIFY(c.session->ping().isEmpty());
    QVERIFY(c.peer->driver->ping().ok());
    MessageLogModel *log = c.window->logModel();
    QTRY_VERIFY_WITH_TIMEOUT(countRows(log, MessageLogModel::Kind::KeepAlive) >= 2, Timeout);
    LogPane *pane = c.window->logPane();
    MessageLogFilterModel *filter = pane->filterModel();
    const int all = filter->rowCount();

    // Keepalives: easy to hide, from the toolbar action as from the filter bar.
    c.window->action(QStringLiteral("keepAlives"))->trigger();
    QVERIFY(!filter->showKeepAlives());
    QCOMPARE(filter->rowCount(), all - countRows(log, MessageLogModel::Kind::KeepAlive));
    QVERIFY(!pane->findChild<QCheckBox *>(QStringLiteral("logKeepAlives"))->isChecked());
    pane->findChild<QCheckBox *>(QStringLiteral("logKeepAlives"))->setChecked(true);
    QVERIFY(c.window->action(QStringLiteral("keepAlives"))->isChecked());
    QCOMPARE(filter->rowCount(), all);

    // Text, typed: applied after a short pause.
    QTest::keyClicks(pane->textFilterEdit(), QStringLiteral("Open"));
    QTRY_COMPARE(filter->textFilter(), QStringLiteral("Open"));
    QVERIFY(filter->rowCount() >= 2);
    for (int row = 0; row < filter->rowCount(); ++row) {
        const QString type = filter->index(row, MessageLogModel::TypeColumn).data().toString();
        const QString summary =
            filter->index(row, MessageLogModel::SummaryColumn).data().toString();
        QVERIFY(type.contains(QStringLiteral("Open"), Qt::CaseInsensitive) ||
                summary.contains(QStringLiteral("open"), Qt::CaseInsensitive));
    }
    pane->textFilterEdit()->clear();
    QTRY_COMPARE(filter->rowCount(), all);

    // Direction and session.
    auto *direction = pane->findChild<QComboBox *>(QStringLiteral("logDirectionFilter"));
    direction->setCurrentIndex(2); // sent only
    for (int row = 0; row < filter->rowCount(); ++row) {
        const int kind = filter->index(row, 0).data(MessageLogModel::KindRole).toInt();
        if (kind == int(MessageLogModel::Kind::Frame) ||
            kind == int(MessageLogModel::Kind::KeepAlive))
            QCOMPARE(filter->index(row, 0).data(MessageLogModel::DirectionRole).toInt(),
                     int(Direction::Outbound));
    }
    direction->setCurrentIndex(0);
    pane->setSessionFilter(c.session->id());
    QCOMPARE(filter->sessionFilter(), c.session->id());
}

void TestMainWindow::demoFillsEveryView()
{
    MainWindow window;
    window.show();
    QVERIFY(window.startDemo());
    window.demo()->setInterval(20);
    QTRY_COMPARE_WITH_TIMEOUT(window.sessionModel()->rowCount(), 2, Timeout);
    MessageLogModel *log = window.logModel();
    // Every message type, both directions, keepalives, and a warning.
    auto everything = [&] {
        if (window.demo()->cycles() < 2)
            return false;
        for (int type : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15})
            if (countRows(log, MessageLogModel::Kind::Frame, type) == 0)
                return false;
        return countRows(log, MessageLogModel::Kind::KeepAlive) > 0 &&
               countRows(log, MessageLogModel::Kind::Warning) > 0 &&
               countRows(log, MessageLogModel::Kind::Handshake) == 6;
    };
    QTRY_VERIFY_WITH_TIMEOUT(everything(), 30000);

    for (InspectedSession *s : window.sessions()) {
        QVERIFY(s->handshake().complete);
        QVERIFY(s->channels()->rowCount() >= 3);
        QVERIFY(s->extensions()->rowCount() >= 2);
        QVERIFY(s->framesReceived() > 10 && s->framesSent() > 10);
    }
    InspectedSession *initiator = window.currentSession();
    QVERIFY(initiator->handshake().initiator);
    QVERIFY(window.windowTitle().contains(QStringLiteral("demo")));

    // The showcase used for screenshots selects a Data frame and highlights its value.
    showcase(window);
    QVERIFY(window.logPane()->currentSourceRow() >= 0);
    QCOMPARE(window.logPane()->fieldView()->currentIndex().data().toString(),
             QStringLiteral("value"));
    QVERIFY(window.logPane()->hexPane()->plainView()->highlightLength() > 0);

    window.stopDemo();
    QTRY_VERIFY_WITH_TIMEOUT(!window.demo()->isRunning(), Timeout);
    for (InspectedSession *s : window.sessions())
        QTRY_COMPARE_WITH_TIMEOUT(s->state(), InspectedSession::State::Ended, Timeout);
}

void TestMainWindow::floodsAreInsertedInBatches()
{
    Connected c = connectWithChannel();
    QTRY_COMPARE_WITH_TIMEOUT(
        c.session->channels()->index(0, ChannelTableModel::StateColumn).data().toString(),
        QStringLiteral("established"), Timeout);
    MessageLogModel *log = c.window->logModel();
    log->flush();
    const int before = log->rowCount();
    QSignalSpy inserted(c.window->logPane()->filterModel(), &QAbstractItemModel::rowsInserted);

    // The peer floods us; a timer in our event loop measures how long the GUI stays blocked.
    constexpr int Flood = 20000;
    const Key32 dk = crypto::discoveryKey(c.key);
    for (int i = 0; i < Flood; ++i) {
        Message have(std::in_place_type<schema::Have>);
        std::get<schema::Have>(have).set_start(std::uint64_t(i));
        QVERIFY(c.peer->driver->send(dk, have).ok());
    }
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    qint64 longestGap = 0;
    QTimer ticker;
    ticker.setInterval(5);
    connect(&ticker, &QTimer::timeout, &ticker, [&] {
        longestGap = std::max(longestGap, clock.elapsed() - last);
        last = clock.elapsed();
    });
    ticker.start();
    QTRY_VERIFY_WITH_TIMEOUT(log->rowCount() >= before + Flood, 60000);
    ticker.stop();
    qInfo("flood of %d frames: %lld inserts into the view, longest event-loop gap %lld ms, %lld ms "
          "in all",
          Flood, qlonglong(inserted.count()), longestGap, clock.elapsed());
    QVERIFY2(inserted.count() < Flood / 20, "rows must arrive in batches, not one by one");
    QCOMPARE(c.session->channels()->row(0).messagesIn >= quint64(Flood), true);
}

void TestMainWindow::remembersRecentConnections()
{
    Peer peer;
    {
        MainWindow window;
        window.show();
        window.connectToPeer(QStringLiteral("127.0.0.1"), peer.server.port(), {});
        QCOMPARE(window.recentConnections().value(0),
                 QStringLiteral("127.0.0.1:%1").arg(peer.server.port()));
        window.close(); // saves settings
    }
    MainWindow again;
    QCOMPARE(again.recentConnections().value(0),
             QStringLiteral("127.0.0.1:%1").arg(peer.server.port()));
}

void TestMainWindow::menusOfferEveryCommand()
{
    MainWindow window;
    QList<QAction *> inMenus;
    std::function<void(QMenu *)> collect = [&](QMenu *menu) {
        for (QAction *action : menu->actions()) {
            inMenus.append(action);
            if (action->menu())
                collect(action->menu());
        }
    };
    for (QAction *top : window.menuBar()->actions())
        collect(top->menu());
    const QStringList names = {QStringLiteral("connect"),       QStringLiteral("listen"),
                               QStringLiteral("stopListening"), QStringLiteral("disconnect"),
                               QStringLiteral("remove"),        QStringLiteral("openLog"),
                               QStringLiteral("saveLog"),       QStringLiteral("saveShownLog"),
                               QStringLiteral("screenshot"),    QStringLiteral("quit"),
                               QStringLiteral("find"),          QStringLiteral("keepAlives"),
                               QStringLiteral("autoScroll"),    QStringLiteral("clearLog"),
                               QStringLiteral("openChannel"),   QStringLiteral("sendMessage"),
                               QStringLiteral("extensions"),    QStringLiteral("ping"),
                               QStringLiteral("revealSecrets"), QStringLiteral("demo"),
                               QStringLiteral("stopDemo"),      QStringLiteral("help"),
                               QStringLiteral("about"),         QStringLiteral("aboutQt")};
    for (const QString &name : names) {
        QAction *action = window.action(name);
        QVERIFY2(action, qPrintable(name));
        QVERIFY2(inMenus.contains(action), qPrintable(name));
    }
    QVERIFY(!window.action(QStringLiteral("noSuchAction")));
    auto *recent = window.findChild<QMenu *>(QStringLiteral("recentMenu"));
    QVERIFY(recent);
    QVERIFY(inMenus.contains(recent->menuAction()));

    // View: one action per tab (Alt+1...), and the byte views follow the hex pane both ways.
    QCOMPARE(window.actions().tabs.size(), int(MainWindow::TabCount));
    window.actions().tabs.at(MainWindow::FlowTab)->trigger();
    QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::FlowTab));
    QCOMPARE(window.actions().tabs.at(MainWindow::ChannelsTab)->shortcut(),
             QKeySequence(Qt::ALT | Qt::Key_3));
    HexPane *hex = window.logPane()->hexPane();
    QVERIFY(window.actions().bytesModes.at(int(hex->mode()))->isChecked());
    window.actions().bytesModes.at(int(HexPane::Mode::Wire))->trigger();
    QCOMPARE(hex->mode(), HexPane::Mode::Wire);
    hex->setMode(HexPane::Mode::Both);
    QVERIFY(window.actions().bytesModes.at(int(HexPane::Mode::Both))->isChecked());
    QVERIFY(!window.actions().bytesModes.at(int(HexPane::Mode::Wire))->isChecked());
}

void TestMainWindow::helpShowsTheProtocolOverview()
{
    // The help is a non-modal window on the overview page (tst_helpwindow tests the rest).
    MainWindow window;
    window.show();
    window.action(QStringLiteral("help"))->trigger(); // returns at once: nothing modal
    QVERIFY(!QApplication::activeModalWidget());
    auto *help = window.findChild<QWidget *>(QStringLiteral("helpWindow"));
    QVERIFY(help);
    QVERIFY(help->isVisible());
    auto *browser = help->findChild<QTextBrowser *>(QStringLiteral("helpBrowser"));
    QVERIFY(browser);
    // The text is a resource (resources/help/protocol.html).
    QCOMPARE(browser->source().fileName(), QStringLiteral("protocol.html"));
    const QString text = browser->toPlainText();
    QVERIFY2(text.contains(QStringLiteral("Hypercore wire protocol, version 9")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("varint(channel << 4 | type)")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
