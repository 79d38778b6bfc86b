// A child process that speaks JSON lines: it prints one JSON object a line on stdout (its
// events) and reads one command a line on stdin. hyperscope-cli is one (CliProcess below), the
// reference peer tests/interop/refpeer/refpeer.js and the hypercore 9 scripts of
// tests/interop/hypercore are others (JsonProcess::startNode). Every process test drives its
// children through this one class.
//
// Part of the static library hyperscope::testprocess (Qt Core and Qt Test only). CliProcess is
// defined where the test target names the CLI (HYPERSCOPE_CLI_PATH, which
// hyperscope_add_tests(... CLI) and hyperscope_add_npm_test() set).
//
// A new tests/app/tst_cli*.cpp needs nothing in CMake; with clifixtures.h (the CLI tests'
// set-ups) a scenario reads:
//
//   CliPair pair;                                   // listen <- connect, channel KeyHex open
//   QVERIFY(startPair(pair, {}, {"--filter", "type == Request"}));
//   pair.connector->send(sendCommand("Request", QJsonObject{{"index", 3}}));
//   TAKE_EVENT(request, *pair.listener, "message"); // the next "message" event, or fail
//   QCOMPARE(request["type"].toString(), QStringLiteral("Request"));
//   const FinishedProcess run = runCli({"listen", "--port", "x"}); // a usage error
//   QCOMPARE(run.exitCode, 2);
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace hyperscope::test {

/// What a child's stdin is: a pipe the test writes commands to, /dev/null (at its end from the
/// start), or no descriptor at all (closed, as a daemon might be started).
enum class ProcessStdin { Pipe, DevNull, Closed };

/// How JsonProcess::start() starts a child.
struct ProcessOptions
{
    ProcessStdin stdinMode = ProcessStdin::Pipe;
    /// Empty: the test's own.
    QString workingDirectory = {};
    /// Unset: the test's own.
    std::optional<QProcessEnvironment> environment = std::nullopt;
};

class JsonProcess
{
public:
    /// How long the waits below wait unless told otherwise: process start-up on a loaded
    /// machine (eight builds on two cores) can take seconds.
    static constexpr int DefaultTimeoutMs = 20000;
    /// The event name of a stdout line that is not a JSON object; its text is in "line".
    static constexpr const char *NotJson = "<not json>";

    using Predicate = std::function<bool(const QJsonObject &event)>;

    using Stdin = ProcessStdin;
    using Options = ProcessOptions;

    /// @p name says which process a transcript is of ("relay", "reference(listen)").
    explicit JsonProcess(QString name = QStringLiteral("process"));
    /// Kills the process if it still runs.
    ~JsonProcess();
    JsonProcess(const JsonProcess &) = delete;
    JsonProcess &operator=(const JsonProcess &) = delete;

    // --- Starting -------------------------------------------------------------------------------

    /// Starts @p program with @p arguments; false (and the reason in the transcript) when it
    /// could not be started.
    bool start(const QString &program, const QStringList &arguments, const Options &options = {});
    /// Starts `node SCRIPT ARGUMENTS` in the script's directory (where its node_modules are).
    bool startNode(const QString &script, const QStringList &arguments,
                   const Options &options = {});

    // --- Talking to it --------------------------------------------------------------------------

    /// Writes @p command as one compact JSON line.
    void send(const QJsonObject &command);
    /// Writes @p line and a newline, as it is (for lines that are not JSON on purpose).
    void sendLine(const QByteArray &line);
    /// Closes the child's stdin: it reads end of file.
    void closeStdin();
    /// Sends the POSIX signal @p number (SIGINT, SIGTERM, ...).
    void signal(int number);

    // --- Its events -----------------------------------------------------------------------------
    // "Named N" means the event's "event" field is N. @p where lists fields an event must have
    // with exactly these values ({{"leg", "client"}}, {{"session", 2}}). The waits run the event
    // loop (so the other processes of a test keep being read) and return an empty object when
    // nothing matched in time: every event has an "event" field, so empty means none came.

    /// Every event so far, in order; lines that are not JSON objects as NotJson events.
    const QList<QJsonObject> &events() const { return m_events; }
    /// Every event named @p name so far (with the fields of @p where).
    QList<QJsonObject> all(const QString &name, const QJsonObject &where = {}) const;
    /// How many events named @p name have arrived.
    int count(const QString &name) const { return m_counts.value(name); }
    /// The first event named @p name (with the fields of @p where) so far, or an empty object.
    QJsonObject find(const QString &name, const QJsonObject &where = {}) const;

    /// Waits for the first event named @p name with the fields of @p where.
    QJsonObject waitFor(const QString &name, const QJsonObject &where = {},
                        int timeoutMs = DefaultTimeoutMs);
    /// Waits up to @p timeoutMs for the first event named @p name.
    QJsonObject waitFor(const QString &name, int timeoutMs)
    {
        return waitFor(name, QJsonObject(), timeoutMs);
    }
    /// Waits for the first event named @p name that satisfies @p predicate.
    QJsonObject waitFor(const QString &name, const Predicate &predicate,
                        int timeoutMs = DefaultTimeoutMs);
    /// Waits for the first event that satisfies @p predicate.
    QJsonObject waitFor(const Predicate &predicate, int timeoutMs = DefaultTimeoutMs);
    /// Waits until @p count events named @p name have arrived; returns all of them (fewer after
    /// the timeout).
    QList<QJsonObject> waitForCount(const QString &name, qsizetype count,
                                    int timeoutMs = DefaultTimeoutMs);

    /// Like waitFor(), but consumes what it returns: each call returns the first matching event
    /// no earlier take() returned, so a test can step through a sequence ("the next message").
    /// Consuming is per take(); waitFor(), all() and find() see every event.
    QJsonObject take(const QString &name, const QJsonObject &where = {},
                     int timeoutMs = DefaultTimeoutMs);

    /// Waits for the "listening" event; its port, or 0 (at once when the process has ended).
    quint16 waitForPort(int timeoutMs = DefaultTimeoutMs);

    // --- Its end --------------------------------------------------------------------------------

    /// Waits (running the event loop) until the process has ended; true when it has, and every
    /// line it printed has been read.
    bool waitForExit(int timeoutMs = DefaultTimeoutMs);
    /// waitForExit(), then its exit code; -1 when it did not end in time or crashed.
    int finish(int timeoutMs = DefaultTimeoutMs);
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    qint64 pid() const { return m_process.processId(); }
    /// The process itself, for what the above does not cover (kill(), terminate(), state()).
    /// Its stdout and stderr belong to this class: read them through events() and stderrText().
    QProcess &process() { return m_process; }

    /// Everything it wrote on stderr so far.
    QByteArray stderrText() const { return m_stderr; }
    QString name() const { return m_name; }
    /// For failure messages: the name, the last lines of stdout and the end of stderr.
    QString transcript() const;

private:
    void readStdout();
    void readStderr();
    /// The index of the first event named @p name whose index @p accept accepts; -1 if none.
    qsizetype indexOf(const QString &name,
                      const std::function<bool(qsizetype index)> &accept) const;

    QString m_name;
    QProcess m_process;
    QByteArray m_partial;
    QByteArray m_stderr;
    QStringList m_lines;
    QList<QJsonObject> m_events;
    QList<bool> m_taken;
    QHash<QString, int> m_counts;
};

/// What a process run to its end by runToEnd() did.
struct FinishedProcess
{
    /// false: it did not end within the timeout (and was killed); nothing below is meaningful.
    bool finished = false;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    /// -1 when it did not finish or crashed.
    int exitCode = -1;
    QByteArray stdoutText;
    QByteArray stderrText;
    /// stdoutText's lines as events, as JsonProcess::events() would have them.
    QList<QJsonObject> events;
};

/// Runs @p program with @p arguments to its end (for short runs: --help, usage errors, `read`),
/// waiting at most @p timeoutMs. Blocks: no other process of the test is read meanwhile.
FinishedProcess runToEnd(const QString &program, const QStringList &arguments,
                         const ProcessOptions &options = {},
                         int timeoutMs = JsonProcess::DefaultTimeoutMs);

#ifdef HYPERSCOPE_CLI_PATH
/// The hyperscope-cli this test is built against (or, in tst_relayinterop, the relay under test).
inline QString cliPath()
{
    return QStringLiteral(HYPERSCOPE_CLI_PATH);
}

/// hyperscope-cli started with @p arguments at construction ("listen", "--port", "0", ...).
class CliProcess : public JsonProcess
{
public:
    explicit CliProcess(const QStringList &arguments, const Options &options = {},
                        const QString &name = QStringLiteral("hyperscope-cli"))
        : JsonProcess(name)
    {
        start(cliPath(), arguments, options);
    }
    explicit CliProcess(const QStringList &arguments, Stdin stdinMode)
        : CliProcess(arguments, Options{.stdinMode = stdinMode})
    {}
};

/// runToEnd() of hyperscope-cli.
inline FinishedProcess runCli(const QStringList &arguments, const ProcessOptions &options = {},
                              int timeoutMs = JsonProcess::DefaultTimeoutMs)
{
    return runToEnd(cliPath(), arguments, options, timeoutMs);
}
#endif

} // namespace hyperscope::test

/// Declares `const QJsonObject var`, the next event named @p name of the JsonProcess @p process
/// (its take(); an optional second argument is the `where` object), or fails the test with the
/// process's transcript.
#define TAKE_EVENT(var, process, name, ...)                                                        \
    const QJsonObject var = (process).take(QStringLiteral(name) __VA_OPT__(, ) __VA_ARGS__);       \
    QVERIFY2(!var.isEmpty(), qPrintable(QStringLiteral("no '%1' event; %2")                        \
                                            .arg(QStringLiteral(name), (process).transcript())))

/// Fails the test with @p process's transcript unless the waited-for @p event came.
#define VERIFY_EVENT(event, process)                                                               \
    QVERIFY2(!(event).isEmpty(), qPrintable((process).transcript()))
