#include "logpane.h"

#include "colouringrules.h"
#include "colouringrulesdialog.h"
#include "dissector.h"
#include "fieldcatalogue.h"
#include "fieldtreemodel.h"
#include "filteredit.h"
#include "handshakedissection.h"
#include "hexview.h"
#include "logrowexport.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "messages.h"
#include "varint.h"

#include <algorithm>

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDataStream>
#include <QEvent>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIODevice>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QResizeEvent>
#include <QScrollBar>
#include <QSplitter>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <functional>
#include <limits>

namespace hyperscope {

namespace {
constexpr int TextFilterDelayMs = 200;
constexpr int ScrollCoalesceMs = 30;
constexpr quint32 UnassignedBits = (1u << 11) | (1u << 12) | (1u << 13) | (1u << 14);

ByteView viewOf(const QByteArray &bytes)
{
    return {reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size())};
}

/// Rows are selected whole: no cell of the current row gets a focus frame of its own. Rows a
/// colouring rule matches get its background (asked per painted cell; the rules cache per row).
class RowDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    /// The colouring rules' background for a (proxy) index; invalid: the log's own tint.
    std::function<QColor(const QModelIndex &)> rowColour;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->state &= ~QStyle::State_HasFocus;
        if (rowColour) {
            const QColor colour = rowColour(index);
            if (colour.isValid()) {
                option->backgroundBrush = colour;
                // Readable on any rule colour, dark or pale.
                const QColor text = colour.lightness() < 128 ? Qt::white : Qt::black;
                option->palette.setColor(QPalette::Text, text);
            }
        }
    }
};

/// The message list. A QTableView, not a QTreeView: with fixed row heights it lays nothing out
/// per row, where a QTreeView (even with uniform row heights) walks every row of the model again
/// for each batch of inserted rows (0.12 µs a row: 120 ms per batch at a million rows, the
/// inspector's longest stall). Made to look and behave like the flat tree it replaces.
class LogTableView : public QTableView
{
public:
    LogTableView()
    {
        setShowGrid(false);
        setWordWrap(false);
        setCornerButtonEnabled(false);
        setTabKeyNavigation(false); // Tab leaves the list, as it does a tree
        setItemDelegate(new RowDelegate(this));
        verticalHeader()->hide();
        verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        verticalHeader()->setMinimumSectionSize(1);
        verticalHeader()->setDefaultSectionSize(rowHeight());
        QHeaderView *header = horizontalHeader();
        // A tree's header: left-aligned, movable, not clickable (no sorting), no highlight.
        header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        header->setSectionsMovable(true);
        header->setSectionsClickable(false);
        header->setHighlightSections(false);
    }

protected:
    QModelIndex moveCursor(CursorAction action, Qt::KeyboardModifiers modifiers) override
    {
        // Home and End go to the first and last message (a table would go to the first and last
        // column of the current row).
        if (action == MoveHome || action == MoveEnd)
            modifiers |= Qt::ControlModifier;
        return QTableView::moveCursor(action, modifiers);
    }

    void changeEvent(QEvent *event) override
    {
        QTableView::changeEvent(event);
        if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
            verticalHeader()->setDefaultSectionSize(rowHeight());
    }

private:
    /// The height the delegate gives a line of text: the rows of the flat tree this replaces
    /// (the direction icons fit in it).
    int rowHeight() const
    {
        QStyleOptionViewItem option;
        initViewItemOption(&option);
        option.features = QStyleOptionViewItem::HasDisplay;
        option.text = QStringLiteral("0");
        return style()->sizeFromContents(QStyle::CT_ItemViewItem, &option, QSize(), this).height();
    }
};
} // namespace

