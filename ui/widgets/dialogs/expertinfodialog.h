// ExpertInfoDialog: Analyze › Expert Information. The log's warnings and errors grouped by kind
// (ExpertInfoModel), with counts; expand a group to see each occurrence (row, session, time,
// summary), double-click one (or press Enter, or Show in Log) to select that row in the log.
//
// Not modal: it stays open beside the window and follows the log live (the model does). Errors
// come first; every column sorts. The "Show" combo narrows the list to errors or warnings.
#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTreeView;

namespace hyperscope {

class ExpertInfoModel;

class ExpertInfoDialog : public QDialog
{
    Q_OBJECT
public:
    /// A dialog over @p model (not owned, must outlive the dialog).
    explicit ExpertInfoDialog(ExpertInfoModel *model, QWidget *parent = nullptr);

    QTreeView *view() const { return m_view; }
    /// The sorting and severity filter between the model and the view.
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    /// "3 warnings and 1 error in 2 groups".
    QLabel *summaryLabel() const { return m_summary; }
    /// All problems / Errors only / Warnings only.
    QComboBox *severityCombo() const { return m_severity; }
    QPushButton *showInLogButton() const { return m_showInLog; }

    /// The log row of the current occurrence, or -1 (a group, or nothing current).
    int currentSourceRow() const;

signals:
    /// The user asked to see log row @p sourceRow (double-click, Enter, Show in Log).
    void rowActivated(int sourceRow);

private:
    void updateSummary();
    void activate(const QModelIndex &index);

    ExpertInfoModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_view;
    QLabel *m_summary;
    QComboBox *m_severity;
    QPushButton *m_showInLog;
};

/// "3 warnings · 1 error", "1 warning", "No problems" (the status bar's and the dialog's words).
QString problemCountText(int warnings, int errors);

} // namespace hyperscope
