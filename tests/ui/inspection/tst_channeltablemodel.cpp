// ChannelTableModel under QAbstractItemModelTester: every State reached through the engine's
// channel events shows its own text in the State column, SessionEnded included (a finished
// session's open channels, after markSessionEnded()).
#include "builders.h"
#include "channeltablemodel.h"
#include "crypto.h"
#include "inspectedpair.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

using State = ChannelTableModel::State;

constexpr std::optional<std::uint64_t> None = std::nullopt;

/// Every State, in declaration order (SessionEnded is the last).
const QList<State> AllStates = {State::OpenedLocally,   State::OpenedByRemote, State::Established,
                                State::ClosedLocally,   State::ClosedByRemote, State::Refused,
                                State::RefusedByRemote, State::SessionEnded};

/// Drives one channel of @p model into @p state the way a session does.
void driveInto(ChannelTableModel &model, const Key32 &dk, State state)
{
    switch (state) {
    case State::OpenedLocally:
        model.applyEvent(channelTraceOf(ChannelEvent::OpenedLocally, dk, 1, None));
        return;
    case State::OpenedByRemote:
        model.applyEvent(channelTraceOf(ChannelEvent::OpenedByRemote, dk, None, 2));
        return;
    case State::Established:
        model.applyEvent(channelTraceOf(ChannelEvent::OpenedLocally, dk, 1, None));
        model.applyEvent(channelTraceOf(ChannelEvent::OpenedByRemote, dk, 1, 2));
        model.applyEvent(channelTraceOf(ChannelEvent::Established, dk, 1, 2, true));
        return;
    case State::ClosedLocally:
        model.applyEvent(channelTraceOf(ChannelEvent::OpenedLocally, dk, 1, None));
        model.applyEvent(channelTraceOf(ChannelEvent::ClosedLocally, dk, 1, None));
        return;
    case State::ClosedByRemote:
        model.applyEvent(channelTraceOf(ChannelEvent::OpenedLocally, dk, 1, None));
        model.applyEvent(channelTraceOf(ChannelEvent::OpenedByRemote, dk, 1, 2));
        model.applyEvent(channelTraceOf(ChannelEvent::ClosedByRemote, dk, 1, 2));
        return;
    case State::Refused:
        model.applyEvent(channelTraceOf(ChannelEvent::OpenedByRemote, dk, None, 2));
        model.applyEvent(channelTraceOf(ChannelEvent::Refused, dk, None, 2));
        return;
    case State::RefusedByRemote:
        // The remote closes a channel it never opened: it refused ours.
        model.applyEvent(channelTraceOf(ChannelEvent::OpenedLocally, dk, 1, None));
        model.applyEvent(channelTraceOf(ChannelEvent::ClosedByRemote, dk, 1, None));
        return;
    case State::SessionEnded:
        model.applyEvent(channelTraceOf(ChannelEvent::OpenedLocally, dk, 1, None));
        model.markSessionEnded();
        return;
    }
}

} // namespace

Q_DECLARE_METATYPE(hyperscope::ChannelTableModel::State)
Q_DECLARE_METATYPE(hyperscope::ChannelTableModel::CapabilityStatus)

namespace {
using Capability = ChannelTableModel::CapabilityStatus;
const QColor FailureRed(183, 28, 28);

/// The row of @p session's channel table for @p feed, or -1.
int rowOfFeed(const InspectedSession &session, const Key32 &feed)
{
    return session.channels()->rowOf(crypto::discoveryKey(feed));
}
} // namespace

class TestChannelTableModel : public QObject
{
    Q_OBJECT
private slots:
    void everyStateHasItsText_data();
    void everyStateHasItsText();
    void stateTextsAreDistinct();
    void sessionEndedMarksOpenChannelsOnly();
    void capabilityColumnSaysWhatItWaitsFor_data();
    void capabilityColumnSaysWhatItWaitsFor();
    void knownKeyFillsTheKeyColumn();
    void remoteFirstOpenIsCountedAndNotAFailure();
};

void TestChannelTableModel::everyStateHasItsText_data()
{
    QTest::addColumn<State>("state");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("grey");
    QTest::newRow("opened locally") << State::OpenedLocally << "opened locally" << false;
    QTest::newRow("opened by remote") << State::OpenedByRemote << "opened by remote" << false;
    QTest::newRow("established") << State::Established << "established" << false;
    QTest::newRow("closed locally") << State::ClosedLocally << "closed locally" << true;
    QTest::newRow("closed by remote") << State::ClosedByRemote << "closed by remote" << true;
    QTest::newRow("refused") << State::Refused << "refused" << false;
    QTest::newRow("refused by remote") << State::RefusedByRemote << "refused by remote" << false;
    QTest::newRow("session ended") << State::SessionEnded << "session ended" << true;
}

