// ChannelsPane: the channel table of the current session with the controls to open, close and
// copy. tst_mainwindow checks the key errors through the window; here, the pane on its own over
// a real loopback pair: buttons enabled only when they can act, opening by typing and Return,
// a random key, selecting a row with the mouse to close it or copy its keys, the feed key that
// only the opener knows, and the status messages it reports.
#include "builders.h"
#include "channelderivationpanel.h"
#include "channelspane.h"
#include "inspectedpair.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <memory>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

QPushButton *buttonNamed(const ChannelsPane &pane, const QString &text)
{
    for (QPushButton *button : pane.findChildren<QPushButton *>()) {
        if (button->text() == text)
            return button;
    }
    return nullptr;
}

QString titleOf(const ChannelsPane &pane)
{
    for (const QLabel *label : pane.findChildren<QLabel *>()) {
        if (label->text().startsWith(QLatin1String("Channels")))
            return label->text();
    }
    return {};
}

void clickRow(QTableView *table, int row)
{
    QTest::mouseClick(
        table->viewport(), Qt::LeftButton, {},
        table->visualRect(table->model()->index(row, ChannelTableModel::StateColumn)).center());
}

} // namespace

class TestChannelsPane : public QObject
{
    Q_OBJECT
private slots:
    void withoutASessionNothingIsAllowed();
    void opensTheTypedKeyWithReturn();
    void badKeysAreExplained_data();
    void badKeysAreExplained();
    void randomKeyIsFreshAndCopyable();
    void selectingARowEnablesItsActions();
    void copiesTheKeysOfTheSelectedChannel();
    void onlyTheOpenerKnowsTheFeedKey();
    void closesTheSelectedChannel();
    void derivationShowsThisSessionsValues();
    void typedKeyFillsInARemoteChannel();
};

void TestChannelsPane::withoutASessionNothingIsAllowed()
{
    ChannelsPane pane;
    QCOMPARE(titleOf(pane), QStringLiteral("Channels (no session selected)"));
    QCOMPARE(pane.session(), nullptr);
    QVERIFY(!pane.openButton()->isEnabled());
    QVERIFY(!pane.closeButton()->isEnabled());
    QVERIFY(!buttonNamed(pane, QStringLiteral("Copy Discovery Key"))->isEnabled());
    QVERIFY(!pane.closeSelected());
    pane.keyEdit()->setText(hexOf(keyOf(1)));
    QVERIFY(!pane.openFromEdit());
    QCOMPARE(pane.statusText(), QStringLiteral("No session selected."));
}

void TestChannelsPane::opensTheTypedKeyWithReturn()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    ChannelsPane pane;
    pane.setSession(pair.dialer.get());
    QCOMPARE(pane.session(), pair.dialer.get());
    QCOMPARE(titleOf(pane), QStringLiteral("Channels of session ") + pair.dialer->label());
    QCOMPARE(pane.table()->model(), pair.dialer->channels());
    QVERIFY(pane.openButton()->isEnabled());
    QVERIFY(!pane.closeButton()->isEnabled()); // nothing selected
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QSignalSpy messages(&pane, &ChannelsPane::statusMessage);
    const Key32 feed = keyOf(0x42);
    QTest::keyClicks(pane.keyEdit(), hexOf(feed));
    QTest::keyClick(pane.keyEdit(), Qt::Key_Return);
    const QString expected = QStringLiteral("Open sent for discovery key %1…")
                                 .arg(hexOf(crypto::discoveryKey(feed)).left(16));
    QCOMPARE(pane.statusText(), expected);
    QCOMPARE(messages.count(), 1);
    QCOMPARE(messages.first().at(0).toString(), expected);
    QCOMPARE(pane.table()->model()->rowCount(), 1);
    QCOMPARE(pair.dialer->channels()->row(0).key, std::optional<Key32>(feed));
    // The same key again, pasted with spaces: nothing is sent, and the pane says so (issue 11,
    // item 3: it used to claim "Open sent" in green).
    QString spaced;
    for (const QChar c : hexOf(feed))
        spaced += spaced.size() % 3 == 2 ? QStringLiteral(" ") + c : QString(c);
    pane.keyEdit()->setText(spaced);
    QTest::keyClick(pane.keyEdit(), Qt::Key_Return);
    const quint64 localId = pair.dialer->channels()->row(0).localId.value_or(~0ull);
    QCOMPARE(
        pane.statusText(),
        QStringLiteral("Channel already open as local id %1 (discovery key %2…): nothing sent.")
            .arg(localId)
            .arg(hexOf(crypto::discoveryKey(feed)).left(16)));
    QCOMPARE(pane.table()->model()->rowCount(), 1);
}

