// SecretsPanel: secret keys hidden until a person asks. tst_mainwindow walks the happy path
// inside the window; here, the panel on its own: nothing to reveal without a session, the
// confirmation answered both ways by mouse, exactly the engine's keys once revealed, what it says
// before the handshake, without Noise and after the end, and hiding when the session changes.
#include "builders.h"
#include "inspectedpair.h"
#include "secretspanel.h"

#include <QApplication>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// Clicks @p button of the next modal message box as soon as it shows (exec() blocks the test).
void answerNextMessageBox(QMessageBox::StandardButton button)
{
    auto *poll = new QTimer;
    QObject::connect(poll, &QTimer::timeout, poll, [poll, button] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            poll->stop();
            poll->deleteLater();
            box->button(button)->click();
        }
    });
    poll->start(10);
}

QString summaryOf(const SecretsPanel &panel)
{
    // The summary is the word-wrapped label (the title is rich text).
    for (const QLabel *label : panel.findChildren<QLabel *>()) {
        if (label->wordWrap())
            return label->text();
    }
    return {};
}

} // namespace

class TestSecretsPanel : public QObject
{
    Q_OBJECT
private slots:
    void withoutASessionThereIsNothingToReveal();
    void decliningTheConfirmationKeepsThemHidden();
    void confirmingShowsExactlyTheEngineKeys();
    void saysWhyKeysAreMissing_data();
    void saysWhyKeysAreMissing();
    void endOfTheSessionReplacesWipedKeys();
    void changingSessionHidesThem();
};

void TestSecretsPanel::withoutASessionThereIsNothingToReveal()
{
    SecretsPanel panel;
    QCOMPARE(panel.objectName(), QStringLiteral("secretsPanel"));
    QVERIFY(!panel.toggleButton()->isEnabled());
    QCOMPARE(panel.toggleButton()->text(), QStringLiteral("Reveal…"));
    QCOMPARE(summaryOf(panel), QStringLiteral("Select a session."));
    QVERIFY(!panel.reveal(false));
    QVERIFY(!panel.isRevealed());
    QVERIFY(panel.secretsText().isEmpty());
}

void TestSecretsPanel::decliningTheConfirmationKeepsThemHidden()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    SecretsPanel panel;
    panel.setSession(pair.dialer.get());
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(panel.toggleButton()->isEnabled());
    QVERIFY(summaryOf(panel).startsWith(QStringLiteral("Hidden: ")));
    answerNextMessageBox(QMessageBox::No);
    QTest::mouseClick(panel.toggleButton(), Qt::LeftButton);
    QVERIFY(!panel.isRevealed());
    QVERIFY(panel.secretsText().isEmpty());
    QVERIFY(panel.findChild<QPlainTextEdit *>(QStringLiteral("secretsText"))->isHidden());
    QCOMPARE(panel.toggleButton()->text(), QStringLiteral("Reveal…"));
}

void TestSecretsPanel::confirmingShowsExactlyTheEngineKeys()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    SecretsPanel panel;
    panel.setSession(pair.dialer.get());
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    answerNextMessageBox(QMessageBox::Yes);
    QTest::mouseClick(panel.toggleButton(), Qt::LeftButton);
    QVERIFY(panel.isRevealed());
    QCOMPARE(panel.toggleButton()->text(), QStringLiteral("Hide"));

    const InspectedSession::Secrets secrets = pair.dialer->secrets();
    QVERIFY(secrets.staticSecretKey && secrets.transportKeys);
    const QStringList lines = panel.secretsText().split(u'\n');
    QCOMPARE(lines,
             (QStringList{QStringLiteral("static secret key  ") + hexOf(*secrets.staticSecretKey),
                          QStringLiteral("transport key tx   %1   (we encrypt with it)")
                              .arg(hexOf(secrets.transportKeys->tx)),
                          QStringLiteral("transport key rx   %1   (we decrypt with it)")
                              .arg(hexOf(secrets.transportKeys->rx))}));
    // The peer decrypts with our send key: these are the keys really in use.
    QCOMPARE(pair.accepted->secrets().transportKeys->rx, secrets.transportKeys->tx);
    QCOMPARE(summaryOf(panel), QStringLiteral("Shown on request. Hide them before sharing a "
                                              "screenshot."));

    // The same button hides them, without asking.
    QTest::mouseClick(panel.toggleButton(), Qt::LeftButton);
    QVERIFY(!panel.isRevealed());
    QVERIFY(panel.secretsText().isEmpty());
    QVERIFY(
        panel.findChild<QPlainTextEdit *>(QStringLiteral("secretsText"))->toPlainText().isEmpty());
}

void TestSecretsPanel::saysWhyKeysAreMissing_data()
{
    QTest::addColumn<bool>("noise");
    QTest::addColumn<QString>("transportLine");
    QTest::newRow("before the handshake")
        << true << QStringLiteral("transport keys     none yet: the handshake has not completed");
    QTest::newRow("without Noise")
        << false << QStringLiteral("transport keys     none: this session runs without Noise");
}

void TestSecretsPanel::saysWhyKeysAreMissing()
{
    QFETCH(bool, noise);
    QFETCH(QString, transportLine);
    MessageLogModel log;
    EngineOptions options;
    options.initiator = true;
    options.noise = noise;
    auto *driver = new SessionDriver(1, options); // never connects
    InspectedSession session(1, driver, InspectedSession::Origin::Dialed, &log);
    SecretsPanel panel;
    panel.setSession(&session);
    QVERIFY(panel.reveal(false));
    const QStringList lines = panel.secretsText().split(u'\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines.at(0),
             QStringLiteral("static secret key  ") + hexOf(*driver->engine().staticSecretKey()));
    QCOMPARE(lines.at(1), transportLine);
}

void TestSecretsPanel::endOfTheSessionReplacesWipedKeys()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    SecretsPanel panel;
    panel.setSession(pair.dialer.get());
    QVERIFY(panel.reveal(false));
    const QString before = panel.secretsText();
    const QString tx = hexOf(pair.dialer->secrets().transportKeys->tx);
    pair.dialer->disconnectFromPeer();
    // The panel follows the end without being asked.
    QTRY_VERIFY(panel.secretsText().startsWith(
        QStringLiteral("static secret key  wiped when the session ended")));
    QVERIFY(panel.isRevealed());
    QVERIFY(panel.secretsText() != before);
    QVERIFY(panel.secretsText().contains(tx)); // the inspector's copy, kept for the wire bytes
    QVERIFY(summaryOf(panel).contains(QStringLiteral("the inspector's copy")));
}

void TestSecretsPanel::changingSessionHidesThem()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    SecretsPanel panel;
    panel.setSession(pair.dialer.get());
    QVERIFY(panel.reveal(false));
    panel.setSession(pair.accepted.get());
    QVERIFY(!panel.isRevealed());
    QVERIFY(panel.secretsText().isEmpty());
    QVERIFY(panel.reveal(false));
    QVERIFY(panel.secretsText().contains(hexOf(*pair.accepted->secrets().staticSecretKey)));
    QVERIFY(!panel.secretsText().contains(hexOf(*pair.dialer->secrets().staticSecretKey)));
    panel.setSession(nullptr);
    QVERIFY(!panel.isRevealed());
    QVERIFY(!panel.toggleButton()->isEnabled());
    QCOMPARE(summaryOf(panel), QStringLiteral("Select a session."));
}

QTEST_MAIN(TestSecretsPanel)
#include "tst_secretspanel.moc"
