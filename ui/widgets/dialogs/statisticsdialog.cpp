#include "statisticsdialog.h"

#include "channeltablemodel.h"
#include "messagelogmodel.h"
#include "statisticsmodel.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include <functional>

namespace hyperscope {

StatisticsDialog::StatisticsDialog(const MessageLogModel *log, QWidget *parent)
    : QDialog(parent)
    , m_log(log)
    , m_model(new StatisticsModel(log, this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTreeView)
    , m_summary(new QLabel)
    , m_live(new QCheckBox(tr("&Live")))
    , m_refresh(new QPushButton(tr("&Refresh")))
    , m_liveTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("statisticsDialog"));
    setWindowTitle(tr("Statistics"));
    setModal(false);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(StatisticsModel::SortRole);
    m_view->setObjectName(QStringLiteral("statisticsView"));
    m_view->setModel(m_proxy);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(StatisticsModel::NameColumn, Qt::AscendingOrder);
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(StatisticsModel::NameColumn, QHeaderView::Stretch);
    for (int column = StatisticsModel::MessagesColumn; column < StatisticsModel::ColumnCount;
         ++column)
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);

    m_summary->setObjectName(QStringLiteral("statisticsSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_live->setObjectName(QStringLiteral("statisticsLive"));
    m_live->setToolTip(tr("Refresh once a second while the log grows"));
    m_live->setChecked(true);
    m_refresh->setObjectName(QStringLiteral("statisticsRefresh"));
    m_liveTimer->setInterval(LiveRefreshMs);
    connect(m_liveTimer, &QTimer::timeout, this, [this] {
        if (m_log->rowCount() != m_model->refreshedRows())
            refresh();
    });
    connect(m_live, &QCheckBox::toggled, this, [this](bool on) {
        if (on) {
            m_liveTimer->start();
            refresh();
        } else {
            m_liveTimer->stop();
        }
    });
    connect(m_refresh, &QPushButton::clicked, this, &StatisticsDialog::refresh);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_live);
    bottom->addWidget(m_refresh);
    bottom->addStretch();
    bottom->addWidget(buttons);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);
    layout->addLayout(bottom);

    refresh();
    m_liveTimer->start();
    resize(820, 480);
}

void StatisticsDialog::refresh()
{
    if (!m_firstRefresh)
        rememberExpanded();
    m_model->refresh();
    if (m_firstRefresh) {
        // Sessions open on their channels; the types below are one click away.
        m_view->expandToDepth(0);
        m_firstRefresh = false;
    } else {
        restoreExpanded();
    }
    updateSummary();
}

void StatisticsDialog::rememberExpanded()
{
    m_expanded.clear();
    std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
        for (int row = 0; row < m_proxy->rowCount(parent); ++row) {
            const QModelIndex index = m_proxy->index(row, 0, parent);
            if (m_view->isExpanded(index)) {
                m_expanded.insert(index.data(StatisticsModel::NodeKeyRole).toString());
                walk(index);
            }
        }
    };
    walk({});
}

void StatisticsDialog::restoreExpanded()
{
    std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
        for (int row = 0; row < m_proxy->rowCount(parent); ++row) {
            const QModelIndex index = m_proxy->index(row, 0, parent);
            if (m_expanded.contains(index.data(StatisticsModel::NodeKeyRole).toString())) {
                m_view->expand(index);
                walk(index);
            }
        }
    };
    walk({});
}

void StatisticsDialog::updateSummary()
{
    const StatisticsModel::Summary &s = m_model->summary();
    const QLocale locale;
    const StatisticsModel::Counts &c = s.counts;
    if (c.totalMessages() == 0) {
        m_summary->setText(tr("The log holds no messages yet."));
        return;
    }
    const double seconds = s.seconds();
    QString rate;
    if (seconds > 0)
        rate = tr(" · %1 messages/s, %2/s")
                   .arg(locale.toString(double(c.totalMessages()) / seconds, 'f', 1),
                        formatBytes(quint64(double(c.totalBytes()) / seconds)));
    m_summary->setText(
        tr("<b>%1</b> · %2 messages (%3 in, %4 out) · %5 (%6 in, %7 out) · over %8 s%9 · %10")
            .arg(s.sessions == 1 ? tr("1 session") : tr("%1 sessions").arg(s.sessions))
            .arg(locale.toString(c.totalMessages()), locale.toString(c.messages[0]),
                 locale.toString(c.messages[1]), formatBytes(c.totalBytes()),
                 formatBytes(c.bytes[0]), formatBytes(c.bytes[1]), locale.toString(seconds, 'f', 3),
                 rate)
            .arg(s.problems == 0   ? tr("no problems")
                 : s.problems == 1 ? tr("1 problem row (Analyze › Expert Information)")
                                   : tr("%1 problem rows (Analyze › Expert Information)")
                                         .arg(locale.toString(s.problems))));
}

} // namespace hyperscope
