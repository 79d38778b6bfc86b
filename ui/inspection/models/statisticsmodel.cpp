#include "statisticsmodel.h"

#include "channeltablemodel.h"
#include "expertinfomodel.h"
#include "messages.h"

#include <QHash>
#include <QLocale>

#include <algorithm>
#include <unordered_map>

namespace hyperscope {

namespace {

using Kind = MessageLogModel::Kind;

/// Type slots of a channel: frame types 0..15, then the two kinds that are not frames of a type.
constexpr int KeepAliveSlot = 16;
constexpr int HandshakeSlot = 17;
constexpr int SlotCount = 18;

/// The order types are listed in: the handshake first, keepalives last.
int typeOrder(int slot)
{
    return slot == HandshakeSlot ? -1 : slot;
}

QString typeName(int slot)
{
    if (slot == HandshakeSlot)
        return StatisticsModel::tr("Handshake");
    if (slot == KeepAliveSlot)
        return StatisticsModel::tr("Keepalive");
    const std::string_view name = messageTypeName(std::uint8_t(slot));
    return QString::fromLatin1(name.data(), qsizetype(name.size()));
}

/// A channel within a session: what identifies it across both directions (the discovery key;
/// the sender's channel id differs per direction), and the leg of a relayed session.
enum class ChannelClass : qint64 { Connection = 0, Keyed = 1, UnknownKey = 2 };

/// What belongs to no channel: the handshake, keepalives, stream-level frames (id 0, no key).
bool isConnection(const MessageLogModel::Record &r)
{
    return !(r.kind == Kind::Frame && (r.channelKey || r.channel != 0));
}

qint64 channelIdOf(const MessageLogModel::Record &r)
{
    ChannelClass cls = ChannelClass::Connection;
    qint64 value = 0;
    const bool frame = r.kind == Kind::Frame;
    if (frame && r.channelKey) {
        cls = ChannelClass::Keyed;
        value = r.channelKey;
    } else if (frame && r.channel != 0) {
        cls = ChannelClass::UnknownKey;
        value = r.channel;
    }
    return (qint64(r.leg) << 36) | (qint64(cls) << 33) | value;
}

} // namespace

void StatisticsModel::Counts::add(const Counts &other)
{
    for (std::size_t d = 0; d < 2; ++d) {
        messages[d] += other.messages[d];
        bytes[d] += other.bytes[d];
    }
}

struct StatisticsModel::Node
{
    Node *parent = nullptr;
    int row = 0;
    int session = 0;
    QString name;
    QString toolTip;
    QString key;
    qint64 order = 0; ///< Children are sorted by it.
    Counts counts;
    std::vector<std::unique_ptr<Node>> children;

