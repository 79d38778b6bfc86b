// Load: one `hyperscope-cli listen` process holds 1000 concurrent handshaken sessions, each with
// an established channel, for a minute of keepalives on loopback; then every session closes
// cleanly. Measured on the listener: resident memory per session (from /proc/PID/status) and
// open file descriptors (/proc/PID/fd) before, during and after. Both are bounds, not timings.
//
// The dialers are SessionDrivers in this process. Knobs (environment), for a shorter run under
// a sanitizer or a longer soak by hand:
//   HYPERSCOPE_LOAD_SESSIONS   sessions to hold (default 1000)
//   HYPERSCOPE_LOAD_SECONDS    how long to hold them (default 60)
#include "jsonprocess.h"
#include "peers.h"

#include "crypto.h"

#include <QtTest>

#include <memory>
#include <vector>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

constexpr int Wait = 60000;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool Sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool Sanitized = true;
#else
constexpr bool Sanitized = false;
#endif
#else
constexpr bool Sanitized = false;
#endif

/// Resident memory one session may cost the listener: engine, driver, socket buffers, Qt's
/// socket notifier, the CLI's bookkeeping. Generous on purpose: this catches a session that
/// keeps a buffer per frame, not a few hundred bytes. ASan's redzones and quarantine multiply it.
constexpr qint64 MaxKiBPerSession = Sanitized ? 1024 : 256;

/// The listener's and dialers' inactivity timeout: keepalives go out every 5 s of silence.
constexpr int TimeoutMs = 10000;

const QString KeyHex =
    QStringLiteral("5151515151515151515151515151515151515151515151515151515151515151");

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok && value > 0 ? value : fallback;
}

struct Dialer
{
    std::unique_ptr<SessionDriver> driver;
    bool handshake = false;
    bool channel = false;
    int ended = 0;
    Error endReason;
};

} // namespace

class tst_Load : public QObject
{
    Q_OBJECT

private slots:
    void listenerHoldsThousandSessionsWithKeepalives();
};

