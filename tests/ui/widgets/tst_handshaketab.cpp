// The Handshake tab of the real MainWindow with the built-in demo, offscreen: the ladder, the
// secret keys and the lesson under them, following the current session and the revealed
// secrets, and a page that fits the window from 1024x640 up (no sideways scrolling).
#include "copyablehex.h"
#include "demorunner.h"
#include "guisettings.h"
#include "handshakeladder.h"
#include "handshakelesson.h"
#include "inspectedsession.h"
#include "mainwindow.h"
#include "secretspanel.h"

#include <QAbstractButton>
#include <QApplication>
#include <QLabel>
#include <QMessageBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabWidget>
#include <QTest>
#include <QTimer>

using namespace hyperscope;

namespace {
constexpr int Timeout = 20000;
}

class TestHandshakeTab : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        hyperscope::test::useCleanTestSettings(QStringLiteral("tst_handshaketab"));
    }

    void lessonFollowsSessionAndSecrets();
    void pageFitsTheWindow_data();
    void pageFitsTheWindow();

private:
    /// The first visible wrapped label of @p lesson shorter than its text needs, or empty.
    static QString squeezedLabel(const HandshakeLesson *lesson)
    {
        for (QLabel *label : lesson->findChildren<QLabel *>()) {
            if (label->wordWrap() && label->isVisible() &&
                label->height() < label->heightForWidth(label->width()))
                return QStringLiteral("%1: %2 < %3")
                    .arg(label->text().left(40))
                    .arg(label->height())
                    .arg(label->heightForWidth(label->width()));
        }
        return {};
    }

    static bool demoHandshakesDone(const MainWindow &window)
    {
        const QList<InspectedSession *> sessions = window.sessions();
        if (sessions.size() != 2)
            return false;
        for (InspectedSession *s : sessions) {
            if (!s->handshake().complete)
                return false;
        }
        return window.currentSession() != nullptr;
    }
};

void TestHandshakeTab::lessonFollowsSessionAndSecrets()
{
    MainWindow window;
    window.resize(1024, 640);
    window.show();
    QVERIFY(window.startDemo());
    QTRY_VERIFY_WITH_TIMEOUT(demoHandshakesDone(window), Timeout);
    window.tabs()->setCurrentIndex(MainWindow::HandshakeTab);

    auto *lesson = window.tabs()->currentWidget()->findChild<HandshakeLesson *>();
    QVERIFY(lesson);
    QTRY_COMPARE(lesson->shownStepTitles().size(), 13);
    QVERIFY(lesson->text().contains("This side (the initiator)"));
    QVERIFY(!lesson->secretsShown());

    // View › Reveal Secrets asks first; confirming reveals ck and k in the lesson too.
    QTimer::singleShot(0, this, [] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget()))
            box->button(QMessageBox::Yes)->click();
    });
    window.action(QStringLiteral("revealSecrets"))->trigger();
    QVERIFY(window.secretsPanel()->isRevealed());
    QVERIFY(lesson->secretsShown());
    bool anyK = false;
    for (CopyableHex *v : lesson->values()) {
        if (v->name() == "k") {
            anyK = true;
            QVERIFY(!v->isWithheld());
        }
    }
    QVERIFY(anyK);

    // Another session: its own handshake, from its side, secrets hidden again.
    InspectedSession *other = nullptr;
    for (InspectedSession *s : window.sessions()) {
        if (s != window.currentSession())
            other = s;
    }
    window.setCurrentSession(other);
    QVERIFY(!lesson->secretsShown());
    QVERIFY(lesson->text().contains("This side (the responder)"));
    const QString hash = QString::fromStdString(toHex(*other->handshake().handshakeHash));
    bool hashShown = false;
    for (CopyableHex *v : lesson->values())
        hashShown |= v->name() == "handshake hash" && v->hex() == hash;
    QVERIFY(hashShown);

    window.stopDemo();
    QTRY_VERIFY_WITH_TIMEOUT(!window.demo()->isRunning(), Timeout);
}

void TestHandshakeTab::pageFitsTheWindow_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1024x640") << QSize(1024, 640);
    QTest::newRow("1920x1080") << QSize(1920, 1080);
}

void TestHandshakeTab::pageFitsTheWindow()
{
    QFETCH(QSize, size);
    MainWindow window;
    window.resize(size);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.startDemo());
    QTRY_VERIFY_WITH_TIMEOUT(demoHandshakesDone(window), Timeout);
    window.tabs()->setCurrentIndex(MainWindow::HandshakeTab);
    auto *scroll = qobject_cast<QScrollArea *>(window.tabs()->currentWidget());
    QVERIFY(scroll);
    window.secretsPanel()->reveal(false);
    window.findChild<HandshakeLesson *>()->setFullValues(true);
    QTest::qWait(50);
    QCoreApplication::sendPostedEvents();

    // Everything reads top to bottom: no horizontal scrolling, the ladder and the lesson as wide
    // as the page.
    QCOMPARE(scroll->horizontalScrollBar()->maximum(), 0);
    QVERIFY(window.handshakeLadder()->width() <= scroll->viewport()->width());
    auto *lesson = window.findChild<HandshakeLesson *>();
    QVERIFY(lesson->width() <= scroll->viewport()->width());
    QVERIFY(scroll->verticalScrollBar()->maximum() > 0); // a long lesson, scrolled

    // No text is squeezed under the next line once the layouts have settled: every wrapped
    // label got the height it needs at the width it got (a layout that asks for heights at one
    // width and lays out at another draws paragraphs over the values below them).
    QTRY_COMPARE(squeezedLabel(lesson), QString());
    QVERIFY(lesson->findChildren<QLabel *>().size() > 20);

    window.stopDemo();
    QTRY_VERIFY_WITH_TIMEOUT(!window.demo()->isRunning(), Timeout);
}

QTEST_MAIN(TestHandshakeTab)
#include "tst_handshaketab.moc"