void TestChannelsPane::badKeysAreExplained_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << QString() << QStringLiteral("Enter a key");
    QTest::newRow("not hex") << QStringLiteral("xyz") << QStringLiteral("'x' is not a hex digit");
    QTest::newRow("too long") << QString(66, u'a') << QStringLiteral("has 66 hex digits");
}

void TestChannelsPane::badKeysAreExplained()
{
    QFETCH(QString, input);
    QFETCH(QString, message);
    InspectedPair pair;
    QVERIFY(pair.open());
    ChannelsPane pane;
    pane.setSession(pair.dialer.get());
    QSignalSpy messages(&pane, &ChannelsPane::statusMessage);
    pane.keyEdit()->setText(input);
    QVERIFY(!pane.openFromEdit());
    QVERIFY2(pane.statusText().contains(message), qPrintable(pane.statusText()));
    QCOMPARE(pair.dialer->channels()->rowCount(), 0);
    QCOMPARE(messages.count(), 0);
}

void TestChannelsPane::randomKeyIsFreshAndCopyable()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    ChannelsPane pane;
    pane.setSession(pair.dialer.get());
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QSignalSpy messages(&pane, &ChannelsPane::statusMessage);
    QTest::mouseClick(pane.randomButton(), Qt::LeftButton);
    const QString first = pane.keyEdit()->text();
    QCOMPARE(first.size(), 64);
    QVERIFY(pane.statusText().startsWith(QStringLiteral("A fresh random key.")));
    QTest::mouseClick(pane.randomButton(), Qt::LeftButton);
    QVERIFY(pane.keyEdit()->text() != first);
    // "Copy" puts the key of the field on the clipboard, trimmed.
    pane.keyEdit()->setText(QStringLiteral("  ") + first + QStringLiteral(" "));
    messages.clear();
    QTest::mouseClick(buttonNamed(pane, QStringLiteral("Copy")), Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), first);
    QCOMPARE(messages.count(), 1);
    QCOMPARE(messages.first().at(0).toString(), QStringLiteral("Key copied"));
    QVERIFY(pane.openFromEdit()); // surrounding blanks are fine
}

void TestChannelsPane::selectingARowEnablesItsActions()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    QCOMPARE(pair.dialer->openChannel(keyOf(1)), QString());
    ChannelsPane pane;
    pane.setSession(pair.dialer.get());
    pane.resize(900, 400);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QVERIFY(!pane.closeButton()->isEnabled());
    clickRow(pane.table(), 0);
    QVERIFY(pane.closeButton()->isEnabled());
    QVERIFY(buttonNamed(pane, QStringLiteral("Copy Discovery Key"))->isEnabled());
    QVERIFY(buttonNamed(pane, QStringLiteral("Copy Key"))->isEnabled());
    pane.table()->clearSelection();
    QVERIFY(!pane.closeButton()->isEnabled());
    // Another session: a new table, nothing selected.
    clickRow(pane.table(), 0);
    pane.setSession(pair.accepted.get());
    QVERIFY(!pane.closeButton()->isEnabled());
    QVERIFY(pane.statusText().isEmpty());
}

