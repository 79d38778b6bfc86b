#include "relaychannelmodel.h"

#include "inspectedsession.h"
#include "messagelogmodel.h"

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace hyperscope {

RelayChannelModel::RelayChannelModel(InspectedSession *session, QObject *parent)
    : QAbstractTableModel(parent)
{
    if (!session || !session->isRelayed())
        return;
    m_session = session->relayRoot();
    watch(m_session->channels());
    watch(m_session->serverLeg()->channels());
    // Held channels are the relay's, not a table's: they change with the session.
    connect(m_session, &InspectedSession::changed, this, &RelayChannelModel::refresh);
    refresh();
}

void RelayChannelModel::watch(ChannelTableModel *model)
{
    connect(model, &QAbstractItemModel::rowsInserted, this, &RelayChannelModel::refresh);
    connect(model, &QAbstractItemModel::dataChanged, this, &RelayChannelModel::refresh);
    connect(model, &QAbstractItemModel::modelReset, this, &RelayChannelModel::refresh);
}

void RelayChannelModel::refresh()
{
    std::vector<Row> rows;
    const auto rowFor = [&rows](const Key32 &key) -> Row & {
        const auto it = std::find_if(rows.begin(), rows.end(),
                                     [&key](const Row &r) { return r.discoveryKey == key; });
        if (it != rows.end())
            return *it;
        rows.push_back({});
        rows.back().discoveryKey = key;
        return rows.back();
    };
    if (m_session) {
        for (const bool server : {false, true}) {
            const InspectedSession *leg = server ? m_session->serverLeg() : m_session.data();
            const ChannelTableModel *table = leg->channels();
            for (int i = 0; i < table->rowCount(); ++i) {
                const ChannelTableModel::Row &source = table->row(i);
                Leg &target = server ? rowFor(source.discoveryKey).server
                                     : rowFor(source.discoveryKey).client;
                target.seen = true;
                target.row = source;
            }
            for (const Key32 &key : leg->heldChannels()) {
                Row &row = rowFor(key);
                (server ? row.heldOnServer : row.heldOnClient) = true;
            }
        }
    }
    using State = ChannelTableModel::State;
    for (Row &row : rows) {
        const auto closed = [](const Leg &leg) {
            return leg.seen && leg.row.state != State::OpenedLocally &&
                   leg.row.state != State::OpenedByRemote && leg.row.state != State::Established;
        };
        if (row.heldOnClient || row.heldOnServer)
            row.forwarding = Forwarding::Held;
        else if (closed(row.client) || closed(row.server))
            row.forwarding = Forwarding::Closed;
        else if (row.client.seen && row.server.seen && row.client.row.state == State::Established &&
                 row.server.row.state == State::Established)
            row.forwarding = Forwarding::Forwarded;
        else
            row.forwarding = Forwarding::Opening;
    }
    const bool sameKeys =
        rows.size() == m_rows.size() &&
        std::equal(rows.begin(), rows.end(), m_rows.begin(),
                   [](const Row &a, const Row &b) { return a.discoveryKey == b.discoveryKey; });
    if (!sameKeys) {
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
        return;
    }
    m_rows = std::move(rows);
    if (!m_rows.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

QString RelayChannelModel::heldOn(int row) const
{
    const Row &r = m_rows[std::size_t(row)];
    if (r.heldOnClient && r.heldOnServer)
        return tr("client and server");
    if (r.heldOnClient)
        return MessageLogModel::legName(MessageLogModel::Leg::Client);
    if (r.heldOnServer)
        return MessageLogModel::legName(MessageLogModel::Leg::Server);
    return {};
}

int RelayChannelModel::rowOf(const Key32 &discoveryKey) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].discoveryKey == discoveryKey)
            return int(i);
    }
    return -1;
}

