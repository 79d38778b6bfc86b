// Intercept and replay in the inspector against the reference implementation (issue 12): the
// real MainWindow, offscreen, connected over loopback TCP to refpeer.js --answer-requests (npm
// hypercore-protocol@8.0.7). A Request the inspector sends is held in the Intercepted dock, its
// index edited in the dock's editor and forwarded: the reference receives the edited index and
// answers it. Then the log's Resend sends that Request again, and the reference receives it again.
#include "interoppeer.h"

#include "crypto.h"
#include "guisettings.h"
#include "inspectedsession.h"
#include "interceptcommands.h"
#include "interceptmodel.h"
#include "interceptpane.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogmodel.h"
#include "sendmessageform.h"
#include "sessionoptions.h"

#include <QAction>
#include <QJsonObject>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QTest>

#include <memory>

using namespace hyperscope;
using hyperscope::test::InteropPeer;

namespace {

constexpr int Timeout = 15000;
const QString KeyHex = QString(QStringLiteral("cd")).repeated(32);

/// The reference's "message" events for Requests, their indices in order.
QList<int> requestsReceived(const InteropPeer &reference)
{
    QList<int> indices;
    for (const QJsonObject &e : reference.all(QStringLiteral("message"))) {
        if (e[QStringLiteral("type")] == QLatin1String("Request"))
            indices << e[QStringLiteral("message")].toObject()[QStringLiteral("index")].toInt();
    }
    return indices;
}

} // namespace

class TestGuiInterceptInterop : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        hyperscope::test::useCleanTestSettings(QStringLiteral("tst_guiinterceptinterop"));
    }
    void heldRequestEditedReachesTheReferenceThenResend();
};

void TestGuiInterceptInterop::heldRequestEditedReachesTheReferenceThenResend()
{
    InteropPeer reference(InteropPeer::Kind::Reference, QStringLiteral("refpeer"));
    reference.start({QStringLiteral("listen"), QStringLiteral("--port"), QStringLiteral("0"),
                     QStringLiteral("--key"), KeyHex, QStringLiteral("--answer-requests")});
    const QJsonObject listening = reference.waitFor(QStringLiteral("listening"));
    QVERIFY2(!listening.isEmpty(), qPrintable(reference.transcript()));
    const auto port = quint16(listening[QStringLiteral("port")].toInt());

    MainWindow window;
    window.resize(1440, 900);
    window.show();
    const Key32 key = *parseKeyHex(KeyHex, nullptr);
    const Key32 dk = crypto::discoveryKey(key);
    ConnectionOptions options;
    options.keys = {key};
    InspectedSession *session = window.connectToPeer(QStringLiteral("127.0.0.1"), port, options);
    QVERIFY(session);
    QVERIFY2(!reference.waitFor(QStringLiteral("channel")).isEmpty(),
             qPrintable(reference.transcript()));
    QTRY_VERIFY_WITH_TIMEOUT(session->openLocalId(dk).has_value(), Timeout);

    // Intercept Requests; send one with index 5 from the send form.
    QVERIFY(window.intercept()->startIntercept(QStringLiteral("type == Request")).isEmpty());
    SendMessageForm *form = window.sendForm();
    form->setMessageType(MessageType::Request);
    QTRY_VERIFY_WITH_TIMEOUT(form->setChannel(dk), Timeout);
    QVERIFY(form->setFieldText(QStringLiteral("index"), QStringLiteral("5")));
    QVERIFY(form->send());
    InterceptModel *model = window.intercept()->model();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, Timeout);
    QTest::qWait(300);
    QVERIFY(requestsReceived(reference).isEmpty());

    // Edit its index in the dock and forward the edit: the reference gets index 6 and answers.
    InterceptPane *pane = window.intercept()->pane();
    auto *index = qobject_cast<QLineEdit *>(pane->editor()->fieldEditor(QStringLiteral("index")));
    QVERIFY(index);
    QCOMPARE(index->text(), QStringLiteral("5"));
    index->setText(QStringLiteral("6"));
    QTest::mouseClick(pane->forwardEditedButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(requestsReceived(reference), QList<int>{6}, Timeout);
    MessageLogModel *log = window.logModel();
    int dataRow = -1;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            log->flush();
            for (int row = 0; row < log->rowCount(); ++row) {
                const MessageLogModel::Record &r = log->record(row);
                if (r.kind == MessageLogModel::Kind::Frame && r.type == 9 &&
                    r.direction() == Direction::Inbound)
                    dataRow = row;
            }
            return dataRow >= 0;
        }(),
        Timeout);
    QVERIFY2(log->summaryText(log->record(dataRow)).startsWith(QLatin1String("index=6")),
             qPrintable(log->summaryText(log->record(dataRow))));

    // Intercept off, then Resend the Request from the log: the reference gets it again.
    window.action(QStringLiteral("intercept"))->trigger();
    QVERIFY(!model->isOn());
    int requestRow = -1;
    for (int row = 0; row < log->rowCount(); ++row) {
        const MessageLogModel::Record &r = log->record(row);
        if (r.kind == MessageLogModel::Kind::Frame && r.type == 7 &&
            r.direction() == Direction::Outbound)
            requestRow = row;
    }
    QVERIFY(requestRow >= 0);
    std::unique_ptr<QMenu> menu(window.logPane()->createRowMenu(requestRow));
    auto *resend = menu->findChild<QAction *>(QStringLiteral("resend"));
    QVERIFY(resend && resend->isEnabled());
    resend->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(requestsReceived(reference), (QList<int>{6, 6}), Timeout);
}

QTEST_MAIN(TestGuiInterceptInterop)
#include "tst_guiinterceptinterop.moc"
