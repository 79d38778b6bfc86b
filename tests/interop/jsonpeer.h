// A peer process that speaks the hyperscope-cli contract (JSON lines on stdin/stdout):
// hyperscope-cli itself, or the reference peer tests/interop/refpeer/refpeer.js.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QStringList>

#include <functional>

class JsonPeer : public QObject
{
    Q_OBJECT
public:
    enum class Kind { Hyperscope, Reference };
    explicit JsonPeer(Kind kind, QString name, QObject *parent = nullptr);
    ~JsonPeer() override;

    Kind kind() const { return m_kind; }
    QString name() const { return m_name; }
    /// Starts the process with @p arguments (after the program: "listen --port 0 ...").
    void start(const QStringList &arguments);
    /// Writes one command line.
    void command(const QJsonObject &command);
    /// Waits until an event satisfying @p match arrives (searching from the first unconsumed
    /// event); returns it, or an empty object after @p timeoutMs.
    QJsonObject waitFor(const std::function<bool(const QJsonObject &)> &match,
                        int timeoutMs = 10000);
    QJsonObject waitForEvent(const QString &event, int timeoutMs = 10000);
    /// Every event received so far.
    const QList<QJsonObject> &events() const { return m_events; }
    QList<QJsonObject> eventsNamed(const QString &event) const;
    bool waitForExit(int timeoutMs = 10000);
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }
    QProcess &process() { return m_process; }
    /// The last lines of output and stderr, for failure messages.
    QString transcript() const;

private:
    void readLines();

    Kind m_kind;
    QString m_name;
    QProcess m_process;
    QByteArray m_partial;
    QList<QJsonObject> m_events;
    QStringList m_raw;
};
