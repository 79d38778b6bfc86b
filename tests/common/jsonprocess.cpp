#include "jsonprocess.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QTest>

#include <csignal>
#include <unistd.h>

namespace hyperscope::test {

namespace {

/// How much of a process's output a transcript shows: enough to see what went wrong, not a
/// megabyte of Data events.
constexpr qsizetype TranscriptLines = 60;
constexpr qsizetype TranscriptStderrBytes = 4000;

/// Whether @p event has every field of @p where, with the same value.
bool hasFields(const QJsonObject &event, const QJsonObject &where)
{
    for (auto it = where.begin(); it != where.end(); ++it) {
        if (event.value(it.key()) != it.value())
            return false;
    }
    return true;
}

/// The event one stdout line (not empty, trimmed) stands for.
QJsonObject eventOf(const QByteArray &line)
{
    const QJsonDocument document = QJsonDocument::fromJson(line);
    if (document.isObject())
        return document.object();
    return QJsonObject{{"event", JsonProcess::NotJson}, {"line", QString::fromUtf8(line)}};
}

/// Applies what @p options say about stdin, the directory and the environment to @p process.
void prepare(QProcess &process, const ProcessOptions &options)
{
    if (options.stdinMode == ProcessStdin::DevNull)
        process.setStandardInputFile(QProcess::nullDevice());
    if (options.stdinMode == ProcessStdin::Closed)
        process.setChildProcessModifier([] { ::close(STDIN_FILENO); });
    if (!options.workingDirectory.isEmpty())
        process.setWorkingDirectory(options.workingDirectory);
    if (options.environment)
        process.setProcessEnvironment(*options.environment);
}

} // namespace

JsonProcess::JsonProcess(QString name)
    : m_name(std::move(name))
{
    // Read all the time: a child whose stdout pipe fills up blocks, and stops answering.
    QObject::connect(&m_process, &QProcess::readyReadStandardOutput, [this] { readStdout(); });
    QObject::connect(&m_process, &QProcess::readyReadStandardError, [this] { readStderr(); });
}

JsonProcess::~JsonProcess()
{
    m_process.disconnect();
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(DefaultTimeoutMs);
    }
}

bool JsonProcess::start(const QString &program, const QStringList &arguments,
                        const Options &options)
{
    prepare(m_process, options);
    m_process.start(program, arguments);
    if (m_process.waitForStarted(DefaultTimeoutMs))
        return true;
    m_stderr +=
        QStringLiteral("[could not start %1: %2]\n").arg(program, m_process.errorString()).toUtf8();
    return false;
}

bool JsonProcess::startNode(const QString &script, const QStringList &arguments,
                            const Options &options)
{
    Options inScriptDirectory = options;
    if (inScriptDirectory.workingDirectory.isEmpty())
        inScriptDirectory.workingDirectory = QFileInfo(script).absolutePath();
    return start(QStringLiteral("node"), QStringList{script} + arguments, inScriptDirectory);
}

void JsonProcess::send(const QJsonObject &command)
{
    sendLine(QJsonDocument(command).toJson(QJsonDocument::Compact));
}

void JsonProcess::sendLine(const QByteArray &line)
{
    m_process.write(line + '\n');
}

void JsonProcess::closeStdin()
{
    m_process.closeWriteChannel();
}

void JsonProcess::signal(int number)
{
    if (m_process.processId() > 0)
        ::kill(pid_t(m_process.processId()), number);
}

void JsonProcess::readStdout()
{
    m_partial += m_process.readAllStandardOutput();
    qsizetype newline;
    while ((newline = m_partial.indexOf('\n')) >= 0) {
        const QByteArray line = m_partial.left(newline).trimmed();
        m_partial.remove(0, newline + 1);
        if (line.isEmpty())
            continue;
        m_lines.append(QString::fromUtf8(line));
        const QJsonObject event = eventOf(line);
        m_events.append(event);
        m_taken.append(false);
        ++m_counts[event.value(QLatin1String("event")).toString()];
    }
}

void JsonProcess::readStderr()
{
    m_stderr += m_process.readAllStandardError();
}

qsizetype JsonProcess::indexOf(const QString &name,
                               const std::function<bool(qsizetype index)> &accept) const
{
    for (qsizetype i = 0; i < m_events.size(); ++i) {
        if (m_events[i].value(QLatin1String("event")) == name && accept(i))
            return i;
    }
    return -1;
}

