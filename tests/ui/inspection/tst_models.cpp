// The small models of the inspector, each under QAbstractItemModelTester: the field tree, the
// channel table, the extension table and the session list.
#include "builders.h"
#include "channeltablemodel.h"
#include "crypto.h"
#include "dissector.h"
#include "extensionmodel.h"
#include "fieldtreemodel.h"
#include "framer.h"
#include "handshakedissection.h"
#include "icons.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"
#include "messages.h"
#include "sessiondriver.h"
#include "sessionlistmodel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QIcon>
#include <QSignalSpy>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

Bytes dataFrame()
{
    Message m(std::in_place_type<schema::Data>);
    auto &data = std::get<schema::Data>(m);
    data.set_index(5);
    data.set_value("hello");
    auto *node = data.add_nodes();
    node->set_index(10);
    node->set_hash(std::string(32, '\x01'));
    node->set_size(5);
    return frameOf(1, m);
}

ChannelTrace channelEvent(ChannelEvent e, const Key32 &dk, std::optional<std::uint64_t> local,
                          std::optional<std::uint64_t> remote, bool verified = false,
                          bool established = false)
{
    ChannelTrace t;
    t.event = e;
    t.channel.discoveryKey = dk;
    t.channel.localId = local;
    t.channel.remoteId = remote;
    t.channel.remoteVerified = verified;
    t.channel.established = established;
    return t;
}

} // namespace

class TestModels : public QObject
{
    Q_OBJECT
private slots:
    void fieldTreeWrapsTheDissection();
    void fieldTreeFindsTheInnermostFieldOfAByte_data();
    void fieldTreeFindsTheInnermostFieldOfAByte();
    void handshakeMessagesAreDissectedByToken();
    void channelTableFollowsEvents();
    void channelTableBatchesCounters();
    void extensionModelMatchesNames();
    void sessionListShowsSessions();
    void applicationIconComesFromTheResources();
};

void TestModels::fieldTreeWrapsTheDissection()
{
    FieldTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Bytes frame = dataFrame();
    model.setTree(dissectFrame(frame));
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex root = model.index(0, 0);
    QCOMPARE(root.data().toString(), QStringLiteral("Frame"));
    QCOMPARE(root.data(FieldTreeModel::LengthRole).toULongLong(), frame.size());
    // Every child's range lies within its parent's.
    std::function<void(const QModelIndex &)> check = [&](const QModelIndex &parent) {
        const auto start = parent.data(FieldTreeModel::OffsetRole).toULongLong();
        const auto end = start + parent.data(FieldTreeModel::LengthRole).toULongLong();
        for (int row = 0; row < model.rowCount(parent); ++row) {
            const QModelIndex child = model.index(row, 0, parent);
            QCOMPARE(child.parent(), parent);
            const auto offset = child.data(FieldTreeModel::OffsetRole).toULongLong();
            QVERIFY(offset >= start);
            QVERIFY(offset + child.data(FieldTreeModel::LengthRole).toULongLong() <= end);
            check(child);
        }
    };
    check(root);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    model.setTree(noteField("Warning", "text"));
    QCOMPARE(model.index(0, FieldTreeModel::ValueColumn).data().toString(), QStringLiteral("text"));
}

void TestModels::fieldTreeFindsTheInnermostFieldOfAByte_data()
{
    QTest::addColumn<int>("offset");
    QTest::addColumn<QString>("field");
    // Data frame: [0] length, [1] header, [2..3] index, [4..10] value, then nodes.
    QTest::newRow("length") << 0 << QStringLiteral("Length");
    QTest::newRow("index") << 2 << QStringLiteral("index");
    QTest::newRow("value") << 6 << QStringLiteral("value");
    QTest::newRow("node hash") << 20 << QStringLiteral("hash");
}

