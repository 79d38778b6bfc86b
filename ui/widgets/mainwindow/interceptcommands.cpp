#include "interceptcommands.h"

#include "filteredit.h"
#include "interceptmodel.h"
#include "interceptpane.h"
#include "mainwindow.h"
#include "replay.h"
#include "sendmessageform.h"

#include <QAction>
#include <QDockWidget>

namespace hyperscope {

InterceptCommands::InterceptCommands(MainWindow *window, QAction *toggle)
    : QObject(window)
    , m_window(window)
    , m_toggle(toggle)
    , m_model(new InterceptModel(window->sessionManager(), this))
    , m_pane(new InterceptPane(m_model))
    , m_dock(new QDockWidget(MainWindow::tr("Intercepted"), window))
{
    m_dock->setObjectName(QStringLiteral("interceptDock"));
    m_dock->setWidget(m_pane);
    m_dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                        QDockWidget::DockWidgetFloatable);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_dock);
    m_dock->hide();
    m_pane->setToggleAction(toggle);
    // Checking the toggle without an expression opens the dock to type one (the pane refuses).
    connect(toggle, &QAction::triggered, this, [this] { showDock(); });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] { showDock(); });
    connect(m_pane, &InterceptPane::statusMessage, this, &InterceptCommands::statusMessage);

    LogPane *log = window->logPane();
    log->setResendTargets([this](int sourceRow) { return resendTargets(sourceRow); });
    connect(
        log, &LogPane::resendRequested, this,
        [this](int sourceRow, const LogPane::ResendTarget &target) { resend(sourceRow, target); });
    connect(log, &LogPane::editAndResendRequested, this,
            [this](int sourceRow) { editAndResend(sourceRow); });
}

void InterceptCommands::showDock()
{
    if (!m_dock->isVisible()) {
        m_dock->show();
        // A third of the window: the log above stays readable.
        m_window->resizeDocks({m_dock}, {m_window->height() / 3}, Qt::Vertical);
    }
    m_dock->raise();
    if (!m_model->isOn() && m_pane->expressionEdit()->text().isEmpty())
        m_pane->expressionEdit()->setFocus(Qt::OtherFocusReason);
}

QString InterceptCommands::startIntercept(const QString &expression)
{
    m_pane->setExpressionText(expression);
    showDock();
    // The toggle follows the model (InterceptPane::setToggleAction).
    return m_pane->setIntercepting(true) ? QString() : m_pane->statusText();
}

QList<LogPane::ResendTarget> InterceptCommands::resendTargets(int sourceRow) const
{
    QList<LogPane::ResendTarget> found;
    const std::optional<replay::RowMessage> row =
        replay::messageAt(*m_window->logModel(), sourceRow);
    if (!row)
        return found;
    const SessionManager &sessions = *m_window->sessionManager();
    const InspectedSession *same = replay::sameSession(sessions, *row);
    for (InspectedSession *target : replay::targets(sessions, row->discoveryKey))
        found.append({target->id(), target->leg(), target->legLabel(), target == same});
    return found;
}

QString InterceptCommands::resend(int sourceRow, const LogPane::ResendTarget &target)
{
    QString error;
    const std::optional<replay::RowMessage> row =
        replay::messageAt(*m_window->logModel(), sourceRow, &error);
    InspectedSession *session = m_window->sessionById(target.session);
    if (session)
        session = session->legSession(target.leg);
    if (row && !session)
        error = tr("session #%1 is gone").arg(target.session);
    if (row && session)
        error = replay::resend(session, *row);
    emit statusMessage(error.isEmpty() ? tr("Resent %1 on %2")
                                             .arg(QString::fromStdString(summarize(row->message)),
                                                  session->legLabel())
                                       : tr("Resend failed: %1").arg(error));
    return error;
}

QString InterceptCommands::editAndResend(int sourceRow)
{
    QString error;
    const std::optional<replay::RowMessage> row =
        replay::messageAt(*m_window->logModel(), sourceRow, &error);
    if (!row) {
        emit statusMessage(tr("Edit and Resend: %1").arg(error));
        return error;
    }
    // The row's own session when it can send; else the form stays on the current session.
    if (InspectedSession *same = replay::sameSession(*m_window->sessionManager(), *row)) {
        m_window->setCurrentSession(same->relayRoot());
        m_window->setCurrentLeg(same->leg());
    }
    SendMessageForm *form = m_window->sendForm();
    form->setMessage(row->message);
    form->setChannel(row->discoveryKey);
    if (QDockWidget *dock = m_window->findChild<QDockWidget *>(QStringLiteral("sendDock"))) {
        dock->show();
        dock->raise();
    }
    emit statusMessage(
        tr("The send form holds row %1's message: edit it and press Send").arg(sourceRow + 1));
    return {};
}

} // namespace hyperscope
