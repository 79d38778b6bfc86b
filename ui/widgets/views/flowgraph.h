// FlowGraph: Wireshark's Flow Graph for the message log. The rows the log's filter shows, drawn
// as a sequence diagram with one lifeline per endpoint, labelled with who stands there and its
// address ("hyperscope 127.0.0.1:4000", "peer 127.0.0.1:51234"): a session we dialed or accepted
// is two lifelines, ours and the peer's; a relayed session three (client, hyperscope, server);
// two sessions of this process talking to each other (the demo) share their endpoints, so each
// message is one arrow from its sender to its receiver although both sessions logged it
// (FlowDiagram says which rows are one arrow). One horizontal arrow per message, labelled with
// its type and channel, with the time on the left and the one-line summary on the right.
// Handshake messages and notes (session events, warnings, errors) have their own style, in the
// log's colours and icons.
//
// Built for a million rows, like the log: a QAbstractScrollArea whose scroll bar counts lines
// (one step per arrow or note, fixed row height) and whose paintEvent() formats the visible lines
// only; nothing is stored per row unless two of the sessions shown talk to each other. The model
// is the log's MessageLogFilterModel, so every filter of the log applies here too; the selection
// model can be the log view's, so both show the same row. Rows in this API are the filter
// model's; the line that draws the second record of a message is its first record's.
#pragma once

#include "flowdiagram.h"

#include <QAbstractScrollArea>
#include <QPointer>

#include <utility>

class QItemSelectionModel;

namespace hyperscope {

class MessageLogFilterModel;
class MessageLogModel;

class FlowGraph : public QAbstractScrollArea
{
    Q_OBJECT
public:
    explicit FlowGraph(QWidget *parent = nullptr);

    /// The rows to draw (not owned). Gives the graph a selection model of its own.
    void setModel(MessageLogFilterModel *model);
    MessageLogFilterModel *model() const;
    /// Shares @p selection (over the same model, e.g. the log view's): the current index is the
    /// row the graph highlights, and clicking an arrow makes it current. Not owned.
    void setSelectionModel(QItemSelectionModel *selection);
    QItemSelectionModel *selectionModel() const { return m_selection; }

    /// Keep the newest row in view while the graph is scrolled to the bottom.
    void setAutoScroll(bool on);
    bool autoScroll() const { return m_autoScroll; }

    // --- Geometry (viewport coordinates) -------------------------------------------------------

    /// Height of one row (one arrow), in pixels.
    int rowHeight() const;
    /// Height of the fixed header (caption and lifeline heads) above the first row.
    int headerHeight() const;
    /// Lines drawn: one per arrow or note (the filter's rows less the second records of the
    /// messages both ends logged). The scroll bar counts lines.
    int lineCount() const { return m_diagram.lineCount(); }
    /// The row drawn first (on the scroll bar's line).
    int firstVisibleRow() const;
    /// Lines that fit in the viewport below the header (the last may be cut).
    int visibleRowCount() const;
    /// The row (of the filter model) drawn under viewport y, or -1.
    int rowAt(int y) const;
    /// Where row @p row is drawn now (the line of its arrow); empty when scrolled out of view.
    QRect rectForRow(int row) const;
    /// The x of the leftmost and the rightmost lifeline.
    int leftLifelineX() const;
    int rightLifelineX() const;
    /// One per endpoint of the sessions the filter shows (FlowDiagram), at least two.
    int lifelineCount() const;
    /// The x of lifeline @p index (0 .. lifelineCount() - 1, left to right).
    int lifelineX(int index) const;
    /// What lifeline @p index's head says: "hyperscope #1", "peer", "client"...
    QString lifelineTitle(int index) const;
    /// Its address ("127.0.0.1:4000"), or what stands for it when unknown.
    QString lifelineSubtitle(int index) const;
    /// The lifelines row @p row's arrow runs from and to (indexes as lifelineX()); {-1, -1}
    /// for a note. A relayed session alone: client 0, hyperscope 1, server 2.
    std::pair<int, int> arrowEnds(int row) const;
    /// The row of the other session's record of the message row @p row's arrow draws, or -1
    /// (both sessions of a conversation between two of ours log each message).
    int twinRow(int row) const;
    /// Rows painted by the last paintEvent() (for tests: only the visible ones are).
    int lastPaintedRows() const { return m_lastPainted; }

    // --- Current row ---------------------------------------------------------------------------

    /// The highlighted row of the filter model, or -1.
    int currentRow() const;
    /// The highlighted row of the log (MessageLogModel), or -1.
    int currentSourceRow() const;
    /// Makes @p row of the filter model current and scrolls to it.
    void setCurrentRow(int row);
    /// Makes source row @p row current; false when the filter hides it.
    bool selectSourceRow(int sourceRow);
    /// Scrolls so that @p row is visible (centred when it was far away).
    void scrollToRow(int row);

    /// The label drawn above row @p row's arrow ("#2 Want · ch 1"), for tests. Rows carry
    /// their session's number while the filter shows every session and the log holds more
    /// than one (MessageLogModel::sessions()).
    QString labelText(int row) const;
    /// The caption line at the top.
    static QString captionText();

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    /// The user chose a row in the graph (click or key): @p sourceRow of the log.
    void rowActivated(int sourceRow);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void changeEvent(QEvent *event) override;

private:
    /// Where things go, in content coordinates (the lifelines scroll sideways when they do not
    /// fit; the time column stays).
    struct Layout
    {
        int timeX = 0;
        int timeWidth = 0;
        QList<int> lifelineX;
        int boxWidth = 0;
        int summaryX = 0;
        int summaryWidth = 0;
        int contentWidth = 0;
    };
    Layout layout() const;
    int headBoxWidth() const;
    void updateScrollBar();
    void rebuildDiagram();
    void onRowsAboutToBeInserted();
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onCurrentChanged();
    void activate(int row);
    bool showsSessionNumbers() const;
    MessageLogModel *log() const;
    int sourceRowOf(int row) const;

    QPointer<MessageLogFilterModel> m_model;
    QPointer<QItemSelectionModel> m_selection;
    QItemSelectionModel *m_ownSelection = nullptr;
    QList<QMetaObject::Connection> m_modelConnections;
    QList<QMetaObject::Connection> m_selectionConnections;
    FlowDiagram m_diagram;
    int m_diagramRows = 0; ///< Filter rows m_diagram has seen.
    /// headBoxWidth(), measured once per rebuild or font change (-1: to measure): a listener's
    /// hundreds of peers are hundreds of heads, and layout() runs on every paint.
    mutable int m_boxWidth = -1;
    bool m_autoScroll = true;
    bool m_stickToBottom = true;
    int m_lastPainted = 0;
};

} // namespace hyperscope
