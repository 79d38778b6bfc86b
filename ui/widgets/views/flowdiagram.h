// FlowDiagram: what the flow graph draws, without drawing it. The lifelines (one per endpoint of
// the connections the log's filter shows) and the lines (one per arrow or note, in the filter's
// order), computed from MessageLogModel's sessions, their endpoints and the filter's rows.
//
// One lifeline per endpoint. Every connection has two ends, ours and the peer's, named by address
// and port (MessageLogModel::sessionEndpoints()). Sessions share a lifeline when they share an
// endpoint: a listener's accepted sessions share its address; two sessions of one process that
// talk to each other (the demo: an initiator and a responder over loopback) each have as peer the
// other's local endpoint, so the picture is one conversation between two lifelines of ours, not
// two ladders. A relayed session's two legs share our side (client ↔ hyperscope ↔ server). A
// session whose endpoints are unknown (a capture written without them) gets a peer lifeline of
// its own, and our side is one lifeline for all such sessions.
//
// One arrow per message. When both ends of a connection are ours, each frame is logged twice: as
// sent by one session and as received by the other. The two records of one frame have the same
// sender and receiver lifelines, kind, type and stream offset (each direction of a connection is
// one byte stream that both ends number alike); the first of them in the filter's order is
// drawn, the other maps to the same line (its twin). Every other row is a line of its own, and
// while no connection has both ends ours, lines are the filter's rows one for one and nothing is
// stored per row: the graph stays cheap at a million rows.
#pragma once

#include "messagelogmodel.h"

#include <QHash>
#include <QList>
#include <QString>

#include <utility>
#include <vector>

namespace hyperscope {

class MessageLogFilterModel;

class FlowDiagram
{
public:
    /// Who stands at a lifeline.
    enum class Role {
        Ours,   ///< A socket of this process (a session's local endpoint).
        Peer,   ///< The peer of a session we dialed or accepted.
        Client, ///< The peer that dialed a relayed session.
        Server, ///< The upstream peer of a relayed session.
    };

    struct Lifeline
    {
        QString address; ///< "127.0.0.1:4000"; empty when unknown.
        Role role = Role::Peer;
        bool relay = false;  ///< Ours, the relay's side of a relayed session.
        bool direct = false; ///< Ours, the side of a session that is not relayed.
        QList<int> localOf;  ///< Sessions whose local endpoint this is.
        QList<int> peerOf;   ///< Sessions whose peer this is.
    };

    /// Draws @p filter's rows (not owned: the caller clears it before the model goes; null draws
    /// nothing). Call rebuild() after.
    void setModel(const MessageLogFilterModel *filter) { m_filter = filter; }

    /// Recomputes lifelines and lines from the model: after a reset, a layout change, removed
    /// rows, or a change to the log's sessions or endpoints.
    void rebuild();
    /// Rows @p first .. @p last were appended to the filter model (already counted in it).
    void appendRows(int first, int last);

    // --- Lifelines -------------------------------------------------------------------------------

    int lifelineCount() const { return int(m_lifelines.size()); }
    const Lifeline &lifeline(int index) const { return m_lifelines[std::size_t(index)]; }
    /// "hyperscope", "peer", "client", "server", "hyperscope (relay)"; with the session number
    /// ("hyperscope #2") when @p numbered and one session owns the endpoint.
    QString title(int index, bool numbered) const;
    /// The address, or what stands for it when unknown.
    QString subtitle(int index) const;

    /// The lifelines the arrow of @p record runs from and to; {-1, -1} for a note, or a row whose
    /// session the diagram does not know.
    std::pair<int, int> arrowEnds(const MessageLogModel::Record &record) const;
    /// The leftmost and rightmost lifeline of @p record's connection (a note's box spans them;
    /// a relayed session's own notes span both legs); {-1, -1} when unknown.
    std::pair<int, int> span(const MessageLogModel::Record &record) const;

    // --- Lines -----------------------------------------------------------------------------------

    /// Lines drawn: the filter's rows less the twins.
    int lineCount() const;
    /// The filter row drawn on @p line, or -1.
    int rowOfLine(int line) const;
    /// The line that draws filter row @p row (its twin's line for the second record of a
    /// frame), or -1.
    int lineOfRow(int row) const;
    /// The other record of the frame drawn on @p line (a filter row), or -1.
    int twinOfLine(int line) const { return m_twins.value(line, -1); }
    /// Lines are not the filter's rows one for one (some frame was logged by both ends).
    bool mergesRows() const { return m_merging; }

private:
    /// The two lifelines of one connection (a session, or one leg of a relayed session).
    struct Connection
    {
        int local = -1;
        int peer = -1;
    };
    /// What identifies one frame on one connection, the same in both ends' records.
    struct FrameKey
    {
        int from = -1;
        int to = -1;
        quint8 kind = 0;
        quint8 type = 0;
        quint64 streamOffset = 0;
        bool operator==(const FrameKey &) const = default;
    };
    friend size_t qHash(const FrameKey &key, size_t seed = 0)
    {
        return qHashMulti(seed, key.from, key.to, key.kind, key.type, key.streamOffset);
    }
    static qint64 keyOf(int session, MessageLogModel::Leg leg)
    {
        return (qint64(session) << 2) | qint64(leg);
    }

    int lifelineFor(const QString &key, const QString &address, Role role, int session, bool local);
    const Connection *connectionOf(const MessageLogModel::Record &record) const;
    void addLine(int row);

    const MessageLogFilterModel *m_filter = nullptr;
    std::vector<Lifeline> m_lifelines;
    QHash<QString, int> m_lifelineByKey;          ///< Address (or a stand-in) → lifeline.
    QHash<qint64, Connection> m_connections;      ///< By keyOf(session, leg).
    QHash<int, std::pair<int, int>> m_relaySpans; ///< Relayed session → {client, server}.

    // Only while merging: lines and their rows.
    bool m_merging = false;
    std::vector<int> m_rowOfLine;
    std::vector<int> m_lineOfRow;
    QHash<int, int> m_twins;               ///< Line → the second record's filter row.
    QHash<FrameKey, int> m_waitingForTwin; ///< A drawn frame whose other record is not seen yet.
};

} // namespace hyperscope
