#include "channeltablemodel.h"

#include "crypto.h"
#include "icons.h"

#include <QByteArray>
#include <QColor>
#include <QFontDatabase>

namespace hyperscope {

namespace {
constexpr int CounterRefreshMs = 250;
/// Channels whose Open was counted before their row existed. The engine reports the channel right
/// after the Open's frame, so one or two are ever waiting; more means a peer misbehaves.
constexpr std::size_t MaxUncountedChannels = 16;

QString hexOf(const Key32 &key)
{
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(key.data()), qsizetype(key.size())).toHex());
}

QByteArray bytesOf(const Key32 &key)
{
    return QByteArray(reinterpret_cast<const char *>(key.data()), qsizetype(key.size()));
}
} // namespace

QString formatBytes(quint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024, 0, 'f', 1);
    if (bytes < quint64(1024) * 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1);
    return QStringLiteral("%1 GiB").arg(double(bytes) / (1024.0 * 1024 * 1024), 0, 'f', 2);
}

ChannelTableModel::ChannelTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_timer.setInterval(CounterRefreshMs);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ChannelTableModel::flush);
}

void ChannelTableModel::setNoise(bool noise)
{
    m_noise = noise;
}

QString ChannelTableModel::stateText(State state)
{
    switch (state) {
    case State::OpenedLocally:
        return tr("opened locally");
    case State::OpenedByRemote:
        return tr("opened by remote");
    case State::Established:
        return tr("established");
    case State::ClosedLocally:
        return tr("closed locally");
    case State::ClosedByRemote:
        return tr("closed by remote");
    case State::Refused:
        return tr("refused");
    case State::RefusedByRemote:
        return tr("refused by remote");
    case State::SessionEnded:
        return tr("session ended");
    }
    return {};
}

int ChannelTableModel::ensureRow(const Key32 &discoveryKey)
{
    const auto it = m_index.find(discoveryKey);
    if (it != m_index.end())
        return it->second;
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    Row r;
    r.discoveryKey = discoveryKey;
    if (const auto early = m_uncounted.find(discoveryKey); early != m_uncounted.end()) {
        static_cast<Counts &>(r) = early->second;
        m_uncounted.erase(early);
    }
    m_rows.push_back(r);
    m_index.emplace(discoveryKey, row);
    endInsertRows();
    return row;
}

ChannelTableModel::CapabilityStatus ChannelTableModel::capabilityStatus(int row) const
{
    const Row &r = m_rows[std::size_t(row)];
    if (!m_noise)
        return CapabilityStatus::NotApplicable;
    if (r.verified)
        return CapabilityStatus::Verified;
    if (r.capabilityFailed)
        return CapabilityStatus::Failed;
    const bool remoteOpen = r.remoteId && r.state != State::ClosedByRemote &&
                            r.state != State::RefusedByRemote && r.state != State::Refused;
    // The engine checks the remote's capability as soon as both sides opened (in either order)
    // and ends the session when it does not match: both open and unverified means it failed.
    if (r.localOpen && remoteOpen)
        return CapabilityStatus::Failed;
    if (r.localOpen)
        return CapabilityStatus::WaitingForRemote;
    if (remoteOpen && r.state == State::OpenedByRemote)
        return CapabilityStatus::WaitingForOurOpen;
    return CapabilityStatus::None;
}

QString ChannelTableModel::capabilityText(CapabilityStatus status)
{
    switch (status) {
    case CapabilityStatus::NotApplicable:
        return tr("n/a (no Noise)");
    case CapabilityStatus::WaitingForRemote:
        return tr("waiting for remote's Open");
    case CapabilityStatus::WaitingForOurOpen:
        return tr("waiting for our Open");
    case CapabilityStatus::Verified:
        return tr("verified");
    case CapabilityStatus::Failed:
        return tr("capability failed");
    case CapabilityStatus::None:
        return QStringLiteral("—");
    }
    return {};
}

int ChannelTableModel::setKnownKey(const Key32 &feedKey)
{
    const int index = rowOf(crypto::discoveryKey(feedKey));
    if (index < 0)
        return -1;
    Row &r = m_rows[std::size_t(index)];
    if (!r.key) {
        r.key = feedKey;
        r.keyGivenByUser = true;
    }
    emit dataChanged(this->index(index, 0), this->index(index, ColumnCount - 1));
    return index;
}

int ChannelTableModel::rowOf(const Key32 &discoveryKey) const
{
    const auto it = m_index.find(discoveryKey);
    return it == m_index.end() ? -1 : it->second;
}

