#include "interceptpane.h"

#include "filteredit.h"
#include "hexview.h"
#include "interceptmodel.h"
#include "sendmessageform.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace hyperscope {

InterceptPane::InterceptPane(InterceptModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_expression(new FilterEdit)
    , m_expressionError(new QLabel)
    , m_view(new QTableView)
    , m_editor(new SendMessageForm)
    , m_raw(new HexView)
    , m_forward(new QPushButton(tr("&Forward")))
    , m_forwardEdited(new QPushButton(tr("Forward &Edited")))
    , m_drop(new QPushButton(tr("&Drop")))
    , m_forwardAll(new QPushButton(tr("Forward &All")))
    , m_status(new QLabel)
{
    setObjectName(QStringLiteral("interceptPane"));
    m_expression->setObjectName(QStringLiteral("interceptExpression"));
    m_expression->setTextSearchAllowed(false);
    m_expression->setPlaceholderText(tr("Intercept expression, e.g. type == Request && index > 5"));
    m_expression->setToolTip(tr("Messages that match are held until you forward or drop them. "
                                "Enter turns intercept on (or changes what it holds)."));
    m_expressionError->setObjectName(QStringLiteral("interceptExpressionError"));
    m_expressionError->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_expressionError->setWordWrap(true);
    m_expressionError->hide();
    m_view->setObjectName(QStringLiteral("interceptHeld"));
    m_view->setModel(model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->horizontalHeader()->setSectionResizeMode(InterceptModel::SummaryColumn,
                                                     QHeaderView::Stretch);
    m_view->setWordWrap(false);
    m_editor->setObjectName(QStringLiteral("interceptEditor"));
    m_editor->setEditorOnly(true);
    m_raw->setObjectName(QStringLiteral("interceptRaw"));
    m_raw->setPlaceholderText(tr("The held message's encoding shows here"));
    m_forward->setObjectName(QStringLiteral("interceptForward"));
    m_forward->setToolTip(tr("Send the selected message on as it was"));
    m_forwardEdited->setObjectName(QStringLiteral("interceptForwardEdited"));
    m_forwardEdited->setToolTip(tr("Send the editor's message instead (the same type)"));
    m_drop->setObjectName(QStringLiteral("interceptDrop"));
    m_drop->setToolTip(tr("Discard the selected message: it is never delivered or forwarded"));
    m_forwardAll->setObjectName(QStringLiteral("interceptForwardAll"));
    m_forwardAll->setToolTip(tr("Send every held message on, in order"));
    m_status->setObjectName(QStringLiteral("interceptStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Hold")));
    bar->addWidget(m_expression, 1);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_forward);
    buttons->addWidget(m_forwardEdited);
    buttons->addWidget(m_drop);
    buttons->addStretch();
    buttons->addWidget(m_forwardAll);

    // The editor scrolls: a Data with nodes is taller than a small window's dock.
    auto *editorScroll = new QScrollArea;
    editorScroll->setWidget(m_editor);
    editorScroll->setWidgetResizable(true);
    editorScroll->setFrameShape(QFrame::NoFrame);
    // Side by side: a dock in the bottom area is wide and short. The list left, the selected
    // message right, its editor above its bytes.
    auto *details = new QSplitter(Qt::Vertical);
    details->addWidget(editorScroll);
    details->addWidget(m_raw);
    details->setStretchFactor(0, 3);
    details->setStretchFactor(1, 1);
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(m_view);
    split->addWidget(details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_expressionError);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_status);

    connect(m_expression, &FilterEdit::stateChanged, this,
            [this](FilterEdit::State state, const QString &error) {
                m_expressionError->setVisible(state == FilterEdit::State::Invalid);
                m_expressionError->setText(error);
            });
    connect(m_expression, &FilterEdit::applyRequested, this, [this] {
        if (m_toggle && !m_toggle->isChecked())
            m_toggle->setChecked(true); // through setIntercepting()
        else
            setIntercepting(true);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &InterceptPane::showSelected);
    m_view->setColumnHidden(InterceptModel::LegColumn, true);
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] {
        // The Leg column only says something for relayed sessions.
        for (const InterceptModel::Held &held : m_model->held()) {
            if (held.leg != InspectedSession::Leg::None)
                m_view->setColumnHidden(InterceptModel::LegColumn, false);
        }
        // Few rows: the short columns fit their text, the summary takes the rest.
        m_view->resizeColumnsToContents();
        if (!m_view->selectionModel()->hasSelection())
            selectRow(0);
        updateButtons();
    });
    connect(model, &QAbstractItemModel::rowsRemoved, this, [this] {
        if (m_model->rowCount() > 0 && !m_view->selectionModel()->hasSelection())
            selectRow(0);
        showSelected();
    });
    connect(model, &InterceptModel::notice, this, [this](const QString &text) {
        showStatus(text, true);
        emit statusMessage(text);
    });
    connect(m_forward, &QPushButton::clicked, this, &InterceptPane::forwardSelected);
    connect(m_forwardEdited, &QPushButton::clicked, this, &InterceptPane::forwardEditedSelected);
    connect(m_drop, &QPushButton::clicked, this, &InterceptPane::dropSelected);
    connect(m_forwardAll, &QPushButton::clicked, this, &InterceptPane::forwardAll);
    showSelected();
}