    Node *add(std::unique_ptr<Node> child)
    {
        child->parent = this;
        children.push_back(std::move(child));
        return children.back().get();
    }
    /// Sorts the children by order, numbers the rows and sums the counts up the tree.
    void finish()
    {
        std::stable_sort(children.begin(), children.end(),
                         [](const auto &a, const auto &b) { return a->order < b->order; });
        if (!children.empty())
            counts = {};
        for (std::size_t i = 0; i < children.size(); ++i) {
            children[i]->row = int(i);
            children[i]->finish();
            counts.add(children[i]->counts);
        }
    }
};

StatisticsModel::StatisticsModel(const MessageLogModel *log, QObject *parent)
    : QAbstractItemModel(parent)
    , m_log(log)
    , m_root(std::make_unique<Node>())
{}

StatisticsModel::~StatisticsModel() = default;

void StatisticsModel::refresh()
{
    // One pass: each message adds to its type's counts (a lookup only when the session, channel
    // or type differs from the previous row's, the rule in a log); finish() sums the totals.
    auto root = std::make_unique<Node>();
    Summary summary;
    struct ChannelSlots
    {
        Node *node;
        std::array<Node *, SlotCount> types{};
    };
    struct SessionSlots
    {
        Node *node;
        std::unordered_map<qint64, ChannelSlots> channels;
    };
    std::unordered_map<int, SessionSlots> sessions;
    const QList<int> order = m_log->sessions();

    int lastSession = 0;
    qint64 lastChannel = -1;
    SessionSlots *session = nullptr;
    ChannelSlots *channel = nullptr;
    bool anyMessage = false;
    const int rows = m_log->rowCount();
    for (int row = 0; row < rows; ++row) {
        const MessageLogModel::Record &r = m_log->record(row);
        if (ExpertInfoModel::isProblem(m_log->severity(r)))
            ++summary.problems;
        if (r.kind == Kind::Warning || r.kind == Kind::Error || r.kind == Kind::Event)
            continue;
        if (!session || r.session != lastSession) {
            auto [it, inserted] = sessions.try_emplace(r.session);
            if (inserted) {
                auto node = std::make_unique<Node>();
                node->session = r.session;
                node->name = m_log->sessionLabel(r.session);
                node->key = QStringLiteral("s%1").arg(r.session);
                const qsizetype position = order.indexOf(r.session);
                node->order = position < 0 ? order.size() + r.session : position;
                it->second.node = root->add(std::move(node));
            }
            session = &it->second;
            lastSession = r.session;
            lastChannel = -1;
        }
        const qint64 channelId = channelIdOf(r);
        if (channelId != lastChannel) {
            auto [it, inserted] = session->channels.try_emplace(channelId);
            if (inserted) {
                auto node = std::make_unique<Node>();
                node->session = r.session;
                node->key = QStringLiteral("%1/c%2").arg(session->node->key).arg(channelId);
                // The connection's own messages first, then the channels as they appeared.
                node->order = isConnection(r) ? -1 : qint64(session->channels.size());
                QString name;
                if (r.kind == Kind::Frame && r.channelKey) {
                    const std::optional<Key32> key = m_log->channelKey(r.channelKey);
                    name = tr("channel %1").arg(key ? shortKeyHex(*key) : QString());
                    if (key)
                        node->toolTip =
                            tr("Discovery key %1").arg(QString::fromStdString(toHex(*key)));
                } else if (r.kind == Kind::Frame && r.channel != 0) {
                    name = tr("channel id %1 (key unknown)").arg(r.channel);
                    node->toolTip = tr("Frames on a channel id no Open announced");
                } else {
                    name = tr("connection");
                    node->toolTip = tr("The handshake, keepalives and stream-level messages "
                                       "(channel id 0 without a channel)");
                }
                if (r.leg != MessageLogModel::Leg::None)
                    name = tr("%1 leg · %2").arg(MessageLogModel::legName(r.leg), name);
                node->name = name;
                it->second.node = session->node->add(std::move(node));
            }
            channel = &it->second;
            lastChannel = channelId;
        }
        const int slot = r.kind == Kind::Handshake   ? HandshakeSlot
                         : r.kind == Kind::KeepAlive ? KeepAliveSlot
                                                     : std::min<int>(r.type, 15);
        Node *&type = channel->types[std::size_t(slot)];
        if (!type) {
            auto node = std::make_unique<Node>();
            node->session = r.session;
            node->name = typeName(slot);
            node->key = QStringLiteral("%1/t%2").arg(channel->node->key).arg(slot);
            node->order = typeOrder(slot);
            type = channel->node->add(std::move(node));
        }
        const int direction = r.direction() == Direction::Outbound ? 1 : 0;
        type->counts.add(direction, r.bytes.size);
        summary.counts.add(direction, r.bytes.size);
        if (!anyMessage || r.timeUs < summary.firstUs)
            summary.firstUs = r.timeUs;
        if (!anyMessage || r.timeUs > summary.lastUs)
            summary.lastUs = r.timeUs;
        anyMessage = true;
    }
    root->finish();
    summary.rows = quint64(rows);
    summary.sessions = int(root->children.size());

    beginResetModel();
    m_root = std::move(root);
    m_summary = summary;
    m_refreshedRows = rows;
    endResetModel();
}

const StatisticsModel::Node *StatisticsModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<const Node *>(index.internalPointer()) : m_root.get();
}

StatisticsModel::Counts StatisticsModel::counts(const QModelIndex &index) const
{
    return nodeOf(index)->counts;
}

QModelIndex StatisticsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || parent.column() > 0)
        return {};
    const Node *node = nodeOf(parent);
    if (row >= int(node->children.size()))
        return {};
    return createIndex(row, column, node->children[std::size_t(row)].get());
}

QModelIndex StatisticsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const Node *parent = nodeOf(child)->parent;
    if (!parent || parent == m_root.get())
        return {};
    return createIndex(parent->row, 0, const_cast<Node *>(parent));
}

int StatisticsModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    return int(nodeOf(parent)->children.size());
}

int StatisticsModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant StatisticsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node *node = nodeOf(index);
    const Counts &c = node->counts;
    const auto number = [&]() -> quint64 {
        switch (index.column()) {
        case MessagesColumn:
            return c.totalMessages();
        case MessagesInColumn:
            return c.messages[0];
        case MessagesOutColumn:
            return c.messages[1];
        case BytesColumn:
            return c.totalBytes();
        case BytesInColumn:
            return c.bytes[0];
        case BytesOutColumn:
            return c.bytes[1];
        default:
            return 0;
        }
    };
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == NameColumn)
            return node->name;
        return QLocale().toString(number());
    case Qt::ToolTipRole:
        if (index.column() == NameColumn)
            return node->toolTip.isEmpty() ? QVariant() : QVariant(node->toolTip);
        if (index.column() >= BytesColumn)
            return formatBytes(number());
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() != NameColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SortRole:
        if (index.column() == NameColumn)
            return node->order;
        return number();
    case NodeKeyRole:
        return node->key;
    case SessionRole:
        return node->session;
    }
    return {};
}

QVariant StatisticsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn:
            return tr("Session / channel / type");
        case MessagesColumn:
            return tr("Messages");
        case MessagesInColumn:
            return tr("Msgs in");
        case MessagesOutColumn:
            return tr("Msgs out");
        case BytesColumn:
            return tr("Bytes");
        case BytesInColumn:
            return tr("Bytes in");
        case BytesOutColumn:
            return tr("Bytes out");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && section != NameColumn)
        return tr("In: received from the peer. Out: sent by us. Bytes are frame sizes, length "
                  "prefix included (the log's Size column)");
    return {};
}

} // namespace hyperscope
