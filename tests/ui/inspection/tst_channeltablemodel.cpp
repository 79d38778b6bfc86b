// ChannelTableModel under QAbstractItemModelTester: every State reached through the engine's
// channel events shows its own text in the State column, SessionEnded included (a finished
// session's open channels, after markSessionEnded()).
#include "builders.h"
#include "channeltablemodel.h"

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

class TestChannelTableModel : public QObject
{
    Q_OBJECT
private slots:
    void everyStateHasItsText_data();
    void everyStateHasItsText();
    void stateTextsAreDistinct();
    void sessionEndedMarksOpenChannelsOnly();
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

QTEST_MAIN(TestChannelTableModel)
#include "tst_channeltablemodel.moc"
