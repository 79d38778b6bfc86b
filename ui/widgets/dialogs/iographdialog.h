// IoGraphDialog: Statistics › I/O Graph. Messages or bytes per interval, in and out, over one
// session or all of them (IoGraph over an IoGraphSeries), with the session, the measure
// (messages / bytes) and the interval (100 ms, 1 s, 10 s) to choose, and the totals and the
// busiest interval written below.
//
// Not modal. The series is computed in one pass over the log when a choice changes, when Refresh
// is pressed, and once a second while "Live" is ticked and the log has changed. The session list
// follows the log's sessions (MessageLogModel::sessions()).
#pragma once

#include "iographseries.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QRadioButton;
class QTimer;

namespace hyperscope {

class IoGraph;
class MessageLogModel;

class IoGraphDialog : public QDialog
{
    Q_OBJECT
public:
    /// Live refreshes happen at most this often.
    static constexpr int LiveRefreshMs = 1000;

    /// A dialog over @p log (not owned, must outlive the dialog), showing every session.
    explicit IoGraphDialog(const MessageLogModel *log, QWidget *parent = nullptr);

    IoGraph *graph() const { return m_graph; }
    IoGraphSeries *series() const { return m_series; }
    QComboBox *sessionCombo() const { return m_session; }
    /// Items carry the interval in microseconds as data.
    QComboBox *intervalCombo() const { return m_interval; }
    QRadioButton *messagesButton() const { return m_messages; }
    QRadioButton *bytesButton() const { return m_bytes; }
    QCheckBox *liveCheck() const { return m_live; }
    QLabel *infoLabel() const { return m_info; }

    /// Shows @p session (0: all sessions); a session the log does not hold leaves it as it is.
    void setSession(int session);
    /// The session shown (0: all).
    int session() const;
    /// Computes the series again now.
    void refresh();

private:
    void addSession(int session);
    void updateInfo();

    const MessageLogModel *m_log;
    IoGraphSeries *m_series;
    IoGraph *m_graph;
    QComboBox *m_session;
    QComboBox *m_interval;
    QRadioButton *m_messages;
    QRadioButton *m_bytes;
    QCheckBox *m_live;
    QPushButton *m_refresh;
    QLabel *m_info;
    QTimer *m_liveTimer;
    int m_refreshedRows = -1;
};

} // namespace hyperscope
