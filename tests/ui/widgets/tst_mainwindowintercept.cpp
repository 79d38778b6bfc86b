// The real MainWindow, offscreen, for issue 12's intercept and replay: the window listens, a peer
// of the test's own (a SessionDriver outside the window) dials it and records what it receives;
// the window's session holds, edits, drops and resends messages through the Intercepted dock and
// the log's row menu, as a person would.
#include "channeltablemodel.h"
#include "crypto.h"
#include "filteredit.h"
#include "guisettings.h"
#include "inspectedsession.h"
#include "interceptcommands.h"
#include "interceptmodel.h"
#include "interceptpane.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogmodel.h"
#include "relay.h"
#include "sendmessageform.h"
#include "sessiondriver.h"
#include "sessionserver.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTest>

#include <memory>
#include <vector>

using namespace hyperscope;

namespace {

constexpr int Timeout = 15000;

schema::Request request(std::uint64_t index)
{
    schema::Request r;
    r.set_index(index);
    return r;
}

/// The window listening, a peer connected to it and one feed channel established on both; the
/// peer records the Request indices it receives, in order.
struct Connected
{
    MainWindow window;
    SessionIds ids;
    std::unique_ptr<SessionDriver> peer;
    InspectedSession *session = nullptr;        ///< The window's (accepted) session.
    Key32 feed = crypto::discoveryKey(Key32{}); ///< Any 32 bytes will do as a feed key.
    Key32 dk{};
    std::vector<std::uint64_t> received; ///< Request indices the peer got.
    int wantsReceived = 0;

    bool start()
    {
        QString error;
        if (!window.listen(QHostAddress::LocalHost, 0, ConnectionOptions{}, &error))
            return false;
        EngineOptions options;
        options.initiator = true;
        peer = std::make_unique<SessionDriver>(ids.next(), options);
        QObject::connect(peer.get(), &SessionDriver::messageReceived, peer.get(),
                         [this](const ChannelInfo &, const Message &message) {
                             if (const auto *r = std::get_if<schema::Request>(&message))
                                 received.push_back(r->index());
                             if (std::holds_alternative<schema::Want>(message))
                                 ++wantsReceived;
                         });
        peer->connectToHost(QStringLiteral("127.0.0.1"), window.listeningPort());
        if (!QTest::qWaitFor(
                [this] {
                    session = window.sessions().isEmpty() ? nullptr : window.sessions().first();
                    return session && session->state() == InspectedSession::State::Open;
                },
                Timeout))
            return false;
        dk = crypto::discoveryKey(feed);
        if (peer->openChannel(feed) || !session->openChannel(feed).isEmpty())
            return false;
        return QTest::qWaitFor(
            [this] {
                const ChannelTableModel *channels = session->channels();
                for (int row = 0; row < channels->rowCount(); ++row) {
                    if (channels->row(row).discoveryKey == dk)
                        return channels->row(row).state == ChannelTableModel::State::Established;
                }
                return false;
            },
            Timeout);
    }

    InterceptPane *pane() const { return window.intercept()->pane(); }
    InterceptModel *model() const { return window.intercept()->model(); }

    /// The log's text of every note, flushed first.
    QStringList notes()
    {
        window.logModel()->flush();
        QStringList texts;
        for (int row = 0; row < window.logModel()->rowCount(); ++row)
            texts << window.logModel()->noteText(window.logModel()->record(row));
        return texts;
    }

    /// The source row of the last outbound Request in the log, or -1.
    int lastOutboundRequestRow()
    {
        MessageLogModel *log = window.logModel();
        log->flush();
        for (int row = log->rowCount() - 1; row >= 0; --row) {
            const MessageLogModel::Record &r = log->record(row);
            if (r.kind == MessageLogModel::Kind::Frame &&
                r.type == std::uint8_t(MessageType::Request) &&
                r.direction() == Direction::Outbound)
                return row;
        }
        return -1;
    }
};

bool containsText(const QStringList &texts, const QString &part)
{
    for (const QString &text : texts) {
        if (text.contains(part))
            return true;
    }
    return false;
}

} // namespace