LogPane::LogPane(MessageLogModel *log, QWidget *parent)
    : QWidget(parent)
    , m_log(log)
    , m_filter(new MessageLogFilterModel(this))
    , m_fields(new FieldTreeModel(this))
    , m_logView(new LogTableView)
    , m_fieldView(new QTreeView)
    , m_hex(new HexPane)
    , m_mainSplitter(new QSplitter(Qt::Vertical))
    , m_detailSplitter(new QSplitter(Qt::Horizontal))
    , m_textTimer(new QTimer(this))
    , m_scrollTimer(new QTimer(this))
{
    m_filter->setSourceModel(m_log);
    m_colours = new ColouringRules(m_log, this);
    // The one keepalive switch until setKeepAlivesAction() hands in the window's.
    m_ownKeepAlivesAction = new QAction(tr("Keepalive"), this);
    m_ownKeepAlivesAction->setObjectName(QStringLiteral("logKeepAlivesAction"));
    m_ownKeepAlivesAction->setCheckable(true);
    m_ownKeepAlivesAction->setChecked(true);
    m_keepAlivesAction = m_ownKeepAlivesAction;

    // The message list (LogTableView: fixed row heights, no per-row layout).
    m_logView->setObjectName(QStringLiteral("messageLogView"));
    m_logView->setModel(m_filter);
    m_logView->setAlternatingRowColors(false); // rows are tinted by message type
    m_logView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_logView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_logView->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_logView->setTextElideMode(Qt::ElideRight);
    QHeaderView *header = m_logView->horizontalHeader();
    header->setStretchLastSection(true);
    header->setSectionResizeMode(QHeaderView::Interactive);
    const QFontMetrics fm(font());
    const int digit = fm.horizontalAdvance(QLatin1Char('0'));
    header->resizeSection(MessageLogModel::NumberColumn, digit * 8);
    fitTimeColumn(true);
    // Narrow enough that a 1024 px window still shows the Summary: a long session label elides
    // (its tooltip and the sidebar have it whole), and the columns stay resizable.
    header->resizeSection(MessageLogModel::SessionColumn, digit * 12);
    header->resizeSection(MessageLogModel::DirectionColumn, digit * 7);
    header->resizeSection(MessageLogModel::LegColumn, digit * 7);
    // The Leg column and the wide direction arrows ("client → relay") only matter once a relayed
    // session logs: until then the log looks as it always did.
    m_logView->setColumnHidden(MessageLogModel::LegColumn, true);
    const auto showLegs = [this, digit] {
        if (!m_log->hasLegs() || !m_logView->isColumnHidden(MessageLogModel::LegColumn))
            return;
        m_logView->setColumnHidden(MessageLogModel::LegColumn, false);
        m_logView->horizontalHeader()->resizeSection(MessageLogModel::DirectionColumn, digit * 15);
    };
    connect(m_log, &MessageLogModel::rowsFlushed, this, showLegs);
    showLegs();
    header->resizeSection(MessageLogModel::ChannelColumn, digit * 12);
    // The widest type a row shows is a handshake step: "Handshake 1/3" must not elide.
    header->resizeSection(
        MessageLogModel::TypeColumn,
        std::max(digit * 11, fm.horizontalAdvance(QStringLiteral("Handshake 3/3")) + 2 * digit));
    header->resizeSection(MessageLogModel::SizeColumn, digit * 6);

    // Colouring rules paint the rows they match; a change of rules repaints.
    static_cast<RowDelegate *>(m_logView->itemDelegate())->rowColour =
        [this](const QModelIndex &index) {
            return m_colours->colourFor(m_filter->mapToSource(index).row());
        };
    connect(m_colours, &ColouringRules::rulesChanged, m_logView->viewport(),
            qOverload<>(&QWidget::update));

    // The detail tree.
    m_fieldView->setObjectName(QStringLiteral("fieldTreeView"));
    m_fieldView->setModel(m_fields);
    m_fieldView->setUniformRowHeights(true);
    m_fieldView->setAllColumnsShowFocus(true);
    m_fieldView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_fieldView->header()->setStretchLastSection(false);
    m_fieldView->header()->setSectionResizeMode(FieldTreeModel::FieldColumn,
                                                QHeaderView::Interactive);
    m_fieldView->header()->setSectionResizeMode(FieldTreeModel::ValueColumn, QHeaderView::Stretch);
    m_fieldView->header()->setSectionResizeMode(FieldTreeModel::BytesColumn,
                                                QHeaderView::ResizeToContents);
    m_fieldView->header()->resizeSection(FieldTreeModel::FieldColumn, digit * 24);
    m_fieldView->installEventFilter(this); // fits the Field column to the tree's width
    connect(m_fieldView->header(), &QHeaderView::sectionResized, this, [this](int section) {
        if (section == FieldTreeModel::FieldColumn && !m_fittingFieldColumn)
            m_fieldColumnSet = true;
    });

    m_detailSplitter->addWidget(m_fieldView);
    m_detailSplitter->addWidget(m_hex);
    // The hex view needs its 16 columns; extra width goes to the field tree.
    m_detailSplitter->setStretchFactor(0, 1);
    m_detailSplitter->setStretchFactor(1, 0);
    m_detailSplitter->setChildrenCollapsible(false);
    connect(m_detailSplitter, &QSplitter::splitterMoved, this, [this] { m_detailSplitSet = true; });

    m_mainSplitter->addWidget(m_logView);
    m_mainSplitter->addWidget(m_detailSplitter);
    m_mainSplitter->setStretchFactor(0, 3);
    m_mainSplitter->setStretchFactor(1, 2);
    m_mainSplitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(buildFilterBar());
    layout->addWidget(m_mainSplitter, 1);

    connect(m_logView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid()) {
                    showRow(m_filter->mapToSource(current).row());
                    return;
                }
                // Lost to the filter (not deselected): remembered, and the details say why.
                const bool hidden =
                    m_currentRow >= 0 && m_currentRow < m_log->rowCount() &&
                    !m_filter->mapFromSource(m_log->index(m_currentRow, 0)).isValid();
                if (hidden)
                    showSelectionHidden();
                else
                    showRow(-1);
            });
    connect(m_fieldView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &LogPane::onFieldSelected);
    connect(m_hex, &HexPane::byteClicked, this, &LogPane::onByteClicked);

    // Auto-scroll: decide before the rows arrive whether the user was at the bottom.
    m_scrollTimer->setSingleShot(true);
    m_scrollTimer->setInterval(ScrollCoalesceMs);
    connect(m_scrollTimer, &QTimer::timeout, m_logView, &QAbstractItemView::scrollToBottom);
    connect(m_filter, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        const QScrollBar *bar = m_logView->verticalScrollBar();
        m_stickToBottom = bar->value() >= bar->maximum() - 4;
    });
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &LogPane::onRowsInserted);
    // A filter change is one layout change (MessageLogFilterModel::refilter()).
    connect(m_filter, &QAbstractItemModel::layoutAboutToBeChanged, this,
            &LogPane::onFilterAboutToChange);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &LogPane::onFilterChanged);
    connect(m_filter, &QAbstractItemModel::modelReset, this, [this] {
        showRow(-1);
        updateCount();
    });
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &LogPane::onFilterChanged);
    // Rows the filter hides change the total but insert nothing into the filter.
    connect(m_log, &MessageLogModel::rowsFlushed, this, &LogPane::updateCount);
    connect(m_log, &MessageLogModel::timeFormatChanged, this, [this] { fitTimeColumn(true); });

    // Right-click menus.
    m_logView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_logView, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex index = m_logView->indexAt(pos);
        if (!index.isValid())
            return;
        m_logView->setCurrentIndex(index);
        QMenu *menu = createRowMenu(m_filter->mapToSource(index).row(), this);
        menu->exec(m_logView->viewport()->mapToGlobal(pos));
        delete menu;
    });
    m_fieldView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_fieldView, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex index = m_fieldView->indexAt(pos);
        if (!index.isValid())
            return;
        m_fieldView->setCurrentIndex(index);
        QMenu *menu = createFieldMenu(index, this);
        menu->exec(m_fieldView->viewport()->mapToGlobal(pos));
        delete menu;
    });
    connect(m_log, &MessageLogModel::channelKeyAdded, this, &LogPane::addChannelKey);
    connect(m_log, &QAbstractItemModel::modelReset, this, [this] {
        // Keys survive a clear: the channel filter keeps its entries (the session filter
        // follows sessionsCleared()).
        updateCount();
    });

    m_textTimer->setSingleShot(true);
    m_textTimer->setInterval(TextFilterDelayMs);
    connect(m_textTimer, &QTimer::timeout, this, [this] {
        // Live only while it is cheap: a long log is filtered on Enter.
        if (m_log->rowCount() <= LiveFilterRows)
            applyFilterBar();
    });

    // The session filter follows the log's sessions, and nothing else.
    connect(m_log, &MessageLogModel::sessionAdded, this, &LogPane::addSessionEntry);
    connect(m_log, &MessageLogModel::sessionLabelChanged, this, &LogPane::renameSessionEntry);
    connect(m_log, &MessageLogModel::sessionsCleared, this, &LogPane::clearSessionEntries);
    for (quint32 i = 1; i < m_log->channelKeyCount(); ++i)
        addChannelKey(i);
    for (const int session : m_log->sessions())
        addSessionEntry(session);
    updateCount();
}

