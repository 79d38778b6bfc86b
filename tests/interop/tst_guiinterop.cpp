// The inspector against the reference implementation: the real MainWindow, driven with QTest
// the way a person would (Connect dialog, Channels tab, send form, message log, field tree),
// talking over real loopback TCP to the npm package hypercore-protocol@8.0.7 run by
// refpeer.js --answer-requests. Issue 3: "A person who never read the protocol can open a
// channel to a Node.js peer, send it a Request, and read the Data answer field by field."
//
// HYPERSCOPE_SCREENSHOT_DIR=DIR also saves the window, Data answer selected, as DIR/node-peer.png
// (that is how docs/node-peer.png is made).
#include "interoppeer.h"

#include "channelspane.h"
#include "channeltablemodel.h"
#include "connectdialog.h"
#include "crypto.h"
#include "fieldtreemodel.h"
#include "guisettings.h"
#include "hexpane.h"
#include "hexview.h"
#include "inspectedsession.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "screenshot.h"
#include "sendmessageform.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <functional>

using namespace hyperscope;
using hyperscope::test::InteropPeer;

namespace {

constexpr int Timeout = 15000;
const QString KeyHex = QString(QStringLiteral("ab")).repeated(32);
constexpr int BlockIndex = 5;

/// The rows of the log holding frames of @p type in @p direction, oldest first.
QList<int> frameRows(MessageLogModel *log, int session, int type, Direction direction)
{
    log->flush();
    QList<int> rows;
    for (int row = 0; row < log->rowCount(); ++row) {
        const MessageLogModel::Record &r = log->record(row);
        if (r.session == session && r.kind == MessageLogModel::Kind::Frame && r.type == type &&
            r.direction() == direction)
            rows.append(row);
    }
    return rows;
}

/// The children of @p parent named @p name, in order.
QModelIndexList childFields(const QAbstractItemModel *model, const QModelIndex &parent,
                            const QString &name)
{
    QModelIndexList found;
    for (int row = 0; row < model->rowCount(parent); ++row) {
        const QModelIndex child = model->index(row, FieldTreeModel::FieldColumn, parent);
        if (child.data().toString() == name)
            found.append(child);
    }
    return found;
}

QString valueOf(const QModelIndex &field)
{
    return field.siblingAtColumn(FieldTreeModel::ValueColumn).data().toString();
}

/// What the field tree shows for a bytes field: text quoted when it reads as text, otherwise
/// hex cut after 32 bytes; then the count (see dissector.h).
QString bytesText(const QByteArray &bytes)
{
    const bool text = bytes.size() >= 4 && std::all_of(bytes.begin(), bytes.end(), [](char c) {
                          return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r';
                      });
    if (text && bytes.size() <= 64 && !bytes.contains('"') && !bytes.contains('\\'))
        return QStringLiteral("\"%1\" (%2 bytes)")
            .arg(QString::fromLatin1(bytes))
            .arg(bytes.size());
    const QString hex = QString::fromLatin1(bytes.left(32).toHex());
    return (bytes.size() > 32 ? hex + QStringLiteral("…") : hex) +
           QStringLiteral(" (%1 bytes)").arg(bytes.size());
}

/// The answer refpeer.js --answer-requests makes for a block (see answerFor() there).
struct ExpectedAnswer
{
    QByteArray value;
    struct Node
    {
        quint64 index;
        QByteArray hash;
        quint64 size;
    };
    QList<Node> nodes;
    QByteArray signature;
};

ExpectedAnswer expectedAnswer(quint64 index)
{
    const auto sha = [](QCryptographicHash::Algorithm algorithm, const QString &text) {
        return QCryptographicHash::hash(text.toUtf8(), algorithm);
    };
    ExpectedAnswer a;
    a.value = QStringLiteral("block %1 served by hypercore-protocol@8.0.7").arg(index).toUtf8();
    const quint64 leaf = 2 * index;
    const quint64 sibling = index % 2 == 0 ? leaf + 2 : leaf - 2;
    const quint64 parent = std::min(leaf, sibling) + 1;
    const quint64 uncle = ((parent - 1) / 4) % 2 == 0 ? parent + 4 : parent - 4;
    for (const auto &[node, size] :
         {std::pair{sibling, quint64(a.value.size())}, {uncle, quint64(2 * a.value.size())}})
        a.nodes.append(
            {node, sha(QCryptographicHash::Sha256, QStringLiteral("node %1").arg(node)), size});
    a.signature =
        sha(QCryptographicHash::Sha512, QStringLiteral("signature of block %1").arg(index));
    return a;
}

/// Clicks the row of @p view showing @p index (scrolled into view first), as a person would.
void clickRow(QAbstractItemView *view, const QModelIndex &index)
{
    view->scrollTo(index);
    const QRect rect = view->visualRect(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
}

} // namespace

class TestGuiInterop : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void requestToTheReferenceAndItsDataAnswerFieldByField();
};