void TestChannelsPane::copiesTheKeysOfTheSelectedChannel()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    const Key32 feed = keyOf(0x33);
    QCOMPARE(pair.dialer->openChannel(feed), QString());
    ChannelsPane pane;
    pane.setSession(pair.dialer.get());
    pane.resize(900, 400);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    clickRow(pane.table(), 0);
    QSignalSpy messages(&pane, &ChannelsPane::statusMessage);
    QTest::mouseClick(buttonNamed(pane, QStringLiteral("Copy Discovery Key")), Qt::LeftButton);
    const QString dk = hexOf(crypto::discoveryKey(feed));
    QCOMPARE(QGuiApplication::clipboard()->text(), dk);
    QCOMPARE(messages.last().at(0).toString(), QStringLiteral("Copied ") + dk);
    QTest::mouseClick(buttonNamed(pane, QStringLiteral("Copy Key")), Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), hexOf(feed));
    QCOMPARE(messages.count(), 2);
}

void TestChannelsPane::onlyTheOpenerKnowsTheFeedKey()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    QCOMPARE(pair.accepted->openChannel(keyOf(0x44)), QString());
    QTRY_COMPARE(pair.dialer->channels()->rowCount(), 1);
    ChannelsPane pane;
    pane.setSession(pair.dialer.get());
    pane.resize(900, 400);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    clickRow(pane.table(), 0);
    QGuiApplication::clipboard()->setText(QStringLiteral("untouched"));
    QSignalSpy messages(&pane, &ChannelsPane::statusMessage);
    QTest::mouseClick(buttonNamed(pane, QStringLiteral("Copy Key")), Qt::LeftButton);
    QVERIFY2(pane.statusText().startsWith(
                 QStringLiteral("The feed key of this channel is not known here")),
             qPrintable(pane.statusText()));
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("untouched"));
    QCOMPARE(messages.count(), 0);
}

void TestChannelsPane::closesTheSelectedChannel()
{
    InspectedPair pair;
    QVERIFY(pair.open());
    const Key32 feed = keyOf(0x55);
    QCOMPARE(pair.dialer->openChannel(feed), QString());
    QCOMPARE(pair.accepted->openChannel(feed), QString());
    QTRY_VERIFY(pair.dialer->channels()->row(0).state == ChannelTableModel::State::Established);
    ChannelsPane pane;
    pane.setSession(pair.dialer.get());
    pane.resize(900, 400);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    clickRow(pane.table(), 0);
    QTest::mouseClick(pane.closeButton(), Qt::LeftButton);
    QCOMPARE(
        pane.statusText(),
        QStringLiteral("Close sent for channel %1…").arg(shortKeyHex(crypto::discoveryKey(feed))));
    QCOMPARE(pair.dialer->channels()->row(0).state, ChannelTableModel::State::ClosedLocally);
    QTRY_COMPARE(pair.accepted->channels()->row(0).state, ChannelTableModel::State::ClosedByRemote);
}

