// LogPane: Wireshark's three panes for the message log. A filter bar, the message list, and
// below it the selected row's decoded fields (tree) next to its bytes (hex). Selecting a field
// highlights its bytes; clicking a byte selects the innermost field that covers it.
//
// The session filter lists "All sessions" and then exactly the log's sessions
// (MessageLogModel::sessions(), under their labels), kept in step with the log's signals: live
// sessions and the sessions of opened capture files alike appear as the log learns them, are
// renamed with their labels, and go when the log is cleared.
//
// The selected message is remembered as a source row: a filter that hides it clears the details
// (saying why), and a filter that shows it again selects it again, in view. Changing a filter
// keeps the selected row in view rather than jumping to the top. "N of M shown" follows every
// change of the log and of the filter.
//
// Keepalives have one switch: a checkable QAction (keepAlivesAction()) that is the Keepalive
// entry of the type menu; the filter bar's check box follows it, and MainWindow puts the same
// action in View and on the toolbar (setKeepAlivesAction()).
//
// Right-click menus: on a message (copy its summary, value, bytes or JSON; filter on its type,
// channel or session) and on a field (copy its value, bytes or "name: value").
#pragma once

#include "hexpane.h"
#include "messagelogmodel.h"

#include <QWidget>

class QAction;
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
    QComboBox *channelFilterCombo() const { return m_channelCombo; }
    QLabel *countLabel() const { return m_count; }

    /// Keep the newest row in view while the list is scrolled to the bottom.
    void setAutoScroll(bool on);
    bool autoScroll() const { return m_autoScroll; }
    /// Shows or hides keepalives: checks or unchecks keepAlivesAction().
    void setShowKeepAlives(bool show);
    bool showKeepAlives() const;
    /// The one keepalive switch (checkable; the type menu's Keepalive entry).
    QAction *keepAlivesAction() const { return m_keepAlivesAction; }
    /// Makes @p action (checkable, not owned) the keepalive switch in place of the pane's own,
    /// taking over the current state, so that a menu and a toolbar holding it and this pane
    /// share one state. Null restores the pane's own action.
    void setKeepAlivesAction(QAction *action);

    /// The filter bar's "Keep problems" switch: warnings and errors stay visible whatever the
    /// channel, type, direction and text filters say. Off by default.
    void setAlwaysShowProblems(bool on);
    bool alwaysShowProblems() const;

    /// The Time column's format (the log's); the column is sized for it.
    void setTimeFormat(MessageLogModel::TimeFormat format);

    /// Selects the row numbered @p number (the No. column) and scrolls to it. When there is no
    /// such row or the filter hides it, nothing changes and @p error says so.
    bool goToRow(int number, QString *error = nullptr);
    /// Asks for a row number (Ctrl+G) and goes there; problems go to statusMessage().
    void goToRowInteractive();

    /// The right-click menus, built for the message at source row @p sourceRow and for the
    /// field at @p field of the field tree (the caller owns the menu; tests trigger its actions,
    /// found by objectName: "copySummary", "copyValue", "copyHex", "copyJson", "filterType",
    /// "filterChannel", "filterSession"; "copyFieldValue", "copyFieldHex", "copyField").
    QMenu *createRowMenu(int sourceRow, QWidget *parent = nullptr);
    QMenu *createFieldMenu(const QModelIndex &field, QWidget *parent = nullptr);

    /// The text in the field tree when the selected message is hidden by the filter.
    static QString hiddenSelectionText();
    /// Restricts the log to one session (0: all). Only sessions the log holds can be chosen:
    /// others leave the filter as it is.
    void setSessionFilter(int session);
    void focusTextFilter();
    /// Selects source row @p row (making it visible if filtered out is not possible: returns
    /// false then).
    bool selectSourceRow(int row);
    /// The source row of the selected message, or -1. It may be hidden by the filter
    /// (selectedRowHidden()): the detail panes then show nothing.
    int currentSourceRow() const { return m_currentRow; }
    bool selectedRowHidden() const { return m_selectionHidden; }

    QByteArray saveState() const;
    void restoreState(const QByteArray &state);

signals:
    void currentRowChanged(int sourceRow);
    /// keepAlivesAction() was switched, from wherever (menu, toolbar, check box, type menu).
    void keepAlivesToggled(bool show);
    void statusMessage(const QString &text);

private:
    QWidget *buildFilterBar();
    void showRow(int sourceRow);
    void onFieldSelected();
    void onByteClicked(qsizetype offset);
    void onRowsInserted();
    void onFilterAboutToChange();
    void onFilterChanged();
    void showSelectionHidden();
    void updateCount();
    /// Sizes the Time column for its widest text in bold (error rows are bold): exactly when
    /// @p exact, else only wider.
    void fitTimeColumn(bool exact);
    void connectKeepAlivesAction();
    void onKeepAlivesToggled(bool on);
    void filterOnType(quint32 bits);
    static quint32 typeBitsOf(const MessageLogModel::Record &record);
    void copyText(const QString &text, const QString &what);
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
    QCheckBox *m_problems;
    QAction *m_ownKeepAlivesAction = nullptr;
    QAction *m_keepAlivesAction = nullptr;
    QLineEdit *m_text;
    QLabel *m_count;
    QTimer *m_textTimer;
    QTimer *m_scrollTimer;
    bool m_autoScroll = true;
    bool m_stickToBottom = true;
    int m_currentRow = -1;
    bool m_selectionHidden = false;
    bool m_settingAllTypes = false;
    bool m_wasAtBottom = true;
};

} // namespace hyperscope
