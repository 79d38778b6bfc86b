// AnalysisCommands: the Analyze and Statistics menus (Wireshark's Expert Information, Next and
// Previous Problem, Statistics, I/O Graph).
//
// Owns the ExpertInfoModel that follows the log all the time (the status bar's problem count
// reads it), and opens each dialog on first use, then shows and raises the same one again: they
// are not modal and stay beside the window. Next/Previous Problem move the log's selection to
// the next or previous warning or error row among the rows the log's filter shows.
#pragma once

#include <QObject>
#include <QPointer>

class QWidget;

namespace hyperscope {

class ExpertInfoDialog;
class ExpertInfoModel;
class IoGraphDialog;
class LogPane;
class MessageLogModel;
class StatisticsDialog;

class AnalysisCommands : public QObject
{
    Q_OBJECT
public:
    /// None of the pointers is owned; @p window parents the dialogs (and this object).
    AnalysisCommands(MessageLogModel *log, LogPane *logPane, QWidget *window);
    /// Closes the dialogs first: they read the models, which read the log. Delete this object
    /// before the log (MainWindow does, first thing in its destructor).
    ~AnalysisCommands() override;

    ExpertInfoModel *expertInfo() const { return m_expert; }
    /// The dialogs, once opened (null before).
    ExpertInfoDialog *expertInfoDialog() const;
    StatisticsDialog *statisticsDialog() const;
    IoGraphDialog *ioGraphDialog() const;

    ExpertInfoDialog *showExpertInfo();
    StatisticsDialog *showStatistics();
    /// Opens the I/O graph on @p session (0: all sessions; when it is already open, its session
    /// stays as the user left it unless @p session is given).
    IoGraphDialog *showIoGraph(int session = 0);

    /// Selects the first warning or error row after the log's current row (or from the top)
    /// that the filter shows. False, with a status message, when there is none.
    bool selectNextProblem();
    /// The same, backwards from the current row (or from the bottom).
    bool selectPreviousProblem();
    /// Selects log row @p sourceRow in the log; false, with a status message, when the filter
    /// hides it.
    bool showRow(int sourceRow);

signals:
    void statusMessage(const QString &text, int timeoutMs);
    /// A row was selected in the log on the user's request (the window shows the log's tab).
    void rowShown(int sourceRow);

private:
    bool isShown(int sourceRow) const;
    bool selectProblem(bool forward);

    MessageLogModel *m_log;
    LogPane *m_logPane;
    QWidget *m_window;
    ExpertInfoModel *m_expert;
    QPointer<ExpertInfoDialog> m_expertDialog;
    QPointer<StatisticsDialog> m_statisticsDialog;
    QPointer<IoGraphDialog> m_ioGraphDialog;
};

} // namespace hyperscope
