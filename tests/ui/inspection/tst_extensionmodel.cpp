// ExtensionModel: the extension table of one session. tst_models checks the match of names and
// the id look-up on the stream; here, the order of rows, the texts of every column, channel
// scopes and their labels, the use of the announced list for our ids, and the batched counters.
#include "builders.h"
#include "extensionmodel.h"

#include <QAbstractItemModelTester>
#include <QIcon>
#include <QSignalSpy>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

ExtensionTrace traceOf(ExtensionTrace::Kind kind, std::vector<std::string> names,
                       std::optional<Key32> scope = std::nullopt)
{
    ExtensionTrace t;
    t.kind = kind;
    t.names = std::move(names);
    t.discoveryKey = scope;
    return t;
}

QStringList column(const ExtensionModel &model, int column, int role = Qt::DisplayRole)
{
    QStringList values;
    for (int row = 0; row < model.rowCount(); ++row)
        values << model.index(row, column).data(role).toString();
    return values;
}

int rowOf(const ExtensionModel &model, const QString &scope, const QString &name)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.index(row, ExtensionModel::ScopeColumn).data().toString() == scope &&
            model.index(row, ExtensionModel::NameColumn).data().toString() == name)
            return row;
    }
    return -1;
}

} // namespace

class TestExtensionModel : public QObject
{
    Q_OBJECT
private slots:
    void headersNameTheColumns();
    void rowsAreTheStreamFirstThenChannelsInBytewiseOrder();
    void columnsDescribeBothSides_data();
    void columnsDescribeBothSides();
    void channelScopesShowTheirLabel();
    void ourIdsFollowWhatWeAnnounced();
    void listsPerScope();
    void countersArePublishedInBatches();
    void unknownIdsAreNotCounted();
    void countersSurviveANewAnnouncement();
};

void TestExtensionModel::headersNameTheColumns()
{
    ExtensionModel model;
    const QStringList expected{
        QStringLiteral("Scope"),    QStringLiteral("Name"),  QStringLiteral("Local"),
        QStringLiteral("Remote"),   QStringLiteral("Match"), QStringLiteral("Our id"),
        QStringLiteral("Their id"), QStringLiteral("Sent"),  QStringLiteral("Received")};
    QCOMPARE(model.columnCount(), int(expected.size()));
    for (int section = 0; section < model.columnCount(); ++section)
        QCOMPARE(model.headerData(section, Qt::Horizontal).toString(), expected.at(section));
    QVERIFY(!model.headerData(0, Qt::Vertical).isValid());
}

void TestExtensionModel::rowsAreTheStreamFirstThenChannelsInBytewiseOrder()
{
    ExtensionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"echo"}, keyOf(0x20)));
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"beta"}, keyOf(0x10)));
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"alpha", "chat"}));
    model.apply(traceOf(ExtensionTrace::Kind::RemoteAnnounced, {"Zeta", "chat"}));
    QCOMPARE(reset.count(), 4); // names change rarely: one reset each
    // Upper case sorts before lower case, as the protocol's bytewise order has it.
    QCOMPARE(column(model, ExtensionModel::NameColumn),
             (QStringList{QStringLiteral("Zeta"), QStringLiteral("alpha"), QStringLiteral("chat"),
                          QStringLiteral("beta"), QStringLiteral("echo")}));
    QCOMPARE(
        column(model, ExtensionModel::ScopeColumn),
        (QStringList{QStringLiteral("stream"), QStringLiteral("stream"), QStringLiteral("stream"),
                     QStringLiteral("channel 10101010"), QStringLiteral("channel 20202020")}));
    QVERIFY(model.index(0, 0).data(ExtensionModel::ScopeKeyRole).toByteArray().isEmpty());
    QCOMPARE(model.index(3, 0).data(ExtensionModel::ScopeKeyRole).toByteArray(),
             QByteArray(32, '\x10'));
    QCOMPARE(model.index(4, 0).data(ExtensionModel::NameRole).toString(), QStringLiteral("echo"));
}

