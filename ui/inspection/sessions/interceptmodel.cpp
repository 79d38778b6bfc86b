#include "interceptmodel.h"

#include "interceptor.h"
#include "messagelogmodel.h"
#include "sessiondriver.h"
#include "sessionmanager.h"
#include "sessionoptions.h"

namespace hyperscope {

namespace {

QString typeText(const Message &message)
{
    const std::string_view name = messageTypeName(std::uint8_t(messageType(message)));
    return QString::fromLatin1(name.data(), qsizetype(name.size()));
}

QString channelText(const ChannelInfo &channel)
{
    const QString key = shortKeyHex(channel.discoveryKey) + QStringLiteral("…");
    return channel.localId ? QStringLiteral("%1 · %2").arg(*channel.localId).arg(key) : key;
}

/// What the log says about a held message: "Request index=5 (intercept id 3)".
QString heldText(const InterceptModel::Held &held)
{
    return QStringLiteral("%1 (intercept id %2)")
        .arg(QString::fromStdString(summarize(held.message)))
        .arg(held.id);
}

} // namespace

InterceptModel::InterceptModel(SessionManager *sessions, QObject *parent)
    : QAbstractTableModel(parent)
    , m_sessions(sessions)
{
    for (InspectedSession *session : sessions->sessions())
        watch(session);
    connect(sessions, &SessionManager::sessionAdded, this, &InterceptModel::watch);
}

void InterceptModel::watch(InspectedSession *session)
{
    if (session->isCapture())
        return; // read-only: nothing to hold
    watchDriver(session->driver(), session);
    if (InspectedSession *server = session->serverLeg())
        watchDriver(server->driver(), server);
    applyTo(session);
    // A session deleted (removed from the list, the window closing) takes its rows along,
    // silently: its drivers may report drops while the manager is being destroyed.
    connect(session, &InspectedSession::aboutToBeDestroyed, this, [this, session] {
        for (InspectedSession *leg : {session, session->serverLeg()}) {
            if (leg && leg->driver())
                leg->driver()->disconnect(this);
        }
        for (int row = int(m_held.size()) - 1; row >= 0; --row) {
            if (m_held[std::size_t(row)].session != session->id())
                continue;
            beginRemoveRows({}, row, row);
            m_held.erase(m_held.begin() + row);
            endRemoveRows();
        }
    });
}

void InterceptModel::watchDriver(SessionDriver *driver, InspectedSession *session)
{
    if (!driver)
        return;
    const QPointer<InspectedSession> watched(session);
    connect(driver, &SessionDriver::messageIntercepted, this,
            [this, driver, watched](const InterceptedMessage &message) {
                if (watched)
                    onHeld(driver, watched, message);
            });
    connect(driver, &SessionDriver::interceptReleased, this, [this](quint64 id, bool edited) {
        onGone(id, edited ? tr("Forwarded edited") : tr("Forwarded"), false);
    });
    connect(driver, &SessionDriver::interceptDropped, this,
            [this](quint64 id, const QString &reason) {
                const bool ended = reason != QLatin1String("dropped");
                onGone(id, ended ? tr("Dropped, %1").arg(reason) : tr("Dropped"), ended);
            });
    connect(driver, &SessionDriver::interceptWarning, this, [this, watched](const QString &text) {
        if (watched)
            note(watched->id(), watched->leg(), Direction::Inbound, text, true);
        say(text);
    });
}

void InterceptModel::applyTo(InspectedSession *session)
{
    for (InspectedSession *leg : {session, session->serverLeg()}) {
        if (leg && leg->driver())
            leg->driver()->setInterceptFilter(m_filter);
    }
}

void InterceptModel::setExpression(const filter::Filter &filter, const QString &text)
{
    m_filter = filter;
    m_text = filter.isEmpty() ? QString() : text;
    // Off releases what was held, through interceptReleased(): the rows go one by one.
    for (InspectedSession *session : m_sessions->sessions()) {
        if (!session->isCapture())
            applyTo(session);
    }
    emit expressionChanged();
}

int InterceptModel::rowOf(quint64 id) const
{
    for (std::size_t row = 0; row < m_held.size(); ++row) {
        if (m_held[row].id == id)
            return int(row);
    }
    return -1;
}

void InterceptModel::onHeld(SessionDriver *driver, InspectedSession *session,
                            const InterceptedMessage &message)
{
    Held held{quint64(message.id), session->id(),   session->leg(), message.direction,
              message.channel,     message.message, driver};
    note(held.session, held.leg, held.direction, tr("Held: %1").arg(heldText(held)));
    const int row = int(m_held.size());
    beginInsertRows({}, row, row);
    m_held.push_back(std::move(held));
    endInsertRows();
}

void InterceptModel::onGone(quint64 id, const QString &what, bool warning)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    const Held &held = m_held[std::size_t(row)];
    const QString text = QStringLiteral("%1: %2").arg(what, heldText(held));
    note(held.session, held.leg, held.direction, text, warning);
    if (warning) {
        const QString label = m_sessions->sessionById(held.session)
                                  ? m_sessions->sessionById(held.session)->numberText()
                                  : QStringLiteral("#%1").arg(held.session);
        say(tr("Session %1 ended: its held %2 (id %3) was dropped.")
                .arg(label, typeText(held.message))
                .arg(held.id));
    }
    beginRemoveRows({}, row, row);
    m_held.erase(m_held.begin() + row);
    endRemoveRows();
}

