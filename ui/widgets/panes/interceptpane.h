// InterceptPane: the "Intercepted" dock (issue 12), mitmproxy's intercept for Hypercore messages.
//
// Above, the intercept expression in the same FilterEdit as the log's filter bar (green when it
// compiles, red with the column of the error; plain words are not an expression here) and the
// toggle: while it is on, every live session holds the messages that match (InterceptModel).
// Below, left, the held messages in order (session, leg, direction, channel, type, summary, id);
// the selected one is shown at the right in the send form's message editor, prefilled, and as its
// raw encoding. Forward sends it on as it was, Forward Edited sends the editor's message instead
// (same type), Drop discards it, Forward All sends everything on in order. A line under the buttons
// says what happened, including what no button asked for (a session that ended dropped its held
// messages).
#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QPushButton;
class QTableView;

namespace hyperscope {

class FilterEdit;
class HexView;
class InterceptModel;
class SendMessageForm;

class InterceptPane : public QWidget
{
    Q_OBJECT
public:
    /// Shows and drives @p model (not owned).
    explicit InterceptPane(InterceptModel *model, QWidget *parent = nullptr);

    /// The checkable action that turns intercept on and off (Session › Intercept, the toolbar);
    /// the pane keeps its check state in step with the model. Not owned.
    void setToggleAction(QAction *action);

    /// Turns intercept on with the expression in expressionEdit() (false, with the reason in
    /// statusText(), when it is empty or does not compile) or off (everything held is forwarded
    /// in order).
    bool setIntercepting(bool on);
    /// Puts @p text in the expression edit (does not apply it).
    void setExpressionText(const QString &text);

    /// Selects held row @p row (the editor and the raw bytes show it).
    void selectRow(int row);
    /// The id of the selected held message; 0 when none.
    quint64 selectedId() const;

    // The buttons' work, on the selected message; false (and statusText() says why) on failure.
    bool forwardSelected();
    bool forwardEditedSelected();
    bool dropSelected();
    bool forwardAll();

    InterceptModel *model() const { return m_model; }
    FilterEdit *expressionEdit() const { return m_expression; }
    QTableView *heldView() const { return m_view; }
    SendMessageForm *editor() const { return m_editor; }
    HexView *rawView() const { return m_raw; }
    QPushButton *forwardButton() const { return m_forward; }
    QPushButton *forwardEditedButton() const { return m_forwardEdited; }
    QPushButton *dropButton() const { return m_drop; }
    QPushButton *forwardAllButton() const { return m_forwardAll; }
    QString statusText() const;

signals:
    /// For the status bar: what intercept did ("Intercept on: type == Request").
    void statusMessage(const QString &text);

private:
    void showSelected();
    void updateButtons();
    void showStatus(const QString &text, bool error);
    bool result(const QString &error, const QString &done);

    InterceptModel *m_model;
    QAction *m_toggle = nullptr;
    FilterEdit *m_expression;
    QLabel *m_expressionError;
    QTableView *m_view;
    SendMessageForm *m_editor;
    HexView *m_raw;
    QPushButton *m_forward;
    QPushButton *m_forwardEdited;
    QPushButton *m_drop;
    QPushButton *m_forwardAll;
    QLabel *m_status;
    quint64 m_shownId = 0; ///< The message the editor was last filled with.
};

} // namespace hyperscope
