// SessionListModel: the sidebar's sessions. tst_models checks one row's first columns; here, the
// duration format, the throttled refresh, the texts and roles of a session that is connecting,
// open over real loopback, and ended cleanly or with an error, and the removal of rows.
#include "inspectedsession.h"
#include "loopback.h"
#include "messagelogmodel.h"
#include "sessiondriver.h"
#include "sessionlistmodel.h"
#include "sessionserver.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QHostAddress>
#include <QIcon>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace hyperscope;
using hyperscope::test::closedPort;

namespace {

/// A dialed session, optionally connected to a SessionServer of ours, with its row in a list.
struct Fixture
{
    MessageLogModel log;
    SessionIds ids;
    SessionServer server{&ids};
    SessionListModel model;
    std::unique_ptr<InspectedSession> dialer;

    InspectedSession *dial(quint16 port, int id)
    {
        EngineOptions options;
        options.initiator = true;
        auto *driver = new SessionDriver(id, options);
        dialer =
            std::make_unique<InspectedSession>(id, driver, InspectedSession::Origin::Dialed, &log);
        model.addSession(dialer.get());
        driver->connectToHost(QStringLiteral("127.0.0.1"), port);
        return dialer.get();
    }
};

} // namespace

class TestSessionListModel : public QObject
{
    Q_OBJECT
private slots:
    void formatsDurations_data();
    void formatsDurations();
    void headersNameTheColumns();
    void connectingSessionIsAmberAndCounted();
    void openSessionShowsPeerCountersAndMode();
    void failedSessionIsMarkedAndExplained();
    void cleanEndIsGreyButNotFailed();
    void stateChangesArePublishedSoon();
    void refreshWithoutSessionsPublishesNothing();
    void removedSessionsLeaveTheList();
    void captureIsMarkedAndNumberedByItsFile();
};

void TestSessionListModel::formatsDurations_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << qint64(0) << QStringLiteral("0.0 s");
    QTest::newRow("tenths") << qint64(3456) << QStringLiteral("3.5 s");
    QTest::newRow("just under ten seconds") << qint64(9999) << QStringLiteral("10.0 s");
    QTest::newRow("ten seconds") << qint64(10000) << QStringLiteral("0:10");
    QTest::newRow("minutes") << qint64(123000) << QStringLiteral("2:03");
    QTest::newRow("just under an hour") << qint64(3599999) << QStringLiteral("59:59");
    QTest::newRow("hours") << qint64(3723000) << QStringLiteral("1:02:03");
    QTest::newRow("a day") << qint64(90000000) << QStringLiteral("25:00:00");
}

void TestSessionListModel::formatsDurations()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(formatDuration(ms), text);
}

void TestSessionListModel::headersNameTheColumns()
{
    SessionListModel model;
    const QStringList expected{QStringLiteral("Session"),  QStringLiteral("Peer"),
                               QStringLiteral("Role"),     QStringLiteral("State"),
                               QStringLiteral("Messages"), QStringLiteral("Bytes"),
                               QStringLiteral("Duration")};
    QCOMPARE(model.columnCount(), int(expected.size()));
    for (int section = 0; section < model.columnCount(); ++section)
        QCOMPARE(model.headerData(section, Qt::Horizontal).toString(), expected.at(section));
    QVERIFY(!model.headerData(0, Qt::Vertical).isValid());
}

void TestSessionListModel::connectingSessionIsAmberAndCounted()
{
    Fixture f;
    QAbstractItemModelTester tester(&f.model,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Not dialed yet: the engine has not started.
    EngineOptions options;
    options.initiator = true;
    auto *driver = new SessionDriver(3, options);
    InspectedSession session(3, driver, InspectedSession::Origin::Dialed, &f.log);
    f.model.addSession(&session);
    const QModelIndex row = f.model.index(0, 0);
    QCOMPARE(row.data(SessionListModel::SessionIdRole).toInt(), 3);
    QCOMPARE(row.data(SessionListModel::StateRole).toInt(),
             int(InspectedSession::State::Connecting));
    QCOMPARE(f.model.index(0, SessionListModel::MessagesColumn).data().toString(),
             QStringLiteral("0 in / 0 out"));
    QCOMPARE(f.model.index(0, SessionListModel::BytesColumn).data().toString(),
             QStringLiteral("↓ 0 B  ↑ 0 B"));
    QCOMPARE(row.data(SessionListModel::ModeRole).toString(),
             QStringLiteral("Noise XX + XSalsa20"));
    QVERIFY(!row.data(SessionListModel::FailedRole).toBool());
    QVERIFY(!row.data(Qt::DecorationRole).value<QIcon>().isNull());
    QVERIFY(!f.model.index(0, SessionListModel::PeerColumn).data(Qt::DecorationRole).isValid());
    QVERIFY(!row.data(Qt::ForegroundRole).isValid()); // live rows are not greyed out
    // Subtitle: state, duration and messages; then bytes.
    const QStringList subtitle = row.data(SessionListModel::SubtitleRole).toString().split(u'\n');
    QCOMPARE(subtitle.size(), 2);
    QVERIFY2(subtitle.at(0).startsWith(QStringLiteral("connecting · ")),
             qPrintable(subtitle.at(0)));
    QVERIFY(subtitle.at(0).endsWith(QStringLiteral(" · 0 in / 0 out")));
    QCOMPARE(subtitle.at(1), QStringLiteral("↓ 0 B  ↑ 0 B"));
    const QString tip = row.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.startsWith(QStringLiteral("Session #3 with ")), qPrintable(tip));
    QVERIFY(tip.contains(QStringLiteral("State: connecting")));
    QVERIFY(!tip.contains(QStringLiteral("Ended:")));
}