void TestChannelsPane::derivationShowsThisSessionsValues()
{
    // Issue 11, Teaching: the selected channel's discovery key and capabilities, with the real
    // values; the split keys only once revealed, hidden again for another session.
    using Panel = ChannelDerivationPanel;
    InspectedPair pair;
    QVERIFY(pair.open());
    const Key32 feed = keyOf(0x77);
    QVERIFY(pair.establish(feed));
    ChannelsPane pane;
    pane.setSession(pair.dialer.get());
    pane.resize(1024, 640);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    Panel *panel = pane.derivationPanel();
    QCOMPARE(panel->valueText(Panel::DiscoveryKey), QStringLiteral("select a channel above"));
    clickRow(pane.table(), 0);
    QCOMPARE(panel->channel(), 0);

    const crypto::SplitKeys split = *pair.dialer->secrets().transportKeys;
    QCOMPARE(panel->valueText(Panel::FeedKey), hexOf(feed));
    QCOMPARE(panel->valueText(Panel::DiscoveryKey), hexOf(crypto::discoveryKey(feed)));
    QCOMPARE(panel->valueText(Panel::OurCapability), hexOf(crypto::capability(feed, split)));
    QCOMPARE(panel->valueText(Panel::RemoteCapability),
             hexOf(crypto::remoteCapability(feed, split)));
    // What we expect from the remote is what the remote sends: its own capability.
    const crypto::SplitKeys theirs = *pair.accepted->secrets().transportKeys;
    QCOMPARE(panel->valueText(Panel::RemoteCapability), hexOf(crypto::capability(feed, theirs)));
    QVERIFY(panel->verdictText().contains(QStringLiteral("verified")));

    // Secrets hidden by default; revealed, the split keys appear in full.
    QVERIFY(!panel->splitKeysRevealed());
    QVERIFY(panel->valueText(Panel::SplitTx).startsWith(QStringLiteral("hidden")));
    QVERIFY(!panel->valueText(Panel::SplitRx).contains(hexOf(split.rx)));
    QVERIFY(panel->revealSplitKeys(false));
    QCOMPARE(panel->valueText(Panel::SplitTx), hexOf(split.tx));
    QCOMPARE(panel->valueText(Panel::SplitRx), hexOf(split.rx));
    QCOMPARE(panel->revealButton()->text(), QStringLiteral("Hide Split Keys"));

    // Copy copies the full value.
    auto *copy = [&] {
        for (QPushButton *button : panel->findChildren<QPushButton *>()) {
            if (button->text() == QLatin1String("Copy") && button->isEnabled())
                return button;
        }
        return static_cast<QPushButton *>(nullptr);
    }();
    QVERIFY(copy);
    QTest::mouseClick(copy, Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text().size(), 64);

    // Another session hides them again.
    pane.setSession(pair.accepted.get());
    QVERIFY(!panel->splitKeysRevealed());
    QCOMPARE(panel->valueText(Panel::SplitTx), QStringLiteral("select a channel above"));
}

void TestChannelsPane::typedKeyFillsInARemoteChannel()
{
    // Issue 11 item 15: the key of a channel only the remote opened can be given without
    // opening it; the table and the derivation then show it.
    using Panel = ChannelDerivationPanel;
    InspectedPair pair;
    QVERIFY(pair.open());
    const Key32 feed = keyOf(0x78);
    QCOMPARE(pair.accepted->openChannel(feed), QString());
    ChannelTableModel *channels = pair.dialer->channels();
    QVERIFY(QTest::qWaitFor([&] { return channels->rowCount() == 1; }));
    ChannelsPane pane;
    pane.setSession(pair.dialer.get());
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    clickRow(pane.table(), 0);
    QVERIFY(
        pane.derivationPanel()->valueText(Panel::FeedKey).startsWith(QStringLiteral("unknown")));
    QVERIFY(pane.derivationPanel()
                ->valueText(Panel::OurCapability)
                .contains(QStringLiteral("feed key")));

    // A key of no channel changes nothing; the channel's own key fills it in.
    pane.keyEdit()->setText(hexOf(keyOf(0x79)));
    QCOMPARE(channels->index(0, ChannelTableModel::KeyColumn).data().toString(),
             QStringLiteral("unknown"));
    pane.keyEdit()->setText(hexOf(feed));
    QCOMPARE(channels->index(0, ChannelTableModel::KeyColumn).data().toString(), hexOf(feed));
    QVERIFY(pane.statusText().contains(QStringLiteral("filled in")));
    QCOMPARE(channels->row(0).state, ChannelTableModel::State::OpenedByRemote); // not opened
    QCOMPARE(pane.derivationPanel()->valueText(Panel::FeedKey), hexOf(feed));
    const crypto::SplitKeys split = *pair.dialer->secrets().transportKeys;
    QCOMPARE(pane.derivationPanel()->valueText(Panel::RemoteCapability),
             hexOf(crypto::remoteCapability(feed, split)));
    QCOMPARE(channels->index(0, ChannelTableModel::VerifiedColumn).data().toString(),
             QStringLiteral("waiting for our Open"));
}

QTEST_MAIN(TestChannelsPane)
#include "tst_channelspane.moc"
