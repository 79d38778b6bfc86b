// FlowPane: the Flow tab. The flow graph (the log's rows as a sequence diagram) above, and below
// it, as in the Messages tab, the selected message's decoded fields (tree) next to its bytes
// (hex): clicking an arrow shows what it carried without leaving the tab. Selecting a field
// highlights its bytes; clicking a byte selects the innermost field that covers it.
//
// The pane shows; the Messages tab decodes. The field tree is the log pane's own FieldTreeModel
// (LogPane::fieldModel()), filled by the log pane for the current row of the selection model the
// two tabs share, so both tabs show the same fields for the same row by construction. The bytes
// come straight from the log (MessageLogModel::PlainBytesRole / WireBytesRole).
#pragma once

#include <QItemSelectionModel> // QPointer<QItemSelectionModel> needs the whole type
#include <QPointer>
#include <QWidget>

class QLabel;
class QSplitter;
class QTreeView;

namespace hyperscope {

class FieldTreeModel;
class FlowGraph;
class HexPane;
class MessageLogFilterModel;

class FlowPane : public QWidget
{
    Q_OBJECT
public:
    /// A pane drawing @p filter's rows (the log pane's filter model) and showing @p fields (the
    /// log pane's field tree). Neither is owned; both must outlive the pane.
    FlowPane(MessageLogFilterModel *filter, FieldTreeModel *fields, QWidget *parent = nullptr);

    /// Shares @p selection (over the filter model; the log view's): its current row is the
    /// arrow highlighted and the message detailed below. Not owned.
    void setSelectionModel(QItemSelectionModel *selection);

    FlowGraph *graph() const { return m_graph; }
    QTreeView *fieldView() const { return m_fieldView; }
    HexPane *hexPane() const { return m_hex; }
    /// Graph above, details below.
    QSplitter *splitter() const { return m_splitter; }
    /// The source row (of the log) detailed below, or -1.
    int detailedSourceRow() const { return m_detailedRow; }

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void applyDefaultSizes();
    void showCurrentRow();
    void onFieldsReset();
    void onFieldSelected();
    void onByteClicked(qsizetype offset);

    MessageLogFilterModel *m_filter;
    FieldTreeModel *m_fields;
    FlowGraph *m_graph;
    QTreeView *m_fieldView;
    HexPane *m_hex;
    QSplitter *m_splitter;
    QSplitter *m_detailSplitter;
    QPointer<QItemSelectionModel> m_selection;
    QMetaObject::Connection m_selectionConnection;
    int m_detailedRow = -1;
    /// The user moved a splitter: their sizes stay, resizing no longer re-applies ours.
    bool m_userSized = false;
};

} // namespace hyperscope
