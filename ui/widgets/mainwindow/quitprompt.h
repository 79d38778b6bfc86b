// Quitting with an unsaved log: how many rows would be lost, and the question to ask.
//
// UnsavedRows counts the log rows a person has not saved yet: every row the log gains, less the
// rows that came from a capture file (they are saved already), back to zero when the whole log
// is saved or cleared. MainWindow asks askToSaveBeforeQuit() when the person closes the window
// (the window manager's close button, or File › Quit) while rows are unsaved; a close that the
// program asks for itself (tests, QWidget::close()) is not a person leaving and is not asked.
#pragma once

#include <QObject>

class QWidget;

namespace hyperscope {

class MessageLogModel;

class UnsavedRows : public QObject
{
    Q_OBJECT
public:
    /// Watches @p log (not owned; it must outlive us or be our parent's child).
    explicit UnsavedRows(MessageLogModel *log, QObject *parent = nullptr);

    /// Rows added since the last complete save (0 for an empty or wholly saved log).
    int count() const { return m_count; }

    /// @p rows rows were written to a capture file: when they are the whole log, nothing is
    /// unsaved any more (saving only the shown rows of a filtered log leaves the count alone).
    void markSaved(int rows);
    /// @p rows of the rows just added came from a capture file: they need no saving.
    void markLoaded(int rows);

private:
    MessageLogModel *m_log;
    int m_count = 0;
};

/// What the person chose when asked about an unsaved log.
struct QuitAnswer
{
    enum Choice { Save, Discard, Cancel };
    Choice choice = Cancel;
    /// "Don't ask again" was ticked (meaningful with Save and Discard).
    bool dontAskAgain = false;
};

/// Asks, in a modal message box (object name "quitPrompt"), whether to save the @p unsavedRows
/// rows before quitting: Save, Discard or Cancel, with a "Don't ask again" box. Escape cancels.
QuitAnswer askToSaveBeforeQuit(QWidget *parent, int unsavedRows);

} // namespace hyperscope
