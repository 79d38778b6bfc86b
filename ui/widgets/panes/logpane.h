// LogPane: Wireshark's three panes for the message log. A filter bar, the message list, and
// below it the selected row's decoded fields (tree) next to its bytes (hex). Selecting a field
// highlights its bytes; clicking a byte selects the innermost field that covers it.
//
// The session filter lists "All sessions" and then exactly the log's sessions
// (MessageLogModel::sessions(), under their labels), kept in step with the log's signals: live
// sessions and the sessions of opened capture files alike appear as the log learns them, are
// renamed with their labels, and go when the log is cleared.
#pragma once

#include "hexpane.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QSplitter;
class QTableView;
class QTimer;
class QToolButton;
class QTreeView;

namespace hyperscope {

class FieldTreeModel;
class MessageLogFilterModel;
class MessageLogModel;

class LogPane : public QWidget
{
    Q_OBJECT
public:
    /// A pane over @p log (not owned), which is also the one source of its session filter.
    explicit LogPane(MessageLogModel *log, QWidget *parent = nullptr);

    MessageLogModel *logModel() const { return m_log; }
    MessageLogFilterModel *filterModel() const { return m_filter; }
    FieldTreeModel *fieldModel() const { return m_fields; }
    QTableView *logView() const { return m_logView; }
    QTreeView *fieldView() const { return m_fieldView; }
    HexPane *hexPane() const { return m_hex; }
    QLineEdit *textFilterEdit() const { return m_text; }
    QComboBox *sessionFilterCombo() const { return m_sessionCombo; }

    /// Keep the newest row in view while the list is scrolled to the bottom.
    void setAutoScroll(bool on);
    bool autoScroll() const { return m_autoScroll; }
    void setShowKeepAlives(bool show);
    /// Restricts the log to one session (0: all). Only sessions the log holds can be chosen:
    /// others leave the filter as it is.
    void setSessionFilter(int session);
    void focusTextFilter();
    /// Selects source row @p row (making it visible if filtered out is not possible: returns
    /// false then).
    bool selectSourceRow(int row);
    /// The source row shown in the detail panes, or -1.
    int currentSourceRow() const { return m_currentRow; }

    QByteArray saveState() const;
    void restoreState(const QByteArray &state);

signals:
    void currentRowChanged(int sourceRow);
    void keepAlivesToggled(bool show);
    void statusMessage(const QString &text);

private:
    QWidget *buildFilterBar();
    void showRow(int sourceRow);
    void onFieldSelected();
    void onByteClicked(qsizetype offset);
    void onRowsInserted();
    void updateCount();
    void addSessionEntry(int session);
    void renameSessionEntry(int session);
    void clearSessionEntries();
    void addChannelKey(quint32 index);
    void applyTypeMenu();

    MessageLogModel *m_log;
    MessageLogFilterModel *m_filter;
    FieldTreeModel *m_fields;
    QTableView *m_logView;
    QTreeView *m_fieldView;
    HexPane *m_hex;
    QSplitter *m_mainSplitter;
    QSplitter *m_detailSplitter;
    QComboBox *m_sessionCombo;
    QComboBox *m_channelCombo;
    QComboBox *m_directionCombo;
    QToolButton *m_typeButton;
    QMenu *m_typeMenu;
    QCheckBox *m_keepAlives;
    QLineEdit *m_text;
    QLabel *m_count;
    QTimer *m_textTimer;
    QTimer *m_scrollTimer;
    bool m_autoScroll = true;
    bool m_stickToBottom = true;
    int m_currentRow = -1;
};

} // namespace hyperscope
