// Session › Serve a File… in the real MainWindow (offscreen): the person picks a file in the
// file dialog and a block size in the input dialog; the window then serves the file as a
// hypercore 9 feed on its sessions (FeedServer), so a reader that dials the window's listener
// gets Data that core/feed verifies, with the file's bytes. A refused file says why.
#include "feedserver.h"
#include "feedverifier.h"
#include "mainwindow.h"
#include "schema.pb.h"
#include "sessiondriver.h"
#include "sessionmanager.h"

#include <QApplication>
#include <QFileDialog>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>
#include <set>

using namespace hyperscope;

namespace {

constexpr int Timeout = 15000;

/// Answers (a timer child of @p owner) the modal dialogs as they come up: the file dialog with @p
/// path, the input dialog with @p blockSize, a message box by reading its text into @p message and
/// closing it.
void answerDialogs(QObject *owner, const QString &path, int blockSize, QString *message)
{
    auto *timer = new QTimer(owner); // gone with the window: never answers the next test
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [=] {
        QWidget *modal = QApplication::activeModalWidget();
        if (auto *files = qobject_cast<QFileDialog *>(modal)) {
            // As a person does: the full path typed into the name field, then Enter.
            auto *name = files->findChild<QLineEdit *>(QStringLiteral("fileNameEdit"));
            if (!name)
                return;
            name->setText(path);
            QTest::keyClick(name, Qt::Key_Return);
        } else if (auto *input = qobject_cast<QInputDialog *>(modal)) {
            input->setIntValue(blockSize);
            input->accept();
            if (!message)
                timer->deleteLater();
        } else if (auto *box = qobject_cast<QMessageBox *>(modal)) {
            *message = box->text();
            box->accept();
            timer->deleteLater();
        }
    });
    timer->start();
}

QByteArray servedText()
{
    QByteArray text;
    for (int line = 0; line < 30; ++line)
        text += "line " + QByteArray::number(line) + " served from the window\n";
    return text;
}

} // namespace

class TestMainWindowServe : public QObject
{
    Q_OBJECT

private slots:
    void servesAFileChosenInTheDialogs();
    void saysWhyAFileIsRefused();
};

void TestMainWindowServe::servesAFileChosenInTheDialogs()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("served.txt"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(servedText());
    }
    MainWindow window;
    window.resize(1024, 640);
    window.show();
    QAction *serve = window.action(QStringLiteral("serveFile"));
    QVERIFY(serve);
    QMenu *sessionMenu = nullptr;
    for (QAction *top : window.menuBar()->actions()) {
        if (top->menu() && top->menu()->actions().contains(serve))
            sessionMenu = top->menu();
    }
    QVERIFY(sessionMenu);
    QCOMPARE(sessionMenu->title(), QStringLiteral("&Session"));

    answerDialogs(&window, path, 64, nullptr);
    serve->trigger();
    FeedServer *server = window.feedServer();
    QVERIFY(server->isServing());
    const feed::FeedBuilder *served = server->feed();
    QCOMPARE(served->length(), std::uint64_t((servedText().size() + 63) / 64));

    QString error;
    QVERIFY2(
        window.sessionManager()->listen(QHostAddress::LocalHost, 0, ConnectionOptions(), &error),
        qPrintable(error));
    EngineOptions options;
    options.initiator = true;
    SessionDriver reader(1000, options);
    feed::FeedVerifier verifier(served->key());
    std::set<std::uint64_t> verified;
    QStringList problems;
    connect(&reader, &SessionDriver::transportConnected, &reader,
            [&] { reader.openChannel(served->key()); });
    connect(&reader, &SessionDriver::channelOpened, &reader, [&](const ChannelInfo &channel) {
        for (std::uint64_t block = 0; block < served->length(); ++block) {
            Message request(std::in_place_type<schema::Request>);
            std::get<schema::Request>(request).set_index(block);
            reader.send(channel.discoveryKey, request);
        }
    });
    connect(&reader, &SessionDriver::messageReceived, &reader,
            [&](const ChannelInfo &, const Message &message) {
                if (const auto *data = std::get_if<schema::Data>(&message)) {
                    const feed::Verdict verdict = verifier.verify(*data);
                    if (!verdict.verified())
                        problems << QString::fromStdString(verdict.text);
                    if (QByteArray::fromStdString(data->value()) !=
                        servedText().mid(qsizetype(data->index()) * 64, 64))
                        problems << QStringLiteral("block %1: wrong value").arg(data->index());
                    verified.insert(data->index());
                }
            });
    reader.connectToHost(QStringLiteral("127.0.0.1"), window.sessionManager()->listeningPort());
    QTRY_COMPARE_WITH_TIMEOUT(verified.size(), std::size_t(served->length()), Timeout);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    if (const QByteArray shot = qgetenv("HYPERSCOPE_SCREENSHOT_DIR"); !shot.isEmpty())
        window.grab().save(QString::fromLocal8Bit(shot) + QStringLiteral("/serve.png"));
    reader.disconnectFromPeer();
}

void TestMainWindowServe::saysWhyAFileIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("empty.txt"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    MainWindow window;
    window.show();
    QString message;
    answerDialogs(&window, path, 1024, &message);
    window.action(QStringLiteral("serveFile"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!message.isEmpty(), Timeout);
    QVERIFY2(message.contains(QLatin1String("is empty: a feed needs at least one block")),
             qPrintable(message));
    QVERIFY(!window.feedServer()->isServing());
}

QTEST_MAIN(TestMainWindowServe)
#include "tst_mainwindowserve.moc"
