// StatisticsDialog: Statistics › Summary and Messages. What the log holds, at a glance (sessions,
// messages and bytes in and out, the time they span, the rate, the problems), then a tree of
// messages and bytes per session, channel and message type, in each direction
// (StatisticsModel).
//
// Not modal. The numbers are aggregated in one pass over the log when the dialog opens, when
// Refresh is pressed, and once a second while "Live" is ticked and the log has changed;
// expanded rows stay expanded across refreshes.
#pragma once

#include <QDialog>
#include <QSet>

class QCheckBox;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTimer;
class QTreeView;

namespace hyperscope {

class MessageLogModel;
class StatisticsModel;

class StatisticsDialog : public QDialog
{
    Q_OBJECT
public:
    /// Live refreshes happen at most this often.
    static constexpr int LiveRefreshMs = 1000;

    /// A dialog over @p log (not owned, must outlive the dialog), refreshed once at once.
    explicit StatisticsDialog(const MessageLogModel *log, QWidget *parent = nullptr);

    StatisticsModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QLabel *summaryLabel() const { return m_summary; }
    QCheckBox *liveCheck() const { return m_live; }
    QPushButton *refreshButton() const { return m_refresh; }

    /// Aggregates the log again now, keeping expanded rows expanded.
    void refresh();

private:
    void updateSummary();
    void rememberExpanded();
    void restoreExpanded();

    const MessageLogModel *m_log;
    StatisticsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_view;
    QLabel *m_summary;
    QCheckBox *m_live;
    QPushButton *m_refresh;
    QTimer *m_liveTimer;
    QSet<QString> m_expanded; ///< NodeKeyRole of the expanded rows.
    bool m_firstRefresh = true;
};

} // namespace hyperscope
