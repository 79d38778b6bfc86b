// FlowGraph: Wireshark's Flow Graph for the message log. The rows the log's filter shows, drawn
// as a sequence diagram between two lifelines, this side (left) and the peer (right) (three once
// the log holds a relayed session: client, hyperscope, server; a message is seen arriving on one
// leg and leaving on the other, and other sessions' rows run between hyperscope and the peer): one
// horizontal arrow per message in the direction it travelled, labelled with its type and channel,
// with the time on the left and the one-line summary on the right. Handshake messages and notes
// (session events, warnings, errors) have their own style, in the log's colours and icons.
//
// Built for a million rows, like the log: a QAbstractScrollArea whose scroll bar counts rows (one
// step per row, fixed row height) and whose paintEvent() formats the visible rows only; nothing
// is stored per row. The model is the log's MessageLogFilterModel, so every filter of the log
// applies here too; the selection model can be the log view's, so both show the same row.
#pragma once

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
    /// The first row drawn (the scroll bar's value).
    int firstVisibleRow() const;
    /// Rows that fit in the viewport below the header (the last may be cut).
    int visibleRowCount() const;
    /// The row (of the filter model) under viewport y, or -1.
    int rowAt(int y) const;
    /// Where row @p row is drawn now; empty when it is scrolled out of view.
    QRect rectForRow(int row) const;
    /// The x of the two outer lifelines.
    int leftLifelineX() const;
    int rightLifelineX() const;
    /// 2, or 3 when the log holds rows of a relayed session (MessageLogModel::hasLegs()).
    int lifelineCount() const;
    /// The x of lifeline @p index (0 .. lifelineCount() - 1, left to right).
    int lifelineX(int index) const;
    /// The lifelines row @p row's arrow runs from and to (indexes as lifelineX()); {-1, -1}
    /// for a note. With three: client 0, hyperscope 1, server 2.
    std::pair<int, int> arrowEnds(int row) const;
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
    struct Layout
    {
        int timeX = 0;
        int timeWidth = 0;
        int leftX = 0;
        int rightX = 0;
        int boxWidth = 0;
        int summaryX = 0;
        int summaryWidth = 0;
    };
    Layout layout() const;
    void updateScrollBar();
    void onRowsAboutToBeInserted();
    void onRowsInserted();
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
    bool m_autoScroll = true;
    bool m_stickToBottom = true;
    int m_lastPainted = 0;
};

} // namespace hyperscope
