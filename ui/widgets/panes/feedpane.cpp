#include "feedpane.h"

#include "blockmap.h"
#include "channeltablemodel.h"
#include "feedtracker.h"
#include "inspectedsession.h"
#include "prooflesson.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace hyperscope {

namespace {

/// The wire type of Data, the message the proof lesson explains.
constexpr quint8 DataType = 9;

/// One past the highest block of @p ranges that is not open-ended (saturating).
std::uint64_t extentOf(const feed::BlockRanges &ranges)
{
    std::uint64_t extent = 0;
    for (const feed::BlockRange &range : ranges) {
        const std::uint64_t last = range.isOpenEnded() ? range.first : range.last;
        extent = std::max(extent, last == UINT64_MAX ? last : last + 1);
    }
    return extent;
}

} // namespace

FeedPane::FeedPane(QWidget *parent)
    : QWidget(parent)
    , m_channels(new QComboBox)
    , m_perspective(new QComboBox)
    , m_map(new BlockMap)
    , m_summary(new QLabel)
{
    m_channels->setObjectName(QStringLiteral("feedChannelCombo"));
    m_channels->setToolTip(tr("The channel whose blocks the map shows"));
    m_channels->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_map->setObjectName(QStringLiteral("feedBlockMap"));
    m_summary->setObjectName(QStringLiteral("feedSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Channel:")));
    top->addWidget(m_channels);
    m_perspective->setObjectName(QStringLiteral("feedPerspectiveCombo"));
    m_perspective->addItem(tr("Downloading: what we received"), int(Perspective::Downloading));
    m_perspective->addItem(tr("Serving: what the remote received from us"),
                           int(Perspective::Serving));
    top->addSpacing(12);
    top->addWidget(m_perspective);
    top->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(top);
    // The map and its summary above, the proof lesson below (collapsed until asked for).
    auto *mapArea = new QWidget;
    auto *mapLayout = new QVBoxLayout(mapArea);
    mapLayout->setContentsMargins(0, 0, 0, 0);
    mapLayout->addWidget(m_map, 1);
    mapLayout->addWidget(m_summary);
    m_splitter = new QSplitter(Qt::Vertical);
    m_splitter->setObjectName(QStringLiteral("feedSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(mapArea);
    m_splitter->addWidget(buildLessonPanel());
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 2);
    layout->addWidget(m_splitter, 1);

    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(150);
    connect(&m_refreshTimer, &QTimer::timeout, this, &FeedPane::refresh);
    connect(m_channels, &QComboBox::currentIndexChanged, this, &FeedPane::showChannel);
    connect(m_map, &BlockMap::blockClicked, this, &FeedPane::onBlockClicked);
    connect(m_perspective, &QComboBox::activated, this, [this] {
        m_perspectiveChosen = true;
        showChannel();
    });
    refresh();
}