QWidget *LogPane::buildFilterBar()
{
    auto *bar = new QWidget;
    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);

    m_text = new FilterEdit;
    m_text->setObjectName(QStringLiteral("logTextFilter"));
    connect(m_text, &QLineEdit::textChanged, this, [this] { m_textTimer->start(); });
    connect(m_text, &FilterEdit::applyRequested, this, [this] {
        m_textTimer->stop();
        applyFilterBar();
    });
    connect(m_text, &FilterEdit::stateChanged, this,
            [this](FilterEdit::State state, const QString &error) {
                const QString text = state == FilterEdit::State::Invalid
                                         ? tr("Invalid filter: %1").arg(error)
                                         : QString();
                m_filterError->setText(text);
                m_filterError->setToolTip(text);
                m_filterError->setVisible(!text.isEmpty());
            });

    m_sessionCombo = new QComboBox;
    m_sessionCombo->setObjectName(QStringLiteral("logSessionFilter"));
    m_sessionCombo->setToolTip(tr("Show the messages of one session"));
    m_sessionCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_sessionCombo->addItem(tr("All sessions"), 0);
    connect(m_sessionCombo, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setSessionFilter(m_sessionCombo->currentData().toInt()); });

    m_channelCombo = new QComboBox;
    m_channelCombo->setObjectName(QStringLiteral("logChannelFilter"));
    m_channelCombo->setToolTip(tr("Show the messages of one channel (by discovery key)"));
    m_channelCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_channelCombo->addItem(tr("All channels"), 0u);
    connect(m_channelCombo, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setChannelFilter(m_channelCombo->currentData().toUInt()); });

    m_typeButton = new QToolButton;
    m_typeButton->setObjectName(QStringLiteral("logTypeFilter"));
    m_typeButton->setText(tr("All types"));
    m_typeButton->setToolTip(tr("Choose which message types are shown"));
    m_typeButton->setPopupMode(QToolButton::InstantPopup);
    // An instant-popup button's size hint leaves no room for its menu arrow, which the style
    // then paints over the text: reserve it, for the widest text the button shows, so that the
    // bar does not jump either.
    {
        const QFontMetrics metrics(m_typeButton->font());
        const int arrow = m_typeButton->style()->pixelMetric(QStyle::PM_MenuButtonIndicator);
        int text = 0;
        for (const QString &t :
             {tr("All types"), tr("No types"), tr("%1 of %2 types").arg(11).arg(12)})
            text = qMax(text, metrics.horizontalAdvance(t));
        m_typeButton->setMinimumWidth(text + arrow + 4 * metrics.averageCharWidth());
    }
    m_typeMenu = new QMenu(m_typeButton);
    auto addTypeAction = [this](const QString &text, quint32 bits) {
        QAction *action = m_typeMenu->addAction(text);
        action->setCheckable(true);
        action->setChecked(true);
        action->setData(bits);
        connect(action, &QAction::toggled, this, &LogPane::applyTypeMenu);
    };
    for (std::uint8_t type = 0; type <= 10; ++type)
        addTypeAction(QString::fromLatin1(messageTypeName(type).data()), 1u << type);
    addTypeAction(tr("Extension"), 1u << 15);
    addTypeAction(tr("Unassigned (11–14)"), UnassignedBits);
    m_typeMenu->addSeparator();
    addTypeAction(tr("Handshake"), MessageLogFilterModel::HandshakeBit);
    m_typeMenu->addAction(m_keepAlivesAction);
    connectKeepAlivesAction();
    addTypeAction(tr("Session events"), MessageLogFilterModel::NoteBit);
    m_typeMenu->addSeparator();
    m_typeMenu->addAction(tr("Show All Types"), this,
                          [this] { filterOnType(MessageLogFilterModel::AllTypes); });
    m_typeMenu->addAction(tr("Hide All Types"), this, [this] { filterOnType(0); });
    m_typeButton->setMenu(m_typeMenu);

    m_directionCombo = new QComboBox;
    m_directionCombo->setObjectName(QStringLiteral("logDirectionFilter"));
    m_directionCombo->addItem(tr("Both directions"));
    m_directionCombo->addItem(tr("Received only"));
    m_directionCombo->addItem(tr("Sent only"));
    connect(m_directionCombo, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_filter->setDirections(index != 2, index != 1); });

    m_keepAlives = new QCheckBox(tr("Keepalives"));
    m_keepAlives->setObjectName(QStringLiteral("logKeepAlives"));
    m_keepAlives->setToolTip(tr("Show empty keepalive frames"));
    m_keepAlives->setChecked(true);
    // A view of the keepalive action, nothing more (see connectKeepAlivesAction()).
    connect(m_keepAlives, &QCheckBox::toggled, this, [this](bool on) { setShowKeepAlives(on); });

    m_problems = new QCheckBox(tr("Keep problems"));
    m_problems->setObjectName(QStringLiteral("logKeepProblems"));
    m_problems->setToolTip(tr("Keep warnings and errors in the list whatever the channel, type, "
                              "direction and text filters hide"));
    m_problems->setChecked(m_filter->alwaysShowProblems());
    connect(m_problems, &QCheckBox::toggled, m_filter,
            &MessageLogFilterModel::setAlwaysShowProblems);

    m_count = new QLabel;
    m_count->setObjectName(QStringLiteral("logCount"));
    m_count->setForegroundRole(QPalette::PlaceholderText);

    m_filterError = new QLabel;
    m_filterError->setObjectName(QStringLiteral("logFilterError"));
    m_filterError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Shown only while the bar is red, beside it; cut to the room it has (the tooltip and the
    // status bar say it all).
    m_filterError->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_filterError->hide();
    QPalette red = m_filterError->palette();
    red.setColor(QPalette::WindowText, QColor(0xc0, 0x10, 0x10));
    m_filterError->setPalette(red);
    // The first row, Wireshark's filter toolbar: the expression, its error while it is red, the
    // saved filter buttons after "+", and what the filters show.
    auto *toolbar = new QToolBar;
    toolbar->setObjectName(QStringLiteral("savedFilterBar"));
    toolbar->setIconSize(QSize(12, 12));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->setContextMenuPolicy(Qt::PreventContextMenu);
    m_savedBar = toolbar;
    rebuildSavedFilterBar();
    layout->addWidget(m_text, 3);
    layout->addWidget(m_filterError, 2);
    layout->addWidget(toolbar);
    layout->addWidget(m_count);

    // The second row: the shortcut filters that apply together with the expression.
    auto *shortcutRow = new QHBoxLayout;
    shortcutRow->setContentsMargins(0, 0, 0, 0);
    shortcutRow->setSpacing(6);
    shortcutRow->addWidget(m_sessionCombo);
    shortcutRow->addWidget(m_channelCombo);
    shortcutRow->addWidget(m_typeButton);
    shortcutRow->addWidget(m_directionCombo);
    shortcutRow->addWidget(m_keepAlives);
    shortcutRow->addWidget(m_problems);
    shortcutRow->addStretch(1);

    auto *rows = new QWidget;
    auto *rowsLayout = new QVBoxLayout(rows);
    rowsLayout->setContentsMargins(0, 0, 0, 0);
    rowsLayout->setSpacing(2);
    rowsLayout->addWidget(bar);
    rowsLayout->addLayout(shortcutRow);
    return rows;
}

void LogPane::editColouringRulesInteractive()
{
    ColouringRulesDialog dialog(this);
    dialog.setRules(m_colours->rules());
    if (dialog.exec() == QDialog::Accepted)
        m_colours->setRules(dialog.rules());
}

QLineEdit *LogPane::textFilterEdit() const
{
    return m_text;
}

bool LogPane::applyFilterBar()
{
    QString error;
    std::optional<filter::Filter> compiled;
    const QString text = m_text->text();
    switch (FilterEdit::classify(text, &error, &compiled)) {
    case FilterEdit::State::Empty:
        m_filter->setTextFilter({});
        m_filter->setExpression({});
        break;
    case FilterEdit::State::Valid:
        m_filter->setTextFilter({});
        m_filter->setExpression(*compiled);
        break;
    case FilterEdit::State::TextSearch:
        m_filter->setExpression({});
        m_filter->setTextFilter(text);
        break;
    case FilterEdit::State::Invalid:
        emit statusMessage(tr("Invalid filter: %1").arg(error));
        return false;
    }
    updateCount();
    return true;
}

bool LogPane::setFilterText(const QString &text)
{
    m_text->setText(text);
    m_textTimer->stop();
    if (!applyFilterBar())
        return false;
    m_text->addToHistory(text);
    return true;
}

QString LogPane::filterError() const
{
    return m_text->state() == FilterEdit::State::Invalid ? m_text->errorText() : QString();
}

