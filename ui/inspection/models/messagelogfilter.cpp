#include "messagelogfilter.h"

#include "feedverifier.h"
#include "row.h"

#include <algorithm>

namespace hyperscope {

MessageLogFilterModel::MessageLogFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    // The log is chronological; the proxy only filters.
    setDynamicSortFilter(true);
}

void MessageLogFilterModel::setSourceModel(QAbstractItemModel *model)
{
    if (m_log)
        disconnect(m_log, &MessageLogModel::feedVerdictsChanged, this, nullptr);
    m_log = qobject_cast<MessageLogModel *>(model);
    Q_ASSERT_X(m_log || !model, "MessageLogFilterModel", "the source must be a MessageLogModel");
    QSortFilterProxyModel::setSourceModel(model);
    // Verdicts of rows already tested changed (a feed key became known late, a capture's channels
    // were rebuilt): an expression that reads them tests every row again, once, when control
    // returns to the event loop (a capture's session is listed, so that its verdicts are found,
    // only after its rows and channels are in; several notifications make one pass).
    if (m_log) {
        connect(m_log, &MessageLogModel::feedVerdictsChanged, this, [this] {
            if (m_verdictRefilterPending)
                return;
            m_verdictRefilterPending = true;
            QMetaObject::invokeMethod(
                this,
                [this] {
                    m_verdictRefilterPending = false;
                    if (m_expression.usesFeedVerdict())
                        refilter();
                },
                Qt::QueuedConnection);
        });
    }
}

void MessageLogFilterModel::refilter()
{
    // invalidate() is one layout change; invalidateFilter() would remove rows range by range.
    invalidate();
}

void MessageLogFilterModel::setSessionFilter(int session)
{
    if (m_session == session)
        return;
    m_session = session;
    refilter();
}

void MessageLogFilterModel::setChannelFilter(quint32 channelKey)
{
    if (m_channelKey == channelKey)
        return;
    m_channelKey = channelKey;
    refilter();
}

void MessageLogFilterModel::setTypeMask(quint32 mask)
{
    mask &= AllTypes;
    if (m_typeMask == mask)
        return;
    m_typeMask = mask;
    refilter();
}

void MessageLogFilterModel::setShowKeepAlives(bool show)
{
    setTypeMask(show ? (m_typeMask | KeepAliveBit) : (m_typeMask & ~quint32(KeepAliveBit)));
}

void MessageLogFilterModel::setDirections(bool inbound, bool outbound)
{
    if (m_inbound == inbound && m_outbound == outbound)
        return;
    m_inbound = inbound;
    m_outbound = outbound;
    refilter();
}

void MessageLogFilterModel::setTextFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (m_text == trimmed)
        return;
    m_text = trimmed;
    refilter();
}

void MessageLogFilterModel::setAlwaysShowProblems(bool show)
{
    if (m_alwaysShowProblems == show)
        return;
    m_alwaysShowProblems = show;
    refilter();
}

void MessageLogFilterModel::setExpression(const filter::Filter &expression)
{
    if (m_expression.expression() == expression.expression())
        return;
    m_expression = expression;
    refilter();
}

