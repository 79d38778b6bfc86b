// hyperscope-bench-inspector: how fast the inspector's message log takes messages while the GUI
// stays responsive, and what a logged message costs in memory.
//
//   hyperscope-bench-inspector --count N [--size S] [--view logpane|tree|table|none]
//                              [--filter EXPR] [--feed proofs|bare] [--png FILE] [--verbose]
//
// The real ingest path of the GUI, minus the main window's chrome: a SessionServer in the GUI
// thread, every accepted session wrapped in an InspectedSession (whose InspectorTrace feeds the
// shared MessageLogModel), the log shown in a LogPane (filter proxy + table view, auto-scrolling)
// on the offscreen platform. A peer in another thread (an untraced SessionDriver) opens the
// channel and floods N Data messages of S bytes as fast as TCP backpressure lets it. Every tenth
// value ends in "zz" (the rest is 'v's), so that a filter on the value has something to find at
// the far end of every value it reads.
//
// --filter EXPR (issue 12, LogPane only): the filter bar is set to EXPR before the flood, as a
// user who typed it and pressed Enter, so every ingested row is evaluated against it on the way
// into the view. The result is then {"bench": "inspector_filter", "filter": EXPR, ...}, to be
// compared with the run of the same repetition given --filter "" (an empty bar: the baseline,
// tagged the same way so that it stays apart from the plain "inspector" rows). In both, the LogPane
// colours the rows it paints with the default colouring rules (ColouringRules::defaults(), as a
// fresh window has them): the result says so ("colouring": "default").
//
// --feed proofs|bare (issue 13: "FeedTracker reads every flushed row"): the Data are the
// blocks of a real signed feed of N blocks of S bytes (FeedBuilder, built before the clock starts),
// in order, whose key the inspector's session opened the channel with, so its FeedTracker verifies
// every one. "proofs": each with what hypercore 9 sends an in-order clone (the tree nodes the
// receiver does not hold yet; the signature where the proof reaches a new root): most verify
// at a node verified before (BLAKE2b per level), the first by the Ed25519 signature. "bare": the
// same values without nodes and signature: nothing to verify (every one comes out unverifiable),
// the baseline. The result is {"bench": "inspector_feed", "feed": ..., "verified", "failed",
// "unverifiable", ...}: the verdicts the session's FeedTracker reached for the Data rows.
//
// --png FILE: saves the window as it looks at the end (to check what was measured).
//
// Printed: Data messages logged per second (from the first message sent to the flush that made
// the last one a row of the model), the longest event-loop stall of the GUI thread over that
// time (gap between two ticks of a 1 ms timer; max_busy_ms: the GUI thread's CPU time within
// that gap, which excludes time a loaded machine gave to other processes), and resident memory
// per logged message.

#include "benchutil.h"

#include "colouringrules.h"
#include "crypto.h"
#include "feedbuilder.h"
#include "feedtracker.h"
#include "feedverifier.h"
#include "inspectedsession.h"
#include "logpane.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "messages.h"
#include "sessiondriver.h"
#include "sessionlistmodel.h"
#include "sessionserver.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QHostAddress>
#include <QTableView>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QTreeView>

#include <atomic>
#include <ctime>
#include <future>
#include <iostream>

using namespace hyperscope;
using bench::Clock;

namespace {

Key32 feedKey()
{
    Key32 key;
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] = std::uint8_t(i * 7 + 1);
    return key;
}

