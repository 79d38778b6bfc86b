// ExtensionsPane: register extension names and send extension messages on the current session.
// tst_mainwindow registers and sends once through the window; here, the pane on its own over a
// real loopback pair: what it allows without a session, the scopes it offers (the stream and
// the channels we have open), every refusal and its sentence, text and hex payloads typed and
// sent with Return, and a click in the table filling the form.
#include "builders.h"
#include "extensionspane.h"
#include "inspectedpair.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTest>

#include <memory>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// Two sessions over loopback; the accepted side records the extension messages it gets.
struct Pair : InspectedPair
{
    QList<QPair<QString, QByteArray>> received; ///< {name, payload}

    Pair()
    {
        onAccepted = [this](SessionDriver *driver) {
            QObject::connect(
                driver, &SessionDriver::extensionReceived, driver,
                [this](const std::optional<Key32> &, const std::optional<std::string> &name,
                       quint64, const QByteArray &payload) {
                    received.append({QString::fromStdString(name.value_or("?")), payload});
                });
        };
    }
};

QString titleOf(const ExtensionsPane &pane)
{
    for (const QLabel *label : pane.findChildren<QLabel *>()) {
        if (label->text().startsWith(QLatin1String("Extensions")))
            return label->text();
    }
    return {};
}

QStringList scopes(const ExtensionsPane &pane)
{
    QStringList texts;
    for (int i = 0; i < pane.scopeCombo()->count(); ++i)
        texts << pane.scopeCombo()->itemText(i);
    return texts;
}

} // namespace

class TestExtensionsPane : public QObject
{
    Q_OBJECT
private slots:
    void withoutASessionNothingIsAllowed();
    void offersTheStreamAndOurOpenChannels();
    void refusalsAreExplained_data();
    void refusalsAreExplained();
    void registersAndSendsWhatWasTyped();
    void sendsHexPayloads();
    void clickingARowFillsTheForm();
};

void TestExtensionsPane::withoutASessionNothingIsAllowed()
{
    ExtensionsPane pane;
    QCOMPARE(titleOf(pane), QStringLiteral("Extensions (no session selected)"));
    QVERIFY(!pane.registerButton()->isEnabled());
    QVERIFY(!pane.sendButton()->isEnabled());
    QCOMPARE(pane.table()->model(), nullptr);
    QCOMPARE(scopes(pane), QStringList{QStringLiteral("Stream (channel 0)")});
    pane.nameEdit()->setText(QStringLiteral("chat"));
    QVERIFY(!pane.registerFromForm());
    QCOMPARE(pane.statusText(), QStringLiteral("No session selected."));
    QVERIFY(!pane.sendFromForm());
    QCOMPARE(pane.statusText(), QStringLiteral("No session selected."));
}

void TestExtensionsPane::offersTheStreamAndOurOpenChannels()
{
    Pair pair;
    QVERIFY(pair.open());
    ExtensionsPane pane;
    pane.setSession(pair.dialer.get());
    QCOMPARE(titleOf(pane), QStringLiteral("Extensions of session ") + pair.dialer->label());
    QCOMPARE(pane.table()->model(), pair.dialer->extensions());
    QVERIFY(pane.registerButton()->isEnabled());
    // A channel only the remote opened is not ours to use.
    QCOMPARE(pair.accepted->openChannel(keyOf(0x21)), QString());
    QTRY_COMPARE(pair.dialer->channels()->rowCount(), 1);
    QCOMPARE(scopes(pane), QStringList{QStringLiteral("Stream (channel 0)")});
    const Key32 feed = keyOf(0x11);
    QCOMPARE(pair.dialer->openChannel(feed), QString());
    QTRY_COMPARE(
        scopes(pane),
        (QStringList{
            QStringLiteral("Stream (channel 0)"),
            QStringLiteral("Channel 1 · %1…").arg(shortKeyHex(crypto::discoveryKey(feed)))}));
    // The selected scope survives a refresh.
    pane.scopeCombo()->setCurrentIndex(1);
    QCOMPARE(pair.dialer->openChannel(keyOf(0x12)), QString());
    QTRY_COMPARE(pane.scopeCombo()->count(), 3);
    QCOMPARE(pane.scopeCombo()->currentIndex(), 1);
}

void TestExtensionsPane::refusalsAreExplained_data()
{
    QTest::addColumn<bool>("send");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("format"); // 0 text, 1 hex
    QTest::addColumn<QString>("payload");
    QTest::addColumn<QString>("status");
    QTest::newRow("register without a name") << false << QStringLiteral("   ") << 0 << QString()
                                             << QStringLiteral("Enter the extension's name.");
    QTest::newRow("send without a name") << true << QString() << 0 << QStringLiteral("x")
                                         << QStringLiteral("Enter the name of a registered "
                                                           "extension.");
    QTest::newRow("send through an unregistered name")
        << true << QStringLiteral("nope") << 0 << QStringLiteral("x")
        << QStringLiteral("unknown-extension: extension 'nope' is not registered");
    QTest::newRow("odd hex") << true << QStringLiteral("chat") << 1 << QStringLiteral("abc")
                             << QStringLiteral("The payload is not hex: use pairs of 0-9 a-f, or "
                                               "switch to Text.");
    QTest::newRow("not hex") << true << QStringLiteral("chat") << 1 << QStringLiteral("zz")
                             << QStringLiteral("The payload is not hex");
}