QWidget *FeedPane::buildLessonPanel()
{
    m_lesson = new ProofLesson;
    m_lessonToggle = new QToolButton;
    m_lessonToggle->setObjectName(QStringLiteral("proofLessonToggle"));
    m_lessonToggle->setText(tr("How a block is proven"));
    m_lessonToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_lessonToggle->setCheckable(true);
    m_lessonToggle->setAutoRaise(true);
    m_lessonToggle->setToolTip(tr("The proof of one Data, step by step, with its own hashes: "
                                  "select a Data in the log and choose Explain This Proof, or "
                                  "open this and click a received block"));
    QFont bold = m_lessonToggle->font();
    bold.setBold(true);
    m_lessonToggle->setFont(bold);
    m_showInLog = new QToolButton;
    m_showInLog->setObjectName(QStringLiteral("proofShowInLog"));
    m_showInLog->setText(tr("Show in Messages"));
    m_showInLog->setAutoRaise(true);
    m_showInLog->setToolTip(tr("Select the Data explained in the Messages tab (its fields and "
                               "bytes)"));
    m_showInLog->setEnabled(false);
    auto *help = new QToolButton;
    help->setObjectName(QStringLiteral("proofHelp"));
    help->setText(tr("Help"));
    help->setAutoRaise(true);
    help->setToolTip(tr("Help: how a block is proven, with the demo's numbers"));

    auto *header = new QHBoxLayout;
    header->setContentsMargins(0, 0, 0, 0);
    header->addWidget(m_lessonToggle);
    header->addStretch();
    header->addWidget(m_showInLog);
    header->addWidget(help);

    m_lessonScroll = new QScrollArea;
    m_lessonScroll->setObjectName(QStringLiteral("proofLessonScroll"));
    m_lessonScroll->setWidget(m_lesson);
    m_lessonScroll->setWidgetResizable(true);

    m_lessonPanel = new QWidget;
    m_lessonPanel->setObjectName(QStringLiteral("proofLessonPanel"));
    auto *panel = new QVBoxLayout(m_lessonPanel);
    panel->setContentsMargins(0, 0, 0, 0);
    panel->setSpacing(0);
    panel->addLayout(header);
    panel->addWidget(m_lessonScroll, 1);

    connect(m_lessonToggle, &QToolButton::toggled, this, &FeedPane::setLessonShown);
    connect(m_showInLog, &QToolButton::clicked, this, [this] {
        if (m_lesson->row() >= 0)
            emit rowActivated(m_lesson->row());
    });
    connect(help, &QToolButton::clicked, this,
            [this] { emit helpRequested(ProofLesson::helpPage()); });
    connect(m_lesson, &ProofLesson::helpRequested, this, &FeedPane::helpRequested);
    // "already verified by … message #124": explain that one.
    connect(m_lesson, &ProofLesson::rowRequested, this, &FeedPane::explainRow);
    setLessonShown(false);
    return m_lessonPanel;
}

void FeedPane::setLessonShown(bool shown)
{
    {
        const QSignalBlocker blocker(m_lessonToggle);
        m_lessonToggle->setChecked(shown);
    }
    m_lessonToggle->setArrowType(shown ? Qt::DownArrow : Qt::RightArrow);
    m_lessonScroll->setVisible(shown);
    // Collapsed, the panel is its header only; open, it takes two thirds of the height.
    m_lessonPanel->setMaximumHeight(shown ? QWIDGETSIZE_MAX
                                          : m_lessonToggle->sizeHint().height() + 2);
    if (shown) {
        const int total = std::max(m_splitter->height(), 300);
        m_splitter->setSizes({total / 3, total - total / 3});
    }
}

bool FeedPane::lessonShown() const
{
    return m_lessonToggle->isChecked();
}

void FeedPane::explainRow(int row)
{
    if (m_session && row >= 0 && row < m_session->log()->rowCount()) {
        // Show the row's channel in the map, and the side that received the Data.
        const MessageLogModel::Record &record = m_session->log()->record(row);
        if (m_channels->findData(record.channelKey) < 0)
            refresh(); // the channel list follows the tracker on a timer: it may lag
        const int entry = m_channels->findData(record.channelKey);
        if (entry >= 0 && entry != m_channels->currentIndex())
            m_channels->setCurrentIndex(entry);
        if (record.type == DataType && record.kind == MessageLogModel::Kind::Frame) {
            const Perspective wanted = record.direction() == Direction::Outbound
                                           ? Perspective::Serving
                                           : Perspective::Downloading;
            if (wanted != perspective())
                setPerspective(wanted);
        }
    }
    m_lesson->explainRow(m_session, row);
    m_showInLog->setEnabled(m_lesson->row() >= 0);
    setLessonShown(true);
    if (m_lesson->row() >= 0)
        emit proofShown(m_lesson->row());
}

void FeedPane::followLogRow(int row)
{
    if (!lessonShown() || !m_session || row == m_lesson->row() || row < 0 ||
        row >= m_session->log()->rowCount())
        return;
    const MessageLogModel::Record &record = m_session->log()->record(row);
    const bool ours = m_session->feed() && record.session == m_session->id() &&
                      record.leg == m_session->feed()->leg();
    if (ours && record.kind == MessageLogModel::Kind::Frame && record.type == DataType)
        explainRow(row);
}