void TestSessionListModel::openSessionShowsPeerCountersAndMode()
{
    Fixture f;
    QAbstractItemModelTester tester(&f.model,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(f.server.listen(QHostAddress::LocalHost, 0));
    InspectedSession *session = f.dial(f.server.port(), 1);
    QTRY_COMPARE(f.model.index(0, SessionListModel::StateColumn).data().toString(),
                 QStringLiteral("open"));
    QCOMPARE(f.model.index(0, SessionListModel::PeerColumn).data().toString(),
             QStringLiteral("127.0.0.1:%1").arg(f.server.port()));
    QCOMPARE(f.model.index(0, SessionListModel::RoleColumn).data().toString(),
             QStringLiteral("initiator (dialed)"));
    // The handshake's messages were counted: bytes went both ways.
    QVERIFY(session->bytesSent() > 0 && session->bytesReceived() > 0);
    QCOMPARE(
        f.model.index(0, SessionListModel::BytesColumn).data().toString(),
        QStringLiteral("↓ %1 B  ↑ %2 B").arg(session->bytesReceived()).arg(session->bytesSent()));
    QCOMPARE(f.model.index(0, 0).data(SessionListModel::StateRole).toInt(),
             int(InspectedSession::State::Open));
    // A ping is a frame: the messages column counts it.
    QCOMPARE(session->ping(), QString());
    QCOMPARE(f.model.index(0, SessionListModel::MessagesColumn).data().toString(),
             QStringLiteral("0 in / 1 out"));
}

void TestSessionListModel::failedSessionIsMarkedAndExplained()
{
    Fixture f;
    QAbstractItemModelTester tester(&f.model,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    const quint16 port = closedPort();
    QVERIFY(port != 0);
    InspectedSession *session = f.dial(port, 4);
    QSignalSpy ended(session, &InspectedSession::ended);
    QVERIFY(ended.wait(10000));
    const QModelIndex row = f.model.index(0, 0);
    QCOMPARE(f.model.index(0, SessionListModel::StateColumn).data().toString(),
             QStringLiteral("failed"));
    QVERIFY(row.data(SessionListModel::FailedRole).toBool());
    QCOMPARE(row.data(SessionListModel::StateRole).toInt(), int(InspectedSession::State::Ended));
    QCOMPARE(row.data(Qt::ForegroundRole).value<QColor>(), QColor(128, 128, 128));
    const QString tip = row.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("\nEnded: connection-refused")), qPrintable(tip));
    QCOMPARE(f.model.index(0, SessionListModel::DurationColumn).data().toString(),
             formatDuration(session->durationMs()));
}

void TestSessionListModel::cleanEndIsGreyButNotFailed()
{
    Fixture f;
    QVERIFY(f.server.listen(QHostAddress::LocalHost, 0));
    InspectedSession *session = f.dial(f.server.port(), 2);
    QTRY_COMPARE(session->state(), InspectedSession::State::Open);
    QSignalSpy ended(session, &InspectedSession::ended);
    session->disconnectFromPeer();
    QTRY_COMPARE(ended.count(), 1);
    const QModelIndex row = f.model.index(0, 0);
    QCOMPARE(f.model.index(0, SessionListModel::StateColumn).data().toString(),
             QStringLiteral("closed"));
    QVERIFY(!row.data(SessionListModel::FailedRole).toBool());
    QCOMPARE(row.data(Qt::ForegroundRole).value<QColor>(), QColor(128, 128, 128));
    QVERIFY(!row.data(Qt::ToolTipRole).toString().contains(QStringLiteral("Ended:")));
}