QStringList LogPane::filterHistory() const
{
    return m_text->history();
}

void LogPane::setFilterHistory(const QStringList &history)
{
    m_text->setHistory(history);
}

void LogPane::setSavedFilters(const QList<SavedFilter> &filters)
{
    m_saved.clear();
    for (const SavedFilter &saved : filters) {
        if (!saved.name.trimmed().isEmpty() && !saved.expression.trimmed().isEmpty())
            m_saved.append(saved);
    }
    rebuildSavedFilterBar();
}

void LogPane::addSavedFilter(const QString &name, const QString &expression)
{
    const QString trimmedName = name.trimmed();
    if (trimmedName.isEmpty() || expression.trimmed().isEmpty())
        return;
    for (SavedFilter &saved : m_saved) {
        if (saved.name == trimmedName) {
            saved.expression = expression.trimmed();
            rebuildSavedFilterBar();
            emit savedFiltersChanged();
            return;
        }
    }
    m_saved.append({trimmedName, expression.trimmed()});
    rebuildSavedFilterBar();
    emit savedFiltersChanged();
}

void LogPane::removeSavedFilter(int index)
{
    if (index < 0 || index >= m_saved.size())
        return;
    m_saved.removeAt(index);
    rebuildSavedFilterBar();
    emit savedFiltersChanged();
}

void LogPane::saveFilterInteractive()
{
    const QString expression = m_text->text().trimmed();
    if (expression.isEmpty()) {
        emit statusMessage(tr("Type a filter first: “+” saves the filter bar's text"));
        return;
    }
    if (m_text->state() == FilterEdit::State::Invalid) {
        emit statusMessage(tr("Invalid filter: %1").arg(m_text->errorText()));
        return;
    }
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, tr("Save Filter"), tr("Button label for “%1”:").arg(expression),
                              QLineEdit::Normal, expression.left(24), &ok);
    if (ok)
        addSavedFilter(name, expression);
}

void LogPane::rebuildSavedFilterBar()
{
    auto *toolbar = static_cast<QToolBar *>(m_savedBar);
    toolbar->clear();
    QAction *save = toolbar->addAction(QStringLiteral("+"), this, &LogPane::saveFilterInteractive);
    save->setObjectName(QStringLiteral("saveFilter"));
    save->setToolTip(tr("Save the filter bar's text as a button"));
    for (int i = 0; i < m_saved.size(); ++i) {
        const SavedFilter saved = m_saved.at(i);
        QAction *apply =
            toolbar->addAction(QString(saved.name).replace(QLatin1Char('&'), QLatin1String("&&")));
        apply->setObjectName(QStringLiteral("savedFilter%1").arg(i));
        apply->setToolTip(saved.expression);
        connect(apply, &QAction::triggered, this,
                [this, expression = saved.expression] { setFilterText(expression); });
        // Remove through the button's context menu. The action is the button's child, not one
        // of its actions(): a tool button with several actions would become a drop-down.
        QWidget *button = toolbar->widgetForAction(apply);
        button->setContextMenuPolicy(Qt::CustomContextMenu);
        auto *remove = new QAction(tr("Remove “%1”").arg(saved.name), button);
        remove->setObjectName(QStringLiteral("removeSavedFilter"));
        connect(remove, &QAction::triggered, this, [this, i] {
            // Queued: the button that owns this action goes with the rebuild.
            QTimer::singleShot(0, this, [this, i] { removeSavedFilter(i); });
        });
        connect(button, &QWidget::customContextMenuRequested, button,
                [button, remove](const QPoint &pos) {
                    QMenu menu;
                    menu.addAction(remove);
                    menu.exec(button->mapToGlobal(pos));
                });
    }
}

void LogPane::applyTypeMenu()
{
    if (m_settingAllTypes)
        return; // filterOnType() applies once at the end
    quint32 mask = 0;
    int checked = 0;
    int total = 0;
    for (QAction *action : m_typeMenu->actions()) {
        if (!action->isCheckable())
            continue;
        ++total;
        if (action->isChecked()) {
            mask |= action == m_keepAlivesAction ? quint32(MessageLogFilterModel::KeepAliveBit)
                                                 : action->data().toUInt();
            ++checked;
        }
    }
    m_filter->setTypeMask(mask);
    m_typeButton->setText(checked == total ? tr("All types")
                          : checked == 0   ? tr("No types")
                                           : tr("%1 of %2 types").arg(checked).arg(total));
    {
        const QSignalBlocker blocker(m_keepAlives);
        m_keepAlives->setChecked(mask & MessageLogFilterModel::KeepAliveBit);
    }
    updateCount();
}

void LogPane::setShowKeepAlives(bool show)
{
    m_keepAlivesAction->setChecked(show); // onKeepAlivesToggled() follows
}

bool LogPane::showKeepAlives() const
{
    return m_filter->showKeepAlives();
}

void LogPane::connectKeepAlivesAction()
{
    connect(m_keepAlivesAction, &QAction::toggled, this, &LogPane::onKeepAlivesToggled);
}

void LogPane::onKeepAlivesToggled(bool on)
{
    {
        const QSignalBlocker blocker(m_keepAlives);
        m_keepAlives->setChecked(on);
    }
    applyTypeMenu();
    emit keepAlivesToggled(on);
}

void LogPane::setKeepAlivesAction(QAction *action)
{
    QAction *next = action ? action : m_ownKeepAlivesAction;
    if (next == m_keepAlivesAction)
        return;
    // The new action takes the old one's place in the type menu, and its state.
    const bool on = m_keepAlivesAction->isChecked();
    disconnect(m_keepAlivesAction, &QAction::toggled, this, &LogPane::onKeepAlivesToggled);
    m_typeMenu->insertAction(m_keepAlivesAction, next);
    m_typeMenu->removeAction(m_keepAlivesAction);
    m_keepAlivesAction = next;
    next->setCheckable(true);
    {
        const QSignalBlocker blocker(next);
        next->setChecked(on);
    }
    connectKeepAlivesAction();
}

void LogPane::setAlwaysShowProblems(bool on)
{
    m_problems->setChecked(on); // the filter follows
}

bool LogPane::alwaysShowProblems() const
{
    return m_filter->alwaysShowProblems();
}

quint32 LogPane::typeBitsOf(const MessageLogModel::Record &record)
{
    using Kind = MessageLogModel::Kind;
    switch (record.kind) {
    case Kind::Frame:
        return (record.type > 10 && record.type < 15) ? UnassignedBits : 1u << (record.type & 15);
    case Kind::KeepAlive:
        return MessageLogFilterModel::KeepAliveBit;
    case Kind::Handshake:
        return MessageLogFilterModel::HandshakeBit;
    case Kind::Warning:
    case Kind::Error:
    case Kind::Event:
        break;
    }
    return MessageLogFilterModel::NoteBit;
}

void LogPane::filterOnType(quint32 bits)
{
    // Every entry of the type menu at once, then one refilter.
    m_settingAllTypes = true;
    for (QAction *action : m_typeMenu->actions()) {
        if (!action->isCheckable())
            continue;
        const quint32 own = action == m_keepAlivesAction
                                ? quint32(MessageLogFilterModel::KeepAliveBit)
                                : action->data().toUInt();
        action->setChecked(bits & own);
    }
    m_settingAllTypes = false;
    applyTypeMenu();
}

