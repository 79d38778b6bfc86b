#include "sessionlistmodel.h"

#include "icons.h"
#include "inspectedsession.h"

#include <QColor>

namespace hyperscope {

namespace {
constexpr int RefreshMs = 1000;
constexpr int SoonMs = 100;
} // namespace

QString formatDuration(qint64 ms)
{
    if (ms < 10000)
        return QStringLiteral("%1 s").arg(double(ms) / 1000, 0, 'f', 1);
    const qint64 s = ms / 1000;
    if (s < 3600)
        return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}

SessionListModel::SessionListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_refreshTimer.setInterval(RefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &SessionListModel::refresh);
    m_soonTimer.setInterval(SoonMs);
    m_soonTimer.setSingleShot(true);
    connect(&m_soonTimer, &QTimer::timeout, this, &SessionListModel::refresh);
}

void SessionListModel::addSession(InspectedSession *session)
{
    const int row = int(m_sessions.size());
    beginInsertRows({}, row, row);
    m_sessions.append(session);
    endInsertRows();
    connect(session, &InspectedSession::changed, this, &SessionListModel::scheduleRefresh);
    connect(session, &InspectedSession::aboutToBeDestroyed, this, [this, session] {
        const int index = int(m_sessions.indexOf(session));
        if (index < 0)
            return;
        beginRemoveRows({}, index, index);
        m_sessions.removeAt(index);
        endRemoveRows();
    });
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void SessionListModel::removeSession(InspectedSession *session)
{
    const int index = int(m_sessions.indexOf(session));
    if (index < 0)
        return;
    disconnect(session, nullptr, this, nullptr);
    beginRemoveRows({}, index, index);
    m_sessions.removeAt(index);
    endRemoveRows();
}

InspectedSession *SessionListModel::session(int row) const
{
    return row >= 0 && row < m_sessions.size() ? m_sessions.at(row) : nullptr;
}

int SessionListModel::rowOf(const InspectedSession *session) const
{
    return int(m_sessions.indexOf(const_cast<InspectedSession *>(session)));
}

int SessionListModel::rowOfId(int id) const
{
    for (int i = 0; i < m_sessions.size(); ++i) {
        if (m_sessions.at(i)->id() == id)
            return i;
    }
    return -1;
}

void SessionListModel::scheduleRefresh()
{
    if (!m_soonTimer.isActive())
        m_soonTimer.start();
}

void SessionListModel::refresh()
{
    if (m_sessions.isEmpty())
        return;
    emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int SessionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_sessions.size());
}

int SessionListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const InspectedSession *s = m_sessions.at(index.row());
    const auto messages = [s] {
        return tr("%1 in / %2 out").arg(s->framesReceived()).arg(s->framesSent());
    };
    const auto bytes = [s] {
        return QStringLiteral("↓ %1  ↑ %2")
            .arg(formatBytes(s->bytesReceived()), formatBytes(s->bytesSent()));
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case SessionColumn:
            return s->numberText(); // "#2", or "capture1.jsonl #1" for a capture
        case PeerColumn:
            return s->isRelayed() ? s->relayText() : s->peerAddress();
        case RoleColumn:
            return s->roleText();
        case StateColumn:
            return s->stateText();
        case MessagesColumn:
            return messages();
        case BytesColumn:
            return bytes();
        case DurationColumn:
            return formatDuration(s->durationMs());
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole: {
        QString tip =
            tr("Session %1 with %2\n%3, %4\nState: %5\nMessages: %6\nBytes: %7\n"
               "Duration: %8")
                .arg(s->numberText(), s->peerAddress(), s->roleText(), s->modeText(),
                     s->stateText(), messages(), bytes(), formatDuration(s->durationMs()));
        if (!s->endReason().isEmpty())
            tip += tr("\nEnded: %1").arg(s->endReason());
        if (s->isCapture())
            tip += tr("\n\nOpened from the capture file %1: read-only (nothing can be sent)")
                       .arg(s->captureName());
        if (const InspectedSession *server = s->serverLeg()) {
            tip += tr("\n\nRelayed: %1\n%2\n%3")
                       .arg(s->relayText(), s->legSummary(), server->legSummary());
            if (!server->endReason().isEmpty())
                tip += tr("\nServer leg ended: %1").arg(server->endReason());
        }
        return tip;
    }
    case Qt::DecorationRole:
        if (index.column() == SessionColumn || index.column() == StateColumn) {
            if (s->isCapture()) // blue: neither live nor merely ended
                return icons::dot(s->endedWithError() ? QColor(229, 57, 53) : QColor(30, 136, 229));
            switch (s->state()) {
            case InspectedSession::State::Open:
                return icons::dot(QColor(67, 160, 71));
            case InspectedSession::State::Connecting:
            case InspectedSession::State::Handshaking:
                return icons::dot(QColor(255, 179, 0));
            case InspectedSession::State::Ended:
                return icons::dot(s->endedWithError() ? QColor(229, 57, 53)
                                                      : QColor(158, 158, 158));
            }
        }
        return {};
    case Qt::ForegroundRole:
        // A capture has ended too, but it is what the user opened to look at: not greyed.
        if (s->state() == InspectedSession::State::Ended && !s->isCapture())
            return QColor(128, 128, 128);
        return {};
    case SessionIdRole:
        return s->id();
    case StateRole:
        return int(s->state());
    case SubtitleRole:
        if (const InspectedSession *server = s->serverLeg()) {
            // A relayed connection is one entry showing both legs: each leg's peer, handshake
            // state and bytes each way (↓ what the relay received on it, ↑ what it sent).
            return QStringLiteral("%1 · %2\n%3\n%4")
                .arg(s->stateText(), formatDuration(s->durationMs()), s->legSummary(),
                     server->legSummary());
        }
        return QStringLiteral("%1 · %2 · %3\n%4")
            .arg(s->stateText(), formatDuration(s->durationMs()), messages(), bytes());
    case FailedRole:
        return s->endedWithError();
    case ModeRole:
        return s->modeText();
    case IsCaptureRole:
        return s->isCapture();
    }
    return {};
}

QVariant SessionListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case SessionColumn:
        return tr("Session");
    case PeerColumn:
        return tr("Peer");
    case RoleColumn:
        return tr("Role");
    case StateColumn:
        return tr("State");
    case MessagesColumn:
        return tr("Messages");
    case BytesColumn:
        return tr("Bytes");
    case DurationColumn:
        return tr("Duration");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace hyperscope