QString InterceptModel::forward(quint64 id, const std::optional<Message> &edited)
{
    const int row = rowOf(id);
    if (row < 0)
        return tr("no held message has id %1").arg(id);
    const QPointer<SessionDriver> driver = m_held[std::size_t(row)].driver;
    if (!driver)
        return tr("the session holding message %1 is gone").arg(id);
    const Error error = driver->resumeIntercepted(id, edited);
    return error ? InspectedSession::errorText(error) : QString();
}

QString InterceptModel::drop(quint64 id)
{
    const int row = rowOf(id);
    if (row < 0)
        return tr("no held message has id %1").arg(id);
    const QPointer<SessionDriver> driver = m_held[std::size_t(row)].driver;
    if (!driver)
        return tr("the session holding message %1 is gone").arg(id);
    const Error error = driver->dropIntercepted(id);
    return error ? InspectedSession::errorText(error) : QString();
}

QString InterceptModel::forwardAll()
{
    // Oldest first: the ids of what is held now (forwarding changes m_held as it goes).
    std::vector<quint64> ids;
    for (const Held &held : m_held)
        ids.push_back(held.id);
    QStringList errors;
    for (const quint64 id : ids) {
        if (rowOf(id) < 0)
            continue; // went out with another (a resumed send that failed, a session that ended)
        const QString error = forward(id);
        if (!error.isEmpty())
            errors << error;
    }
    return errors.join(QStringLiteral("; "));
}

void InterceptModel::note(int session, InspectedSession::Leg leg, Direction direction,
                          const QString &text, bool warning)
{
    using Kind = MessageLogModel::Kind;
    m_sessions->log()->appendNote(session, warning ? Kind::Warning : Kind::Event, direction, 0,
                                  tr("Intercept: %1").arg(text), leg);
}

void InterceptModel::say(const QString &text)
{
    m_notice = text;
    emit notice(text);
}

int InterceptModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_held.size());
}

int InterceptModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InterceptModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_held.size()))
        return {};
    const Held &held = m_held[std::size_t(index.row())];
    if (role == IdRole)
        return qulonglong(held.id);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case SessionColumn: {
        const InspectedSession *session = m_sessions->sessionById(held.session);
        return session ? session->numberText() : QStringLiteral("#%1").arg(held.session);
    }
    case LegColumn:
        return MessageLogModel::legName(held.leg);
    case DirectionColumn:
        return held.direction == Direction::Outbound ? QStringLiteral("out") : QStringLiteral("in");
    case ChannelColumn:
        return channelText(held.channel);
    case TypeColumn:
        return typeText(held.message);
    case SummaryColumn:
        return QString::fromStdString(summarize(held.message));
    case IdColumn:
        return qulonglong(held.id);
    default:
        return {};
    }
}

QVariant InterceptModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {
        QT_TR_NOOP("Session"), QT_TR_NOOP("Leg"),     QT_TR_NOOP("Dir"), QT_TR_NOOP("Channel"),
        QT_TR_NOOP("Type"),    QT_TR_NOOP("Summary"), QT_TR_NOOP("Id")};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace hyperscope