void LogPane::setSessionFilter(int session)
{
    const int index = m_sessionCombo->findData(session);
    if (index >= 0)
        m_sessionCombo->setCurrentIndex(index);
}

void LogPane::setAutoScroll(bool on)
{
    m_autoScroll = on;
    if (on)
        m_logView->scrollToBottom();
}

void LogPane::focusTextFilter()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

void LogPane::addSessionEntry(int session)
{
    // Updated in place, never rebuilt, so that an open popup and the current choice survive.
    if (m_sessionCombo->findData(session) < 0)
        m_sessionCombo->addItem(m_log->sessionLabel(session), session);
}

void LogPane::renameSessionEntry(int session)
{
    const int entry = m_sessionCombo->findData(session);
    if (entry > 0)
        m_sessionCombo->setItemText(entry, m_log->sessionLabel(session));
}

void LogPane::clearSessionEntries()
{
    // Back to "All sessions" first: the filter follows the combo, and then no removal below
    // touches the current entry.
    m_sessionCombo->setCurrentIndex(0);
    while (m_sessionCombo->count() > 1)
        m_sessionCombo->removeItem(m_sessionCombo->count() - 1);
}

void LogPane::addChannelKey(quint32 index)
{
    const std::optional<Key32> key = m_log->channelKey(index);
    if (!key)
        return;
    m_channelCombo->addItem(tr("Channel %1…").arg(shortKeyHex(*key)), index);
    m_channelCombo->setItemData(m_channelCombo->count() - 1, QString::fromStdString(toHex(*key)),
                                Qt::ToolTipRole);
}

void LogPane::onRowsInserted()
{
    updateCount();
    if (m_autoScroll && m_stickToBottom && !m_scrollTimer->isActive())
        m_scrollTimer->start();
}

void LogPane::onFilterAboutToChange()
{
    const QScrollBar *bar = m_logView->verticalScrollBar();
    m_wasAtBottom = bar->value() >= bar->maximum() - 4;
}

void LogPane::onFilterChanged()
{
    updateCount();
    if (m_currentRow >= 0 && m_currentRow < m_log->rowCount()) {
        const QModelIndex proxy = m_filter->mapFromSource(m_log->index(m_currentRow, 0));
        if (!proxy.isValid()) {
            if (!m_selectionHidden)
                showSelectionHidden();
            return;
        }
        // Shown (again): selected, and in view where the list would otherwise jump.
        if (m_selectionHidden || m_logView->currentIndex().row() != proxy.row())
            m_logView->setCurrentIndex(proxy);
        // The view lays out the new rows later; scrolling first would stop at the old range.
        m_logView->doItemsLayout();
        m_logView->scrollTo(proxy, QAbstractItemView::PositionAtCenter);
        return;
    }
    if (m_autoScroll && m_wasAtBottom) {
        m_logView->doItemsLayout();
        m_logView->scrollToBottom();
    }
}

QString LogPane::hiddenSelectionText()
{
    return tr("The selected message is hidden by the filter");
}

void LogPane::showSelectionHidden()
{
    // m_currentRow stays: the message comes back selected when a filter shows it again.
    m_selectionHidden = true;
    m_fields->setTree(noteField("Hidden", hiddenSelectionText().toStdString()));
    m_hex->clear(hiddenSelectionText());
    emit currentRowChanged(-1);
}

void LogPane::fitTimeColumn(bool exact)
{
    // Error rows are bold: measure the widest text of the format in bold.
    QFont bold = m_logView->font();
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    QString widest;
    switch (m_log->timeFormat()) {
    case MessageLogModel::TimeFormat::SinceSessionStart:
        widest = QStringLiteral("88888.888888");
        break;
    case MessageLogModel::TimeFormat::SincePrevious:
        widest = QStringLiteral("-88888.888888");
        break;
    case MessageLogModel::TimeFormat::WallClock:
        widest = QStringLiteral("88:88:88.888");
        break;
    }
    const int margins =
        2 * (m_logView->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, m_logView) + 1);
    const int needed = metrics.horizontalAdvance(widest) + margins + metrics.averageCharWidth();
    QHeaderView *header = m_logView->horizontalHeader();
    if (exact || header->sectionSize(MessageLogModel::TimeColumn) < needed)
        header->resizeSection(MessageLogModel::TimeColumn, needed);
}

void LogPane::setTimeFormat(MessageLogModel::TimeFormat format)
{
    m_log->setTimeFormat(format); // timeFormatChanged(): the column is fitted
}

bool LogPane::goToRow(int number, QString *error)
{
    const auto fail = [error](const QString &text) {
        if (error)
            *error = text;
        return false;
    };
    const int total = m_log->rowCount();
    const QLocale locale;
    if (total == 0)
        return fail(tr("Row %1: the log is empty").arg(locale.toString(number)));
    if (number < 1 || number > total)
        return fail(tr("There is no row %1: the log's rows are numbered 1 to %2")
                        .arg(locale.toString(number), locale.toString(total)));
    if (!selectSourceRow(number - 1))
        return fail(tr("Row %1 is hidden by the filter").arg(locale.toString(number)));
    return true;
}

void LogPane::goToRowInteractive()
{
    QInputDialog dialog(this);
    dialog.setObjectName(QStringLiteral("goToRowDialog"));
    dialog.setWindowTitle(tr("Go to Row"));
    dialog.setInputMode(QInputDialog::IntInput);
    // Any number: one out of range gets a message that says so, not a silent clamp.
    dialog.setIntRange(0, std::numeric_limits<int>::max());
    dialog.setIntValue(m_currentRow >= 0 ? m_currentRow + 1 : 1);
    dialog.setLabelText(
        tr("Row number (No. column, 1 to %1):").arg(QLocale().toString(m_log->rowCount())));
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    if (goToRow(dialog.intValue(), &error))
        m_logView->setFocus(Qt::ShortcutFocusReason);
    else
        emit statusMessage(error);
}

void LogPane::copyText(const QString &text, const QString &what)
{
    QGuiApplication::clipboard()->setText(text);
    emit statusMessage(tr("Copied %1 (%2 characters)").arg(what).arg(text.size()));
}

