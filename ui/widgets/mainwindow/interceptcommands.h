// InterceptCommands: intercept and replay in the main window (issue 12).
//
// Intercept: owns the InterceptModel over the window's sessions and the "Intercepted" dock
// (InterceptPane, bottom area, hidden until first used), and drives Session › Intercept… (the
// checkable toolbar toggle): checking it turns intercept on with the dock's expression and shows
// the dock; with no expression yet the dock opens with the cursor in it instead.
//
// Replay: answers the log pane's row menu (Resend, Resend On, Edit and Resend) with replay.h:
// resending sends at once and says so in the status bar; Edit and Resend makes the row's session
// (and leg) current, prefills the send form with the message, selects its channel and raises the
// Send Message dock.
#pragma once

#include "logpane.h"

#include <QObject>

class QAction;
class QDockWidget;

namespace hyperscope {

class InterceptModel;
class InterceptPane;
class MainWindow;

class InterceptCommands : public QObject
{
    Q_OBJECT
public:
    /// Builds the dock in @p window and wires @p toggle (Session › Intercept…) and the window's
    /// log pane.
    InterceptCommands(MainWindow *window, QAction *toggle);

    InterceptModel *model() const { return m_model; }
    InterceptPane *pane() const { return m_pane; }
    QDockWidget *dock() const { return m_dock; }

    /// Turns intercept on with @p expression (hyperscope --intercept, tests). Returns an empty
    /// string, or why not ("column 6: ..."); the dock shows either.
    QString startIntercept(const QString &expression);

    /// Resends log row @p sourceRow's message on @p target (LogPane's Resend). Returns an
    /// empty string on success, otherwise what went wrong (also in the status bar).
    QString resend(int sourceRow, const LogPane::ResendTarget &target);
    /// Edit and Resend: prefills the send form with row @p sourceRow's message on its session
    /// and channel when it is live (otherwise on the current session). Returns why not, or
    /// an empty string.
    QString editAndResend(int sourceRow);

signals:
    void statusMessage(const QString &text);

private:
    QList<LogPane::ResendTarget> resendTargets(int sourceRow) const;
    void showDock();

    MainWindow *m_window;
    QAction *m_toggle;
    InterceptModel *m_model;
    InterceptPane *m_pane;
    QDockWidget *m_dock;
};

} // namespace hyperscope