void ChannelTableModel::applyEvent(const ChannelTrace &event)
{
    const ChannelInfo &info = event.channel;
    const int index = ensureRow(info.discoveryKey);
    Row &r = m_rows[std::size_t(index)];
    if (info.key) {
        r.key = info.key;
        r.keyGivenByUser = false;
    }
    // Ids are kept after a close so that the table still says which ids the channel had.
    if (info.localId)
        r.localId = info.localId;
    if (info.remoteId)
        r.remoteId = info.remoteId;
    r.verified = r.verified || info.remoteVerified;
    switch (event.event) {
    case ChannelEvent::OpenedLocally:
        r.localOpen = true;
        r.state = info.established ? State::Established : State::OpenedLocally;
        break;
    case ChannelEvent::OpenedByRemote:
        r.state = info.established ? State::Established
                                   : (r.localOpen ? State::OpenedLocally : State::OpenedByRemote);
        break;
    case ChannelEvent::Verified:
        r.verified = true;
        break;
    case ChannelEvent::Established:
        r.state = State::Established;
        r.localOpen = true;
        break;
    case ChannelEvent::ClosedLocally:
        // Closing our side in answer to the remote's Close keeps the remote's reason.
        if (r.state != State::ClosedByRemote && r.state != State::RefusedByRemote)
            r.state = State::ClosedLocally;
        r.localOpen = false;
        break;
    case ChannelEvent::ClosedByRemote:
        r.state = r.remoteId ? State::ClosedByRemote : State::RefusedByRemote;
        r.localOpen = false;
        break;
    case ChannelEvent::Refused:
        r.state = State::Refused;
        r.localOpen = false;
        break;
    }
    emit dataChanged(this->index(index, 0), this->index(index, ColumnCount - 1));
}

void ChannelTableModel::markDirty(int row)
{
    m_dirtyFirst = m_dirtyFirst < 0 ? row : qMin(m_dirtyFirst, row);
    m_dirtyLast = qMax(m_dirtyLast, row);
    if (!m_timer.isActive())
        m_timer.start();
}

void ChannelTableModel::countFrame(const Key32 &discoveryKey, Direction direction, quint64 bytes)
{
    const int index = rowOf(discoveryKey);
    if (index < 0) {
        // Only an Open names its channel before the event that adds the row: keep its count for
        // that row. Anything else for an unknown channel is ignored; the cap bounds what a
        // hostile peer could make us hold.
        if (m_uncounted.size() < MaxUncountedChannels || m_uncounted.count(discoveryKey))
            addCount(m_uncounted[discoveryKey], direction, bytes);
        return;
    }
    addCount(m_rows[std::size_t(index)], direction, bytes);
    markDirty(index);
}

void ChannelTableModel::addCount(Counts &counts, Direction direction, quint64 bytes)
{
    if (direction == Direction::Inbound) {
        ++counts.messagesIn;
        counts.bytesIn += bytes;
    } else {
        ++counts.messagesOut;
        counts.bytesOut += bytes;
    }
}

void ChannelTableModel::setLocalExtensions(const Key32 &discoveryKey, const QStringList &names)
{
    const int index = ensureRow(discoveryKey);
    m_rows[std::size_t(index)].localExtensions = names;
    emit dataChanged(this->index(index, ExtensionsColumn), this->index(index, ExtensionsColumn));
}

void ChannelTableModel::setRemoteExtensions(const Key32 &discoveryKey, const QStringList &names)
{
    const int index = ensureRow(discoveryKey);
    m_rows[std::size_t(index)].remoteExtensions = names;
    emit dataChanged(this->index(index, ExtensionsColumn), this->index(index, ExtensionsColumn));
}

void ChannelTableModel::markSessionEnded()
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        Row &r = m_rows[i];
        if (r.state == State::OpenedLocally || r.state == State::OpenedByRemote ||
            r.state == State::Established) {
            // Remember a failed check before localOpen goes: the engine ended the session on it.
            r.capabilityFailed = capabilityStatus(int(i)) == CapabilityStatus::Failed;
            r.state = State::SessionEnded;
            r.localOpen = false;
            emit dataChanged(index(int(i), 0), index(int(i), ColumnCount - 1));
        }
    }
}

void ChannelTableModel::flush()
{
    m_timer.stop();
    if (m_dirtyFirst < 0)
        return;
    const QModelIndex first = index(m_dirtyFirst, MessagesColumn);
    const QModelIndex last = index(m_dirtyLast, BytesColumn);
    m_dirtyFirst = m_dirtyLast = -1;
    emit dataChanged(first, last, {Qt::DisplayRole, Qt::ToolTipRole});
}

int ChannelTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ChannelTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChannelTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows[std::size_t(index.row())];
    const auto optionalId = [](const std::optional<std::uint64_t> &id) {
        return id ? QVariant(qulonglong(*id)) : QVariant(QStringLiteral("—"));
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case DiscoveryKeyColumn:
            return hexOf(r.discoveryKey);
        case KeyColumn:
            return r.key ? hexOf(*r.key) : tr("unknown");
        case LocalIdColumn:
            return optionalId(r.localId);
        case RemoteIdColumn:
            return optionalId(r.remoteId);
        case StateColumn:
            return stateText(r.state);
        case VerifiedColumn:
            return capabilityText(capabilityStatus(index.row()));
        case MessagesColumn:
            return QStringLiteral("%1 in / %2 out").arg(r.messagesIn).arg(r.messagesOut);
        case BytesColumn:
            return QStringLiteral("%1 / %2").arg(formatBytes(r.bytesIn), formatBytes(r.bytesOut));
        case ExtensionsColumn: {
            QStringList parts;
            if (!r.localExtensions.isEmpty())
                parts << tr("local: %1").arg(r.localExtensions.join(QLatin1String(", ")));
            if (!r.remoteExtensions.isEmpty())
                parts << tr("remote: %1").arg(r.remoteExtensions.join(QLatin1String(", ")));
            return parts.join(QLatin1String("; "));
        }
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case DiscoveryKeyColumn:
            return tr("Discovery key (BLAKE2b of \"hypercore\" keyed with the feed key)");
        case KeyColumn:
            if (r.key)
                return r.keyGivenByUser ? tr("Feed key (you gave it; we have not opened the "
                                             "channel)")
                                        : tr("Feed key (known because we opened the channel)");
            return tr("The feed key never crosses the wire: only the peer that opened the "
                      "channel with it knows it. Type it in Feed key to fill it in here.");
        case LocalIdColumn:
            return tr("The id we number this channel with (our frames carry it)");
        case RemoteIdColumn:
            return tr("The peer's id for this channel (its frames carry it)");
        case VerifiedColumn:
            switch (capabilityStatus(index.row())) {
            case CapabilityStatus::WaitingForOurOpen:
                return tr("The remote opened this channel; its capability can be checked only "
                          "with the feed key, once we open the channel too. Nothing failed.");
            case CapabilityStatus::Failed:
                return tr("The remote's capability did not match the one computed from the feed "
                          "key and this connection's split keys: the session was ended.");
            default:
                return tr("Whether the remote's Open carried a capability proving it knows the "
                          "feed key");
            }
        case MessagesColumn:
        case BytesColumn:
            return tr("Received: %1 frames, %2 bytes\nSent: %3 frames, %4 bytes")
                .arg(r.messagesIn)
                .arg(r.bytesIn)
                .arg(r.messagesOut)
                .arg(r.bytesOut);
        case ExtensionsColumn: {
            // The column is narrow: the whole list, one scope a line.
            QString text = data(index, Qt::DisplayRole).toString();
            return text.isEmpty()
                       ? QVariant()
                       : QVariant(text.replace(QLatin1String("; "), QLatin1String("\n")));
        }
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == StateColumn) {
            switch (r.state) {
            case State::Established:
                return icons::dot(QColor(67, 160, 71));
            case State::OpenedLocally:
            case State::OpenedByRemote:
                return icons::dot(QColor(255, 179, 0));
            case State::Refused:
            case State::RefusedByRemote:
                return icons::dot(QColor(229, 57, 53));
            default:
                return icons::dot(QColor(158, 158, 158));
            }
        }
        return {};
    case Qt::FontRole:
        if (index.column() == DiscoveryKeyColumn || index.column() == KeyColumn)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == VerifiedColumn &&
            capabilityStatus(index.row()) == CapabilityStatus::Failed)
            return QColor(183, 28, 28);
        if (r.state == State::ClosedLocally || r.state == State::ClosedByRemote ||
            r.state == State::SessionEnded)
            return QColor(128, 128, 128);
        return {};
    case DiscoveryKeyRole:
        return bytesOf(r.discoveryKey);
    case KeyRole:
        return r.key ? QVariant(bytesOf(*r.key)) : QVariant();
    case StateRole:
        return int(r.state);
    case LocalIdRole:
        return r.localId ? QVariant(qulonglong(*r.localId)) : QVariant();
    case IsOpenRole:
        return r.localOpen;
    case CapabilityRole:
        return int(capabilityStatus(index.row()));
    }
    return {};
}

QVariant ChannelTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case DiscoveryKeyColumn:
        return tr("Discovery key");
    case KeyColumn:
        return tr("Key");
    case LocalIdColumn:
        return tr("Local id");
    case RemoteIdColumn:
        return tr("Remote id");
    case StateColumn:
        return tr("State");
    case VerifiedColumn:
        return tr("Capability");
    case MessagesColumn:
        return tr("Messages");
    case BytesColumn:
        return tr("Bytes in / out");
    case ExtensionsColumn:
        return tr("Extensions");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace hyperscope