void TestChannelTableModel::everyStateHasItsText()
{
    QFETCH(State, state);
    QFETCH(QString, text);
    QFETCH(bool, grey);

    ChannelTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    driveInto(model, keyOf(1), state);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.row(0).state, state);
    const QModelIndex cell = model.index(0, ChannelTableModel::StateColumn);
    QCOMPARE(cell.data(ChannelTableModel::StateRole).toInt(), int(state));
    QCOMPARE(cell.data().toString(), text);
    QCOMPARE(ChannelTableModel::stateText(state), text);
    QVERIFY(cell.data(Qt::DecorationRole).isValid()); // every state has its dot
    QCOMPARE(cell.data(Qt::ForegroundRole).value<QColor>() == QColor(128, 128, 128), grey);
}

void TestChannelTableModel::stateTextsAreDistinct()
{
    // The enum's last value is SessionEnded: a State added after it must be added here too.
    QCOMPARE(int(AllStates.last()), int(State::SessionEnded));
    QCOMPARE(int(AllStates.size()), int(State::SessionEnded) + 1);
    QSet<QString> texts;
    for (const State state : AllStates) {
        const QString text = ChannelTableModel::stateText(state);
        QVERIFY2(!text.isEmpty(), qPrintable(QStringLiteral("state %1").arg(int(state))));
        texts.insert(text);
    }
    QCOMPARE(int(texts.size()), int(AllStates.size()));
}

void TestChannelTableModel::sessionEndedMarksOpenChannelsOnly()
{
    ChannelTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // One channel in each state a session can leave it in before it ends.
    const QList<State> before = {State::OpenedLocally,  State::OpenedByRemote, State::Established,
                                 State::ClosedLocally,  State::ClosedByRemote, State::Refused,
                                 State::RefusedByRemote};
    for (int i = 0; i < before.size(); ++i)
        driveInto(model, keyOf(std::uint8_t(i + 1)), before[i]);
    QCOMPARE(model.rowCount(), int(before.size()));
    QVERIFY(model.index(2, 0).data(ChannelTableModel::IsOpenRole).toBool());

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.markSessionEnded();
    // The three open channels ended with the session, each repainted once; the others keep
    // what happened to them.
    QCOMPARE(changed.count(), 3);
    for (int row = 0; row < before.size(); ++row) {
        const bool wasOpen = before[row] == State::OpenedLocally ||
                             before[row] == State::OpenedByRemote ||
                             before[row] == State::Established;
        const State expected = wasOpen ? State::SessionEnded : before[row];
        QCOMPARE(model.row(row).state, expected);
        QCOMPARE(model.index(row, ChannelTableModel::StateColumn).data().toString(),
                 ChannelTableModel::stateText(expected));
        QVERIFY(!model.index(row, 0).data(ChannelTableModel::IsOpenRole).toBool());
    }
    QCOMPARE(model.index(0, ChannelTableModel::StateColumn).data().toString(),
             QStringLiteral("session ended"));
    QCOMPARE(model.index(2, ChannelTableModel::StateColumn).data().toString(),
             QStringLiteral("session ended"));

    // Ending twice changes nothing more.
    changed.clear();
    model.markSessionEnded();
    QCOMPARE(changed.count(), 0);
}

void TestChannelTableModel::capabilityColumnSaysWhatItWaitsFor_data()
{
    QTest::addColumn<bool>("noise");
    QTest::addColumn<QList<ChannelTrace>>("events");
    QTest::addColumn<bool>("endSession");
    QTest::addColumn<Capability>("status");
    QTest::addColumn<QString>("text");

    const Key32 dk = keyOf(7);
    const ChannelTrace ours = channelTraceOf(ChannelEvent::OpenedLocally, dk, 1, None);
    const ChannelTrace theirsAlone = channelTraceOf(ChannelEvent::OpenedByRemote, dk, None, 2);
    const ChannelTrace theirsAfterOurs = channelTraceOf(ChannelEvent::OpenedByRemote, dk, 1, 2);
    const ChannelTrace established = channelTraceOf(ChannelEvent::Established, dk, 1, 2, true);
    QTest::newRow("we opened") << true << QList{ours} << false << Capability::WaitingForRemote
                               << "waiting for remote's Open";
    // Issue 11 item 15: a channel only the remote opened is not a failure.
    QTest::newRow("remote opened alone") << true << QList{theirsAlone} << false
                                         << Capability::WaitingForOurOpen << "waiting for our Open";
    QTest::newRow("established") << true << QList{ours, theirsAfterOurs, established} << false
                                 << Capability::Verified << "verified";
    // Both opened and no Verified event: the engine found a mismatch (and ended the session).
    QTest::newRow("mismatch") << true << QList{ours, theirsAfterOurs} << false << Capability::Failed
                              << "capability failed";
    QTest::newRow("mismatch, session ended") << true << QList{ours, theirsAfterOurs} << true
                                             << Capability::Failed << "capability failed";
    QTest::newRow("remote alone, session ended")
        << true << QList{theirsAlone} << true << Capability::None << "—";
    QTest::newRow("no noise") << false << QList{theirsAlone} << false << Capability::NotApplicable
                              << "n/a (no Noise)";
}