QString RelayChannelModel::idsText(const Leg &leg, const QString &peer)
{
    if (!leg.seen)
        return QStringLiteral("—");
    const auto id = [](const std::optional<std::uint64_t> &value) {
        return value ? QString::number(*value) : QStringLiteral("–");
    };
    // The relay's id is the leg's local id; the peer's is the remote id.
    return tr("%1 %2 · relay %3").arg(peer, id(leg.row.remoteId), id(leg.row.localId));
}

QString RelayChannelModel::stateText(const Leg &leg, bool held)
{
    if (held)
        return tr("held (opened by the peer)");
    if (!leg.seen)
        return tr("not opened");
    return ChannelTableModel::stateText(leg.row.state);
}

QString RelayChannelModel::forwardingText(const Row &row) const
{
    switch (row.forwarding) {
    case Forwarding::Forwarded:
        return tr("forwarded");
    case Forwarding::Held:
        if (m_session && m_session->isCapture()) // nothing can be added to a capture
            return tr("held: feed key unknown");
        return tr("held: feed key unknown (add it to forward)");
    case Forwarding::Closed:
        // Open on both legs when the session ended (a capture shows its channels so): it was
        // forwarded to the end, which says more than "closed".
        if (row.client.seen && row.server.seen &&
            row.client.row.state == ChannelTableModel::State::SessionEnded &&
            row.server.row.state == ChannelTableModel::State::SessionEnded &&
            row.client.row.verified && row.server.row.verified)
            return tr("forwarded until the session ended");
        return tr("closed");
    case Forwarding::Opening:
        break;
    }
    return tr("opening");
}

int RelayChannelModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RelayChannelModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RelayChannelModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case DiscoveryKeyColumn:
            return QString::fromStdString(toHex(r.discoveryKey));
        case ForwardingColumn:
            return forwardingText(r);
        case ClientIdsColumn:
            return idsText(r.client, tr("client"));
        case ClientStateColumn:
            return stateText(r.client, r.heldOnClient);
        case ServerIdsColumn:
            return idsText(r.server, tr("server"));
        case ServerStateColumn:
            return stateText(r.server, r.heldOnServer);
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        if (r.forwarding == Forwarding::Held && m_session && m_session->isCapture())
            return tr("The %1 peer opened discovery key %2, whose feed key the relay did not "
                      "know, so nothing was forwarded on it.")
                .arg(heldOn(index.row()), QString::fromStdString(toHex(r.discoveryKey)));
        if (r.forwarding == Forwarding::Held)
            return tr("The %1 peer opened discovery key %2, whose feed key the relay does not "
                      "know, so nothing is forwarded on it. Type the feed key above and click "
                      "Add Key: the channel then opens on both legs.")
                .arg(heldOn(index.row()), QString::fromStdString(toHex(r.discoveryKey)));
        if (index.column() == ClientIdsColumn || index.column() == ServerIdsColumn)
            return tr("Each leg numbers the channel on its own: the peer's id and the relay's");
        return {};
    case Qt::BackgroundRole:
        if (index.column() != ForwardingColumn)
            return {};
        switch (r.forwarding) {
        case Forwarding::Forwarded:
            return QBrush(QColor(76, 175, 80, 60));
        case Forwarding::Held:
            return QBrush(QColor(255, 213, 79, 110));
        case Forwarding::Closed:
        case Forwarding::Opening:
            break;
        }
        return {};
    case DiscoveryKeyRole:
        return QByteArray(reinterpret_cast<const char *>(r.discoveryKey.data()),
                          qsizetype(r.discoveryKey.size()));
    case ForwardingRole:
        return int(r.forwarding);
    case HeldRole:
        return r.forwarding == Forwarding::Held;
    }
    return {};
}

QVariant RelayChannelModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case DiscoveryKeyColumn:
        return tr("Discovery key");
    case ForwardingColumn:
        return tr("Relay");
    case ClientIdsColumn:
        return tr("Client leg ids");
    case ClientStateColumn:
        return tr("Client leg");
    case ServerIdsColumn:
        return tr("Server leg ids");
    case ServerStateColumn:
        return tr("Server leg");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace hyperscope
