// StatusLine: the main window's status bar.
//
// Transient messages on the left (what just happened: "Keepalive sent", "Session #2 ended: ...");
// on the right, permanently, the current session ("#2 open · Noise + XSalsa20"), the ports being
// listened on and how many messages the log holds and how many bytes it keeps. The counts change
// with every frame, so they are refreshed on a timer rather than per row. The SessionManager's
// errors (errorOccurred()) are shown here by themselves.
#pragma once

#include <QObject>

class QLabel;
class QStatusBar;
class QToolButton;

namespace hyperscope {

class InspectedSession;
class MessageLogModel;
class SessionManager;

class StatusLine : public QObject
{
    Q_OBJECT
public:
    /// Milliseconds between two refreshes of the counts.
    static constexpr int RefreshMs = 500;

    /// Adds its labels to @p bar (and becomes its child); @p log and @p sessions are read, not
    /// owned.
    StatusLine(QStatusBar *bar, const MessageLogModel *log, const SessionManager *sessions);

    /// How long a message stays unless said otherwise: long enough to read a sentence.
    static constexpr int MessageMs = 4000;
    /// How long an error stays: longer, it may be read after the fact.
    static constexpr int ErrorMs = 8000;

    void showMessage(const QString &text, int timeoutMs = MessageMs);
    /// The transient message shown now (empty when none).
    QString currentMessage() const;
    /// Describes @p session (null: none) on the right.
    void setSession(const InspectedSession *session);
    /// Refreshes the listening ports and the log's counts now.
    void refreshCounts();

    // --- Problem indicator (Expert Information) -------------------------------------------------
    // Left of the permanent labels: a warning or error icon and "3 warnings · 1 error" (a grey dot
    // and "No problems" when there is none); clicking it asks for the Expert Information dialog.

    /// Shows @p warnings and @p errors on the indicator.
    void setProblemCounts(int warnings, int errors);
    QToolButton *problemIndicator() const { return m_problems; }

signals:
    /// The problem indicator was clicked.
    void problemsClicked();

private:
    QStatusBar *m_bar;
    const MessageLogModel *m_log;
    const SessionManager *m_sessions;
    QLabel *m_session;
    QLabel *m_listening;
    QLabel *m_counts;
    QToolButton *m_problems = nullptr;
};

} // namespace hyperscope
