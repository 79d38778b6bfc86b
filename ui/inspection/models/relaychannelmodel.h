// RelayChannelModel: the channels of a relayed session across both legs (the Channels tab).
//
// Each leg numbers a channel with its own ids (the relay opens the channel itself on the other
// leg, docs/relay.md), so one discovery key has up to four ids: the client's and the relay's on
// the client leg, the relay's and the server's on the server leg. One row per discovery key
// seen on either leg, with those ids, each leg's state, and what the relay does with it:
// forwarded (open on both legs), held (a peer opened it, the relay lacks its feed key: add the
// key to release it), opening, or closed.
//
// Built from the two legs' ChannelTableModels and RelayedSession::heldChannels(); it follows
// their changes (rows are few: a change of the set of keys resets, anything else is one
// dataChanged() over the table).
#pragma once

#include "channeltablemodel.h"

#include <QAbstractTableModel>
#include <QPointer>

#include <vector>

namespace hyperscope {

class InspectedSession;

class RelayChannelModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        DiscoveryKeyColumn,
        ForwardingColumn, ///< "forwarded", "held: feed key unknown", "opening", "closed …"
        ClientIdsColumn,  ///< "client 1 / relay 1" (the sender's id on the client leg first)
        ClientStateColumn,
        ServerIdsColumn, ///< "relay 1 / server 2"
        ServerStateColumn,
        ColumnCount
    };
    enum Role {
        DiscoveryKeyRole = Qt::UserRole + 1, ///< QByteArray (32 bytes).
        ForwardingRole,                      ///< Forwarding, as int.
        HeldRole,                            ///< bool: held for a missing feed key.
    };
    enum class Forwarding { Opening, Forwarded, Held, Closed };

    /// @p session is the relayed session (InspectedSession::isRelayed(), either leg's object);
    /// null or an ordinary session gives an empty model.
    explicit RelayChannelModel(InspectedSession *session, QObject *parent = nullptr);

    InspectedSession *session() const { return m_session; }
    /// Rebuilds the rows from the legs now (it does on every change of either leg).
    void refresh();

    Key32 discoveryKey(int row) const { return m_rows[std::size_t(row)].discoveryKey; }
    Forwarding forwarding(int row) const { return m_rows[std::size_t(row)].forwarding; }
    /// Which legs hold the channel (a peer there opened it; the relay lacks the key): "client",
    /// "server", "client and server"; empty when not held.
    QString heldOn(int row) const;
    int rowOf(const Key32 &discoveryKey) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Leg
    {
        bool seen = false;
        ChannelTableModel::Row row;
    };
    struct Row
    {
        Key32 discoveryKey{};
        Leg client;
        Leg server;
        bool heldOnClient = false;
        bool heldOnServer = false;
        Forwarding forwarding = Forwarding::Opening;
    };
    void watch(ChannelTableModel *model);
    static QString idsText(const Leg &leg, const QString &peer);
    static QString stateText(const Leg &leg, bool held);
    QString forwardingText(const Row &row) const;

    QPointer<InspectedSession> m_session;
    std::vector<Row> m_rows;
};

} // namespace hyperscope