int FeedPane::latestDataRow(quint64 block) const
{
    const FeedTracker *feed = tracker();
    if (!feed || m_channels->currentIndex() < 0)
        return -1;
    const quint32 keyIndex = m_channels->currentData().toUInt();
    const Direction direction =
        perspective() == Perspective::Serving ? Direction::Outbound : Direction::Inbound;
    // The latest row about the block is the Data, or a later Have/Request: look back from it.
    const MessageLogModel &log = *m_session->log();
    for (int row = feed->latestRowAbout(keyIndex, block); row >= 0; --row) {
        const MessageLogModel::Record &record = log.record(row);
        if (record.session != feed->session() || record.leg != feed->leg() ||
            record.channelKey != keyIndex || record.type != DataType ||
            record.kind != MessageLogModel::Kind::Frame || record.direction() != direction)
            continue;
        const FeedTracker::RowFinding *finding = feed->finding(row);
        if (finding && finding->verdict && finding->verdict->block == block)
            return row;
    }
    return -1;
}

FeedTracker *FeedPane::tracker() const
{
    return m_session ? m_session->feed() : nullptr;
}

void FeedPane::setSession(InspectedSession *session)
{
    if (session == m_session)
        return;
    disconnect(m_trackerConnection);
    m_session = session;
    m_perspectiveChosen = false;
    if (m_lesson->row() >= 0) {
        m_lesson->clear(tr("Another session is shown: select one of its Data messages."));
        m_showInLog->setEnabled(false);
    }
    if (FeedTracker *feed = tracker())
        m_trackerConnection =
            connect(feed, &FeedTracker::changed, &m_refreshTimer, qOverload<>(&QTimer::start));
    refresh();
}

void FeedPane::refresh()
{
    m_refreshTimer.stop();
    const FeedTracker *feed = tracker();
    const QVariant chosen = m_channels->currentData();
    {
        const QSignalBlocker blocker(m_channels);
        m_channels->clear();
        if (feed) {
            for (const auto &[keyIndex, channel] : feed->channels()) {
                QString text = shortKeyHex(channel.discoveryKey);
                // "channel 1 · 6b7ecf9c", as the Channels tab and the log name it.
                const ChannelTableModel *table = m_session->channels();
                if (const int row = table->rowOf(channel.discoveryKey);
                    row >= 0 && table->row(row).localId)
                    text = tr("channel %1 · %2").arg(*table->row(row).localId).arg(text);
                if (!channel.feed.hasFeedKey())
                    text += tr(" (feed key unknown: not verified)");
                m_channels->addItem(text, keyIndex);
            }
        }
        const int index = m_channels->findData(chosen);
        m_channels->setCurrentIndex(index >= 0 ? index : 0);
    }
    m_channels->setEnabled(m_channels->count() > 0);
    showChannel();
}