QMenu *LogPane::createRowMenu(int sourceRow, QWidget *parent)
{
    auto *menu = new QMenu(parent);
    menu->setObjectName(QStringLiteral("logRowMenu"));
    if (sourceRow < 0 || sourceRow >= m_log->rowCount())
        return menu;
    const MessageLogModel::Record r = m_log->record(sourceRow);
    // The texts are made now (one row, cheap): the actions do not depend on the row later.
    auto add = [this, menu](const char *name, const QString &text, bool enabled, auto run) {
        QAction *action = menu->addAction(text, this, run);
        action->setObjectName(QLatin1String(name));
        action->setEnabled(enabled);
        return action;
    };
    const QString summary = m_log->summaryText(r);
    add("copySummary", tr("Copy Summary"), !summary.isEmpty(),
        [this, summary] { copyText(summary, tr("the summary")); });
    const std::optional<QString> value = logrow::valueText(*m_log, sourceRow);
    add("copyValue", tr("Copy Value"), value.has_value(),
        [this, text = value.value_or(QString())] { copyText(text, tr("the value")); })
        ->setToolTip(tr("A Data message's value, an extension's payload, an Open's discovery "
                        "key, a note's text"));
    const QString hex = logrow::bytesHex(*m_log, sourceRow);
    add("copyHex", tr("Copy Bytes as Hex"), !hex.isEmpty(),
        [this, hex] { copyText(hex, tr("the bytes as hex")); });
    const QString json = QString::fromUtf8(
        QJsonDocument(logrow::toJson(*m_log, sourceRow)).toJson(QJsonDocument::Compact));
    add("copyJson", tr("Copy as JSON"), true, [this, json] { copyText(json, tr("the JSON")); });
    menu->addSeparator();
    const quint32 bits = typeBitsOf(r);
    add("filterType", tr("Filter on Type “%1”").arg(m_log->typeText(r)), true,
        [this, bits] { filterOnType(bits); });
    const int channelEntry = r.channelKey ? m_channelCombo->findData(r.channelKey) : -1;
    const std::optional<Key32> key = m_log->channelKey(r.channelKey);
    add("filterChannel",
        key ? tr("Filter on Channel %1…").arg(shortKeyHex(*key)) : tr("Filter on Channel"),
        channelEntry >= 0, [this, channelEntry] { m_channelCombo->setCurrentIndex(channelEntry); });
    const int session = r.session;
    add("filterSession", tr("Filter on Session %1").arg(m_log->sessionLabel(session)),
        m_sessionCombo->findData(session) >= 0, [this, session] { setSessionFilter(session); });

    // The same and more as expressions, written into the filter bar and applied.
    QMenu *apply = menu->addMenu(tr("Apply as Filter"));
    apply->setObjectName(QStringLiteral("rowApplyAsFilter"));
    const auto addExpression = [this, apply](const char *name, const QString &expression) {
        if (expression.isEmpty())
            return;
        // "&&" would be read as a mnemonic marker.
        QAction *action =
            apply->addAction(QString(expression).replace(QLatin1Char('&'), QLatin1String("&&")),
                             this, [this, expression] { setFilterText(expression); });
        action->setObjectName(QLatin1String(name));
    };
    using Kind = MessageLogModel::Kind;
    addExpression("rowFilterType", rowFilterExpression(r));
    addExpression("rowFilterSession", QStringLiteral("session == %1").arg(session));
    if (r.kind != Kind::Event)
        addExpression("rowFilterDirection", r.direction() == Direction::Outbound
                                                ? QStringLiteral("dir == out")
                                                : QStringLiteral("dir == in"));
    if (r.leg != MessageLogModel::Leg::None)
        addExpression("rowFilterLeg",
                      QStringLiteral("leg == %1").arg(MessageLogModel::legName(r.leg)));
    if (key)
        addExpression("rowFilterDiscoveryKey",
                      QStringLiteral("dk == %1").arg(QString::fromStdString(toHex(*key))));

    // Replay: only rows that hold a message (decoded types 0..10).
    const bool holdsMessage =
        r.kind == Kind::Frame && r.type <= 10 &&
        !(r.flags & (MessageLogModel::BytesDropped | MessageLogModel::Malformed));
    if (m_resendTargets && holdsMessage) {
        menu->addSeparator();
        const QList<ResendTarget> targets = m_resendTargets(sourceRow);
        ResendTarget same;
        for (const ResendTarget &target : targets) {
            if (target.sameAsRow)
                same = target;
        }
        QAction *resend = add("resend", tr("Resend"), same.session != 0,
                              [this, sourceRow, same] { emit resendRequested(sourceRow, same); });
        resend->setToolTip(same.session ? tr("Send this message again on %1").arg(same.label)
                                        : tr("The row's session cannot send (ended, read-only, "
                                             "or the channel is closed): use Resend On"));
        QMenu *on = menu->addMenu(tr("Resend On"));
        on->setObjectName(QStringLiteral("resendOn"));
        on->setEnabled(!targets.isEmpty());
        for (const ResendTarget &target : targets) {
            QAction *action = on->addAction(target.label, this, [this, sourceRow, target] {
                emit resendRequested(sourceRow, target);
            });
            action->setObjectName(QStringLiteral("resendOn%1").arg(target.session));
        }
        add("editAndResend", tr("Edit and Resend…"), true, [this, sourceRow] {
            emit editAndResendRequested(sourceRow);
        })->setToolTip(tr("Prefill the send form with this message"));
    }
    if (m_rowMenuExtension)
        m_rowMenuExtension(menu, sourceRow);
    return menu;
}

void LogPane::setRowMenuExtension(std::function<void(QMenu *, int)> extend)
{
    m_rowMenuExtension = std::move(extend);
}

void LogPane::setResendTargets(std::function<QList<ResendTarget>(int sourceRow)> targets)
{
    m_resendTargets = std::move(targets);
}

QMenu *LogPane::createFieldMenu(const QModelIndex &field, QWidget *parent)
{
    auto *menu = new QMenu(parent);
    menu->setObjectName(QStringLiteral("fieldMenu"));
    if (!field.isValid())
        return menu;
    const QString name = field.siblingAtColumn(FieldTreeModel::FieldColumn).data().toString();
    const QString value = field.siblingAtColumn(FieldTreeModel::ValueColumn).data().toString();
    const auto offset = field.data(FieldTreeModel::OffsetRole).toLongLong();
    const auto length = field.data(FieldTreeModel::LengthRole).toLongLong();
    // The field's bytes are the selected message's bytes in clear (what the hex view shows).
    const QByteArray plain = m_selectionHidden ? QByteArray() : m_log->plainBytes(m_currentRow);
    const QString hex = length > 0 && offset + length <= plain.size()
                            ? QString::fromLatin1(plain.mid(offset, length).toHex())
                            : QString();
    auto add = [this, menu](const char *name, const QString &text, bool enabled, auto run) {
        QAction *action = menu->addAction(text, this, run);
        action->setObjectName(QLatin1String(name));
        action->setEnabled(enabled);
    };
    add("copyFieldValue", tr("Copy Value"), !value.isEmpty(),
        [this, value] { copyText(value, tr("the value")); });
    add("copyFieldHex", tr("Copy as Hex"), !hex.isEmpty(),
        [this, hex] { copyText(hex, tr("the field's bytes as hex")); });
    const QString line = value.isEmpty() ? name : QStringLiteral("%1: %2").arg(name, value);
    add("copyField", tr("Copy “Name: Value”"), !name.isEmpty(),
        [this, line] { copyText(line, tr("the field")); });

    // Wireshark's Apply as Filter / Prepare as Filter: apply at once, or only write the filter
    // bar for the user to edit and apply.
    menu->addSeparator();
    const QString expression = filterExpressionFor(field);
    const bool current = !m_text->text().trimmed().isEmpty();
    struct Choice
    {
        const char *name;
        QString text;
        Combine how;
        bool needsCurrent;
    };
    const Choice choices[] = {
        {"Selected", tr("&Selected"), Combine::Selected, false},
        {"NotSelected", tr("&Not Selected"), Combine::NotSelected, false},
        {"AndSelected", tr("…&and Selected"), Combine::AndSelected, true},
        {"OrSelected", tr("…&or Selected"), Combine::OrSelected, true},
        {"AndNotSelected", tr("…a&nd not Selected"), Combine::AndNotSelected, true},
        {"OrNotSelected", tr("…o&r not Selected"), Combine::OrNotSelected, true},
    };
    for (const bool apply : {true, false}) {
        QMenu *sub = menu->addMenu(apply ? tr("Apply as Filter") : tr("Prepare as Filter"));
        sub->setObjectName(QLatin1String(apply ? "applyAsFilter" : "prepareAsFilter"));
        sub->setEnabled(!expression.isEmpty());
        sub->setToolTipsVisible(true);
        for (const Choice &choice : choices) {
            QAction *action = sub->addAction(choice.text, this, [this, expression, choice, apply] {
                const QString text = combineFilter(expression, choice.how);
                if (apply) {
                    setFilterText(text);
                } else {
                    m_text->setText(text);
                    m_text->setFocus(Qt::OtherFocusReason);
                }
            });
            action->setObjectName(QLatin1String(apply ? "apply" : "prepare") +
                                  QLatin1String(choice.name));
            action->setEnabled(!choice.needsCurrent || current);
            action->setToolTip(combineFilter(expression, choice.how));
        }
    }
    return menu;
}

