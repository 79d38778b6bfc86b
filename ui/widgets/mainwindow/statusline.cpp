#include "statusline.h"

#include "expertinfodialog.h"
#include "icons.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"
#include "sessionmanager.h"

#include <QLabel>
#include <QLocale>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>

namespace hyperscope {

StatusLine::StatusLine(QStatusBar *bar, const MessageLogModel *log, const SessionManager *sessions)
    : QObject(bar)
    , m_bar(bar)
    , m_log(log)
    , m_sessions(sessions)
    , m_session(new QLabel)
    , m_listening(new QLabel)
    , m_counts(new QLabel)
{
    m_counts->setObjectName(QStringLiteral("statusCount"));
    bar->addPermanentWidget(m_session);
    bar->addPermanentWidget(m_listening);
    bar->addPermanentWidget(m_counts);
    auto *timer = new QTimer(this);
    timer->setInterval(RefreshMs);
    connect(timer, &QTimer::timeout, this, &StatusLine::refreshCounts);
    timer->start();
    connect(sessions, &SessionManager::listeningChanged, this, &StatusLine::refreshCounts);
    connect(sessions, &SessionManager::errorOccurred, this,
            [this](const QString &message) { showMessage(message, ErrorMs); });
    refreshCounts();

    // The problem indicator, first of the permanent widgets whatever else is added.
    m_problems = new QToolButton;
    m_problems->setObjectName(QStringLiteral("statusProblems"));
    m_problems->setAutoRaise(true);
    m_problems->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_problems->setIconSize(QSize(14, 14));
    bar->insertPermanentWidget(0, m_problems);
    connect(m_problems, &QToolButton::clicked, this, &StatusLine::problemsClicked);
    setProblemCounts(0, 0);
}

void StatusLine::showMessage(const QString &text, int timeoutMs)
{
    m_bar->showMessage(text, timeoutMs);
}

QString StatusLine::currentMessage() const
{
    return m_bar->currentMessage();
}

void StatusLine::setSession(const InspectedSession *session)
{
    if (session) {
        m_session->setText(
            tr("%1 %2 · %3").arg(session->numberText(), session->stateText(), session->modeText()));
    } else {
        m_session->clear();
    }
}

void StatusLine::setProblemCounts(int warnings, int errors)
{
    m_problems->setText(problemCountText(warnings, errors));
    m_problems->setIcon(errors     ? icons::error()
                        : warnings ? icons::warning()
                                   : icons::dot(QColor(158, 158, 158)));
    m_problems->setToolTip(tr("Expert information: the log's warnings and errors by kind. Click "
                              "to open (Analyze › Expert Information, Ctrl+Alt+I); Ctrl+. and "
                              "Ctrl+, go to the next and previous one"));
}

void StatusLine::refreshCounts()
{
    const QLocale locale;
    m_counts->setText(tr("%1 messages · %2 kept")
                          .arg(locale.toString(m_log->rowCount() + m_log->pendingCount()),
                               formatBytes(m_log->storedBytes())));
    QStringList ports;
    for (const quint16 port : m_sessions->listeningPorts())
        ports << QString::number(port);
    QStringList relays;
    for (const Relay *relay : m_sessions->relays())
        relays << tr("%1 → %2")
                      .arg(relay->port())
                      .arg(QStringLiteral("%1:%2")
                               .arg(relay->upstreamHost())
                               .arg(relay->upstreamPort()));
    QStringList parts;
    if (!ports.isEmpty())
        parts << tr("Listening on %1").arg(ports.join(QLatin1String(", ")));
    if (!relays.isEmpty())
        parts << tr("Relaying %1").arg(relays.join(QLatin1String(", ")));
    m_listening->setText(parts.join(QLatin1String(" · ")));
}

} // namespace hyperscope
