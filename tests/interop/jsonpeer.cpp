#include "jsonpeer.h"

#include <QJsonDocument>
#include <QTest>

JsonPeer::JsonPeer(Kind kind, QString name, QObject *parent)
    : QObject(parent)
    , m_kind(kind)
    , m_name(std::move(name))
{
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &JsonPeer::readLines);
}

JsonPeer::~JsonPeer()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

void JsonPeer::start(const QStringList &arguments)
{
    if (m_kind == Kind::Hyperscope) {
        m_process.start(HYPERSCOPE_CLI_PATH, arguments);
    } else {
        m_process.setWorkingDirectory(HYPERSCOPE_REFPEER_DIR);
        m_process.start("node", QStringList{HYPERSCOPE_REFPEER_DIR "/refpeer.js"} + arguments);
    }
    m_process.waitForStarted(10000);
}

void JsonPeer::command(const QJsonObject &command)
{
    m_process.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n');
}

void JsonPeer::readLines()
{
    m_partial += m_process.readAllStandardOutput();
    qsizetype newline;
    while ((newline = m_partial.indexOf('\n')) >= 0) {
        const QByteArray line = m_partial.left(newline).trimmed();
        m_partial.remove(0, newline + 1);
        if (line.isEmpty())
            continue;
        m_raw << QString::fromUtf8(line);
        const QJsonDocument document = QJsonDocument::fromJson(line);
        if (document.isObject())
            m_events << document.object();
    }
}

QJsonObject JsonPeer::waitFor(const std::function<bool(const QJsonObject &)> &match, int timeoutMs)
{
    QJsonObject found;
    (void)QTest::qWaitFor( // the caller checks what was found
        [&] {
            readLines();
            for (const QJsonObject &event : std::as_const(m_events)) {
                if (match(event)) {
                    found = event;
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    return found;
}

QJsonObject JsonPeer::waitForEvent(const QString &event, int timeoutMs)
{
    return waitFor([&](const QJsonObject &e) { return e["event"].toString() == event; }, timeoutMs);
}

QList<QJsonObject> JsonPeer::eventsNamed(const QString &event) const
{
    QList<QJsonObject> out;
    for (const QJsonObject &e : m_events) {
        if (e["event"].toString() == event)
            out << e;
    }
    return out;
}

bool JsonPeer::waitForExit(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return true;
    return m_process.waitForFinished(timeoutMs);
}

QString JsonPeer::transcript() const
{
    QStringList tail = m_raw.mid(std::max<qsizetype>(0, m_raw.size() - 40));
    QString text = m_name + " stdout:\n  " + tail.join("\n  ");
    const QByteArray errors = const_cast<QProcess &>(m_process).readAllStandardError();
    if (!errors.isEmpty())
        text += "\n" + m_name + " stderr:\n" + QString::fromUtf8(errors.right(4000));
    return text;
}