namespace {
/// @p bytes as a filter's hex literal ("68:65:6c").
QString hexLiteral(ByteView bytes)
{
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()))
            .toHex(':'));
}

/// @p text as a filter's quoted string literal.
QString textLiteral(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
        .replace(QLatin1Char('"'), QLatin1String("\\\""))
        .replace(QLatin1Char('\n'), QLatin1String("\\n"))
        .replace(QLatin1Char('\r'), QLatin1String("\\r"))
        .replace(QLatin1Char('\t'), QLatin1String("\\t"));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

/// A filter's `contains` literal stays short: longer values are matched by their start.
constexpr std::size_t MaxEqualsBytes = 4096;
} // namespace

QString LogPane::rowFilterExpression(const MessageLogModel::Record &r) const
{
    using Kind = MessageLogModel::Kind;
    switch (r.kind) {
    case Kind::KeepAlive:
        return QStringLiteral("type == Keepalive");
    case Kind::Frame:
        // Unassigned types 11..14 have no name: the filter takes their number.
        if (r.type > 10 && r.type < 15)
            return QStringLiteral("type == %1").arg(r.type);
        return QStringLiteral("type == %1").arg(QLatin1String(messageTypeName(r.type).data()));
    // A note's one field is its text.
    case Kind::Warning:
        return QStringLiteral("warning == %1").arg(textLiteral(m_log->noteText(r)));
    case Kind::Error:
        return QStringLiteral("error == %1").arg(textLiteral(m_log->noteText(r)));
    case Kind::Handshake:
    case Kind::Event:
        break;
    }
    return {};
}

QString LogPane::filterExpressionFor(const QModelIndex &field) const
{
    const DissectedField *node = m_fields->field(field);
    if (!node || m_selectionHidden || m_currentRow < 0 || m_currentRow >= m_log->rowCount())
        return {};
    const MessageLogModel::Record &r = m_log->record(m_currentRow);
    const auto typeExpression = [this, &r] {
        return rowFilterExpression(r);
    };
    const QString name = QString::fromStdString(node->name);
    const QModelIndex parentIndex = field.parent();
    const DissectedField *parent = m_fields->field(parentIndex);
    if (!parent || name == QLatin1String("Type") || name == QLatin1String("Keepalive"))
        return typeExpression(); // the root (the frame), the header's type
    if (name == QLatin1String("Header"))
        return QStringLiteral("channel == %1 && %2").arg(r.channel).arg(typeExpression());
    if (name == QLatin1String("Channel")) // its exact value (the record's saturates)
        return QStringLiteral("channel == %1").arg(QString::fromStdString(node->value));
    if (name == QLatin1String("Length"))
        return QStringLiteral("size == %1").arg(m_log->recordBytes(r).size());
    if (name == QLatin1String("Extension id") || name == QLatin1String("Extension payload")) {
        const QString extension = m_log->noteText(r);
        return extension.isEmpty() ? typeExpression()
                                   : QStringLiteral("ext == %1").arg(textLiteral(extension));
    }

    // A schema field: `index`, or `nodes.index` under a nested message.
    QString fieldName = name;
    if (parent->name != "Frame" && m_fields->field(parentIndex.parent()))
        fieldName = QString::fromStdString(parent->name) + QLatin1Char('.') + name;
    const filter::FieldInfo *info = filter::findField(fieldName.toStdString());
    if (!info || info->source != filter::RowField::Message)
        return {};
    // The field's own bytes in the frame: tag, then (length-delimited) length and data.
    const ByteView frame = m_log->recordBytes(r);
    if (node->offset + node->length > frame.size() || node->length == 0)
        return {};
    ByteView bytes = frame.subspan(node->offset, node->length);
    const varint::Decoded tag = varint::decode(bytes);
    if (tag.status != varint::Status::Ok)
        return {};
    bytes = bytes.subspan(tag.size);
    const std::uint64_t wireType = tag.value & 7;
    if (wireType == 0) {
        const varint::Decoded number = varint::decode(bytes);
        if (number.status != varint::Status::Ok)
            return {};
        if (info->kind == filter::ValueKind::Bool)
            return QStringLiteral("%1 == %2")
                .arg(fieldName, number.value ? QLatin1String("true") : QLatin1String("false"));
        return QStringLiteral("%1 == %2").arg(fieldName).arg(number.value);
    }
    if (wireType != 2)
        return {};
    const varint::Decoded length = varint::decode(bytes);
    if (length.status != varint::Status::Ok || length.value > bytes.size() - length.size)
        return {};
    const ByteView data = bytes.subspan(length.size, std::size_t(length.value));
    switch (info->kind) {
    case filter::ValueKind::Text:
        return QStringLiteral("%1 == %2")
            .arg(fieldName,
                 textLiteral(QString::fromUtf8(reinterpret_cast<const char *>(data.data()),
                                               qsizetype(data.size()))));
    case filter::ValueKind::Bytes:
        if (data.empty())
            return fieldName;
        if (data.size() > MaxEqualsBytes)
            return QStringLiteral("%1 contains %2")
                .arg(fieldName, hexLiteral(data.first(MaxEqualsBytes)));
        return QStringLiteral("%1 == %2").arg(fieldName, hexLiteral(data));
    default:
        return fieldName; // a nested message: its presence
    }
}

QString LogPane::combineFilter(const QString &expression, Combine how) const
{
    const QString negated = QStringLiteral("!(%1)").arg(expression);
    const QString current = m_text->text().trimmed();
    // Only an expression combines: plain words or an invalid text are replaced.
    const bool combinable = !current.isEmpty() && m_text->state() == FilterEdit::State::Valid;
    switch (how) {
    case Combine::Selected:
        return expression;
    case Combine::NotSelected:
        return negated;
    case Combine::AndSelected:
        return combinable ? QStringLiteral("(%1) && %2").arg(current, expression) : expression;
    case Combine::OrSelected:
        return combinable ? QStringLiteral("(%1) || %2").arg(current, expression) : expression;
    case Combine::AndNotSelected:
        return combinable ? QStringLiteral("(%1) && %2").arg(current, negated) : negated;
    case Combine::OrNotSelected:
        return combinable ? QStringLiteral("(%1) || %2").arg(current, negated) : negated;
    }
    return expression;
}

