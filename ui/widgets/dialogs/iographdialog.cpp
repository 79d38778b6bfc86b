#include "iographdialog.h"

#include "channeltablemodel.h"
#include "iograph.h"
#include "messagelogmodel.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QTimer>
#include <QVBoxLayout>

namespace hyperscope {

IoGraphDialog::IoGraphDialog(const MessageLogModel *log, QWidget *parent)
    : QDialog(parent)
    , m_log(log)
    , m_series(new IoGraphSeries(this))
    , m_graph(new IoGraph)
    , m_session(new QComboBox)
    , m_interval(new QComboBox)
    , m_messages(new QRadioButton(tr("&Messages")))
    , m_bytes(new QRadioButton(tr("&Bytes")))
    , m_live(new QCheckBox(tr("&Live")))
    , m_refresh(new QPushButton(tr("&Refresh")))
    , m_info(new QLabel)
    , m_liveTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("ioGraphDialog"));
    setWindowTitle(tr("I/O Graph"));
    setModal(false);
    m_graph->setSeries(m_series);

    m_session->setObjectName(QStringLiteral("ioGraphSession"));
    m_session->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_session->setMinimumContentsLength(16);
    m_session->addItem(tr("All sessions"), 0);
    for (const int session : log->sessions())
        addSession(session);
    connect(log, &MessageLogModel::sessionAdded, this, &IoGraphDialog::addSession);
    connect(log, &MessageLogModel::sessionLabelChanged, this, [this](int session) {
        const int index = m_session->findData(session);
        if (index >= 0)
            m_session->setItemText(index, m_log->sessionLabel(session));
    });
    connect(log, &MessageLogModel::sessionsCleared, this, [this] {
        while (m_session->count() > 1)
            m_session->removeItem(m_session->count() - 1);
    });

    m_interval->setObjectName(QStringLiteral("ioGraphInterval"));
    for (const qint64 us : {qint64(100000), qint64(1000000), qint64(10000000)})
        m_interval->addItem(formatInterval(us), us);
    m_interval->setCurrentIndex(1);

    auto *measure = new QButtonGroup(this);
    measure->addButton(m_messages);
    measure->addButton(m_bytes);
    m_messages->setChecked(true);
    m_messages->setObjectName(QStringLiteral("ioGraphMessages"));
    m_bytes->setObjectName(QStringLiteral("ioGraphBytes"));
    connect(m_bytes, &QRadioButton::toggled, this, [this](bool bytes) {
        m_graph->setMeasure(bytes ? IoGraphSeries::Measure::Bytes
                                  : IoGraphSeries::Measure::Messages);
        updateInfo();
    });

    m_live->setObjectName(QStringLiteral("ioGraphLive"));
    m_live->setToolTip(tr("Redraw once a second while the log grows"));
    m_live->setChecked(true);
    m_liveTimer->setInterval(LiveRefreshMs);
    connect(m_liveTimer, &QTimer::timeout, this, [this] {
        if (m_log->rowCount() != m_refreshedRows)
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
    connect(m_refresh, &QPushButton::clicked, this, &IoGraphDialog::refresh);
    connect(m_session, &QComboBox::currentIndexChanged, this, &IoGraphDialog::refresh);
    connect(m_interval, &QComboBox::currentIndexChanged, this, &IoGraphDialog::refresh);
    connect(m_graph, &IoGraph::bucketHovered, this, &IoGraphDialog::updateInfo);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Session:")));
    controls->addWidget(m_session);
    controls->addSpacing(12);
    controls->addWidget(m_messages);
    controls->addWidget(m_bytes);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("Interval:")));
    controls->addWidget(m_interval);
    controls->addStretch();
    controls->addWidget(m_live);
    controls->addWidget(m_refresh);

    m_info->setObjectName(QStringLiteral("ioGraphInfo"));
    m_info->setWordWrap(true);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_graph, 1);
    layout->addWidget(m_info);
    layout->addWidget(buttons);

    refresh();
    m_liveTimer->start();
    resize(860, 460);
}

void IoGraphDialog::addSession(int session)
{
    if (m_session->findData(session) < 0)
        m_session->addItem(m_log->sessionLabel(session), session);
}

void IoGraphDialog::setSession(int session)
{
    const int index = m_session->findData(session);
    if (index >= 0)
        m_session->setCurrentIndex(index);
}

int IoGraphDialog::session() const
{
    return m_session->currentData().toInt();
}

void IoGraphDialog::refresh()
{
    m_series->compute(*m_log, session(), m_interval->currentData().toLongLong());
    m_refreshedRows = m_log->rowCount();
    updateInfo();
}

void IoGraphDialog::updateInfo()
{
    const QLocale locale;
    const IoGraphSeries &s = *m_series;
    if (s.bucketCount() == 0) {
        m_info->setText(tr("No messages in %1 yet.").arg(m_session->currentText()));
        return;
    }
    // The busiest interval, in the measure shown, so that a burst is also read, not only seen.
    const IoGraphSeries::Measure measure = m_graph->measure();
    int busiest = 0;
    quint64 most = 0;
    for (int b = 0; b < s.bucketCount(); ++b) {
        const quint64 value = s.value(b, 0, measure) + s.value(b, 1, measure);
        if (value > most) {
            most = value;
            busiest = b;
        }
    }
    const bool bytes = measure == IoGraphSeries::Measure::Bytes;
    QString text =
        tr("In: %1 messages, %2 · out: %3 messages, %4 · over %5 s · busiest %6: %7 at %8 s")
            .arg(locale.toString(s.totalMessages(0)), formatBytes(s.totalBytes(0)),
                 locale.toString(s.totalMessages(1)), formatBytes(s.totalBytes(1)),
                 locale.toString(double(s.bucketCount()) * double(s.intervalUs()) / 1e6, 'f', 1),
                 formatInterval(s.intervalUs()),
                 bytes       ? formatBytes(most)
                 : most == 1 ? tr("1 message")
                             : tr("%1 messages").arg(locale.toString(most)),
                 locale.toString(double(busiest) * double(s.intervalUs()) / 1e6, 'f', 1));
    if (s.intervalUs() != s.requestedIntervalUs())
        text +=
            tr(" · interval raised to %1 to keep at most %2 points")
                .arg(formatInterval(s.intervalUs()), locale.toString(IoGraphSeries::MaxBuckets));
    m_info->setText(text);
}

} // namespace hyperscope