class TestMainWindowIntercept : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void invalidExpressionTurnsNothingOn();
    void heldRequestIsEditedAndForwarded();
    void dropSendsNothing();
    void forwardAllKeepsOrder();
    void offReleasesEverything();
    void sessionEndDropsAndSaysSo();
    void resendFromTheLog();
    void editAndResendPrefillsTheForm();
    void formRoundTripsEveryType();
    void relayedRequestIsHeldOnItsLegAndEdited();
    void windowClosesWithHeldMessages();
};

void TestMainWindowIntercept::initTestCase()
{
    hyperscope::test::useCleanTestSettings(QStringLiteral("tst_mainwindowintercept"));
}

void TestMainWindowIntercept::init()
{
    QSettings().clear();
}

void TestMainWindowIntercept::invalidExpressionTurnsNothingOn()
{
    MainWindow window;
    QAction *toggle = window.action(QStringLiteral("intercept"));
    QVERIFY(toggle && toggle->isCheckable());
    InterceptCommands *intercept = window.intercept();
    const QString why = intercept->startIntercept(QStringLiteral("type == Reqest &&"));
    QVERIFY2(why.contains(QLatin1String("column")), qPrintable(why));
    QVERIFY(!intercept->model()->isOn());
    QVERIFY(!toggle->isChecked());
    QCOMPARE(intercept->pane()->expressionEdit()->state(), FilterEdit::State::Invalid);

    // The toggle with an empty expression opens the dock and stays off.
    intercept->pane()->setExpressionText({});
    toggle->trigger();
    QVERIFY(!toggle->isChecked());
    QVERIFY(!intercept->model()->isOn());

    // A valid one turns on, and the toggle follows.
    QVERIFY(intercept->startIntercept(QStringLiteral("type == Request")).isEmpty());
    QVERIFY(toggle->isChecked());
    toggle->trigger(); // off
    QVERIFY(!intercept->model()->isOn());
}

void TestMainWindowIntercept::heldRequestIsEditedAndForwarded()
{
    Connected c;
    QVERIFY(c.start());
    QVERIFY(c.window.intercept()->startIntercept(QStringLiteral("type == Request")).isEmpty());

    // Sent through the send form, as a person would.
    SendMessageForm *form = c.window.sendForm();
    form->setSession(c.session);
    form->setMessageType(MessageType::Request);
    QVERIFY(form->setChannel(c.dk));
    QVERIFY(form->setFieldText(QStringLiteral("index"), QStringLiteral("5")));
    QVERIFY(form->send());

    QTRY_COMPARE(c.model()->rowCount(), 1);
    QTest::qWait(200);
    QVERIFY(c.received.empty()); // held: the peer got nothing
    const QModelIndex type = c.model()->index(0, InterceptModel::TypeColumn);
    QCOMPARE(type.data().toString(), QStringLiteral("Request"));
    QCOMPARE(c.model()->index(0, InterceptModel::DirectionColumn).data().toString(),
             QStringLiteral("out"));
    QVERIFY(containsText(c.notes(), QStringLiteral("Intercept: Held: Request index=5")));

    // The editor shows it, prefilled; the test edits the index and forwards the edit.
    InterceptPane *pane = c.pane();
    QVERIFY(pane->selectedId() != 0);
    QCOMPARE(pane->editor()->messageType(), MessageType::Request);
    auto *index = qobject_cast<QLineEdit *>(pane->editor()->fieldEditor(QStringLiteral("index")));
    QVERIFY(index);
    QCOMPARE(index->text(), QStringLiteral("5"));
    index->setText(QStringLiteral("7"));
    QTest::mouseClick(pane->forwardEditedButton(), Qt::LeftButton);

    QTRY_COMPARE_WITH_TIMEOUT(c.received.size(), std::size_t(1), Timeout);
    QCOMPARE(c.received.front(), std::uint64_t(7));
    QCOMPARE(c.model()->rowCount(), 0);
    QVERIFY(containsText(c.notes(), QStringLiteral("Intercept: Forwarded edited: Request")));
}