void LogPane::updateCountToolTip()
{
    // What hides rows, all at once: the expression and the shortcuts apply together.
    QStringList parts;
    if (!m_filter->expression().isEmpty())
        parts << tr("Filter: %1").arg(QString::fromStdString(m_filter->expression().expression()));
    if (!m_filter->textFilter().isEmpty())
        parts << tr("Text search: %1").arg(m_filter->textFilter());
    if (m_sessionCombo->currentIndex() > 0)
        parts << tr("Session: %1").arg(m_sessionCombo->currentText());
    if (m_channelCombo->currentIndex() > 0)
        parts << tr("Channel: %1").arg(m_channelCombo->currentText());
    if (m_filter->typeMask() != MessageLogFilterModel::AllTypes)
        parts << tr("Types: %1").arg(m_typeButton->text());
    if (m_directionCombo->currentIndex() > 0)
        parts << tr("Direction: %1").arg(m_directionCombo->currentText());
    m_count->setToolTip(
        parts.isEmpty() ? tr("No filter: every row is shown")
                        : tr("Rows shown match all of:\n%1").arg(parts.join(QLatin1Char('\n'))));
}

void LogPane::updateCount()
{
    updateCountToolTip();
    const QLocale locale;
    const int shown = m_filter->rowCount();
    const int total = m_log->rowCount();
    m_count->setText(
        shown == total ? tr("%1 messages").arg(locale.toString(total))
                       : tr("%1 of %2 shown").arg(locale.toString(shown), locale.toString(total)));
}

bool LogPane::selectSourceRow(int row)
{
    const QModelIndex proxy = m_filter->mapFromSource(m_log->index(row, 0));
    if (!proxy.isValid())
        return false;
    m_logView->setCurrentIndex(proxy);
    m_logView->scrollTo(proxy, QAbstractItemView::PositionAtCenter);
    return true;
}

void LogPane::showRow(int sourceRow)
{
    m_currentRow = sourceRow;
    m_selectionHidden = false;
    if (sourceRow < 0 || sourceRow >= m_log->rowCount()) {
        m_fields->clear();
        m_hex->clear(tr("Select a message to see its bytes"));
        emit currentRowChanged(-1);
        return;
    }
    using Kind = MessageLogModel::Kind;
    const MessageLogModel::Record &r = m_log->record(sourceRow);
    const QByteArray plain = m_log->plainBytes(sourceRow);
    switch (r.kind) {
    case Kind::Frame:
    case Kind::KeepAlive: {
        if (r.flags & MessageLogModel::BytesDropped) {
            m_fields->setTree(noteField("Frame", m_log->summaryText(r).toStdString()));
            m_hex->clear(tr("The bytes of this frame were not kept"));
            break;
        }
        m_fields->setTree(dissectFrame(viewOf(plain)));
        const bool same = r.flags & MessageLogModel::PlainOnWire;
        m_hex->setBytes(plain, same ? plain : m_log->wireBytes(sourceRow), same);
        break;
    }
    case Kind::Handshake:
        m_fields->setTree(dissectHandshakeMessage(viewOf(plain), r.type));
        m_hex->setBytes(plain, plain, true);
        break;
    case Kind::Warning:
    case Kind::Error:
    case Kind::Event:
        m_fields->setTree(
            noteField(m_log->typeText(r).toStdString(), m_log->noteText(r).toStdString()));
        m_hex->clear(r.kind == Kind::Event ? tr("A session event has no bytes")
                                           : tr("Stream offset %1").arg(r.streamOffset));
        break;
    }
    m_fieldView->expandAll();
    fitFieldColumn();
    emit currentRowChanged(sourceRow);
}

void LogPane::onFieldSelected()
{
    const QModelIndex current = m_fieldView->currentIndex();
    if (!current.isValid()) {
        m_hex->setHighlight(0, 0);
        return;
    }
    const auto offset = current.data(FieldTreeModel::OffsetRole).toLongLong();
    const auto length = current.data(FieldTreeModel::LengthRole).toLongLong();
    m_hex->setHighlight(offset, length);
}

void LogPane::onByteClicked(qsizetype offset)
{
    const QModelIndex index = m_fields->indexForByte(offset);
    if (!index.isValid())
        return;
    m_fieldView->setCurrentIndex(index);
    m_fieldView->scrollTo(index);
}

QByteArray LogPane::saveState() const
{
    QByteArray state;
    QDataStream out(&state, QIODevice::WriteOnly);
    out << quint8(1) << m_mainSplitter->saveState() << m_detailSplitter->saveState()
        << m_logView->horizontalHeader()->saveState() << int(m_hex->mode());
    return state;
}

void LogPane::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_detailSplitSet)
        return;
    // Until the person moves the splitter (or a saved layout says otherwise), the field tree and
    // the bytes share the width evenly. Left to its size hints the splitter gives the hex view
    // its 16 bytes a row first, which in a 1024 px window leaves the tree a sliver; evenly, the
    // hex view shows 8 bytes a row there and 16 in a wide window.
    const int width = m_detailSplitter->width();
    if (width > 0)
        m_detailSplitter->setSizes({width / 2, width - width / 2});
}

bool LogPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_fieldView && event->type() == QEvent::Resize)
        fitFieldColumn();
    return QWidget::eventFilter(watched, event);
}

void LogPane::fitFieldColumn()
{
    const int digit = fontMetrics().horizontalAdvance(QLatin1Char('0'));
    const int width = m_fieldView->viewport()->width();
    // In a narrow tree (a 1024 px window) the Bytes column would leave the values a sliver; the
    // hex view highlights the same bytes, and the column's tooltip-free range is not lost: it
    // comes back as soon as the tree is wide enough.
    m_fieldView->setColumnHidden(FieldTreeModel::BytesColumn, width < digit * 60);
    if (m_fieldColumnSet)
        return;
    // The names as wide as they need (nested proof steps indent deeply), but at most half a
    // narrow tree: the values are what the reader came for.
    const int cap = std::max(width / 2, digit * 12);
    m_fittingFieldColumn = true;
    m_fieldView->resizeColumnToContents(FieldTreeModel::FieldColumn);
    const int wanted =
        std::max(m_fieldView->header()->sectionSize(FieldTreeModel::FieldColumn), digit * 12);
    m_fieldView->header()->resizeSection(FieldTreeModel::FieldColumn, std::min(wanted, cap));
    m_fittingFieldColumn = false;
}

void LogPane::restoreState(const QByteArray &state)
{
    QDataStream in(state);
    quint8 version = 0;
    QByteArray main, detail, header;
    int mode = 0;
    in >> version >> main >> detail >> header >> mode;
    if (version != 1 || in.status() != QDataStream::Ok)
        return;
    m_mainSplitter->restoreState(main);
    m_detailSplitSet = m_detailSplitter->restoreState(detail);
    m_logView->horizontalHeader()->restoreState(header);
    fitTimeColumn(false); // a Time column saved narrower than its text
    m_hex->setMode(HexPane::Mode(qBound(0, mode, 2)));
}

} // namespace hyperscope
