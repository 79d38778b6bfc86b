#include "flowpane.h"

#include "fieldtreemodel.h"
#include "flowgraph.h"
#include "hexpane.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

namespace hyperscope {

FlowPane::FlowPane(MessageLogFilterModel *filter, FieldTreeModel *fields, QWidget *parent)
    : QWidget(parent)
    , m_filter(filter)
    , m_fields(fields)
    , m_graph(new FlowGraph)
    , m_fieldView(new QTreeView)
    , m_hex(new HexPane)
    , m_splitter(new QSplitter(Qt::Vertical))
    , m_detailSplitter(new QSplitter(Qt::Horizontal))
{
    setObjectName(QStringLiteral("flowPane"));
    m_graph->setModel(filter);

    // The same tree as the Messages tab's (LogPane), over the same model.
    m_fieldView->setObjectName(QStringLiteral("flowFieldTreeView"));
    m_fieldView->setModel(fields);
    m_fieldView->setUniformRowHeights(true);
    m_fieldView->setAllColumnsShowFocus(true);
    m_fieldView->setSelectionBehavior(QAbstractItemView::SelectRows);
    QHeaderView *header = m_fieldView->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(FieldTreeModel::FieldColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(FieldTreeModel::ValueColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(FieldTreeModel::BytesColumn, QHeaderView::ResizeToContents);
    header->resizeSection(FieldTreeModel::FieldColumn,
                          fontMetrics().horizontalAdvance(QLatin1Char('0')) * 24);
    m_hex->setObjectName(QStringLiteral("flowHexPane"));
    m_hex->clear(tr("Click an arrow to see its bytes"));

    m_detailSplitter->addWidget(m_fieldView);
    m_detailSplitter->addWidget(m_hex);
    // The hex view needs its 16 columns; extra width goes to the field tree (as in LogPane).
    m_detailSplitter->setStretchFactor(0, 1);
    m_detailSplitter->setStretchFactor(1, 0);
    m_detailSplitter->setChildrenCollapsible(false);

    m_splitter->addWidget(m_graph);
    m_splitter->addWidget(m_detailSplitter);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);

    connect(m_splitter, &QSplitter::splitterMoved, this, [this] { m_userSized = true; });
    connect(m_detailSplitter, &QSplitter::splitterMoved, this, [this] { m_userSized = true; });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);

    // A filter change can take the current row away without a currentChanged() (the proxy
    // re-maps under a layout change): show what is current then, not what was.
    const auto onFilterChanged = [this] {
        const QModelIndex current = m_selection ? m_selection->currentIndex() : QModelIndex();
        if ((current.isValid() ? m_filter->mapToSource(current).row() : -1) != m_detailedRow)
            showCurrentRow();
    };
    connect(filter, &QAbstractItemModel::layoutChanged, this, onFilterChanged);
    connect(filter, &QAbstractItemModel::modelReset, this, onFilterChanged);
    connect(filter, &QAbstractItemModel::rowsRemoved, this, onFilterChanged);
    // The log pane refills the shared tree for every new current row (a model reset).
    connect(fields, &QAbstractItemModel::modelReset, this, &FlowPane::onFieldsReset);
    connect(m_fieldView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &FlowPane::onFieldSelected);
    connect(m_hex, &HexPane::byteClicked, this, &FlowPane::onByteClicked);
    onFieldsReset();
    setSelectionModel(m_graph->selectionModel());
}

void FlowPane::setSelectionModel(QItemSelectionModel *selection)
{
    disconnect(m_selectionConnection);
    m_selection = selection;
    m_graph->setSelectionModel(selection);
    if (selection)
        m_selectionConnection = connect(selection, &QItemSelectionModel::currentRowChanged, this,
                                        &FlowPane::showCurrentRow);
    showCurrentRow();
}

void FlowPane::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (!m_userSized)
        applyDefaultSizes();
}

void FlowPane::applyDefaultSizes()
{
    // The splitters' stretch factors share only what is left over the children's size hints,
    // and the graph's hint is tall: in a 640-pixel window the details would get a strip. Split
    // the height instead (the graph more than half: it is what the tab is for), and
    // give the field tree at least 40% of the width, the hex view its 16 columns when they fit.
    const int height = m_splitter->height();
    // Tall windows give the extra height to the graph: a message's tree needs ~18 lines.
    const int details = qMin(height * 42 / 100, 18 * fontMetrics().height() + 40);
    m_splitter->setSizes({height - details, details});
    const int width = m_detailSplitter->width();
    const int hex = qMin(m_hex->sizeHint().width(), width * 60 / 100);
    m_detailSplitter->setSizes({width - hex, hex});
}

void FlowPane::showCurrentRow()
{
    using Kind = MessageLogModel::Kind;
    const QModelIndex current = m_selection ? m_selection->currentIndex() : QModelIndex();
    const MessageLogModel *log = m_filter->logModel();
    m_detailedRow = current.isValid() && log ? m_filter->mapToSource(current).row() : -1;
    if (m_detailedRow < 0) {
        m_hex->clear(tr("Click an arrow to see its bytes"));
        return;
    }
    const MessageLogModel::Record &r = log->record(m_detailedRow);
    const QModelIndex source = log->index(m_detailedRow, 0);
    switch (r.kind) {
    case Kind::Frame:
    case Kind::KeepAlive:
        if (r.flags & MessageLogModel::BytesDropped) {
            m_hex->clear(tr("The bytes of this frame were not kept"));
        } else {
            const QByteArray plain = source.data(MessageLogModel::PlainBytesRole).toByteArray();
            const bool same = r.flags & MessageLogModel::PlainOnWire;
            m_hex->setBytes(
                plain, same ? plain : source.data(MessageLogModel::WireBytesRole).toByteArray(),
                same);
        }
        break;
    case Kind::Handshake: {
        // A Noise message crosses the wire as it is: there is no transport encryption yet.
        const QByteArray message = source.data(MessageLogModel::PlainBytesRole).toByteArray();
        m_hex->setBytes(message, message, true);
        break;
    }
    case Kind::Warning:
    case Kind::Error:
    case Kind::Event:
        m_hex->clear(r.kind == Kind::Event ? tr("A session event has no bytes")
                                           : tr("Stream offset %1").arg(r.streamOffset));
        break;
    }
}

void FlowPane::onFieldsReset()
{
    m_fieldView->expandAll();
    m_fieldView->resizeColumnToContents(FieldTreeModel::FieldColumn);
    m_hex->setHighlight(0, 0);
}

void FlowPane::onFieldSelected()
{
    const QModelIndex current = m_fieldView->currentIndex();
    if (!current.isValid()) {
        m_hex->setHighlight(0, 0);
        return;
    }
    m_hex->setHighlight(current.data(FieldTreeModel::OffsetRole).toLongLong(),
                        current.data(FieldTreeModel::LengthRole).toLongLong());
}

void FlowPane::onByteClicked(qsizetype offset)
{
    const QModelIndex index = m_fields->indexForByte(offset);
    if (!index.isValid())
        return;
    m_fieldView->setCurrentIndex(index);
    m_fieldView->scrollTo(index);
}

} // namespace hyperscope