void TestSessionListModel::stateChangesArePublishedSoon()
{
    Fixture f;
    QVERIFY(f.server.listen(QHostAddress::LocalHost, 0));
    QSignalSpy changed(&f.model, &QAbstractItemModel::dataChanged);
    InspectedSession *session = f.dial(f.server.port(), 1);
    QTRY_COMPARE(session->state(), InspectedSession::State::Open);
    // A burst of changes (connected, three handshake messages, completion) is published as a
    // few updates of the whole table, not one per change.
    QTRY_VERIFY(changed.count() >= 1);
    const QList<QVariant> args = changed.first();
    QCOMPARE(args.at(0).value<QModelIndex>(), f.model.index(0, 0));
    QCOMPARE(args.at(1).value<QModelIndex>(), f.model.index(0, SessionListModel::ColumnCount - 1));
    changed.clear();
    emit session->changed();
    emit session->changed();
    emit session->changed();
    QVERIFY(changed.wait(1000)); // the 100 ms timer, well before the 1 s periodic refresh
    QCOMPARE(changed.count(), 1);
}

void TestSessionListModel::refreshWithoutSessionsPublishesNothing()
{
    SessionListModel model;
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.refresh();
    QCOMPARE(changed.count(), 0);
    QCOMPARE(model.session(0), nullptr);
    QCOMPARE(model.rowOfId(1), -1);
}

void TestSessionListModel::removedSessionsLeaveTheList()
{
    MessageLogModel log;
    SessionListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    EngineOptions options;
    options.noise = false;
    InspectedSession first(1, new SessionDriver(1, options), InspectedSession::Origin::Dialed,
                           &log);
    InspectedSession second(2, new SessionDriver(2, options), InspectedSession::Origin::Accepted,
                            &log);
    model.addSession(&first);
    model.addSession(&second);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.session(1), &second);
    QCOMPARE(model.rowOf(&second), 1);
    QCOMPARE(model.rowOfId(2), 1);
    QCOMPARE(model.sessions(), (QList<InspectedSession *>{&first, &second}));
    QCOMPARE(model.index(1, SessionListModel::RoleColumn).data().toString(),
             QStringLiteral("responder (accepted)"));
    QCOMPARE(model.index(1, 0).data(SessionListModel::ModeRole).toString(),
             QStringLiteral("no Noise, plaintext"));

    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.removeSession(&first);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.session(0), &second);
    QCOMPARE(model.rowOf(&first), -1);
    model.removeSession(&first); // not in the list: nothing happens
    QCOMPARE(removed.count(), 1);
}

// A session opened from a capture (issue 11): numbered by its file, marked as a capture in every
// role the sidebar reads, and not greyed out like a session that merely ended.
void TestSessionListModel::captureIsMarkedAndNumberedByItsFile()
{
    MessageLogModel log;
    SessionListModel model;
    QAbstractItemModelTester tester(&model);
    InspectedSession captured(1 << 30, QStringLiteral("c.jsonl"), 2, &log);
    model.addSession(&captured);
    const QModelIndex row = model.index(0, SessionListModel::SessionColumn);
    QCOMPARE(row.data().toString(), QStringLiteral("c.jsonl #2"));
    QVERIFY(row.data(SessionListModel::IsCaptureRole).toBool());
    QCOMPARE(model.index(0, SessionListModel::RoleColumn).data().toString(),
             QStringLiteral("initiator (captured)"));
    QCOMPARE(model.index(0, SessionListModel::StateColumn).data().toString(),
             QStringLiteral("captured, read-only"));
    QVERIFY(row.data(SessionListModel::SubtitleRole)
                .toString()
                .startsWith(QLatin1String("captured, read-only")));
    QVERIFY(!row.data(Qt::ForegroundRole).isValid());
    QVERIFY(!row.data(Qt::DecorationRole).value<QIcon>().isNull());
    const QString tip = row.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.startsWith(QLatin1String("Session c.jsonl #2")), qPrintable(tip));
    QVERIFY2(tip.contains(QLatin1String("Opened from the capture file c.jsonl: read-only")),
             qPrintable(tip));
    QCOMPARE(log.sessionLabel(1 << 30), QStringLiteral("c.jsonl #2"));
    // A live session's entry is not a capture.
    InspectedSession live(1, new SessionDriver(1, EngineOptions{}),
                          InspectedSession::Origin::Dialed, &log);
    model.addSession(&live);
    QVERIFY(!model.index(1, 0).data(SessionListModel::IsCaptureRole).toBool());
    QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("#1"));
    model.removeSession(&live);
    model.removeSession(&captured);
}

QTEST_MAIN(TestSessionListModel)
#include "tst_sessionlistmodel.moc"