void FeedPane::showChannel()
{
    const FeedTracker *feed = tracker();
    const FeedTracker::Channel *channel = feed && m_channels->currentIndex() >= 0
                                              ? feed->channel(m_channels->currentData().toUInt())
                                              : nullptr;
    if (!channel) {
        m_map->clear();
        m_summary->setText(m_session ? tr("No feed messages on this session yet.")
                                     : tr("No session selected."));
        return;
    }
    const feed::SideRecord &remote = channel->feed.record(feed::Side::Remote);
    const feed::SideRecord &local = channel->feed.record(feed::Side::Local);
    // A session that only sent Data here serves the feed: show what the remote got from us.
    if (!m_perspectiveChosen) {
        const bool serving = local.received.isEmpty() && !remote.received.isEmpty();
        m_perspective->setCurrentIndex(serving ? 1 : 0);
    }
    const bool serving = perspective() == Perspective::Serving;
    // Downloading: the remote's Have above, our progress below; serving: the other way round.
    const feed::SideRecord &above = serving ? local : remote;
    const feed::SideRecord &below = serving ? remote : local;
    BlockMap::Layers layers;
    layers[BlockMap::RemoteHas] = above.announced.ranges();
    layers[BlockMap::LocalHas] = below.announced.ranges();
    layers[BlockMap::Wanted] = below.wanted.ranges();
    layers[BlockMap::Requested] = below.requested.ranges();
    layers[BlockMap::Received] = below.received.ranges();
    layers[BlockMap::Verified] = below.verified.ranges();
    layers[BlockMap::Failed] = below.failed.ranges();
    m_map->setLayerName(BlockMap::RemoteHas, serving ? tr("we have") : QString());
    m_map->setLayerName(BlockMap::LocalHas, serving ? tr("remote has") : QString());
    m_map->setLayerName(BlockMap::Wanted, serving ? tr("remote wanted") : QString());
    m_map->setLayerName(BlockMap::Requested, serving ? tr("remote requested") : QString());
    m_map->setLayerName(BlockMap::Received, serving ? tr("sent") : QString());
    m_map->setLayerName(BlockMap::Verified, serving ? tr("sent, verifies") : QString());
    m_map->setLayerName(BlockMap::Failed, serving ? tr("sent, fails") : QString());
    std::uint64_t length = 0;
    // The feed's length is what anyone has, asked for or got; a Want is a subscription (the
    // demo's, like hypercore's, covers a whole 8192-block page) and only sets the extent when
    // nothing else is known yet, or a 16-block feed would be a sliver of its Want.
    for (int layer = 0; layer < int(layers.size()); ++layer)
        if (layer != BlockMap::Wanted)
            length = std::max(length, extentOf(layers[std::size_t(layer)]));
    if (length == 0 && channel->highestBlock) // only Wants so far: the highest block named
        length = *channel->highestBlock == UINT64_MAX ? UINT64_MAX : *channel->highestBlock + 1;
    if (length == 0)
        length = extentOf(layers[BlockMap::Wanted]);
    m_map->setBlocks(length, layers);

    QString text = serving ? tr("%1 blocks · we have %2 · sent %3 · verified %4 · failed %5")
                                 .arg(length)
                                 .arg(local.announced.blockCount())
                                 .arg(remote.received.blockCount())
                                 .arg(remote.verified.blockCount())
                                 .arg(remote.failed.blockCount())
                           : tr("%1 blocks · remote has %2 · received %3 · verified %4 · failed %5")
                                 .arg(length)
                                 .arg(remote.announced.blockCount())
                                 .arg(local.received.blockCount())
                                 .arg(local.verified.blockCount())
                                 .arg(local.failed.blockCount());
    if (!channel->feed.hasFeedKey())
        text += tr(" · the feed key is unknown (the remote opened this channel): Data cannot be "
                   "verified");
    text += tr(" · click a block for its latest message");
    m_summary->setText(text);
}

void FeedPane::setPerspective(Perspective perspective)
{
    m_perspectiveChosen = true;
    m_perspective->setCurrentIndex(m_perspective->findData(int(perspective)));
    showChannel();
}

FeedPane::Perspective FeedPane::perspective() const
{
    return Perspective(m_perspective->currentData().toInt());
}

QString FeedPane::summaryText() const
{
    return m_summary->text();
}

void FeedPane::onBlockClicked(quint64 block)
{
    const FeedTracker *feed = tracker();
    if (!feed || m_channels->currentIndex() < 0)
        return;
    // With the lesson open, a block explains its latest Data in place.
    if (lessonShown()) {
        if (const int data = latestDataRow(block); data >= 0) {
            explainRow(data);
            return;
        }
    }
    const int row = feed->latestRowAbout(m_channels->currentData().toUInt(), block);
    if (row >= 0)
        emit rowActivated(row);
}

} // namespace hyperscope
