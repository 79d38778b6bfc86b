// capabilitylesson: the capability check the field tree shows under an Open (issue 11,
// "Teaching"). The computation against the reference's vectors for every verdict, then the
// annotation of real Open rows of a live loopback session: verified for a key both sides know,
// "feed key unknown" for one only the remote opened, verified again once we opened it too.
#include "builders.h"
#include "capabilitylesson.h"
#include "channeltablemodel.h"
#include "crypto.h"
#include "dissector.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"
#include "sessionmanager.h"
#include "vectors.h"

#include <QHostAddress>
#include <QTest>

using namespace hyperscope;
using namespace hyperscope::test;

using Verdict = CapabilityCheck::Verdict;
Q_DECLARE_METATYPE(hyperscope::CapabilityCheck::Verdict)
Q_DECLARE_METATYPE(hyperscope::Direction)

namespace {

struct CapabilityVector
{
    Key32 key;
    crypto::SplitKeys split;
    Key32 capability;
    Key32 remoteCapability;
};

CapabilityVector capabilityVector()
{
    const QJsonObject v = wireVectors().value(QStringLiteral("capability")).toArray()[0].toObject();
    return {key32(v.value(QStringLiteral("key"))),
            {key32(v.value(QStringLiteral("splitTx"))), key32(v.value(QStringLiteral("splitRx")))},
            key32(v.value(QStringLiteral("capability"))),
            key32(v.value(QStringLiteral("remoteCapability")))};
}

const DissectedField *child(const DissectedField &node, const std::string &name)
{
    for (const DissectedField &c : node.children) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

/// The log rows of @p session's Open frames in @p direction.
QList<int> openRows(const MessageLogModel &log, int session, Direction direction)
{
    QList<int> rows;
    for (int row = 0; row < log.rowCount(); ++row) {
        const auto &r = log.record(row);
        if (r.session == session && r.kind == MessageLogModel::Kind::Frame && r.type == 0 &&
            r.direction() == direction)
            rows << row;
    }
    return rows;
}

/// The "capability check" node the annotation adds to log row @p row, or null.
DissectedField annotated(const MessageLogModel &log, int row, const SessionManager &manager)
{
    const QByteArray plain = log.plainBytes(row);
    DissectedField root = dissectFrame(
        {reinterpret_cast<const std::uint8_t *>(plain.constData()), std::size_t(plain.size())});
    annotateOpenCapability(root, log, row, manager);
    return root;
}

const DissectedField *checkNode(const DissectedField &root)
{
    const DissectedField *capability = child(root, "capability");
    return capability ? child(*capability, "capability check") : child(root, "capability check");
}

} // namespace

class TestCapabilityLesson : public QObject
{
    Q_OBJECT
private slots:
    void verdicts_data();
    void verdicts();
    void annotatesLiveOpens();
    void leavesOtherRowsAlone();
};

void TestCapabilityLesson::verdicts_data()
{
    QTest::addColumn<Direction>("direction");
    QTest::addColumn<bool>("hasReceived");
    QTest::addColumn<Key32>("received");
    QTest::addColumn<bool>("knowKey");
    QTest::addColumn<bool>("knowSplit");
    QTest::addColumn<bool>("noise");
    QTest::addColumn<Verdict>("verdict");
    QTest::addColumn<QString>("summary");

    const CapabilityVector v = capabilityVector();
    QTest::newRow("inbound, right")
        << Direction::Inbound << true << v.remoteCapability << true << true << true
        << Verdict::Verified << "verified: received = expected";
    QTest::newRow("outbound, ours") << Direction::Outbound << true << v.capability << true << true
                                    << true << Verdict::Verified << "verified: received = expected";
    // Our own capability coming back is not the remote's: bound to the direction.
    QTest::newRow("inbound, reflected")
        << Direction::Inbound << true << v.capability << true << true << true << Verdict::Mismatch
        << "FAILED: received ≠ expected";
    QTest::newRow("missing") << Direction::Inbound << false << Key32{} << true << true << true
                             << Verdict::Missing << "FAILED: no capability although Noise is on";
    QTest::newRow("key unknown") << Direction::Inbound << true << v.remoteCapability << false
                                 << true << true << Verdict::FeedKeyUnknown
                                 << "feed key unknown: cannot verify";
    QTest::newRow("no split keys")
        << Direction::Inbound << true << v.remoteCapability << true << false << true
        << Verdict::KeysUnknown << "split keys unknown: cannot verify";
    QTest::newRow("no noise") << Direction::Inbound << false << Key32{} << true << false << false
                              << Verdict::NoNoise << "no Noise: Open carries no capability";
}

void TestCapabilityLesson::verdicts()
{
    QFETCH(Direction, direction);
    QFETCH(bool, hasReceived);
    QFETCH(Key32, received);
    QFETCH(bool, knowKey);
    QFETCH(bool, knowSplit);
    QFETCH(bool, noise);
    QFETCH(Verdict, verdict);
    QFETCH(QString, summary);

    const CapabilityVector v = capabilityVector();
    const CapabilityCheck check =
        checkOpenCapability(direction, hasReceived ? std::optional(received) : std::nullopt,
                            knowKey ? std::optional(v.key) : std::nullopt,
                            knowSplit ? std::optional(v.split) : std::nullopt, noise);
    QCOMPARE(check.verdict, verdict);
    QCOMPARE(check.summary(), summary);
    QVERIFY(!check.explanation(direction).isEmpty());
    // Expected is shown whenever it can be computed, and it is the reference's value.
    QCOMPARE(check.expected.has_value(), noise && knowKey && knowSplit);
    if (check.expected)
        QCOMPARE(*check.expected,
                 direction == Direction::Inbound ? v.remoteCapability : v.capability);
}

void TestCapabilityLesson::annotatesLiveOpens()
{
    MessageLogModel log;
    SessionManager manager(&log);
    const Key32 feed = keyOf(0x31);
    ConnectionOptions listening;
    listening.keys = {feed}; // the accepted side opens the key; the dialer does not know it
    QString error;
    QVERIFY2(manager.listen(QHostAddress::LocalHost, 0, listening, &error), qPrintable(error));
    InspectedSession *dialer =
        manager.connectToPeer(QStringLiteral("127.0.0.1"), manager.listeningPort(), {});
    QVERIFY(dialer);
    QVERIFY(QTest::qWaitFor(
        [&] { return dialer->channels()->rowOf(crypto::discoveryKey(feed)) >= 0; }));
    log.flush();
    const QList<int> inbound = openRows(log, dialer->id(), Direction::Inbound);
    QCOMPARE(inbound.size(), 1);
    DissectedField root = annotated(log, inbound[0], manager);
    const DissectedField *check = checkNode(root);
    QVERIFY(check);
    QCOMPARE(check->value, std::string("feed key unknown: cannot verify"));
    QVERIFY(child(*check, "received"));
    QVERIFY(!child(*check, "expected"));

    // The accepting side's own Open, seen from there, is the capability it computed.
    InspectedSession *accepted = nullptr;
    for (InspectedSession *s : manager.sessions()) {
        if (s != dialer)
            accepted = s;
    }
    QVERIFY(accepted);
    const QList<int> outbound = openRows(log, accepted->id(), Direction::Outbound);
    QCOMPARE(outbound.size(), 1);
    root = annotated(log, outbound[0], manager);
    QVERIFY(checkNode(root));
    QCOMPARE(checkNode(root)->value, std::string("verified: received = expected"));

    // Once we open the key too, the same inbound Open explains why it verified.
    QCOMPARE(dialer->openChannel(feed), QString());
    const int channel = dialer->channels()->rowOf(crypto::discoveryKey(feed));
    QVERIFY(QTest::qWaitFor([&] {
        return dialer->channels()->row(channel).state == ChannelTableModel::State::Established;
    }));
    root = annotated(log, inbound[0], manager);
    check = checkNode(root);
    QVERIFY(check);
    QCOMPARE(check->value, std::string("verified: received = expected"));
    QVERIFY(child(*check, "expected"));
    QCOMPARE(child(*check, "expected")->value, child(*check, "received")->value);
    QCOMPARE(child(*check, "feed key")->value, toHex(feed));
}

void TestCapabilityLesson::leavesOtherRowsAlone()
{
    MessageLogModel log;
    SessionManager manager(&log);
    // A non-Open frame, an out-of-range row and an Open of a session that does not exist.
    DissectedField root{"Frame", "x", 0, 3, {}};
    annotateOpenCapability(root, log, 0, manager);
    annotateOpenCapability(root, log, -1, manager);
    QVERIFY(root.children.empty());
}

QTEST_MAIN(TestCapabilityLesson)
#include "tst_capabilitylesson.moc"