void TestGuiInterop::initTestCase()
{
    // No recent connections or keys from an earlier run.
    hyperscope::test::useCleanTestSettings(QStringLiteral("tst_guiinterop"));
}

void TestGuiInterop::requestToTheReferenceAndItsDataAnswerFieldByField()
{
    QElapsedTimer clock;
    clock.start();

    // The Node.js peer: the reference, listening, opening K, answering Requests. --trace makes
    // it print every frame it sends and receives, to compare with what the inspector shows.
    InteropPeer reference(InteropPeer::Kind::Reference, QStringLiteral("refpeer"));
    reference.start({QStringLiteral("listen"), QStringLiteral("--port"), QStringLiteral("0"),
                     QStringLiteral("--key"), KeyHex, QStringLiteral("--answer-requests"),
                     QStringLiteral("--trace")});
    const QJsonObject listening = reference.waitFor(QStringLiteral("listening"));
    QVERIFY2(!listening.isEmpty(), qPrintable(reference.transcript()));
    const auto port = quint16(listening[QStringLiteral("port")].toInt());
    QVERIFY(port != 0);

    MainWindow window;
    window.resize(1440, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // 1. Connect: File > Connect…, type the address, click Connect. The dialog is modal (exec),
    //    so a timer fills it in once it is up.
    const QString address = QStringLiteral("127.0.0.1:%1").arg(port);
    QString dialogProblem = QStringLiteral("the Connect dialog never appeared");
    int attempts = 0;
    std::function<void()> fillDialog = [&] {
        auto *dialog = qobject_cast<ConnectDialog *>(QApplication::activeModalWidget());
        if (!dialog) {
            if (++attempts < 500)
                QTimer::singleShot(10, &window, fillDialog);
            return;
        }
        auto *addressBox = dialog->findChild<QComboBox *>(QStringLiteral("address"));
        auto *buttons = dialog->findChild<QDialogButtonBox *>();
        if (!addressBox || !addressBox->lineEdit() || !buttons) {
            dialogProblem = QStringLiteral("the Connect dialog has no address field or buttons");
            dialog->reject();
            return;
        }
        addressBox->lineEdit()->selectAll();
        QTest::keyClicks(addressBox->lineEdit(), address);
        QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
        if (dialog->isVisible()) {
            dialogProblem =
                QStringLiteral("the Connect dialog refused %1: %2")
                    .arg(address, dialog->findChild<QLabel *>(QStringLiteral("error"))->text());
            dialog->reject();
            return;
        }
        dialogProblem.clear();
    };
    QTimer::singleShot(0, &window, fillDialog);
    window.action(QStringLiteral("connect"))->trigger(); // returns when the dialog closed
    QVERIFY2(dialogProblem.isEmpty(), qPrintable(dialogProblem));
    QCOMPARE(window.sessions().size(), 1);
    InspectedSession *session = window.currentSession();
    QVERIFY(session);
    QTRY_VERIFY_WITH_TIMEOUT(session->handshake().complete, Timeout);
    const QJsonObject handshake = reference.waitFor(QStringLiteral("handshake"));
    QVERIFY2(!handshake.isEmpty(), qPrintable(reference.transcript()));
    QCOMPARE(QString::fromStdString(toHex(*session->handshake().handshakeHash)),
             handshake[QStringLiteral("handshakeHash")].toString());

    // 2. Open the channel: Session > Open Channel…, paste the key, click Open.
    window.action(QStringLiteral("openChannel"))->trigger();
    QCOMPARE(window.tabs()->currentIndex(), int(MainWindow::ChannelsTab));
    ChannelsPane *channels = window.channelsPane();
    QGuiApplication::clipboard()->setText(KeyHex);
    channels->keyEdit()->clear();
    QTest::keySequence(channels->keyEdit(), QKeySequence::Paste);
    if (channels->keyEdit()->text().isEmpty()) { // a platform without a clipboard: type it
        qInfo("no clipboard: typing the key instead of pasting it");
        QTest::keyClicks(channels->keyEdit(), KeyHex);
    }
    QCOMPARE(channels->keyEdit()->text(), KeyHex);
    QTest::mouseClick(channels->openButton(), Qt::LeftButton);
    ChannelTableModel *table = session->channels();
    QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(table->index(0, ChannelTableModel::StateColumn).data().toString(),
                              QStringLiteral("established"), Timeout);
    QCOMPARE(table->index(0, ChannelTableModel::VerifiedColumn).data().toString(),
             QStringLiteral("verified"));
    QCOMPARE(table->index(0, ChannelTableModel::KeyColumn).data().toString(), KeyHex);
    const Key32 discoveryKey = crypto::discoveryKey(*parseKeyHex(KeyHex, nullptr));
    const QString discoveryKeyHex = QString::fromStdString(toHex(discoveryKey));
    const QJsonObject channel = reference.waitFor(QStringLiteral("channel"));
    QCOMPARE(channel[QStringLiteral("discoveryKey")].toString(), discoveryKeyHex);

    // 3. Send a Request: Session > Send Message…, type "Request", index 5, click Send.
    window.action(QStringLiteral("sendMessage"))->trigger();
    SendMessageForm *form = window.sendForm();
    QCOMPARE(form->session(), session);
    QComboBox *type = form->typeCombo();
    const int requestItem = type->findText(QStringLiteral("Request"));
    QVERIFY(requestItem >= 0);
    type->setCurrentIndex(requestItem);
    QCOMPARE(form->messageType(), MessageType::Request);
    QTRY_COMPARE(form->channelCombo()->count(), 1);
    QCOMPARE(form->channel(), std::optional(discoveryKey));
    auto *indexEdit = qobject_cast<QLineEdit *>(form->fieldEditor(QStringLiteral("index")));
    QVERIFY(indexEdit);
    QTest::keyClicks(indexEdit, QString::number(BlockIndex));
    QTest::mouseClick(form->sendButton(), Qt::LeftButton);
    QVERIFY2(form->statusText().startsWith(QStringLiteral("Sent Request index=%1").arg(BlockIndex)),
             qPrintable(form->statusText()));

    // The reference received exactly that Request...
    const QJsonObject request = reference.waitFor([](const QJsonObject &e) {
        return e[QStringLiteral("event")] == QLatin1String("message") &&
               e[QStringLiteral("type")] == QLatin1String("Request");
    });
    QVERIFY2(!request.isEmpty(), qPrintable(reference.transcript()));
    QCOMPARE(request[QStringLiteral("discoveryKey")].toString(), discoveryKeyHex);
    QCOMPARE(request[QStringLiteral("message")].toObject(),
             QJsonObject({{QStringLiteral("index"), BlockIndex}}));
    // ...and answered with one Data frame.
    const QJsonObject dataOut = reference.waitFor([](const QJsonObject &e) {
        return e[QStringLiteral("event")] == QLatin1String("frame") &&
               e[QStringLiteral("direction")] == QLatin1String("out") &&
               e[QStringLiteral("type")] == QLatin1String("Data");
    });
    QVERIFY2(!dataOut.isEmpty(), qPrintable(reference.transcript()));

    // 4. The answer arrives in the message log: click it.
    MessageLogModel *log = window.logModel();
    QTRY_VERIFY_WITH_TIMEOUT(!frameRows(log, session->id(), 9, Direction::Inbound).isEmpty(),
                             Timeout);
    const QList<int> dataRows = frameRows(log, session->id(), 9, Direction::Inbound);
    QCOMPARE(dataRows.size(), 1);
    const int row = dataRows.first();
    // The bytes the inspector decrypted are the bytes the reference sent.
    QCOMPARE(QString::fromLatin1(log->plainBytes(row).toHex()),
             dataOut[QStringLiteral("bytes")].toString());
    // The Request we sent is the one the reference saw arrive.
    const QList<int> requestRows = frameRows(log, session->id(), 7, Direction::Outbound);
    QCOMPARE(requestRows.size(), 1);
    const QJsonObject requestIn = reference.waitFor([](const QJsonObject &e) {
        return e[QStringLiteral("event")] == QLatin1String("frame") &&
               e[QStringLiteral("direction")] == QLatin1String("in") &&
               e[QStringLiteral("type")] == QLatin1String("Request");
    });
    QCOMPARE(QString::fromLatin1(log->plainBytes(requestRows.first()).toHex()),
             requestIn[QStringLiteral("bytes")].toString());

    window.tabs()->setCurrentIndex(MainWindow::MessagesTab);
    LogPane *pane = window.logPane();
    pane->setAutoScroll(false); // keepalives must not scroll the row away while we click it
    const QModelIndex dataIndex = pane->filterModel()->mapFromSource(log->index(row, 0));
    QVERIFY(dataIndex.isValid());
    clickRow(pane->logView(), dataIndex.siblingAtColumn(MessageLogModel::TypeColumn));
    QCOMPARE(pane->currentSourceRow(), row);
    QCOMPARE(log->index(row, MessageLogModel::TypeColumn).data().toString(),
             QStringLiteral("Data"));

    // 5. Read it field by field.
    const ExpectedAnswer expected = expectedAnswer(BlockIndex);
    QTreeView *fieldView = pane->fieldView();
    const QAbstractItemModel *fields = fieldView->model();
    const QModelIndex frame = fields->index(0, FieldTreeModel::FieldColumn);
    QCOMPARE(frame.data().toString(), QStringLiteral("Frame"));
    QVERIFY2(valueOf(frame).contains(QStringLiteral("Data")), qPrintable(valueOf(frame)));

    const QModelIndexList index = childFields(fields, frame, QStringLiteral("index"));
    QCOMPARE(index.size(), 1);
    QCOMPARE(valueOf(index.first()), QString::number(BlockIndex));

    const QModelIndexList value = childFields(fields, frame, QStringLiteral("value"));
    QCOMPARE(value.size(), 1);
    QCOMPARE(valueOf(value.first()), bytesText(expected.value));

    const QModelIndexList nodes = childFields(fields, frame, QStringLiteral("nodes"));
    QCOMPARE(nodes.size(), expected.nodes.size());
    for (int i = 0; i < nodes.size(); ++i) {
        const ExpectedAnswer::Node &node = expected.nodes[i];
        QVERIFY(fieldView->isExpanded(nodes[i]));
        const QModelIndexList nodeIndex = childFields(fields, nodes[i], QStringLiteral("index"));
        const QModelIndexList hash = childFields(fields, nodes[i], QStringLiteral("hash"));
        const QModelIndexList size = childFields(fields, nodes[i], QStringLiteral("size"));
        QVERIFY(nodeIndex.size() == 1 && hash.size() == 1 && size.size() == 1);
        QCOMPARE(valueOf(nodeIndex.first()), QString::number(node.index));
        QCOMPARE(valueOf(hash.first()), bytesText(node.hash));
        QCOMPARE(valueOf(size.first()), QString::number(node.size));
    }

    const QModelIndexList signature = childFields(fields, frame, QStringLiteral("signature"));
    QCOMPARE(signature.size(), 1);
    QCOMPARE(valueOf(signature.first()), bytesText(expected.signature));

    // Click the value: its bytes light up in the hex view, whose text column reads the block.
    clickRow(fieldView, value.first());
    QCOMPARE(fieldView->currentIndex().siblingAtColumn(0), value.first());
    HexView *plain = pane->hexPane()->plainView();
    const QByteArray highlighted =
        plain->bytes().mid(plain->highlightOffset(), plain->highlightLength());
    QVERIFY2(highlighted.endsWith(expected.value), highlighted.toHex().constData());
    QCOMPARE(highlighted.size(), expected.value.size() + 2); // tag and length before the text

    // 6. The picture of that moment.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString shot = dir.filePath(QStringLiteral("node-peer.png"));
    QVERIFY(saveScreenshot(window, shot));
    const QImage image(shot);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), window.size() * window.devicePixelRatio());
    const QString docsDir = qEnvironmentVariable("HYPERSCOPE_SCREENSHOT_DIR");
    if (!docsDir.isEmpty()) {
        const QString docsShot = QDir(docsDir).filePath(QStringLiteral("node-peer.png"));
        QVERIFY2(saveScreenshot(window, docsShot), qPrintable(docsShot));
        qInfo("screenshot saved to %s", qPrintable(docsShot));
    }

    // 7. The reference quits cleanly; the inspector says the session closed, without error.
    reference.send({{QStringLiteral("cmd"), QStringLiteral("quit")}});
    QVERIFY(reference.waitForExit());
    QCOMPARE(reference.exitCode(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(session->state(), InspectedSession::State::Ended, Timeout);
    QVERIFY2(!session->endedWithError(), qPrintable(session->endReason()));
    QCOMPARE(reference.all(QStringLiteral("error")).size(), 0);
    qInfo("GUI interop run: %lld ms", qlonglong(clock.elapsed()));
}

QTEST_MAIN(TestGuiInterop)
#include "tst_guiinterop.moc"