/// CPU time of the calling thread.
qint64 threadCpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// CPU time of the whole process (all threads).
qint64 processCpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// The flooding peer: runs in its own thread with its own event loop.
class Flooder : public QThread
{
public:
    /// Floods @p count Data of @p size bytes on the channel of @p key. With @p feed, the Data
    /// are its blocks 0 .. count − 1 (@p feed's length must be at least @p count) with the
    /// proofs of @p proofs.
    enum class Proofs { InOrderClone, None };
    Flooder(quint16 port, const Key32 &key, std::uint64_t count, std::size_t size,
            const feed::FeedBuilder *feed = nullptr, Proofs proofs = Proofs::InOrderClone)
        : m_port(port)
        , m_key(key)
        , m_count(count)
        , m_size(size)
        , m_feed(feed)
        , m_proofs(proofs)
    {}
    std::atomic<bool> started{false};
    std::atomic<std::int64_t> startNs{0};

protected:
    void run() override
    {
        const Key32 key = m_key;
        const Key32 discoveryKey = crypto::discoveryKey(key);
        EngineOptions options;
        options.initiator = true;
        SessionDriver driver(1, options);
        // Two messages, sent alternately, so that the loop does not rebuild a value per send.
        Message plain(std::in_place_index<std::size_t(MessageType::Data)>);
        Message marked = plain;
        std::get<schema::Data>(plain).set_value(std::string(m_size, 'v'));
        std::string markedValue(m_size, 'v');
        for (std::size_t i = 0; i < std::min<std::size_t>(2, m_size); ++i)
            markedValue[m_size - 1 - i] = 'z';
        std::get<schema::Data>(marked).set_value(markedValue);
        std::uint64_t sent = 0;
        QTcpSocket *socket = nullptr;
        // A feed's blocks: what hypercore 9 answers an in-order clone's Requests with. The clone
        // says in each Request what it holds (the digest), and the writer tracks what it sent
        // on this channel: each proof omits what the clone holds.
        feed::TreeIndex sentTree;
        feed::TreeIndex cloneTree;
        Message block(std::in_place_index<std::size_t(MessageType::Data)>);
        auto pump = [&] {
            while (sent < m_count && socket->bytesToWrite() < 256 * 1024) {
                if (m_feed) {
                    auto &data = std::get<schema::Data>(block);
                    const std::uint64_t digest = cloneTree.digest(2 * sent);
                    data = *m_feed->data(sent, digest, sentTree);
                    for (const schema::Data::Node &node : data.nodes())
                        cloneTree.set(node.index());
                    cloneTree.set(2 * sent++);
                    if (m_proofs == Proofs::None) {
                        data.clear_nodes();
                        data.clear_signature();
                    }
                    driver.send(discoveryKey, block);
                    continue;
                }
                Message &message = sent % MarkedEvery == MarkedEvery - 1 ? marked : plain;
                std::get<schema::Data>(message).set_index(sent++);
                driver.send(discoveryKey, message);
            }
        };
        QObject::connect(&driver, &SessionDriver::handshakeCompleted, &driver,
                         [&](const HandshakeInfo &) { driver.openChannel(key); });
        QObject::connect(&driver, &SessionDriver::channelOpened, &driver, [&](const ChannelInfo &) {
            socket = driver.findChild<QTcpSocket *>();
            QObject::connect(socket, &QTcpSocket::bytesWritten, &driver, pump);
            startNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          Clock::now().time_since_epoch())
                          .count();
            started = true;
            // Queued: this signal comes from inside an engine call, where the driver does not
            // write to the socket yet.
            QMetaObject::invokeMethod(&driver, pump, Qt::QueuedConnection);
        });
        QObject::connect(&driver, &SessionDriver::ended, this, [this] { quit(); });
        driver.connectToHost(QStringLiteral("127.0.0.1"), m_port);
        exec();
    }

public:
    /// Every MarkedEvery-th Data value ends in "zz".
    static constexpr std::uint64_t MarkedEvery = 10;

