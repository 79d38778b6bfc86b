// FilterEdit: a line edit for a filter expression (core/filter/filter.h), checked as it is typed,
// as Wireshark's display filter bar is.
//
//   green   the text compiles: Enter applies it;
//   yellow  the text is not an expression but plain words ("keepalive", "start=3"): Enter
//           applies it as a text search of the log's Type, Summary and Note (what the bar did
//           before it took the language; Wireshark users who type a word expect to find it, not
//           an error). The tooltip says so, and what the expression parser said;
//   red     the text looks like an expression (operators, quotes, braces, parentheses) and does
//           not compile: errorText() holds "column N: what was expected", shown in the tooltip
//           and through stateChanged() for a label next to the bar; Enter applies nothing;
//   plain   empty: Enter clears the filter.
//
// It also keeps a history of the recent filters applied (newest first, at most MaxHistory), shown
// by the drop-down arrow at its right end; the owner saves and restores it (setHistory()).
#pragma once

#include "filter.h"

#include <QLineEdit>
#include <QStringList>

#include <optional>

class QMenu;

namespace hyperscope {

class FilterEdit : public QLineEdit
{
    Q_OBJECT
public:
    enum class State {
        Empty,      ///< Nothing typed: no filter.
        Valid,      ///< A filter expression: compiled().
        TextSearch, ///< Plain words: a text search.
        Invalid,    ///< An expression that does not compile: errorText().
    };
    Q_ENUM(State)

    /// Recent filters kept in history().
    static constexpr int MaxHistory = 20;

    explicit FilterEdit(QWidget *parent = nullptr);

    /// Whether plain words are a text search (yellow, the log's bar) or, when off, an invalid
    /// expression (red: where only an expression makes sense, as in a colouring rule). On by
    /// default.
    void setTextSearchAllowed(bool allowed);
    bool textSearchAllowed() const { return m_textSearchAllowed; }

    State state() const { return m_state; }
    /// For Invalid (and TextSearch: why it is not an expression): "column 14: unknown field
    /// 'indx' (did you mean 'index'?)". Empty otherwise.
    QString errorText() const { return m_error; }
    /// The compiled text when state() is Valid; the empty filter when Empty; nullopt otherwise.
    std::optional<filter::Filter> compiled() const;

    /// What @p text would be: the state and (for Invalid and TextSearch) the error, without
    /// touching the edit. Text that does not compile is plain words (TextSearch) unless it holds
    /// what only an expression has: `"` `{` `}` `(` `)` `!` `&` `|` `<` `>` `~`, `==`, the words
    /// contains or matches, or and, or, not, in beside a field name (any case); then it is
    /// Invalid.
    static State classify(const QString &text, QString *error = nullptr,
                          std::optional<filter::Filter> *compiled = nullptr);

    /// Recent filters, newest first.
    QStringList history() const { return m_history; }
    void setHistory(const QStringList &history);
    /// Puts @p text first in history() (once; blank text is not kept).
    void addToHistory(const QString &text);
    /// Shows or hides the drop-down arrow of history() (shown by default; a colouring rule has
    /// no history).
    void setHistoryShown(bool shown);
    /// Puts history() entry @p index in the edit and applies it (what choosing it in the
    /// drop-down does).
    void applyHistoryEntry(int index);
    /// The history drop-down, filled as it opens (each action's data is a filter).
    QMenu *historyMenu() const { return m_historyMenu; }

signals:
    /// The state changed with the text (also the error text, for a label that shows it).
    void stateChanged(hyperscope::FilterEdit::State state, const QString &error);
    /// Enter was pressed on a text that can be applied (not Invalid), or a history entry was
    /// chosen; the text is in history() by then.
    void applyRequested(const QString &text);

private:
    void revalidate();
    void fillHistoryMenu();

    State m_state = State::Empty;
    QString m_error;
    std::optional<filter::Filter> m_compiled;
    QStringList m_history;
    QMenu *m_historyMenu;
    QAction *m_historyAction = nullptr;
    bool m_textSearchAllowed = true;
};

} // namespace hyperscope