void tst_Load::listenerHoldsThousandSessionsWithKeepalives()
{
    const int sessions = envInt("HYPERSCOPE_LOAD_SESSIONS", 1000);
    const int holdSeconds = envInt("HYPERSCOPE_LOAD_SECONDS", 60);
    // Each session is one descriptor here and one in the listener (which inherits the limit).
    const rlim_t limit = raiseDescriptorLimit(rlim_t(sessions) * 2 + 512);
    QVERIFY2(limit >= rlim_t(sessions) + 256,
             qPrintable(QStringLiteral("RLIMIT_NOFILE is %1: too low for %2 sessions")
                            .arg(qulonglong(limit))
                            .arg(sessions)));

    CliProcess listener({QStringLiteral("listen"), QStringLiteral("--port"), QStringLiteral("0"),
                         QStringLiteral("--key"), KeyHex, QStringLiteral("--timeout"),
                         QString::number(TimeoutMs)});
    const quint16 port = listener.waitForPort(Wait);
    QVERIFY(port != 0);
    const qint64 pid = listener.pid();
    const qint64 rssBefore = procStatusKiB(pid, "VmRSS");
    const int fdsBefore = openDescriptors(pid);
    QVERIFY(rssBefore > 0 && fdsBefore > 0);

    // Dial in batches: a listen backlog overflow would only add SYN retransmission delays.
    const Key32 key = *key32FromHex(KeyHex.toStdString());
    std::vector<Dialer> dialers(static_cast<std::size_t>(sessions));
    QElapsedTimer clock;
    clock.start();
    constexpr int Batch = 50;
    int channels = 0;
    for (int first = 0; first < sessions; first += Batch) {
        const int last = std::min(sessions, first + Batch);
        for (int i = first; i < last; ++i) {
            Dialer &dialer = dialers[std::size_t(i)];
            EngineOptions options;
            options.initiator = true;
            options.timeout = Millis(TimeoutMs);
            dialer.driver = std::make_unique<SessionDriver>(i + 1, options);
            SessionDriver *driver = dialer.driver.get();
            connect(driver, &SessionDriver::handshakeCompleted, driver, [&dialer, key] {
                dialer.handshake = true;
                dialer.driver->openChannel(key);
            });
            connect(driver, &SessionDriver::channelOpened, driver, [&dialer, &channels] {
                dialer.channel = true;
                ++channels;
            });
            connect(driver, &SessionDriver::ended, driver, [&dialer](const Error &reason) {
                ++dialer.ended;
                dialer.endReason = reason;
            });
            driver->connectToHost(QStringLiteral("127.0.0.1"), port);
        }
        QTRY_VERIFY2_WITH_TIMEOUT(
            channels == last,
            qPrintable(QStringLiteral("%1 of %2 channels, listener errors: %3")
                           .arg(channels)
                           .arg(last)
                           .arg(QString(listener.transcript()))),
            Wait);
    }
    const qint64 setupMs = clock.elapsed();
    QTRY_COMPARE_WITH_TIMEOUT(listener.count(QStringLiteral("channel")), sessions, Wait);
    QCOMPARE(listener.count(QStringLiteral("handshake")), sessions);

    const qint64 rssHeld = procStatusKiB(pid, "VmRSS");
    const int fdsHeld = openDescriptors(pid);
    QVERIFY2(fdsHeld >= fdsBefore + sessions && fdsHeld <= fdsBefore + sessions + 16,
             qPrintable(QStringLiteral("%1 descriptors before, %2 with %3 sessions")
                            .arg(fdsBefore)
                            .arg(fdsHeld)
                            .arg(sessions)));

    // Hold: nothing but keepalives, both ways, for the whole time.
    std::vector<std::uint64_t> received(dialers.size());
    for (std::size_t i = 0; i < dialers.size(); ++i)
        received[i] = dialers[i].driver->engine().bytesReceived();
    // The hold is the point of the test, so a fixed stretch of real time; it stops early only
    // when the listener reports an error or an end.
    const bool stoppedEarly = QTest::qWaitFor(
        [&] {
            return listener.count(QStringLiteral("error")) > 0 ||
                   listener.count(QStringLiteral("end")) > 0;
        },
        holdSeconds * 1000);
    QVERIFY2(!stoppedEarly, qPrintable(listener.transcript()));
    QCOMPARE(listener.count(QStringLiteral("error")), 0);
    QCOMPARE(listener.count(QStringLiteral("end")), 0);
    int keptAlive = 0;
    for (std::size_t i = 0; i < dialers.size(); ++i) {
        QCOMPARE(dialers[i].ended, 0);
        if (dialers[i].driver->engine().bytesReceived() > received[i])
            ++keptAlive;
    }
    // The listener said nothing but keepalives for a minute: every dialer heard them.
    if (holdSeconds * 1000 > TimeoutMs)
        QCOMPARE(keptAlive, sessions);
    const qint64 rssAfterHold = procStatusKiB(pid, "VmRSS");

    // Close: every session ends cleanly on both sides, and every descriptor is returned.
    for (Dialer &dialer : dialers)
        dialer.driver->disconnectFromPeer();
    QTRY_COMPARE_WITH_TIMEOUT(listener.count(QStringLiteral("end")), sessions, Wait);
    QCOMPARE(listener.count(QStringLiteral("error")), 0);
    int cleanEnds = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(dialers.begin(), dialers.end(), [](const Dialer &d) { return d.ended == 1; }),
        Wait);
    for (const Dialer &dialer : dialers)
        cleanEnds += dialer.endReason.ok() ? 1 : 0;
    QCOMPARE(cleanEnds, sessions);
    QTRY_COMPARE_WITH_TIMEOUT(openDescriptors(pid), fdsBefore, Wait);
    const qint64 rssAfterClose = procStatusKiB(pid, "VmRSS");

    QStringList endReasons;
    for (const QJsonObject &event : listener.events()) {
        const QString reason = event.value(QLatin1String("reason")).toString();
        if (event.value(QLatin1String("event")) == QLatin1String("end") &&
            !endReasons.contains(reason))
            endReasons << reason;
    }
    const double perSession = double(rssHeld - rssBefore) / sessions;
    qInfo("listener held %d sessions (set up in %lld ms) for %d s: RSS %lld KiB before, %lld KiB "
          "held (%.1f KiB per session), %lld KiB after the hold, %lld KiB after closing; "
          "descriptors %d before, %d held, %d after; end reasons: %s",
          sessions, setupMs, holdSeconds, rssBefore, rssHeld, perSession, rssAfterHold,
          rssAfterClose, fdsBefore, fdsHeld, openDescriptors(pid),
          qPrintable(endReasons.join(QStringLiteral(", "))));
    QVERIFY2(perSession < MaxKiBPerSession, qPrintable(QString::number(perSession)));
    // A minute of keepalives costs nothing that stays: no per-frame growth.
    QVERIFY2(rssAfterHold - rssHeld < qint64(sessions) * 16,
             qPrintable(QStringLiteral("%1 KiB -> %2 KiB").arg(rssHeld).arg(rssAfterHold)));

    listener.sendLine(R"({"cmd":"quit"})");
    QVERIFY(listener.process().waitForFinished(Wait));
    QCOMPARE(listener.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(listener.process().exitCode(), 0);
}

QTEST_GUILESS_MAIN(tst_Load)
#include "tst_load.moc"
