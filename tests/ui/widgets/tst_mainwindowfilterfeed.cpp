// The feed layer's filter fields in the real MainWindow, offscreen: `verified == false` typed in
// the log's filter bar shows exactly the Data that failed verification, and the default colouring
// rules paint them as warnings.
//  - Live: a session the window dialed and one its listener accepted share a signed feed; the
//    accepted side sends 30 Data, block 17 tampered. The filter is applied BEFORE the Data arrive,
//    so every row is tested as the log inserts it, before the session's FeedTracker was told about
//    it by rowsFlushed(): the verdict must be there all the same.
//  - A capture (tests/common/feedcapture.h: a real hypercore 9 replication, block 12 tampered)
//    opened under an applied filter: its verdicts appear when its channels are rebuilt, and the
//    filter shows the failed row without being applied again.
#include "colouringrules.h"
#include "feedbuilder.h"
#include "feedcapture.h"
#include "filteredit.h"
#include "guisettings.h"
#include "inspectedsession.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "varint.h"

#include <QTemporaryDir>
#include <QTest>

using namespace hyperscope;

namespace {

constexpr int Timeout = 15000;

/// The filter bar's expression, typed and applied as a person does.
void typeFilter(LogPane *pane, const QString &expression)
{
    pane->filterEdit()->clear();
    QTest::keyClicks(pane->filterEdit(), expression);
    QTest::keyClick(pane->filterEdit(), Qt::Key_Return);
}

/// "in Data 17" for every row the log pane shows (direction, type column, block index).
QStringList shownRows(LogPane *pane)
{
    const MessageLogFilterModel *filter = pane->filterModel();
    const MessageLogModel *log = filter->logModel();
    QStringList out;
    for (int i = 0; i < filter->rowCount(); ++i) {
        const int row = filter->mapToSource(filter->index(i, 0)).row();
        const MessageLogModel::Record &record = log->record(row);
        // The block: field 1 of the payload (Request/Data index, Have start).
        const ByteView frame = log->recordBytes(record);
        const varint::Decoded length = varint::decode(frame);
        const varint::Decoded header = varint::decode(frame.subspan(length.size));
        const ByteView payload = frame.subspan(length.size + header.size);
        QString index;
        if (payload.size() >= 2 && payload[0] == 0x08)
            index = QString::number(varint::decode(payload.subspan(1)).value);
        out << QStringLiteral("%1 %2 %3")
                   .arg(record.direction() == Direction::Inbound ? QStringLiteral("in")
                                                                 : QStringLiteral("out"),
                        log->typeText(record), index);
    }
    return out;
}

int warningsRule(const ColouringRules *rules)
{
    const QList<ColouringRule> list = rules->rules();
    for (int i = 0; i < list.size(); ++i) {
        if (list.at(i).expression == QLatin1String("warning"))
            return i;
    }
    return -1;
}

} // namespace

class TestMainWindowFilterFeed : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { test::useCleanTestSettings(QStringLiteral("tst_mainwindowfilterfeed")); }
    void liveFilterShowsExactlyTheFailedData();
    void openedCaptureUnderAFilter();
};

