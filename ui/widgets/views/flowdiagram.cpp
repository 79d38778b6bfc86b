#include "flowdiagram.h"

#include "messagelogfilter.h"

namespace hyperscope {

namespace {

using Kind = MessageLogModel::Kind;
using Leg = MessageLogModel::Leg;

bool isArrow(const MessageLogModel::Record &record)
{
    return record.kind == Kind::Frame || record.kind == Kind::KeepAlive ||
           record.kind == Kind::Handshake;
}

/// The key of an endpoint nobody knows the address of: never an address ("host:port" has no
/// space), and unique per session and role.
QString unknownKey(const char *role, int session)
{
    return QStringLiteral("unknown %1 %2").arg(QLatin1String(role)).arg(session);
}

} // namespace

int FlowDiagram::lifelineFor(const QString &key, const QString &address, Role role, int session,
                             bool local)
{
    int index = m_lifelineByKey.value(key, -1);
    if (index < 0) {
        index = lifelineCount();
        m_lifelineByKey.insert(key, index);
        Lifeline lifeline;
        lifeline.address = address;
        lifeline.role = role;
        m_lifelines.push_back(lifeline);
    }
    Lifeline &lifeline = m_lifelines[std::size_t(index)];
    // An endpoint that is some session's own socket is ours, whoever else talks to it.
    if (role == Role::Ours)
        lifeline.role = Role::Ours;
    QList<int> &sessions = local ? lifeline.localOf : lifeline.peerOf;
    if (!sessions.contains(session))
        sessions.append(session);
    return index;
}

void FlowDiagram::rebuild()
{
    m_lifelines.clear();
    m_lifelineByKey.clear();
    m_connections.clear();
    m_relaySpans.clear();
    m_merging = false;
    m_rowOfLine.clear();
    m_lineOfRow.clear();
    m_twins.clear();
    m_waitingForTwin.clear();
    const MessageLogModel *log = m_filter ? m_filter->logModel() : nullptr;
    if (!log)
        return;

    // The sessions the filter can show, in the order the log met them: lifelines appear left to
    // right in the order their sessions did (a session's own side first), as in Wireshark.
    const QList<int> sessions =
        m_filter->sessionFilter() != 0 ? QList<int>{m_filter->sessionFilter()} : log->sessions();
    const QString unknownOurs = QStringLiteral("unknown ours");
    for (const int session : sessions) {
        const auto ours = [&](const QString &address) {
            return lifelineFor(address.isEmpty() ? unknownOurs : address, address, Role::Ours,
                               session, true);
        };
        const auto theirs = [&](const QString &address, Role role, const char *name) {
            return lifelineFor(address.isEmpty() ? unknownKey(name, session) : address, address,
                               role, session, false);
        };
        const MessageLogModel::Endpoints client = log->sessionEndpoints(session, Leg::Client);
        const MessageLogModel::Endpoints server = log->sessionEndpoints(session, Leg::Server);
        const bool relayed =
            log->sessionHasLegs(session) || !client.local.isEmpty() || !server.local.isEmpty();
        if (!relayed) {
            const MessageLogModel::Endpoints e = log->sessionEndpoints(session);
            const int local = ours(e.local);
            m_lifelines[std::size_t(local)].direct = true;
            m_connections.insert(keyOf(session, Leg::None),
                                 {local, theirs(e.peer, Role::Peer, "peer")});
            continue;
        }
        // client ↔ hyperscope ↔ server: the relay's two sockets (the one the client reached and
        // the one it dialed upstream with) are one lifeline, the relay's.
        const int clientLine = theirs(client.peer, Role::Client, "client");
        const int local = ours(client.local.isEmpty() ? server.local : client.local);
        m_lifelines[std::size_t(local)].relay = true;
        if (!server.local.isEmpty() && !m_lifelineByKey.contains(server.local))
            m_lifelineByKey.insert(server.local, local);
        const int serverLine = theirs(server.peer, Role::Server, "server");
        m_connections.insert(keyOf(session, Leg::Client), {local, clientLine});
        m_connections.insert(keyOf(session, Leg::Server), {local, serverLine});
        m_relaySpans.insert(session, {clientLine, serverLine});
    }

    // Frames are logged twice only on a connection with both ends ours.
    for (const Connection &c : std::as_const(m_connections)) {
        if (m_lifelines[std::size_t(c.local)].role == Role::Ours &&
            m_lifelines[std::size_t(c.peer)].role == Role::Ours)
            m_merging = true;
    }
    if (m_merging && m_filter->rowCount() > 0)
        appendRows(0, m_filter->rowCount() - 1);
}

void FlowDiagram::appendRows(int first, int last)
{
    if (!m_merging || !m_filter)
        return;
    const MessageLogModel *log = m_filter->logModel();
    m_lineOfRow.reserve(std::size_t(last) + 1);
    for (int row = first; row <= last; ++row) {
        const int sourceRow = m_filter->mapToSource(m_filter->index(row, 0)).row();
        const MessageLogModel::Record &r = log->record(sourceRow);
        const auto [from, to] = isArrow(r) ? arrowEnds(r) : std::pair(-1, -1);
        if (from < 0 || m_lifelines[std::size_t(from)].role != Role::Ours ||
            m_lifelines[std::size_t(to)].role != Role::Ours) {
            addLine(row);
            continue;
        }
        const FrameKey key{from, to, quint8(r.kind), r.type, r.streamOffset};
        const auto waiting = m_waitingForTwin.constFind(key);
        if (waiting != m_waitingForTwin.constEnd()) {
            // The other end's record of a frame already drawn: the same arrow.
            const int line = *waiting;
            m_waitingForTwin.erase(waiting);
            m_twins.insert(line, row);
            m_lineOfRow.push_back(line);
            continue;
        }
        m_waitingForTwin.insert(key, lineCount());
        addLine(row);
    }
}

void FlowDiagram::addLine(int row)
{
    m_lineOfRow.push_back(int(m_rowOfLine.size()));
    m_rowOfLine.push_back(row);
}

const FlowDiagram::Connection *FlowDiagram::connectionOf(const MessageLogModel::Record &r) const
{
    const auto it = m_connections.constFind(keyOf(r.session, r.leg));
    return it == m_connections.constEnd() ? nullptr : &*it;
}

std::pair<int, int> FlowDiagram::arrowEnds(const MessageLogModel::Record &record) const
{
    const Connection *c = isArrow(record) ? connectionOf(record) : nullptr;
    if (!c)
        return {-1, -1};
    return record.direction() == Direction::Outbound ? std::pair(c->local, c->peer)
                                                     : std::pair(c->peer, c->local);
}

std::pair<int, int> FlowDiagram::span(const MessageLogModel::Record &record) const
{
    if (const Connection *c = connectionOf(record))
        return std::minmax(c->local, c->peer);
    const auto relay = m_relaySpans.constFind(record.session);
    if (relay != m_relaySpans.constEnd())
        return std::minmax(relay->first, relay->second);
    return {-1, -1};
}

int FlowDiagram::lineCount() const
{
    if (m_merging)
        return int(m_rowOfLine.size());
    return m_filter ? m_filter->rowCount() : 0;
}

int FlowDiagram::rowOfLine(int line) const
{
    if (line < 0 || line >= lineCount())
        return -1;
    return m_merging ? m_rowOfLine[std::size_t(line)] : line;
}

int FlowDiagram::lineOfRow(int row) const
{
    if (!m_merging)
        return row >= 0 && row < lineCount() ? row : -1;
    return row >= 0 && row < int(m_lineOfRow.size()) ? m_lineOfRow[std::size_t(row)] : -1;
}

QString FlowDiagram::title(int index, bool numbered) const
{
    const Lifeline &l = lifeline(index);
    QString title;
    switch (l.role) {
    case Role::Ours:
        title =
            l.relay && !l.direct ? QObject::tr("hyperscope (relay)") : QStringLiteral("hyperscope");
        break;
    case Role::Peer:
        title = QObject::tr("peer");
        break;
    case Role::Client:
        title = QObject::tr("client");
        break;
    case Role::Server:
        title = QObject::tr("server");
        break;
    }
    const QList<int> &owners = l.role == Role::Ours ? l.localOf : l.peerOf;
    if (numbered && owners.size() == 1)
        title += QLatin1Char(' ') + (m_filter ? m_filter->logModel()->sessionNumber(owners.first())
                                              : QStringLiteral("#%1").arg(owners.first()));
    return title;
}

QString FlowDiagram::subtitle(int index) const
{
    const Lifeline &l = lifeline(index);
    if (!l.address.isEmpty())
        return l.address;
    return l.role == Role::Ours ? QObject::tr("(this side)") : QObject::tr("(address unknown)");
}

} // namespace hyperscope