private:
    quint16 m_port;
    Key32 m_key;
    std::uint64_t m_count;
    std::size_t m_size;
    const feed::FeedBuilder *m_feed;
    Proofs m_proofs;
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const bench::Options options(argc, argv, 1);
    const std::uint64_t count = std::uint64_t(options.number("count", 1000000));
    const std::size_t size = std::size_t(options.number("size", 64));
    // --feed: a real signed feed of count blocks of size bytes, whose key the channel has.
    const std::string feedMode = options.text("feed");
    if (!feedMode.empty() && feedMode != "proofs" && feedMode != "bare") {
        std::cerr << "inspector: --feed proofs|bare\n";
        return 2;
    }
    std::optional<feed::FeedBuilder> feed;
    if (!feedMode.empty()) {
        Bytes bytes(count * size);
        for (std::size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = std::uint8_t(i * 131 + (i >> 10));
        feed = feed::FeedBuilder::fromBytes(bytes, size, feed::generateSigningKeyPair());
    }
    const Key32 key = feed ? feed->key() : feedKey();

    // --view logpane (default): the GUI's LogPane (a QTableView). The others are for diagnosis:
    // "tree" puts the same filter proxy in a flat QTreeView with uniform row heights (what the
    // LogPane used to be: it lays out every row again per batch), "table" in a bare QTableView,
    // "none" shows nothing (the model's and the trace's own cost).
    const std::string view = options.text("view", "logpane");
    MessageLogModel log;
    SessionListModel sessions;
    std::unique_ptr<QWidget> window;
    const bool filterRun = options.flag("filter");
    const std::string filterText = options.text("filter");
    if (filterRun && view != "logpane") {
        std::cerr << "inspector: --filter needs --view logpane (the filter bar is the LogPane's)\n";
        return 2;
    }
    // What colours the rows the LogPane paints: "default" when it has ColouringRules::defaults().
    std::string colouring = "none";
    LogPane *logPane = nullptr;
    if (view == "logpane") {
        auto pane = std::make_unique<LogPane>(&log);
        logPane = pane.get();
        colouring =
            pane->colouringRules()->rules() == ColouringRules::defaults() ? "default" : "custom";
        if (!filterText.empty() && !pane->setFilterText(QString::fromStdString(filterText))) {
            std::cerr << "inspector: --filter: " << pane->filterError().toStdString() << "\n";
            return 2;
        }
        window = std::move(pane);
    } else if (view == "table") {
        auto *filter = new MessageLogFilterModel(&log);
        filter->setSourceModel(&log);
        auto table = std::make_unique<QTableView>();
        table->setModel(filter);
        table->verticalHeader()->hide();
        table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 4);
        table->horizontalHeader()->setStretchLastSection(true);
        table->setSelectionBehavior(QAbstractItemView::SelectRows);
        QObject::connect(filter, &QAbstractItemModel::rowsInserted, table.get(),
                         [t = table.get()] { t->scrollToBottom(); });
        window = std::move(table);
    } else if (view == "tree") {
        auto *filter = new MessageLogFilterModel(&log);
        filter->setSourceModel(&log);
        auto tree = std::make_unique<QTreeView>();
        tree->setModel(filter);
        tree->setRootIsDecorated(false);
        tree->setUniformRowHeights(true);
        tree->setAllColumnsShowFocus(true);
        tree->setSelectionBehavior(QAbstractItemView::SelectRows);
        tree->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
        QObject::connect(filter, &QAbstractItemModel::rowsInserted, tree.get(),
                         [t = tree.get()] { t->scrollToBottom(); });
        window = std::move(tree);
    }
    if (window) {
        window->resize(1280, 800);
        window->show();
    }

    SessionServer server;
    InspectedSession *inspected = nullptr; // the flooder's session
    QObject::connect(&server, &SessionServer::sessionStarted, &server, [&](SessionDriver *driver) {
        auto *session = new InspectedSession(driver->id(), driver,
                                             InspectedSession::Origin::Accepted, &log, &app);
        inspected = session;
        sessions.addSession(session);
        // As the main window does with the keys given to a listener.
        QObject::connect(driver, &SessionDriver::transportConnected, session,
                         [session, key] { session->openChannel(key); });
    });
    server.listen(QHostAddress::LocalHost, 0);

    // Rows of Data frames received, as they become rows of the model.
    std::uint64_t dataRows = 0;
    Clock::time_point lastRow;
    QEventLoop loop;
    QObject::connect(&log, &MessageLogModel::rowsFlushed, &log, [&](int first, int last) {
        for (int row = first; row <= last; ++row) {
            const MessageLogModel::Record &r = log.record(row);
            // Only the flooder sends Data: every Data row is one of its messages.
            if (r.kind == MessageLogModel::Kind::Frame && r.type == 9)
                ++dataRows;
        }
        if (dataRows >= count) {
            lastRow = Clock::now();
            loop.quit();
        }
    });

    // The stall monitor: a 1 ms timer in the GUI thread; the longest gap between two ticks is
    // the longest time the event loop could not serve the user.
    QElapsedTimer sinceTick;
    qint64 longestGapNs = 0;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(1);
    // On a loaded machine the wall-clock gap also counts time the scheduler gave to other
    // processes; the GUI thread's CPU time between two ticks is the part our code is responsible
    // for (on an idle machine the two are the same).
    const bool verbose = options.flag("verbose");
    qint64 longestBusyNs = 0;
    qint64 lastCpuNs = threadCpuNs();
    QObject::connect(&ticker, &QTimer::timeout, &ticker, [&] {
        const qint64 gap = sinceTick.nsecsElapsed();
        const qint64 cpu = threadCpuNs();
        longestGapNs = std::max(longestGapNs, gap);
        longestBusyNs = std::max(longestBusyNs, cpu - lastCpuNs);
        if (verbose && gap > 20'000'000)
            std::cerr << "stall " << gap / 1e6 << " ms (" << (cpu - lastCpuNs) / 1e6
                      << " ms CPU) at " << log.rowCount() << " rows\n";
        lastCpuNs = cpu;
        sinceTick.restart();
    });

    // Memory before the flood: the handshake and channel are done once the first frame flows,
    // so measure here, after the GUI showed and settled.
    {
        QEventLoop settle;
        QTimer::singleShot(300, &settle, &QEventLoop::quit);
        settle.exec();
    }
    malloc_trim(0);
    const std::size_t rssBefore = bench::residentBytes();
    const int rowsBefore = log.rowCount();

    const Flooder::Proofs proofs =
        feedMode == "bare" ? Flooder::Proofs::None : Flooder::Proofs::InOrderClone;
    Flooder flooder(server.port(), key, count, size, feed ? &*feed : nullptr, proofs);
    const qint64 processCpuBefore = processCpuNs();
    flooder.start();
    sinceTick.start();
    ticker.start();
    QTimer::singleShot(600000, &loop, [&] {
        std::cerr << "inspector: timed out with " << dataRows << " rows\n";
        std::exit(1);
    });
    loop.exec();
    const qint64 processCpuNsUsed = processCpuNs() - processCpuBefore;
    ticker.stop();
    const Clock::time_point start{std::chrono::nanoseconds(flooder.startNs.load())};
    const double seconds = std::chrono::duration<double>(lastRow - start).count();
    malloc_trim(0);
    const std::size_t rssAfter = bench::residentBytes();
    if (window && options.flag("png")) {
        QEventLoop settle;
        QTimer::singleShot(500, &settle, &QEventLoop::quit);
        settle.exec();
        window->grab().save(QString::fromStdString(options.text("png")));
    }
    const int rows = log.rowCount() - rowsBefore;
    // Filtered and feed runs get bench names of their own: the plain rows stay what they were.
    bench::Result result(filterRun ? "inspector_filter" : feed ? "inspector_feed" : "inspector");
    if (filterRun)
        result.add("filter", filterText);
    if (feed) {
        // The verdicts of the session's FeedTracker on the Data rows (counted after the clock).
        long long verified = 0, failed = 0, unverifiable = 0, bySignature = 0;
        for (int row = 0; row < log.rowCount(); ++row) {
            const MessageLogModel::Record &r = log.record(row);
            if (r.kind != MessageLogModel::Kind::Frame || r.type != 9 || !inspected)
                continue;
            // outcome(): a bare Data's verdict is not built just to be counted.
            using Outcome = feed::Verdict::Outcome;
            const std::optional<Outcome> outcome = inspected->feed()->outcome(row);
            if (outcome == Outcome::Verified) {
                ++verified;
                bySignature += inspected->feed()->finding(row)->verdict->how !=
                               feed::Verdict::How::VerifiedNode;
            } else if (outcome == Outcome::Failed)
                ++failed;
            else
                ++unverifiable;
        }
        result.add("feed", feedMode)
            .add("verified", verified)
            // Of those, how many needed the Ed25519 signature (the rest reached a node verified
            // earlier on the channel: BLAKE2b only).
            .add("by_signature", bySignature)
            .add("failed", failed)
            .add("unverifiable", unverifiable);
    }
    result.add("size", (long long)size)
        .add("view", view)
        .add("colouring", colouring)
        .add("count", count)
        .add("rows", (long long)rows)
        // Rows the LogPane's filter let through to the view (all of them without --filter).
        .add("shown", (long long)(logPane ? logPane->filterModel()->rowCount() : -1))
        .add("seconds", seconds)
        .add("msgs_per_s", count / seconds)
        // The whole process (the inspector and the flooding peer's thread): a rate a loaded
        // machine skews less than the wall clock's.
        .add("msgs_per_cpu_s", count / (double(processCpuNsUsed) / 1e9))
        .add("max_stall_ms", longestGapNs / 1e6)
        .add("max_busy_ms", longestBusyNs / 1e6)
        .add("rss_per_message", double(rssAfter - rssBefore) / rows)
        .add("rss_total_mib", double(rssAfter) / (1024.0 * 1024.0))
        .add("arena_per_message", double(log.storedBytes()) / rows)
        .print();
    // Tear down without waiting for graceful closes.
    std::_Exit(0);
}
