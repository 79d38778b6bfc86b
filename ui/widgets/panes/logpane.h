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
// channel or session; Apply as Filter by type, session, direction, leg or key) and on a field
// (copy its value, bytes or "name: value"; Apply as Filter and Prepare as Filter, with
// Wireshark's Selected / Not Selected / …and / …or Selected).
//
// The filter bar's first box is a FilterEdit: a filter expression (core/filter/filter.h), green
// or red as it is typed, or plain words for a text search (yellow). Enter applies it (and puts it
// in the recent filters); a short log (LiveFilterRows) is also filtered as the user types. The
// session, channel, type and direction choices next to it are shortcuts that apply together with
// it (and), on a second row: the count label's tooltip lists what is in force. Right of the
// expression, the saved filters as buttons (Wireshark's filter toolbar): "+" saves the current
// expression under a name, a click applies one, its context menu removes it. MainWindow keeps the
// recent and saved filters in the settings (filterHistory(), savedFilters()).
#pragma once

#include "hexpane.h"
#include "messagelogmodel.h"

#include <QWidget>

#include <functional>

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

class ColouringRules;
class FieldTreeModel;
class FilterEdit;
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
    QLineEdit *textFilterEdit() const;
    /// The filter bar's expression box (the same widget as textFilterEdit()).
    FilterEdit *filterEdit() const { return m_text; }
    /// Logs up to this many rows are filtered as the user types; longer ones on Enter.
    static constexpr int LiveFilterRows = 200000;

    /// Puts @p text in the filter bar and applies it: an expression, plain words (a text search)
    /// or nothing. An invalid expression is left in the bar, red with its error, and the filter
    /// in force does not change: returns false then.
    bool setFilterText(const QString &text);
    /// What the filter bar's red state says ("column 3: ..."), empty when the text applies.
    QString filterError() const;
    /// The label that shows filterError() beside the expression while it is red.
    QLabel *filterErrorLabel() const { return m_filterError; }

    /// A filter saved under a name: a button on the filter toolbar.
    struct SavedFilter
    {
        QString name;
        QString expression;
        bool operator==(const SavedFilter &) const = default;
    };
    QList<SavedFilter> savedFilters() const { return m_saved; }
    void setSavedFilters(const QList<SavedFilter> &filters);
    /// Adds a button for @p expression named @p name (an existing name is replaced).
    void addSavedFilter(const QString &name, const QString &expression);
    void removeSavedFilter(int index);
    /// The toolbar of saved filter buttons (the first action is "+": saveFilter).
    QWidget *savedFilterBar() const { return m_savedBar; }
    /// Recent filters applied, newest first.
    QStringList filterHistory() const;
    void setFilterHistory(const QStringList &history);

    /// The filter expression that selects field @p field of the field tree, as Apply as Filter
    /// builds it (`index == 5`, `value == 68:65:6c`, `type == Request`, `nodes.index == 3`), or
    /// empty when the field has no filter field (a Length, a Malformed node).
    QString filterExpressionFor(const QModelIndex &field) const;
    /// The rules that colour the log's rows (View › Colouring Rules…), owned by the pane.
    ColouringRules *colouringRules() const { return m_colours; }
    /// Opens the colouring rules dialog on colouringRules() and applies what it accepts.
    void editColouringRulesInteractive();

    /// The expression that selects rows like @p record by what it is: `type == Data`,
    /// `type == Keepalive`, `warning == "text"`; empty for handshake messages and events.
    QString rowFilterExpression(const MessageLogModel::Record &record) const;
    /// How Apply / Prepare as Filter combine a field's expression with the bar's text.
    enum class Combine {
        Selected,
        NotSelected,
        AndSelected,
        OrSelected,
        AndNotSelected,
        OrNotSelected
    };
    /// The bar's text after combining @p expression into it as @p how says.
    QString combineFilter(const QString &expression, Combine how) const;
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
    /// "filterChannel", "filterSession", and in its "Apply as Filter" submenu "rowFilterType",
    /// "rowFilterSession", "rowFilterDirection", "rowFilterLeg", "rowFilterDiscoveryKey";
    /// "copyFieldValue", "copyFieldHex", "copyField", and in
    /// the field menu's "Apply as Filter" and "Prepare as Filter" submenus "applySelected",
    /// "applyNotSelected", "applyAndSelected", "applyOrSelected", "applyAndNotSelected",
    /// "applyOrNotSelected" and the same with "prepare").
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

    // --- Replay (issue 12): the row menu's "resend", "resendOn" (a submenu, one action
    // "resendOn<session id>" per target) and "editAndResend" -----------------------------------

    /// A live session (or leg) a row's message can be resent on.
    struct ResendTarget
    {
        int session = 0;            ///< Its id.
        MessageLogModel::Leg leg{}; ///< The leg of a relayed session; None otherwise.
        QString label;              ///< "#2 127.0.0.1:4000".
        bool sameAsRow = false;     ///< The session and leg the row was seen on.
    };
    /// Who answers, for a source row, where its message could be resent (empty: the row holds
    /// no message, or no live session has its channel open). Without one, the menu has no
    /// replay entries.
    void setResendTargets(std::function<QList<ResendTarget>(int sourceRow)> targets);

    /// Lets the window add entries of its own to a row's context menu, after the built-in ones
    /// (the Feed tab's "Explain This Proof" on a Data): @p extend gets the menu and the row.
    void setRowMenuExtension(std::function<void(QMenu *menu, int sourceRow)> extend);