void TestExtensionsPane::refusalsAreExplained()
{
    QFETCH(bool, send);
    QFETCH(QString, name);
    QFETCH(int, format);
    QFETCH(QString, payload);
    QFETCH(QString, status);
    Pair pair;
    QVERIFY(pair.open());
    ExtensionsPane pane;
    pane.setSession(pair.dialer.get());
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    pane.nameEdit()->setText(name);
    pane.formatCombo()->setCurrentIndex(format);
    pane.payloadEdit()->setText(payload);
    QTest::mouseClick(send ? pane.sendButton() : pane.registerButton(), Qt::LeftButton);
    QVERIFY2(pane.statusText().startsWith(status), qPrintable(pane.statusText()));
    QVERIFY(pair.dialer->extensions()->localNames(std::nullopt).isEmpty());
    QVERIFY(pair.received.isEmpty());
}

void TestExtensionsPane::registersAndSendsWhatWasTyped()
{
    Pair pair;
    QVERIFY(pair.open());
    QCOMPARE(pair.accepted->registerExtension(std::nullopt, QStringLiteral("chat")), QString());
    ExtensionsPane pane;
    pane.setSession(pair.dialer.get());
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));

    QTest::keyClicks(pane.nameEdit(), QStringLiteral("chat"));
    QTest::mouseClick(pane.registerButton(), Qt::LeftButton);
    QCOMPARE(pane.statusText(), QStringLiteral("Registered \"chat\" on Stream (channel 0). It is "
                                               "announced with the next message sent through "
                                               "it."));
    QCOMPARE(pair.dialer->extensions()->localNames(std::nullopt),
             QStringList{QStringLiteral("chat")});
    QCOMPARE(pane.table()->model()->rowCount(), 1);

    // Return in the payload field sends, as UTF-8 text by default.
    QCOMPARE(pane.formatCombo()->currentText(), QStringLiteral("Text"));
    QTest::keyClicks(pane.payloadEdit(), QStringLiteral("hi "));
    pane.payloadEdit()->insert(QStringLiteral("é")); // QTest types ASCII only
    QTest::keyClick(pane.payloadEdit(), Qt::Key_Return);
    QCOMPARE(pane.statusText(), QStringLiteral("Sent 5 bytes through \"chat\"."));
    QTRY_COMPARE(pair.received.size(), 1);
    QCOMPARE(pair.received.first().first, QStringLiteral("chat"));
    QCOMPARE(pair.received.first().second, QStringLiteral("hi é").toUtf8());
}

void TestExtensionsPane::sendsHexPayloads()
{
    Pair pair;
    QVERIFY(pair.open());
    const Key32 feed = keyOf(0x11);
    QCOMPARE(pair.dialer->openChannel(feed), QString());
    QCOMPARE(pair.accepted->openChannel(feed), QString());
    QTRY_VERIFY(pair.dialer->channels()->rowCount() == 1 &&
                pair.dialer->channels()->row(0).state == ChannelTableModel::State::Established);
    const Key32 dk = crypto::discoveryKey(feed);
    QCOMPARE(pair.accepted->registerExtension(dk, QStringLiteral("echo")), QString());
    ExtensionsPane pane;
    pane.setSession(pair.dialer.get());
    QTRY_COMPARE(pane.scopeCombo()->count(), 2);
    pane.scopeCombo()->setCurrentIndex(1); // the channel
    pane.nameEdit()->setText(QStringLiteral("echo"));
    QVERIFY(pane.registerFromForm());
    QCOMPARE(pair.dialer->extensions()->localNames(dk), QStringList{QStringLiteral("echo")});
    QVERIFY(pair.dialer->extensions()->localNames(std::nullopt).isEmpty());
    pane.formatCombo()->setCurrentIndex(1);
    pane.payloadEdit()->setText(QStringLiteral("00 ff 10"));
    QVERIFY(pane.sendFromForm());
    QCOMPARE(pane.statusText(), QStringLiteral("Sent 3 bytes through \"echo\"."));
    QTRY_COMPARE(pair.received.size(), 1);
    QCOMPARE(pair.received.first().second, QByteArray::fromHex("00ff10"));
}

void TestExtensionsPane::clickingARowFillsTheForm()
{
    Pair pair;
    QVERIFY(pair.open());
    const Key32 feed = keyOf(0x11);
    QCOMPARE(pair.dialer->openChannel(feed), QString());
    const Key32 dk = crypto::discoveryKey(feed);
    QCOMPARE(pair.dialer->registerExtension(std::nullopt, QStringLiteral("alpha")), QString());
    QCOMPARE(pair.dialer->registerExtension(dk, QStringLiteral("beta")), QString());
    ExtensionsPane pane;
    pane.setSession(pair.dialer.get());
    pane.resize(900, 500);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QTableView *table = pane.table();
    QCOMPARE(table->model()->rowCount(), 2); // the stream's alpha, the channel's beta
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                      table->visualRect(table->model()->index(1, 1)).center());
    QCOMPARE(pane.nameEdit()->text(), QStringLiteral("beta"));
    QCOMPARE(pane.scopeCombo()->currentIndex(), 1);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                      table->visualRect(table->model()->index(0, 1)).center());
    QCOMPARE(pane.nameEdit()->text(), QStringLiteral("alpha"));
    QCOMPARE(pane.scopeCombo()->currentIndex(), 0);
}

QTEST_MAIN(TestExtensionsPane)
#include "tst_extensionspane.moc"