void TestChannelTableModel::capabilityColumnSaysWhatItWaitsFor()
{
    QFETCH(bool, noise);
    QFETCH(QList<ChannelTrace>, events);
    QFETCH(bool, endSession);
    QFETCH(Capability, status);
    QFETCH(QString, text);

    ChannelTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setNoise(noise);
    for (const ChannelTrace &event : events)
        model.applyEvent(event);
    if (endSession)
        model.markSessionEnded();
    QCOMPARE(model.capabilityStatus(0), status);
    const QModelIndex cell = model.index(0, ChannelTableModel::VerifiedColumn);
    QCOMPARE(cell.data().toString(), text);
    QCOMPARE(cell.data(ChannelTableModel::CapabilityRole).toInt(), int(status));
    // Red means failed, and only that.
    QCOMPARE(cell.data(Qt::ForegroundRole).value<QColor>() == FailureRed,
             status == Capability::Failed);
}

void TestChannelTableModel::knownKeyFillsTheKeyColumn()
{
    ChannelTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Key32 feed = keyOf(0x42);
    model.applyEvent(
        channelTraceOf(ChannelEvent::OpenedByRemote, crypto::discoveryKey(feed), None, 1));
    const QModelIndex key = model.index(0, ChannelTableModel::KeyColumn);
    QCOMPARE(key.data().toString(), QStringLiteral("unknown"));
    QVERIFY(!key.data(ChannelTableModel::KeyRole).isValid());

    // A key of another channel changes nothing.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QCOMPARE(model.setKnownKey(keyOf(0x43)), -1);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(key.data().toString(), QStringLiteral("unknown"));

    QCOMPARE(model.setKnownKey(feed), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(key.data(ChannelTableModel::KeyRole).toByteArray(),
             QByteArray(reinterpret_cast<const char *>(feed.data()), 32));
    QCOMPARE(key.data().toString(), QString::fromStdString(toHex(feed)));
    QVERIFY(key.data(Qt::ToolTipRole).toString().contains(QStringLiteral("you gave it")));
    // Giving the key opens nothing: the remote still waits for our Open.
    QCOMPARE(model.capabilityStatus(0), Capability::WaitingForOurOpen);
}

void TestChannelTableModel::remoteFirstOpenIsCountedAndNotAFailure()
{
    // Issue 11 item 15 over a real connection: the accepted side opens first.
    InspectedPair pair;
    QVERIFY(pair.open());
    const Key32 feed = keyOf(0x5a);
    QCOMPARE(pair.accepted->openChannel(feed), QString());
    QVERIFY(QTest::qWaitFor([&] { return rowOfFeed(*pair.dialer, feed) >= 0; }));
    ChannelTableModel *channels = pair.dialer->channels();
    const int row = rowOfFeed(*pair.dialer, feed);
    channels->flush();
    QCOMPARE(channels->row(row).state, State::OpenedByRemote);
    QCOMPARE(channels->index(row, ChannelTableModel::MessagesColumn).data().toString(),
             QStringLiteral("1 in / 0 out"));
    QCOMPARE(channels->index(row, ChannelTableModel::VerifiedColumn).data().toString(),
             QStringLiteral("waiting for our Open"));
    QVERIFY(channels->index(row, ChannelTableModel::VerifiedColumn)
                .data(Qt::ForegroundRole)
                .value<QColor>() != FailureRed);
    // The log names the channel of that Open by its key, not by the bare id "1".
    pair.log.flush();
    int openRow = -1;
    for (int i = 0; i < pair.log.rowCount(); ++i) {
        const MessageLogModel::Record &r = pair.log.record(i);
        if (r.session == pair.dialer->id() && r.kind == MessageLogModel::Kind::Frame &&
            r.type == 0 && r.direction() == Direction::Inbound)
            openRow = i;
    }
    QVERIFY(openRow >= 0);
    QCOMPARE(pair.log.channelKey(pair.log.record(openRow).channelKey),
             std::optional(crypto::discoveryKey(feed)));
    QVERIFY(pair.log.index(openRow, MessageLogModel::ChannelColumn)
                .data()
                .toString()
                .contains(shortKeyHex(crypto::discoveryKey(feed))));
    // The opener counted its own Open too, though it was traced before its channel event.
    const int theirRow = rowOfFeed(*pair.accepted, feed);
    QCOMPARE(pair.accepted->channels()->row(theirRow).messagesOut, quint64(1));

    // Now we open the same key: the key is known, both Opens counted, the capability verified.
    QCOMPARE(pair.dialer->openChannel(feed), QString());
    QVERIFY(QTest::qWaitFor([&] { return channels->row(row).state == State::Established; }));
    channels->flush();
    QCOMPARE(channels->index(row, ChannelTableModel::KeyColumn).data().toString(),
             QString::fromStdString(toHex(feed)));
    QCOMPARE(channels->index(row, ChannelTableModel::MessagesColumn).data().toString(),
             QStringLiteral("1 in / 1 out"));
    QCOMPARE(channels->index(row, ChannelTableModel::VerifiedColumn).data().toString(),
             QStringLiteral("verified"));
}

QTEST_MAIN(TestChannelTableModel)
#include "tst_channeltablemodel.moc"