void TestExtensionModel::columnsDescribeBothSides_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("local");
    QTest::addColumn<QString>("remote");
    QTest::addColumn<QString>("match");
    QTest::addColumn<QVariant>("localId");
    QTest::addColumn<QVariant>("remoteId");
    QTest::addColumn<QString>("tooltip");

    // Local: alpha, chat. Remote: beta, chat, delta.
    QTest::newRow("both") << QStringLiteral("chat") << QStringLiteral("registered")
                          << QStringLiteral("announced") << QStringLiteral("match") << QVariant(1)
                          << QVariant(1) << QStringLiteral("reach a handler");
    QTest::newRow("local only") << QStringLiteral("alpha") << QStringLiteral("registered")
                                << QString() << QStringLiteral("local only") << QVariant(0)
                                << QVariant() << QStringLiteral("the remote drops");
    QTest::newRow("remote only") << QStringLiteral("delta") << QString()
                                 << QStringLiteral("announced") << QStringLiteral("remote only")
                                 << QVariant() << QVariant(2) << QStringLiteral("are ignored");
}

void TestExtensionModel::columnsDescribeBothSides()
{
    QFETCH(QString, name);
    QFETCH(QString, local);
    QFETCH(QString, remote);
    QFETCH(QString, match);
    QFETCH(QVariant, localId);
    QFETCH(QVariant, remoteId);
    QFETCH(QString, tooltip);

    ExtensionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"alpha", "chat"}));
    model.apply(traceOf(ExtensionTrace::Kind::RemoteAnnounced, {"beta", "chat", "delta"}));
    const int row = rowOf(model, QStringLiteral("stream"), name);
    QVERIFY(row >= 0);
    auto cell = [&](int column, int role = Qt::DisplayRole) {
        return model.index(row, column).data(role);
    };
    QCOMPARE(cell(ExtensionModel::LocalColumn).toString(), local);
    QCOMPARE(cell(ExtensionModel::RemoteColumn).toString(), remote);
    QCOMPARE(cell(ExtensionModel::MatchColumn).toString(), match);
    QCOMPARE(cell(ExtensionModel::LocalIdColumn), localId);
    QCOMPARE(cell(ExtensionModel::RemoteIdColumn), remoteId);
    QVERIFY2(cell(ExtensionModel::MatchColumn, Qt::ToolTipRole).toString().contains(tooltip),
             qPrintable(cell(ExtensionModel::MatchColumn, Qt::ToolTipRole).toString()));
    QVERIFY(!cell(ExtensionModel::MatchColumn, Qt::DecorationRole).value<QIcon>().isNull());
    QVERIFY(!cell(ExtensionModel::NameColumn, Qt::DecorationRole).isValid());
    QCOMPARE(cell(ExtensionModel::SentColumn).toULongLong(), 0ull);
    QCOMPARE(cell(ExtensionModel::LocalIdColumn, Qt::TextAlignmentRole).toInt(),
             int(Qt::AlignRight | Qt::AlignVCenter));
}

void TestExtensionModel::channelScopesShowTheirLabel()
{
    ExtensionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setChannelLabel(keyOf(0xab), QStringLiteral("early")); // no rows: nothing to update
    QCOMPARE(changed.count(), 0);
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"echo"}, keyOf(0xab)));
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"chat"}));
    QCOMPARE(model.index(1, ExtensionModel::ScopeColumn).data().toString(),
             QStringLiteral("early"));
    model.setChannelLabel(keyOf(0xab), QStringLiteral("channel 1 · abababab"));
    QCOMPARE(changed.count(), 1);
    const QList<QVariant> args = changed.takeFirst();
    QCOMPARE(args.at(0).value<QModelIndex>(), model.index(0, ExtensionModel::ScopeColumn));
    QCOMPARE(args.at(1).value<QModelIndex>(), model.index(1, ExtensionModel::ScopeColumn));
    QCOMPARE(model.index(1, ExtensionModel::ScopeColumn).data().toString(),
             QStringLiteral("channel 1 · abababab"));
    QCOMPARE(model.index(0, ExtensionModel::ScopeColumn).data().toString(),
             QStringLiteral("stream"));
}

void TestExtensionModel::ourIdsFollowWhatWeAnnounced()
{
    ExtensionModel model;
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"alpha", "chat"}));
    // Before an announcement, our ids index the registered list.
    QCOMPARE(model.nameFor(std::nullopt, Direction::Outbound, 1), QStringLiteral("chat"));
    // What we announced last is what the remote decodes our ids with.
    model.apply(traceOf(ExtensionTrace::Kind::Announced, {"chat"}));
    QCOMPARE(model.nameFor(std::nullopt, Direction::Outbound, 0), QStringLiteral("chat"));
    QCOMPARE(model.nameFor(std::nullopt, Direction::Outbound, 1), QString());
    // Inbound ids index the remote's list, which is empty so far.
    QCOMPARE(model.nameFor(std::nullopt, Direction::Inbound, 0), QString());
    // A scope never seen resolves nothing.
    QCOMPARE(model.nameFor(keyOf(1), Direction::Outbound, 0), QString());
}