signals:
    void currentRowChanged(int sourceRow);
    /// keepAlivesAction() was switched, from wherever (menu, toolbar, check box, type menu).
    void keepAlivesToggled(bool show);
    void statusMessage(const QString &text);
    /// The saved filter buttons changed (added, removed).
    void savedFiltersChanged();
    /// Resend (or Resend On) was chosen: send source row @p sourceRow's message again on
    /// @p target.
    void resendRequested(int sourceRow, const hyperscope::LogPane::ResendTarget &target);
    /// Edit and Resend was chosen: prefill the send form with source row @p sourceRow's message.
    void editAndResendRequested(int sourceRow);

protected:
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    /// Sizes the field tree's Field column to its names, within half the tree's width, and hides
    /// the Bytes column in a narrow tree (the Field column: until the person sizes it).
    void fitFieldColumn();

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
    /// Applies the bar's text to the filter model; false (nothing changes) when invalid.
    bool applyFilterBar();
    void rebuildSavedFilterBar();
    void saveFilterInteractive();
    void updateCountToolTip();

    MessageLogModel *m_log;
    MessageLogFilterModel *m_filter;
    FieldTreeModel *m_fields;
    QTableView *m_logView;
    QTreeView *m_fieldView;
    HexPane *m_hex;
    QSplitter *m_mainSplitter;
    QSplitter *m_detailSplitter;
    bool m_detailSplitSet = false;     ///< restoreState() or the person sized the field tree.
    bool m_fieldColumnSet = false;     ///< The person sized the field tree's Field column.
    bool m_fittingFieldColumn = false; ///< fitFieldColumn() is resizing it (not the person).
    QComboBox *m_sessionCombo;
    QComboBox *m_channelCombo;
    QComboBox *m_directionCombo;
    QToolButton *m_typeButton;
    QMenu *m_typeMenu;
    QCheckBox *m_keepAlives;
    QCheckBox *m_problems;
    QAction *m_ownKeepAlivesAction = nullptr;
    QAction *m_keepAlivesAction = nullptr;
    FilterEdit *m_text;
    QLabel *m_filterError = nullptr;
    QWidget *m_savedBar = nullptr;
    QList<SavedFilter> m_saved;
    ColouringRules *m_colours = nullptr;
    QLabel *m_count;
    QTimer *m_textTimer;
    QTimer *m_scrollTimer;
    bool m_autoScroll = true;
    bool m_stickToBottom = true;
    int m_currentRow = -1;
    bool m_selectionHidden = false;
    bool m_settingAllTypes = false;
    bool m_wasAtBottom = true;
    std::function<QList<ResendTarget>(int)> m_resendTargets;
    std::function<void(QMenu *, int)> m_rowMenuExtension;
};

} // namespace hyperscope
