#include "feedpane.h"

#include "blockmap.h"
#include "channeltablemodel.h"
#include "feedtracker.h"
#include "inspectedsession.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace hyperscope {

namespace {

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
    layout->addWidget(m_map, 1);
    layout->addWidget(m_summary);

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
    const int row = feed->latestRowAbout(m_channels->currentData().toUInt(), block);
    if (row >= 0)
        emit rowActivated(row);
}

} // namespace hyperscope