void TestModels::fieldTreeFindsTheInnermostFieldOfAByte()
{
    QFETCH(int, offset);
    QFETCH(QString, field);
    FieldTreeModel model;
    model.setTree(dissectFrame(dataFrame()));
    const QModelIndex index = model.indexForByte(offset);
    QVERIFY(index.isValid());
    QCOMPARE(index.data().toString(), field);
    const auto start = index.data(FieldTreeModel::OffsetRole).toLongLong();
    QVERIFY(start <= offset &&
            offset < start + index.data(FieldTreeModel::LengthRole).toLongLong());
}

void TestModels::handshakeMessagesAreDissectedByToken()
{
    // Message 2 of XX: length varint, e (32), encrypted s (48), encrypted payload (26 + 16).
    Bytes wire{122};
    wire.resize(1 + 122, 0xab);
    const DissectedField root = dissectHandshakeMessage(wire, 1);
    QCOMPARE(root.length, wire.size());
    QCOMPARE(root.children.size(), std::size_t(4));
    QCOMPARE(root.children[1].name, std::string("Ephemeral key (e)"));
    QCOMPARE(root.children[1].length, std::size_t(32));
    QCOMPARE(root.children[2].offset, std::size_t(33));
    QCOMPARE(root.children[2].length, std::size_t(48));
    QCOMPARE(root.children[3].length, std::size_t(42));
}

void TestModels::channelTableFollowsEvents()
{
    ChannelTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Key32 a = keyOf(1);
    const Key32 b = keyOf(2);
    model.applyEvent(channelEvent(ChannelEvent::OpenedLocally, a, 1, std::nullopt));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, ChannelTableModel::StateColumn).data().toString(),
             QStringLiteral("opened locally"));
    model.applyEvent(channelEvent(ChannelEvent::OpenedByRemote, a, 1, 4));
    model.applyEvent(channelEvent(ChannelEvent::Verified, a, 1, 4, true));
    model.applyEvent(channelEvent(ChannelEvent::Established, a, 1, 4, true, true));
    QCOMPARE(model.index(0, ChannelTableModel::StateColumn).data().toString(),
             QStringLiteral("established"));
    QCOMPARE(model.index(0, ChannelTableModel::VerifiedColumn).data().toString(),
             QStringLiteral("verified"));
    QCOMPARE(model.index(0, ChannelTableModel::RemoteIdColumn).data().toULongLong(), 4ull);

    model.applyEvent(channelEvent(ChannelEvent::OpenedByRemote, b, std::nullopt, 2));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, ChannelTableModel::StateColumn).data().toString(),
             QStringLiteral("opened by remote"));
    QCOMPARE(model.index(1, ChannelTableModel::KeyColumn).data().toString(),
             QStringLiteral("unknown"));
    model.applyEvent(channelEvent(ChannelEvent::Refused, b, std::nullopt, 2));
    QCOMPARE(model.index(1, ChannelTableModel::StateColumn).data().toString(),
             QStringLiteral("refused"));

    model.applyEvent(channelEvent(ChannelEvent::ClosedByRemote, a, 1, std::nullopt));
    model.applyEvent(channelEvent(ChannelEvent::ClosedLocally, a, 1, std::nullopt));
    QCOMPARE(model.index(0, ChannelTableModel::StateColumn).data().toString(),
             QStringLiteral("closed by remote"));
    QVERIFY(!model.index(0, 0).data(ChannelTableModel::IsOpenRole).toBool());

    model.setLocalExtensions(a, {QStringLiteral("x")});
    model.setRemoteExtensions(a, {QStringLiteral("x"), QStringLiteral("y")});
    QCOMPARE(model.index(0, ChannelTableModel::ExtensionsColumn).data().toString(),
             QStringLiteral("local: x; remote: x, y"));
}

void TestModels::channelTableBatchesCounters()
{
    ChannelTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const Key32 a = keyOf(1);
    model.applyEvent(channelEvent(ChannelEvent::OpenedLocally, a, 1, std::nullopt));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    for (int i = 0; i < 500; ++i)
        model.countFrame(a, i % 2 ? Direction::Inbound : Direction::Outbound, 10);
    QCOMPARE(changed.count(), 0); // counters are published by a timer, not per frame
    QTRY_COMPARE(changed.count(), 1);
    QCOMPARE(model.index(0, ChannelTableModel::MessagesColumn).data().toString(),
             QStringLiteral("250 in / 250 out"));
    model.countFrame(keyOf(9), Direction::Inbound, 1); // unknown channel: ignored
    QCOMPARE(model.rowCount(), 1);
}