bool MessageLogFilterModel::rowMatches(const filter::Filter &expression, const MessageLogModel &log,
                                       int row)
{
    if (expression.isEmpty())
        return true;
    if (row < 0 || row >= log.rowCount())
        return false;
    using Kind = MessageLogModel::Kind;
    const MessageLogModel::Record &r = log.record(row);
    filter::Row fields;
    fields.session = std::uint64_t(std::max(r.session, 0));
    fields.time = std::uint64_t(std::max<qint64>(r.timeUs, 0) / 1000);
    switch (r.leg) {
    case MessageLogModel::Leg::None:
        break;
    case MessageLogModel::Leg::Client:
        fields.leg = filter::Leg::Client;
        break;
    case MessageLogModel::Leg::Server:
        fields.leg = filter::Leg::Server;
        break;
    }
    // Kept alive until matches() returns: the row's views point into them.
    std::optional<Key32> key;
    QByteArray text;
    if (r.kind != Kind::Event)
        fields.direction = r.direction();
    if (r.channelKey != 0) {
        key = log.channelKey(r.channelKey);
        if (key)
            fields.discoveryKey = ByteView(key->data(), key->size());
    }
    switch (r.kind) {
    case Kind::Frame:
    case Kind::KeepAlive: {
        const ByteView bytes = log.recordBytes(r);
        if (!filter::setFrame(fields, bytes)) {
            // The bytes were not kept (or do not make a frame): what the record itself knows.
            fields.type = r.kind == Kind::KeepAlive ? filter::Row::KeepaliveType : r.type;
            fields.channel = r.channel;
        }
        // A frame that did not decode has no message fields to read.
        if (r.flags & MessageLogModel::Malformed)
            fields.payload.reset();
        // The feed layer's verdict on a Data, only looked up when the expression reads it.
        if (fields.type == int(MessageType::Data) && expression.usesFeedVerdict()) {
            if (const feed::Verdict *verdict = log.feedVerdict(row))
                filter::setVerdict(fields, *verdict);
        }
        if (r.kind == Kind::Frame && r.type == 15) {
            text = log.noteText(r).toUtf8();
            if (!text.isEmpty())
                fields.extension = std::string_view(text.constData(), std::size_t(text.size()));
        }
        break;
    }
    case Kind::Handshake:
        fields.size = log.recordBytes(r).size();
        break;
    case Kind::Warning:
    case Kind::Error: {
        text = log.noteText(r).toUtf8();
        const std::string_view note(text.constData(), std::size_t(text.size()));
        if (r.kind == Kind::Warning)
            fields.warning = note;
        else
            fields.error = note;
        break;
    }
    case Kind::Event:
        break;
    }
    return expression.matches(fields);
}

bool MessageLogFilterModel::isFiltering() const
{
    return m_session != 0 || m_channelKey != 0 || m_typeMask != AllTypes || !m_inbound ||
           !m_outbound || !m_text.isEmpty() || !m_expression.isEmpty();
}

QVariant MessageLogFilterModel::data(const QModelIndex &index, int role) const
{
    if (m_log && role == Qt::DisplayRole && index.column() == MessageLogModel::TimeColumn &&
        m_log->timeFormat() == MessageLogModel::TimeFormat::SincePrevious &&
        checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        const int row = mapToSource(index).row();
        const int previous =
            index.row() > 0 ? mapToSource(this->index(index.row() - 1, 0)).row() : -1;
        return m_log->timeText(row, previous);
    }
    return QSortFilterProxyModel::data(index, role);
}

bool MessageLogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_log || sourceParent.isValid())
        return true;
    // A change of display text only (a label, the time format) cannot change what is shown, but
    // the proxy asks again for every row of it: answer from the current mapping, at once.
    if (m_log->isChangingTextOnly())
        return mapFromSource(m_log->index(sourceRow, 0)).isValid();
    using Kind = MessageLogModel::Kind;
    const MessageLogModel::Record &r = m_log->record(sourceRow);
    if (m_session != 0 && r.session != m_session)
        return false;

    const bool problem = r.kind == Kind::Error || r.kind == Kind::Warning ||
                         m_log->severity(r) == MessageLogModel::Severity::Error;
    if (m_alwaysShowProblems && problem)
        return true;

    const bool isNote = r.kind == Kind::Warning || r.kind == Kind::Error || r.kind == Kind::Event;
    if (!isNote) {
        if (r.direction() == Direction::Inbound ? !m_inbound : !m_outbound)
            return false;
    }
    quint32 bit = 0;
    switch (r.kind) {
    case Kind::Frame:
        bit = 1u << (r.type & 15);
        break;
    case Kind::KeepAlive:
        bit = KeepAliveBit;
        break;
    case Kind::Handshake:
        bit = HandshakeBit;
        break;
    default:
        bit = NoteBit;
        break;
    }
    if (!(m_typeMask & bit))
        return false;
    if (m_channelKey != 0 && r.channelKey != m_channelKey)
        return false;
    if (!m_expression.isEmpty() && !rowMatches(m_expression, *m_log, sourceRow))
        return false;
    if (!m_text.isEmpty()) {
        return m_log->typeText(r).contains(m_text, Qt::CaseInsensitive) ||
               m_log->summaryText(r).contains(m_text, Qt::CaseInsensitive) ||
               m_log->noteText(r).contains(m_text, Qt::CaseInsensitive);
    }
    return true;
}

} // namespace hyperscope
