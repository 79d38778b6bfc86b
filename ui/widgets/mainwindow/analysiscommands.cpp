#include "analysiscommands.h"

#include "expertinfodialog.h"
#include "expertinfomodel.h"
#include "iographdialog.h"
#include "logpane.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "statisticsdialog.h"
#include "statusline.h"

#include <QWidget>

namespace hyperscope {

AnalysisCommands::AnalysisCommands(MessageLogModel *log, LogPane *logPane, QWidget *window)
    : QObject(window)
    , m_log(log)
    , m_logPane(logPane)
    , m_window(window)
    , m_expert(new ExpertInfoModel(log, this))
{}

AnalysisCommands::~AnalysisCommands()
{
    delete m_expertDialog;
    delete m_statisticsDialog;
    delete m_ioGraphDialog;
}

ExpertInfoDialog *AnalysisCommands::expertInfoDialog() const
{
    return m_expertDialog;
}

StatisticsDialog *AnalysisCommands::statisticsDialog() const
{
    return m_statisticsDialog;
}

IoGraphDialog *AnalysisCommands::ioGraphDialog() const
{
    return m_ioGraphDialog;
}

namespace {

template<typename Dialog> Dialog *raise(Dialog *dialog)
{
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
    return dialog;
}

} // namespace

ExpertInfoDialog *AnalysisCommands::showExpertInfo()
{
    if (!m_expertDialog) {
        m_expertDialog = new ExpertInfoDialog(m_expert, m_window);
        connect(m_expertDialog, &ExpertInfoDialog::rowActivated, this, &AnalysisCommands::showRow);
    }
    return raise(m_expertDialog.data());
}

StatisticsDialog *AnalysisCommands::showStatistics()
{
    if (!m_statisticsDialog)
        m_statisticsDialog = new StatisticsDialog(m_log, m_window);
    else
        m_statisticsDialog->refresh();
    return raise(m_statisticsDialog.data());
}

IoGraphDialog *AnalysisCommands::showIoGraph(int session)
{
    const bool created = !m_ioGraphDialog;
    if (created)
        m_ioGraphDialog = new IoGraphDialog(m_log, m_window);
    if (created || session != 0)
        m_ioGraphDialog->setSession(session);
    return raise(m_ioGraphDialog.data());
}

bool AnalysisCommands::isShown(int sourceRow) const
{
    return m_logPane->filterModel()->mapFromSource(m_log->index(sourceRow, 0)).isValid();
}

bool AnalysisCommands::showRow(int sourceRow)
{
    if (sourceRow < 0 || sourceRow >= m_log->rowCount())
        return false;
    if (!m_logPane->selectSourceRow(sourceRow)) {
        emit statusMessage(tr("Row %1 is hidden by the log's filter: clear the filter to see it")
                               .arg(sourceRow + 1),
                           StatusLine::ErrorMs);
        return false;
    }
    emit rowShown(sourceRow);
    return true;
}

bool AnalysisCommands::selectProblem(bool forward)
{
    const int current = m_logPane->currentSourceRow();
    int row = forward ? m_expert->nextProblemRow(current)
                      : m_expert->previousProblemRow(current < 0 ? m_log->rowCount() : current);
    // Problems the filter hides are skipped: the keys move through what the list shows.
    while (row >= 0 && !isShown(row))
        row = forward ? m_expert->nextProblemRow(row) : m_expert->previousProblemRow(row);
    if (row < 0) {
        QString text;
        if (m_expert->problemCount() == 0)
            text = tr("The log holds no warning or error");
        else if (current < 0)
            text = tr("The log's filter hides every warning and error");
        else
            text = forward ? tr("No further warning or error after row %1").arg(current + 1)
                           : tr("No warning or error before row %1").arg(current + 1);
        emit statusMessage(text, StatusLine::MessageMs);
        return false;
    }
    return showRow(row);
}

bool AnalysisCommands::selectNextProblem()
{
    return selectProblem(true);
}

bool AnalysisCommands::selectPreviousProblem()
{
    return selectProblem(false);
}

} // namespace hyperscope