void TestModels::extensionModelMatchesNames()
{
    ExtensionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ExtensionTrace local;
    local.kind = ExtensionTrace::Kind::LocalRegistered;
    local.names = {"alpha", "chat"};
    model.apply(local);
    ExtensionTrace remote;
    remote.kind = ExtensionTrace::Kind::RemoteAnnounced;
    remote.names = {"beta", "chat"};
    model.apply(remote);
    ExtensionTrace channel;
    channel.kind = ExtensionTrace::Kind::LocalRegistered;
    channel.discoveryKey = keyOf(3);
    channel.names = {"echo"};
    model.apply(channel);

    QCOMPARE(model.rowCount(), 4); // alpha, beta, chat on the stream; echo on the channel
    auto rowOf = [&](const QString &name) {
        for (int row = 0; row < model.rowCount(); ++row)
            if (model.index(row, ExtensionModel::NameColumn).data().toString() == name)
                return row;
        return -1;
    };
    QCOMPARE(model.index(rowOf(QStringLiteral("chat")), 0).data(ExtensionModel::MatchRole).toInt(),
             int(ExtensionModel::Match::Both));
    QCOMPARE(model.index(rowOf(QStringLiteral("alpha")), 0).data(ExtensionModel::MatchRole).toInt(),
             int(ExtensionModel::Match::LocalOnly));
    QCOMPARE(model.index(rowOf(QStringLiteral("beta")), 0).data(ExtensionModel::MatchRole).toInt(),
             int(ExtensionModel::Match::RemoteOnly));
    // Ids differ per side: "chat" is 1 in our list and 1 in theirs; beta is their 0.
    QCOMPARE(model.nameFor(std::nullopt, Direction::Inbound, 0), QStringLiteral("beta"));
    QCOMPARE(model.nameFor(std::nullopt, Direction::Outbound, 0), QStringLiteral("alpha"));
    QCOMPARE(model.countMessage(std::nullopt, Direction::Inbound, 1), QStringLiteral("chat"));
    QCOMPARE(model.countMessage(std::nullopt, Direction::Inbound, 7), QString());
    model.flush();
    QCOMPARE(model.index(rowOf(QStringLiteral("chat")), ExtensionModel::ReceivedColumn)
                 .data()
                 .toULongLong(),
             1ull);
}

void TestModels::sessionListShowsSessions()
{
    MessageLogModel log;
    SessionListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    EngineOptions options;
    options.initiator = true;
    auto *driver = new SessionDriver(7, options);
    auto *session = new InspectedSession(7, driver, InspectedSession::Origin::Dialed, &log);
    model.addSession(session);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, SessionListModel::SessionColumn).data().toString(),
             QStringLiteral("#7"));
    QCOMPARE(model.index(0, SessionListModel::StateColumn).data().toString(),
             QStringLiteral("connecting"));
    QCOMPARE(model.index(0, SessionListModel::RoleColumn).data().toString(),
             QStringLiteral("initiator (dialed)"));
    QCOMPARE(model.rowOfId(7), 0);
    model.refresh();
    delete session; // removing a session removes its row
    QCOMPARE(model.rowCount(), 0);
}

void TestModels::applicationIconComesFromTheResources()
{
    QVERIFY(QFile::exists(QStringLiteral(":/hyperscope.svg")));
    QVERIFY(QFile::exists(QStringLiteral(":/icons/hyperscope-256.png")));
    const QIcon icon = icons::application();
    QVERIFY(!icon.isNull());
    QCOMPARE(icon.pixmap(64, 64).size(), QSize(64, 64));
}

QTEST_MAIN(TestModels)
#include "tst_models.moc"