void TestMainWindowFilterFeed::liveFilterShowsExactlyTheFailedData()
{
    Key32 seed{};
    seed.fill(9);
    Bytes bytes(40 * 1024);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = std::uint8_t(i * 7);
    const feed::FeedBuilder feed =
        feed::FeedBuilder::fromBytes(bytes, 1024, feed::signingKeyPairFromSeed(seed));

    MainWindow window;
    window.resize(1024, 640);
    window.show();
    LogPane *pane = window.logPane();
    // Applied before anything happens: each row is tested as it is inserted.
    typeFilter(pane, QStringLiteral("verified == false"));
    QCOMPARE(pane->filterError(), QString());
    QCOMPARE(pane->filterModel()->expression().expression(), std::string("verified == false"));

    ConnectionOptions options;
    options.keys = {feed.key()};
    QString error;
    QVERIFY2(window.listen(QHostAddress::LocalHost, 0, options, &error), qPrintable(error));
    InspectedSession *dialed =
        window.connectToPeer(QStringLiteral("127.0.0.1"), window.listeningPort(), options);
    QVERIFY(dialed);
    InspectedSession *accepted = nullptr;
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (InspectedSession *session : window.sessions()) {
                if (session->origin() == InspectedSession::Origin::Accepted &&
                    session->openLocalId(feed.discoveryKey()) &&
                    dialed->openLocalId(feed.discoveryKey()))
                    accepted = session;
            }
            return accepted && dialed->channels()->rowCount() == 1 &&
                   dialed->channels()->row(0).state == ChannelTableModel::State::Established;
        },
        Timeout));

    // Each new row is judged as it is tested: the log is never filtered over again for it
    // (which would cost a pass over every row per flush).
    int refilters = 0;
    connect(pane->filterModel(), &QAbstractItemModel::layoutChanged, this, [&] { ++refilters; });
    feed::TreeIndex remoteTree;
    for (std::uint64_t block = 0; block < 30; ++block) {
        schema::Request request;
        request.set_index(block);
        QCOMPARE(dialed->send(feed.discoveryKey(), request), QString());
        std::optional<schema::Data> data = feed.data(block, 0, remoteTree);
        QVERIFY(data);
        if (block == 17)
            (*data->mutable_value())[5] ^= 1;
        QCOMPARE(accepted->send(feed.discoveryKey(), *data), QString());
    }
    // Every Data in: 30 received by the dialed session (and 30 sent by the accepted one).
    MessageLogModel *log = window.logModel();
    const auto dataRows = [log] {
        int count = 0;
        for (int row = 0; row < log->rowCount(); ++row) {
            const MessageLogModel::Record &record = log->record(row);
            count += record.kind == MessageLogModel::Kind::Frame && record.type == 9;
        }
        return count;
    };
    QVERIFY(QTest::qWaitFor(
        [&] {
            log->flush();
            return dataRows() == 60;
        },
        Timeout));
    log->flush();

    // Exactly the tampered Data: received by the dialed session, and judged by the accepted one
    // as it sent it ("Data block 17 we sent fails verification").
    QCOMPARE(shownRows(pane), (QStringList{"out Data 17", "in Data 17"}));
    QTest::qWait(50); // a queued re-filter would run now
    QCOMPARE(refilters, 0);

    // Typed again, now over rows already in the log: the same rows.
    typeFilter(pane, QStringLiteral("verified == false && dir == in"));
    QCOMPARE(shownRows(pane), (QStringList{"in Data 17"}));
    typeFilter(pane, QStringLiteral("verdict == failed && verifyError contains \"leaf\""));
    QCOMPARE(shownRows(pane).size(), 2);
    typeFilter(pane, QStringLiteral("verified == true && dir == in"));
    QCOMPARE(shownRows(pane).size(), 29);
    QVERIFY(!shownRows(pane).contains(QStringLiteral("in Data 17")));
    typeFilter(pane, QStringLiteral("type == Data && !verified"));
    QCOMPARE(shownRows(pane), QStringList());
    typeFilter(pane, QStringLiteral("type == Request && blocks in {16..18}"));
    QStringList requests = shownRows(pane);
    requests.sort();
    QCOMPARE(requests, (QStringList{"in Request 16", "in Request 17", "in Request 18",
                                    "out Request 16", "out Request 17", "out Request 18"}));

    // `warning` finds the failed Data itself (and the warning rows that report it), and the
    // default colouring rules paint the Data as a warning.
    typeFilter(pane, QStringLiteral("warning && type == Data"));
    QCOMPARE(shownRows(pane), (QStringList{"out Data 17", "in Data 17"}));
    const int rule = warningsRule(pane->colouringRules());
    QVERIFY(rule >= 0);
    const MessageLogFilterModel *filter = pane->filterModel();
    for (int i = 0; i < filter->rowCount(); ++i) {
        const int row = filter->mapToSource(filter->index(i, 0)).row();
        QCOMPARE(pane->colouringRules()->ruleFor(row), rule);
    }
    typeFilter(pane, QStringLiteral("warning"));
    QCOMPARE(shownRows(pane).size(), 4); // the two Data and their two warning rows

    const QString shots = qEnvironmentVariable("FILTER_FEED_SCREENSHOTS");
    if (!shots.isEmpty()) {
        typeFilter(pane,
                   QStringLiteral("verified == false || (type == Data && blocks in {15..19})"));
        for (const QSize size : {QSize(1024, 640), QSize(1920, 1080)}) {
            window.resize(size);
            QTest::qWait(100);
            window.grab().save(
                QStringLiteral("%1/filter-feed-%2.png").arg(shots).arg(size.width()));
        }
    }
}

void TestMainWindowFilterFeed::openedCaptureUnderAFilter()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("feed.jsonl"));
    QCOMPARE(test::writeFeedCapture(path, 12), QString());

    MainWindow window;
    window.resize(1024, 640);
    window.show();
    LogPane *pane = window.logPane();
    typeFilter(pane, QStringLiteral("verified == false"));
    QString error;
    QVERIFY2(window.openLog(path, &error), qPrintable(error));
    window.logModel()->flush();
    QVERIFY(QTest::qWaitFor([&] { return shownRows(pane).size() == 1; }, Timeout));
    QCOMPARE(shownRows(pane), (QStringList{"in Data 12"}));

    typeFilter(pane, QStringLiteral("verified == true"));
    QCOMPARE(shownRows(pane).size(), 12);
    typeFilter(pane, QStringLiteral("type == Have && blocks == 12"));
    QCOMPARE(shownRows(pane), (QStringList{"in Have 12", "in Have 0"}));
}

QTEST_MAIN(TestMainWindowFilterFeed)
#include "tst_mainwindowfilterfeed.moc"
