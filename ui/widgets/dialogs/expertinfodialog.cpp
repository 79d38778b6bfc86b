#include "expertinfodialog.h"

#include "expertinfomodel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace hyperscope {

QString problemCountText(int warnings, int errors)
{
    const QLocale locale;
    QStringList parts;
    if (warnings)
        parts << (warnings == 1
                      ? ExpertInfoDialog::tr("1 warning")
                      : ExpertInfoDialog::tr("%1 warnings").arg(locale.toString(warnings)));
    if (errors)
        parts << (errors == 1 ? ExpertInfoDialog::tr("1 error")
                              : ExpertInfoDialog::tr("%1 errors").arg(locale.toString(errors)));
    return parts.isEmpty() ? ExpertInfoDialog::tr("No problems")
                           : parts.join(QStringLiteral(" · "));
}

ExpertInfoDialog::ExpertInfoDialog(ExpertInfoModel *model, QWidget *parent)
    : QDialog(parent)
    , m_model(model)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTreeView)
    , m_summary(new QLabel)
    , m_severity(new QComboBox)
    , m_showInLog(new QPushButton(tr("Show in &Log")))
{
    setObjectName(QStringLiteral("expertInfoDialog"));
    setWindowTitle(tr("Expert Information"));
    setModal(false);

    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(ExpertInfoModel::SortRole);
    m_proxy->setFilterRole(ExpertInfoModel::SeverityRole);
    m_proxy->setFilterKeyColumn(ExpertInfoModel::SummaryColumn);
    m_proxy->setDynamicSortFilter(true);

    m_view->setObjectName(QStringLiteral("expertInfoView"));
    m_view->setModel(m_proxy);
    m_view->setUniformRowHeights(true); // a group can hold a million rows
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ExpertInfoModel::SeverityColumn, Qt::DescendingOrder);
    m_view->setExpandsOnDoubleClick(true);
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(ExpertInfoModel::SummaryColumn, QHeaderView::Stretch);
    for (int column = ExpertInfoModel::SeverityColumn; column < ExpertInfoModel::ColumnCount;
         ++column)
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);

    m_summary->setObjectName(QStringLiteral("expertInfoSummary"));
    m_severity->setObjectName(QStringLiteral("expertInfoSeverity"));
    m_severity->addItem(tr("All problems"), -1);
    m_severity->addItem(tr("Errors only"), int(MessageLogModel::Severity::Error));
    m_severity->addItem(tr("Warnings only"), int(MessageLogModel::Severity::Warning));
    connect(m_severity, &QComboBox::currentIndexChanged, this, [this] {
        const int severity = m_severity->currentData().toInt();
        m_proxy->setFilterFixedString(severity < 0 ? QString() : QString::number(severity));
    });

    auto *top = new QHBoxLayout;
    top->addWidget(m_summary, 1);
    top->addWidget(new QLabel(tr("Show:")));
    top->addWidget(m_severity);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(m_showInLog, QDialogButtonBox::ActionRole);
    m_showInLog->setToolTip(tr("Select the current occurrence in the message log"));
    m_showInLog->setEnabled(false);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    connect(m_showInLog, &QPushButton::clicked, this, [this] { activate(m_view->currentIndex()); });

    auto *hint = new QLabel(tr("Double-click an occurrence to select it in the log. Next and "
                               "previous problem: Ctrl+. and Ctrl+, in the main window."));
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    layout->addWidget(hint);
    layout->addWidget(buttons);

    connect(m_view, &QTreeView::activated, this, &ExpertInfoDialog::activate);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this] { m_showInLog->setEnabled(currentSourceRow() >= 0); });
    connect(model, &ExpertInfoModel::countsChanged, this, &ExpertInfoDialog::updateSummary);
    updateSummary();
    resize(760, 420);
}

int ExpertInfoDialog::currentSourceRow() const
{
    const QModelIndex current = m_view->currentIndex();
    return current.isValid() ? current.data(ExpertInfoModel::SourceRowRole).toInt() : -1;
}

void ExpertInfoDialog::activate(const QModelIndex &index)
{
    const int row = index.isValid() ? index.data(ExpertInfoModel::SourceRowRole).toInt() : -1;
    if (row >= 0)
        emit rowActivated(row);
}

void ExpertInfoDialog::updateSummary()
{
    const int groups = m_model->groupCount();
    QString text = problemCountText(m_model->warningCount(), m_model->errorCount());
    if (groups)
        text += groups == 1 ? tr(" in 1 group") : tr(" in %1 groups").arg(groups);
    m_summary->setText(text);
}

} // namespace hyperscope