QList<QJsonObject> JsonProcess::all(const QString &name, const QJsonObject &where) const
{
    QList<QJsonObject> out;
    for (const QJsonObject &event : m_events) {
        if (event.value(QLatin1String("event")) == name && hasFields(event, where))
            out.append(event);
    }
    return out;
}

QJsonObject JsonProcess::find(const QString &name, const QJsonObject &where) const
{
    const qsizetype index =
        indexOf(name, [&](qsizetype i) { return hasFields(m_events[i], where); });
    return index < 0 ? QJsonObject() : m_events[index];
}

QJsonObject JsonProcess::waitFor(const QString &name, const QJsonObject &where, int timeoutMs)
{
    return waitFor(
        name, [&](const QJsonObject &event) { return hasFields(event, where); }, timeoutMs);
}

QJsonObject JsonProcess::waitFor(const QString &name, const Predicate &predicate, int timeoutMs)
{
    return waitFor(
        [&](const QJsonObject &event) {
            return event.value(QLatin1String("event")) == name && predicate(event);
        },
        timeoutMs);
}

QJsonObject JsonProcess::waitFor(const Predicate &predicate, int timeoutMs)
{
    QJsonObject found;
    (void)QTest::qWaitFor( // the caller checks what was found
        [&] {
            for (const QJsonObject &event : std::as_const(m_events)) {
                if (predicate(event)) {
                    found = event;
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    return found;
}

QList<QJsonObject> JsonProcess::waitForCount(const QString &name, qsizetype count, int timeoutMs)
{
    (void)QTest::qWaitFor([&] { return this->count(name) >= count; }, timeoutMs);
    return all(name);
}

QJsonObject JsonProcess::take(const QString &name, const QJsonObject &where, int timeoutMs)
{
    QJsonObject found;
    (void)QTest::qWaitFor( // the caller checks what was found
        [&] {
            const qsizetype index = indexOf(
                name, [&](qsizetype i) { return !m_taken[i] && hasFields(m_events[i], where); });
            if (index < 0)
                return false;
            m_taken[index] = true;
            found = m_events[index];
            return true;
        },
        timeoutMs);
    return found;
}

quint16 JsonProcess::waitForPort(int timeoutMs)
{
    QJsonObject listening;
    (void)QTest::qWaitFor(
        [&] {
            listening = find(QStringLiteral("listening"));
            return !listening.isEmpty() || m_process.state() == QProcess::NotRunning;
        },
        timeoutMs);
    return quint16(listening.value(QLatin1String("port")).toInt());
}

bool JsonProcess::waitForExit(int timeoutMs)
{
    // Not QProcess::waitForFinished(): it blocks the event loop, and the test's other processes
    // would stop being read (and, their stdout full, stop answering).
    if (!QTest::qWaitFor([&] { return m_process.state() == QProcess::NotRunning; }, timeoutMs))
        return false;
    readStdout();
    readStderr();
    return true;
}

int JsonProcess::finish(int timeoutMs)
{
    if (!waitForExit(timeoutMs))
        return -1;
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

QString JsonProcess::transcript() const
{
    QString text = m_name + QStringLiteral(" stdout:\n  ") +
                   m_lines.mid(std::max<qsizetype>(0, m_lines.size() - TranscriptLines))
                       .join(QStringLiteral("\n  "));
    if (!m_stderr.isEmpty())
        text += u'\n' + m_name + QStringLiteral(" stderr:\n") +
                QString::fromUtf8(m_stderr.right(TranscriptStderrBytes));
    return text;
}

FinishedProcess runToEnd(const QString &program, const QStringList &arguments,
                         const ProcessOptions &options, int timeoutMs)
{
    QProcess process;
    prepare(process, options);
    process.start(program, arguments);
    FinishedProcess run;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(timeoutMs);
        return run;
    }
    run.finished = true;
    run.exitStatus = process.exitStatus();
    run.exitCode = run.exitStatus == QProcess::NormalExit ? process.exitCode() : -1;
    run.stdoutText = process.readAllStandardOutput();
    run.stderrText = process.readAllStandardError();
    for (const QByteArray &line : run.stdoutText.split('\n')) {
        if (!line.trimmed().isEmpty())
            run.events.append(eventOf(line.trimmed()));
    }
    return run;
}

} // namespace hyperscope::test