void TestMainWindowIntercept::dropSendsNothing()
{
    Connected c;
    QVERIFY(c.start());
    QVERIFY(c.window.intercept()->startIntercept(QStringLiteral("type == Request")).isEmpty());
    QVERIFY(c.session->send(c.dk, request(3)).isEmpty());
    QTRY_COMPARE(c.model()->rowCount(), 1);
    QTest::mouseClick(c.pane()->dropButton(), Qt::LeftButton);
    QCOMPARE(c.model()->rowCount(), 0);

    // What follows on the same channel goes out; the dropped Request never does.
    schema::Want want;
    want.set_start(0);
    QVERIFY(c.session->send(c.dk, want).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(c.wantsReceived, 1, Timeout);
    QTest::qWait(100);
    QVERIFY(c.received.empty());
    QVERIFY(containsText(c.notes(), QStringLiteral("Intercept: Dropped: Request index=3")));
}

void TestMainWindowIntercept::forwardAllKeepsOrder()
{
    Connected c;
    QVERIFY(c.start());
    QVERIFY(c.window.intercept()
                ->startIntercept(QStringLiteral("type == Request && index in {1..3}"))
                .isEmpty());
    for (std::uint64_t index : {1, 2, 3, 9}) // 9 does not match, but waits behind the others
        QVERIFY(c.session->send(c.dk, request(index)).isEmpty());
    QTRY_COMPARE(c.model()->rowCount(), 3);
    QTest::qWait(100);
    QVERIFY(c.received.empty());

    // Forward the last one first: it waits for the two before it.
    c.pane()->selectRow(2);
    QVERIFY(c.pane()->forwardSelected());
    QTest::qWait(100);
    QVERIFY(c.received.empty());
    QTest::mouseClick(c.pane()->forwardAllButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(c.received.size(), std::size_t(4), Timeout);
    QCOMPARE(c.received, (std::vector<std::uint64_t>{1, 2, 3, 9}));
    QCOMPARE(c.model()->rowCount(), 0);
}

void TestMainWindowIntercept::offReleasesEverything()
{
    Connected c;
    QVERIFY(c.start());
    QVERIFY(c.window.intercept()->startIntercept(QStringLiteral("type == Request")).isEmpty());
    QVERIFY(c.session->send(c.dk, request(4)).isEmpty());
    QTRY_COMPARE(c.model()->rowCount(), 1);
    c.window.action(QStringLiteral("intercept"))->trigger(); // off
    QVERIFY(!c.model()->isOn());
    QCOMPARE(c.model()->rowCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(c.received.size(), std::size_t(1), Timeout);
    // Nothing is held while off.
    QVERIFY(c.session->send(c.dk, request(5)).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(c.received.size(), std::size_t(2), Timeout);
    QCOMPARE(c.model()->rowCount(), 0);
}

void TestMainWindowIntercept::sessionEndDropsAndSaysSo()
{
    Connected c;
    QVERIFY(c.start());
    QVERIFY(c.window.intercept()->startIntercept(QStringLiteral("type == Request")).isEmpty());
    QVERIFY(c.session->send(c.dk, request(8)).isEmpty());
    QTRY_COMPARE(c.model()->rowCount(), 1);

    c.peer->disconnectFromPeer();
    QTRY_COMPARE_WITH_TIMEOUT(c.model()->rowCount(), 0, Timeout);
    QVERIFY2(c.pane()->statusText().contains(QLatin1String("ended")),
             qPrintable(c.pane()->statusText()));
    QVERIFY(c.pane()->statusText().contains(QLatin1String("Request")));
    // A warning row in the log too.
    MessageLogModel *log = c.window.logModel();
    log->flush();
    bool warned = false;
    for (int row = 0; row < log->rowCount(); ++row) {
        const MessageLogModel::Record &r = log->record(row);
        warned = warned || (r.kind == MessageLogModel::Kind::Warning &&
                            log->noteText(r).contains(QLatin1String("the session ended")));
    }
    QVERIFY(warned);
}

void TestMainWindowIntercept::resendFromTheLog()
{
    Connected c;
    QVERIFY(c.start());
    QVERIFY(c.session->send(c.dk, request(6)).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(c.received.size(), std::size_t(1), Timeout);
    int row = -1;
    QTRY_VERIFY((row = c.lastOutboundRequestRow()) >= 0);

    std::unique_ptr<QMenu> menu(c.window.logPane()->createRowMenu(row));
    auto *resend = menu->findChild<QAction *>(QStringLiteral("resend"));
    QVERIFY(resend);
    QVERIFY(resend->isEnabled());
    auto *on = menu->findChild<QMenu *>(QStringLiteral("resendOn"));
    QVERIFY(on);
    QVERIFY(on->findChild<QAction *>(QStringLiteral("resendOn%1").arg(c.session->id())));
    resend->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(c.received.size(), std::size_t(2), Timeout);
    QCOMPARE(c.received, (std::vector<std::uint64_t>{6, 6}));

    // A keepalive or note row has no message: no replay entries.
    c.window.logModel()->appendNote(c.session->id(), MessageLogModel::Kind::Event,
                                    Direction::Inbound, 0, QStringLiteral("a note"));
    c.window.logModel()->flush();
    std::unique_ptr<QMenu> noteMenu(
        c.window.logPane()->createRowMenu(c.window.logModel()->rowCount() - 1));
    QVERIFY(!noteMenu->findChild<QAction *>(QStringLiteral("resend")));

    // Once the session ended, Resend is off (and nobody else has the channel).
    c.peer->disconnectFromPeer();
    QTRY_COMPARE_WITH_TIMEOUT(c.session->state(), InspectedSession::State::Ended, Timeout);
    std::unique_ptr<QMenu> endedMenu(c.window.logPane()->createRowMenu(row));
    QVERIFY(!endedMenu->findChild<QAction *>(QStringLiteral("resend"))->isEnabled());
    QVERIFY(!endedMenu->findChild<QMenu *>(QStringLiteral("resendOn"))->isEnabled());
}

void TestMainWindowIntercept::editAndResendPrefillsTheForm()
{
    Connected c;
    QVERIFY(c.start());
    QVERIFY(c.session->send(c.dk, request(11)).isEmpty());
    int row = -1;
    QTRY_VERIFY((row = c.lastOutboundRequestRow()) >= 0);

    // Another message type in the form first: Edit and Resend replaces it.
    SendMessageForm *form = c.window.sendForm();
    form->setMessageType(MessageType::Have);
    std::unique_ptr<QMenu> menu(c.window.logPane()->createRowMenu(row));
    auto *edit = menu->findChild<QAction *>(QStringLiteral("editAndResend"));
    QVERIFY(edit);
    edit->trigger();
    QCOMPARE(form->messageType(), MessageType::Request);
    QCOMPARE(form->session(), c.session);
    QCOMPARE(form->channel(), std::optional<Key32>(c.dk));
    auto *index = qobject_cast<QLineEdit *>(form->fieldEditor(QStringLiteral("index")));
    QVERIFY(index);
    QCOMPARE(index->text(), QStringLiteral("11"));

    // Edited and sent: the peer gets the edit.
    index->setText(QStringLiteral("12"));
    QVERIFY(form->send());
    QTRY_COMPARE_WITH_TIMEOUT(c.received.size(), std::size_t(2), Timeout);
    QCOMPARE(c.received.back(), std::uint64_t(12));
}

void TestMainWindowIntercept::formRoundTripsEveryType()
{
    // setMessage() then buildMessage() gives the message back, for each type's fields.
    SendMessageForm form;
    form.setEditorOnly(true);
    schema::Data data;
    data.set_index(4);
    data.set_value("hello");
    auto *node = data.add_nodes();
    node->set_index(2);
    node->set_hash(std::string(32, '\x7f'));
    node->set_size(10);
    data.set_signature(std::string("\x00\xff", 2));
    schema::Options options;
    options.add_extensions("alpha");
    options.add_extensions("beta");
    options.set_ack(true);
    schema::Open open;
    open.set_discoverykey(std::string(32, '\x01'));
    open.set_capability(std::string(32, '\x02'));
    schema::Have have;
    have.set_start(1);
    have.set_length(0);
    have.set_bitfield(std::string("\x01\x02", 2));
    const std::vector<Message> messages{data, options, open, have, request(9), schema::Close{}};
    for (const Message &message : messages) {
        form.setMessage(message);
        QString error;
        const std::optional<Message> built = form.buildMessage(&error);
        QVERIFY2(built, qPrintable(error));
        QCOMPARE(QString::fromStdString(summarize(*built)),
                 QString::fromStdString(summarize(message)));
        QCOMPARE(asProtobuf(*built).SerializeAsString(), asProtobuf(message).SerializeAsString());
    }
}

void TestMainWindowIntercept::relayedRequestIsHeldOnItsLegAndEdited()
{
    // Client -> the window's relay -> upstream; a Request from the client is held on the client
    // leg before it is forwarded, edited, and the upstream peer gets the edit.
    MainWindow window;
    SessionIds ids;
    SessionServer upstream(&ids);
    std::vector<std::uint64_t> upstreamGot;
    QObject::connect(&upstream, &SessionServer::sessionStarted, &upstream,
                     [&upstreamGot](SessionDriver *driver) {
                         const Key32 feed = crypto::discoveryKey(Key32{});
                         QObject::connect(driver, &SessionDriver::transportConnected, driver,
                                          [driver, feed] { driver->openChannel(feed); });
                         QObject::connect(driver, &SessionDriver::messageReceived, driver,
                                          [&upstreamGot](const ChannelInfo &, const Message &m) {
                                              if (const auto *r = std::get_if<schema::Request>(&m))
                                                  upstreamGot.push_back(r->index());
                                          });
                     });
    QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
    const Key32 feed = crypto::discoveryKey(Key32{});
    const Key32 dk = crypto::discoveryKey(feed);
    ConnectionOptions options;
    options.keys = {feed};
    QString error;
    Relay *relay = window.relay(QHostAddress::LocalHost, 0, QStringLiteral("127.0.0.1"),
                                upstream.port(), options, &error);
    QVERIFY2(relay, qPrintable(error));
    QVERIFY(window.intercept()->startIntercept(QStringLiteral("type == Request")).isEmpty());

    EngineOptions clientOptions;
    clientOptions.initiator = true;
    SessionDriver client(ids.next(), clientOptions);
    bool established = false;
    QObject::connect(&client, &SessionDriver::channelOpened, &client,
                     [&established](const ChannelInfo &channel) {
                         established = established || channel.established;
                     });
    QObject::connect(&client, &SessionDriver::transportConnected, &client,
                     [&client, feed] { client.openChannel(feed); });
    client.connectToHost(QStringLiteral("127.0.0.1"), relay->port());
    QTRY_VERIFY_WITH_TIMEOUT(established, Timeout);

    QVERIFY(!client.send(dk, request(2)));
    InterceptModel *model = window.intercept()->model();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, Timeout);
    QCOMPARE(model->held().front().leg, InspectedSession::Leg::Client);
    QCOMPARE(model->index(0, InterceptModel::LegColumn).data().toString(),
             QStringLiteral("client"));
    QCOMPARE(model->index(0, InterceptModel::DirectionColumn).data().toString(),
             QStringLiteral("in"));
    InterceptPane *pane = window.intercept()->pane();
    QVERIFY(!pane->heldView()->isColumnHidden(InterceptModel::LegColumn));
    QTest::qWait(100);
    QVERIFY(upstreamGot.empty());

    QVERIFY(pane->editor()->setFieldText(QStringLiteral("index"), QStringLiteral("3")));
    QVERIFY2(pane->forwardEditedSelected(), qPrintable(pane->statusText()));
    QTRY_COMPARE_WITH_TIMEOUT(upstreamGot.size(), std::size_t(1), Timeout);
    QCOMPARE(upstreamGot.front(), std::uint64_t(3));
}

void TestMainWindowIntercept::windowClosesWithHeldMessages()
{
    // Held messages in both directions when the window goes: no crash, nothing left waiting.
    auto c = std::make_unique<Connected>();
    QVERIFY(c->start());
    QVERIFY(c->window.intercept()->startIntercept(QStringLiteral("type == Request")).isEmpty());
    QVERIFY(c->session->send(c->dk, request(1)).isEmpty());
    QVERIFY(!c->peer->send(c->dk, request(2)));
    QTRY_COMPARE_WITH_TIMEOUT(c->window.intercept()->model()->rowCount(), 2, Timeout);
    c.reset();
}

QTEST_MAIN(TestMainWindowIntercept)
#include "tst_mainwindowintercept.moc"