void InterceptPane::setToggleAction(QAction *action)
{
    m_toggle = action;
    connect(action, &QAction::toggled, this, [this](bool on) {
        if (!setIntercepting(on)) {
            const QSignalBlocker blocker(m_toggle);
            m_toggle->setChecked(m_model->isOn());
        }
    });
    connect(m_model, &InterceptModel::expressionChanged, action, [this] {
        const QSignalBlocker blocker(m_toggle);
        m_toggle->setChecked(m_model->isOn());
    });
}

bool InterceptPane::setIntercepting(bool on)
{
    if (!on) {
        const int held = m_model->rowCount();
        m_model->setExpression({}, {});
        const QString text = held ? tr("Intercept off: %n held message(s) forwarded.", "", held)
                                  : tr("Intercept off.");
        showStatus(text, false);
        emit statusMessage(text);
        return true;
    }
    const std::optional<filter::Filter> compiled = m_expression->compiled();
    if (m_expression->state() == FilterEdit::State::Empty || !compiled || compiled->isEmpty()) {
        const QString why =
            m_expression->state() == FilterEdit::State::Empty
                ? tr("Type what to hold first, e.g. type == Request.")
                : tr("The expression does not compile: %1").arg(m_expression->errorText());
        showStatus(why, true);
        m_expression->setFocus(Qt::OtherFocusReason);
        return false;
    }
    m_model->setExpression(*compiled, m_expression->text());
    const QString text = tr("Intercept on: holding %1").arg(m_expression->text());
    showStatus(text, false);
    emit statusMessage(text);
    return true;
}

void InterceptPane::setExpressionText(const QString &text)
{
    m_expression->setText(text);
}

void InterceptPane::selectRow(int row)
{
    if (row < 0 || row >= m_model->rowCount())
        return;
    m_view->selectionModel()->setCurrentIndex(
        m_model->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

quint64 InterceptPane::selectedId() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (!current.isValid() || !m_view->selectionModel()->isRowSelected(current.row()))
        return 0;
    return current.data(InterceptModel::IdRole).toULongLong();
}

void InterceptPane::showSelected()
{
    const quint64 id = selectedId();
    const int row = m_model->rowOf(id);
    if (row < 0) {
        m_shownId = 0;
        m_raw->setBytes({});
    } else if (id != m_shownId) {
        // Filled once per message: a person's edits survive other rows coming and going.
        m_shownId = id;
        const InterceptModel::Held &held = m_model->held()[std::size_t(row)];
        m_editor->setMessage(held.message);
        Bytes encoded;
        appendMessage(encoded, held.message);
        m_raw->setBytes(
            QByteArray(reinterpret_cast<const char *>(encoded.data()), qsizetype(encoded.size())));
    }
    updateButtons();
}

void InterceptPane::updateButtons()
{
    const bool selected = selectedId() != 0;
    m_forward->setEnabled(selected);
    m_forwardEdited->setEnabled(selected);
    m_drop->setEnabled(selected);
    m_editor->setEnabled(selected);
    m_forwardAll->setEnabled(m_model->rowCount() > 0);
}

bool InterceptPane::result(const QString &error, const QString &done)
{
    showStatus(error.isEmpty() ? done : error, !error.isEmpty());
    return error.isEmpty();
}

bool InterceptPane::forwardSelected()
{
    const quint64 id = selectedId();
    if (!id)
        return result(tr("Select a held message first."), {});
    return result(m_model->forward(id), tr("Forwarded message %1.").arg(id));
}

bool InterceptPane::forwardEditedSelected()
{
    const quint64 id = selectedId();
    if (!id)
        return result(tr("Select a held message first."), {});
    QString error;
    const std::optional<Message> edited = m_editor->buildMessage(&error);
    if (!edited)
        return result(error, {});
    return result(m_model->forward(id, edited), tr("Forwarded message %1, edited.").arg(id));
}

bool InterceptPane::dropSelected()
{
    const quint64 id = selectedId();
    if (!id)
        return result(tr("Select a held message first."), {});
    return result(m_model->drop(id), tr("Dropped message %1.").arg(id));
}

bool InterceptPane::forwardAll()
{
    const int count = m_model->rowCount();
    return result(m_model->forwardAll(), tr("Forwarded %n held message(s).", "", count));
}

QString InterceptPane::statusText() const
{
    return m_status->text();
}

void InterceptPane::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

} // namespace hyperscope