void TestExtensionModel::listsPerScope()
{
    ExtensionModel model;
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"a", "b"}));
    model.apply(traceOf(ExtensionTrace::Kind::RemoteAnnounced, {"c"}, keyOf(4)));
    QCOMPARE(model.localNames(std::nullopt),
             (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(model.remoteNames(std::nullopt), QStringList());
    QCOMPARE(model.localNames(keyOf(4)), QStringList());
    QCOMPARE(model.remoteNames(keyOf(4)), QStringList{QStringLiteral("c")});
    QCOMPARE(model.localNames(keyOf(5)), QStringList());
    QCOMPARE(model.nameFor(keyOf(4), Direction::Inbound, 0), QStringLiteral("c"));
    // A new registration replaces the list.
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"b"}));
    QCOMPARE(model.localNames(std::nullopt), QStringList{QStringLiteral("b")});
}

void TestExtensionModel::countersArePublishedInBatches()
{
    ExtensionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"chat"}));
    model.apply(traceOf(ExtensionTrace::Kind::RemoteAnnounced, {"chat"}));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    for (int i = 0; i < 100; ++i) {
        QCOMPARE(model.countMessage(std::nullopt, Direction::Outbound, 0), QStringLiteral("chat"));
        if (i % 4 == 0)
            model.countMessage(std::nullopt, Direction::Inbound, 0);
    }
    QCOMPARE(changed.count(), 0); // not one update per message
    QVERIFY(changed.wait(2000));  // the timer publishes them
    QCOMPARE(changed.count(), 1);
    const QList<QVariant> args = changed.takeFirst();
    QCOMPARE(args.at(0).value<QModelIndex>().column(), int(ExtensionModel::SentColumn));
    QCOMPARE(args.at(1).value<QModelIndex>().column(), int(ExtensionModel::ReceivedColumn));
    QCOMPARE(model.index(0, ExtensionModel::SentColumn).data().toULongLong(), 100ull);
    QCOMPARE(model.index(0, ExtensionModel::ReceivedColumn).data().toULongLong(), 25ull);
    // Nothing new: flushing publishes nothing.
    model.flush();
    QCOMPARE(changed.count(), 0);
    // flush() publishes at once and stops the timer.
    model.countMessage(std::nullopt, Direction::Inbound, 0);
    model.flush();
    QCOMPARE(changed.count(), 1);
    QVERIFY(!changed.wait(500));
    QCOMPARE(model.index(0, ExtensionModel::ReceivedColumn).data().toULongLong(), 26ull);
}

void TestExtensionModel::unknownIdsAreNotCounted()
{
    ExtensionModel model;
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"chat"}));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QCOMPARE(model.countMessage(std::nullopt, Direction::Outbound, 3), QString());
    QCOMPARE(model.countMessage(keyOf(1), Direction::Inbound, 0), QString());
    model.flush();
    QCOMPARE(changed.count(), 0);
    QCOMPARE(model.index(0, ExtensionModel::SentColumn).data().toULongLong(), 0ull);
}

void TestExtensionModel::countersSurviveANewAnnouncement()
{
    ExtensionModel model;
    model.apply(traceOf(ExtensionTrace::Kind::LocalRegistered, {"chat"}));
    model.countMessage(std::nullopt, Direction::Outbound, 0);
    model.countMessage(std::nullopt, Direction::Outbound, 0);
    // A later announcement adds a name before "chat": the rows are rebuilt, the counts kept.
    model.apply(traceOf(ExtensionTrace::Kind::RemoteAnnounced, {"alpha", "chat"}));
    const int row = rowOf(model, QStringLiteral("stream"), QStringLiteral("chat"));
    QCOMPARE(row, 1);
    QCOMPARE(model.index(row, ExtensionModel::SentColumn).data().toULongLong(), 2ull);
    QCOMPARE(model.index(0, ExtensionModel::SentColumn).data().toULongLong(), 0ull);
}

QTEST_MAIN(TestExtensionModel)
#include "tst_extensionmodel.moc"
