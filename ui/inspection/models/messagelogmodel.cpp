#include "messagelogmodel.h"

#include "feedtracker.h"
#include "icons.h"
#include "messages.h"
#include "varint.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QLocale>

#include <limits>

namespace hyperscope {

namespace {

constexpr int DefaultFlushIntervalMs = 50;

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QByteArray toByteArray(ByteView bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
}

// Row tints per frame type, translucent so they work over light and dark palettes alike.
QColor typeTint(quint8 type)
{
    switch (static_cast<MessageType>(type)) {
    case MessageType::Open:
        return QColor(76, 175, 80, 40);
    case MessageType::Close:
        return QColor(121, 85, 72, 40);
    case MessageType::Options:
        return QColor(255, 193, 7, 45);
    case MessageType::Extension:
        return QColor(255, 152, 0, 45);
    case MessageType::Status:
        return QColor(0, 150, 136, 30);
    case MessageType::Have:
    case MessageType::Unhave:
    case MessageType::Want:
    case MessageType::Unwant:
        return QColor(33, 150, 243, 30);
    case MessageType::Request:
    case MessageType::Cancel:
        return QColor(156, 39, 176, 30);
    case MessageType::Data:
        return QColor(63, 81, 181, 35);
    }
    return QColor(158, 158, 158, 40);
}

} // namespace

QString shortKeyHex(const Key32 &key)
{
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(key.data()), 4).toHex());
}

static_assert(sizeof(MessageLogModel::Record) == 48, "a log row must stay compact");
static_assert(sizeof(MessageLogModel::Leg) == 1, "the leg lives in the record's last spare byte");
// The int session id fills what was padding after a 16-bit one (see Record).
static_assert(sizeof(MessageLogModel::Record::session) == sizeof(int),
              "session ids are ints everywhere");

MessageLogModel::MessageLogModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_clock.start();
    m_wallAtZeroMs = QDateTime::currentMSecsSinceEpoch();
    m_flushTimer.setInterval(DefaultFlushIntervalMs);
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &MessageLogModel::flush);
}

MessageLogModel::~MessageLogModel()
{
    // The transport keys were kept only to show wire bytes; they die with the log.
    for (TransportKeys &keys : m_transportKeys) {
        crypto::wipe(keys.split.tx);
        crypto::wipe(keys.split.rx);
    }
}

// --- Feeding ------------------------------------------------------------------------------------

MessageLogModel::Record MessageLogModel::makeRecord(int session, Kind kind, Direction direction,
                                                    Leg leg)
{
    Record record;
    record.timeUs = m_clock.nsecsElapsed() / 1000;
    noteSessionTime(session, record.timeUs, m_wallAtZeroMs);
    record.session = session;
    record.kind = kind;
    record.leg = leg;
    if (direction == Direction::Outbound)
        record.flags |= Outbound;
    return record;
}

ByteArena::Slot MessageLogModel::store(ByteView bytes, Record &record)
{
    if (m_arena.used() + bytes.size() > m_byteBudget) {
        record.flags |= BytesDropped;
        return {};
    }
    return m_arena.append(bytes);
}

quint32 MessageLogModel::addExtra(Extra extra)
{
    m_extras.push_back(std::move(extra));
    return quint32(m_extras.size());
}

quint32 MessageLogModel::intern(const Key32 &key)
{
    auto [it, inserted] = m_keyIndex.try_emplace(key, quint32(m_keys.size()));
    if (inserted) {
        m_keys.push_back(key);
        emit channelKeyAdded(it->second);
    }
    return it->second;
}

void MessageLogModel::enqueue(const Record &record)
{
    m_pending.push_back(record);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void MessageLogModel::appendFrame(int session, const FrameTrace &frame, WireStorage wire,
                                  const QString &extensionName, Leg leg)
{
    Record record =
        makeRecord(session, frame.keepAlive ? Kind::KeepAlive : Kind::Frame, frame.direction, leg);
    record.streamOffset = frame.streamOffset;
    record.channel = quint32(std::min<std::uint64_t>(frame.channel, 0xffffffffu));
    record.type = frame.type;
    if (frame.discoveryKey)
        record.channelKey = intern(*frame.discoveryKey);
    if (wire == WireStorage::SameAsPlain)
        record.flags |= PlainOnWire;
    if (!frame.keepAlive) {
        if (frame.type <= 10 && !frame.message)
            record.flags |= Malformed;
        if (frame.type == 15 && !frame.extension)
            record.flags |= Malformed;
    }
    record.bytes = store(frame.plain, record);

    Extra extra;
    extra.note = extensionName;
    if (wire == WireStorage::Store && !(record.flags & BytesDropped))
        extra.wire = store(frame.wire, record);
    if (!extra.note.isEmpty() || extra.wire.size)
        record.extra = addExtra(std::move(extra));
    enqueue(record);
}

void MessageLogModel::appendHandshake(int session, const HandshakeTrace &step, Leg leg)
{
    Record record = makeRecord(session, Kind::Handshake, step.direction, leg);
    record.type = quint8(step.index);
    record.flags |= PlainOnWire;
    if (!step.error.empty())
        record.flags |= HandshakeFailed;
    record.bytes = store(step.wire, record);
    if (!step.error.empty())
        record.extra = addExtra({QString::fromStdString(step.error), {}});
    enqueue(record);
}

void MessageLogModel::appendNote(int session, Kind kind, Direction direction, quint64 streamOffset,
                                 const QString &text, Leg leg)
{
    Record record = makeRecord(session, kind, direction, leg);
    record.streamOffset = streamOffset;
    record.extra = addExtra({text, {}});
    enqueue(record);
}

void MessageLogModel::appendRecord(Record record, ByteView plain, ByteView wire,
                                   const QString &note, const std::optional<Key32> &discoveryKey)
{
    // Another log's clock: no wall clock until setSessionWallClock() gives one.
    noteSessionTime(record.session, record.timeUs, std::nullopt);
    record.bytes = {};
    record.extra = 0;
    record.channelKey = discoveryKey ? intern(*discoveryKey) : 0;
    if (!(record.flags & BytesDropped))
        record.bytes = store(plain, record);
    Extra extra;
    extra.note = note;
    if (!(record.flags & (PlainOnWire | BytesDropped)) && !wire.empty())
        extra.wire = store(wire, record);
    if (!extra.note.isEmpty() || extra.wire.size)
        record.extra = addExtra(std::move(extra));
    enqueue(record);
}

void MessageLogModel::setTransportKeys(int session, const crypto::SplitKeys &split,
                                       const Nonce24 &localNonce, const Nonce24 &remoteNonce,
                                       Leg leg)
{
    m_transportKeys.insert(keysOf(session, leg), {split, localNonce, remoteNonce});
}

void MessageLogModel::addSession(int session)
{
    m_sessionSet.insert(session);
    m_sessions.append(session);
    emit sessionAdded(session);
}

void MessageLogModel::setSessionLabel(int session, const QString &label)
{
    const auto known = m_sessionLabels.constFind(session);
    const bool changed = known == m_sessionLabels.constEnd() || *known != label;
    m_sessionLabels.insert(session, label);
    if (!m_sessionSet.contains(session)) {
        addSession(session);
        return; // no flushed row shows it yet
    }
    if (!changed)
        return;
    emitTextChanged(SessionColumn);
    emit sessionLabelChanged(session);
}

QString MessageLogModel::sessionLabel(int session) const
{
    return m_sessionLabels.value(session, QStringLiteral("#%1").arg(session));
}

void MessageLogModel::flush()
{
    m_flushTimer.stop();
    if (m_pending.empty())
        return;
    // The sessions are registered first, so that a view reading rowsInserted() finds every
    // row's session in sessions(); they are announced after the rows are in, when slots that
    // log something more only add to the next batch. Runs of one session are the rule: only a
    // change of session costs a lookup.
    QList<int> added;
    const Record *previous = nullptr;
    for (const Record &record : m_pending) {
        if (record.leg != Leg::None) {
            m_hasLegs = true;
            m_sessionsWithLegs.insert(record.session);
        }
        if (previous && previous->session == record.session)
            continue;
        previous = &record;
        if (!m_sessionSet.contains(record.session)) {
            m_sessionSet.insert(record.session);
            m_sessions.append(record.session);
            added.append(record.session);
        }
    }
    const int first = int(m_records.size());
    const int last = first + int(m_pending.size()) - 1;
    beginInsertRows({}, first, last);
    m_records.insert(m_records.end(), m_pending.begin(), m_pending.end());
    m_pending.clear();
    endInsertRows();
    for (const int session : std::as_const(added))
        emit sessionAdded(session);
    emit rowsFlushed(first, last);
}

void MessageLogModel::setSessionEndpoints(int session, const Endpoints &endpoints, Leg leg)
{
    Endpoints &known = m_endpoints[keysOf(session, leg)];
    if (known == endpoints)
        return;
    known = endpoints;
    emit sessionEndpointsChanged(session);
}

void MessageLogModel::clear()
{
    beginResetModel();
    m_records = {};
    m_pending.clear();
    m_extras.clear();
    m_arena.clear();
    // Keys, transport keys and labels stay: sessions and channels outlive a cleared log, and
    // one that logs again comes back under its name. The list of sessions is emptied: it
    // names the sessions the log holds rows (or a fresh label) for.
    const bool hadSessions = !m_sessions.isEmpty();
    m_sessions.clear();
    m_sessionSet.clear();
    m_hasLegs = false;
    // The clock keeps running: times since a session's start stay true for a live session that
    // logs on after the clear.
    m_sessionsWithLegs.clear();
    endResetModel();
    if (hadSessions)
        emit sessionsCleared();
}

// --- Time ---------------------------------------------------------------------------------------

void MessageLogModel::noteSessionTime(int session, qint64 timeUs,
                                      std::optional<qint64> wallAtZeroMs)
{
    const auto it = m_sessionClocks.find(session);
    if (it == m_sessionClocks.end())
        m_sessionClocks.insert(session, {timeUs, wallAtZeroMs});
    else if (timeUs < it->startUs)
        it->startUs = timeUs; // a capture's rows need not come in time order
}

void MessageLogModel::setSessionWallClock(int session, qint64 msecsSinceEpoch)
{
    auto it = m_sessionClocks.find(session);
    if (it == m_sessionClocks.end())
        it = m_sessionClocks.insert(session, {std::numeric_limits<qint64>::max(), {}});
    it->wallAtZeroMs = msecsSinceEpoch;
    if (m_timeFormat != TimeFormat::SinceSessionStart)
        emitTextChanged(TimeColumn);
}

std::optional<qint64> MessageLogModel::sessionWallClock(int session) const
{
    const auto it = m_sessionClocks.constFind(session);
    return it == m_sessionClocks.constEnd() ? std::nullopt : it->wallAtZeroMs;
}

std::optional<qint64> MessageLogModel::sessionStartUs(int session) const
{
    const auto it = m_sessionClocks.constFind(session);
    if (it == m_sessionClocks.constEnd() || it->startUs == std::numeric_limits<qint64>::max())
        return std::nullopt;
    return it->startUs;
}

std::optional<qint64> MessageLogModel::absoluteUs(const Record &record) const
{
    const auto it = m_sessionClocks.constFind(record.session);
    if (it == m_sessionClocks.constEnd() || !it->wallAtZeroMs)
        return std::nullopt;
    return *it->wallAtZeroMs * 1000 + record.timeUs;
}

std::optional<QDateTime> MessageLogModel::wallClockTime(int row) const
{
    if (row < 0 || row >= rowCount())
        return std::nullopt;
    const std::optional<qint64> us = absoluteUs(record(row));
    if (!us)
        return std::nullopt;
    return QDateTime::fromMSecsSinceEpoch(*us / 1000);
}

void MessageLogModel::emitTextChanged(Column column)
{
    if (m_records.empty())
        return;
    m_changingTextOnly = true;
    emit dataChanged(index(0, column), index(rowCount() - 1, column),
                     {Qt::DisplayRole, Qt::ToolTipRole});
    m_changingTextOnly = false;
}

void MessageLogModel::setTimeFormat(TimeFormat format)
{
    if (m_timeFormat == format)
        return;
    m_timeFormat = format;
    emitTextChanged(TimeColumn);
    emit headerDataChanged(Qt::Horizontal, TimeColumn, TimeColumn);
    emit timeFormatChanged(format);
}

QString MessageLogModel::timeText(int row, int previousRow) const
{
    if (row < 0 || row >= rowCount())
        return {};
    const Record &r = record(row);
    const auto seconds = [](qint64 us) {
        return QString::number(double(us) / 1e6, 'f', 6);
    };
    const QString unknown = QStringLiteral("–");
    switch (m_timeFormat) {
    case TimeFormat::SinceSessionStart:
        return seconds(r.timeUs - sessionStartUs(r.session).value_or(r.timeUs));
    case TimeFormat::SincePrevious: {
        if (previousRow < 0 || previousRow >= rowCount())
            return seconds(0);
        const Record &p = record(previousRow);
        if (p.session == r.session)
            return seconds(r.timeUs - p.timeUs);
        const std::optional<qint64> now = absoluteUs(r), before = absoluteUs(p);
        return now && before ? seconds(*now - *before) : unknown;
    }
    case TimeFormat::WallClock: {
        const std::optional<qint64> us = absoluteUs(r);
        if (!us)
            return unknown;
        return QDateTime::fromMSecsSinceEpoch(*us / 1000).toString(QStringLiteral("hh:mm:ss.zzz"));
    }
    }
    return {};
}

// --- Reading ------------------------------------------------------------------------------------

QByteArray MessageLogModel::plainBytes(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    const Record &r = record(row);
    if (r.kind == Kind::Warning || r.kind == Kind::Error || r.kind == Kind::Event)
        return {};
    return toByteArray(m_arena.view(r.bytes));
}

QByteArray MessageLogModel::wireBytes(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    const Record &r = record(row);
    if (r.kind == Kind::Warning || r.kind == Kind::Error || r.kind == Kind::Event)
        return {};
    if (r.flags & PlainOnWire)
        return plainBytes(row);
    if (r.extra && m_extras[r.extra - 1].wire.size)
        return toByteArray(m_arena.view(m_extras[r.extra - 1].wire));
    const auto keys = m_transportKeys.constFind(keysOf(r.session, r.leg));
    if (keys == m_transportKeys.constEnd())
        return {};
    QByteArray bytes = plainBytes(row);
    const bool outbound = r.direction() == Direction::Outbound;
    const crypto::XSalsa20Stream stream(outbound ? keys->split.tx : keys->split.rx,
                                        outbound ? keys->localNonce : keys->remoteNonce);
    stream.applyAt(r.streamOffset,
                   {reinterpret_cast<std::uint8_t *>(bytes.data()), std::size_t(bytes.size())});
    return bytes;
}

std::optional<Key32> MessageLogModel::channelKey(quint32 index) const
{
    if (index == 0 || index >= m_keys.size())
        return std::nullopt;
    return m_keys[index];
}

quint32 MessageLogModel::channelKeyIndex(const Key32 &key) const
{
    const auto it = m_keyIndex.find(key);
    return it == m_keyIndex.end() ? 0 : it->second;
}

ByteView MessageLogModel::payloadOf(const Record &record, std::uint64_t *headerEnd) const
{
    ByteView bytes = m_arena.view(record.bytes);
    const varint::Decoded length = varint::decode(bytes);
    if (length.status != varint::Status::Ok)
        return {};
    const varint::Decoded header = varint::decode(bytes.subspan(length.size));
    if (header.status != varint::Status::Ok)
        return {};
    const std::size_t start = length.size + header.size;
    if (headerEnd)
        *headerEnd = start;
    return start <= bytes.size() ? bytes.subspan(start) : ByteView{};
}

QString MessageLogModel::typeText(const Record &r) const
{
    switch (r.kind) {
    case Kind::Frame:
        return fromUtf8(messageTypeName(r.type));
    case Kind::KeepAlive:
        return tr("Keepalive");
    case Kind::Handshake:
        return tr("Handshake %1/3").arg(r.type + 1);
    case Kind::Warning:
        return tr("Warning");
    case Kind::Error:
        return tr("Error");
    case Kind::Event:
        return tr("Session");
    }
    return {};
}

QString MessageLogModel::legName(Leg leg)
{
    switch (leg) {
    case Leg::Client:
        return tr("client");
    case Leg::Server:
        return tr("server");
    case Leg::None:
        break;
    }
    return {};
}

QString MessageLogModel::directionText(const Record &r) const
{
    // Events and fatal errors happen to the session, locally: neither received nor sent.
    if (r.kind == Kind::Event || r.kind == Kind::Error)
        return {};
    const bool outbound = r.direction() == Direction::Outbound;
    if (r.leg == Leg::None)
        return outbound ? tr("out") : tr("in");
    // The relay stands between the legs: client → relay → server and back.
    const QString peer = legName(r.leg);
    const QString relay = tr("relay");
    return outbound ? QStringLiteral("%1 → %2").arg(relay, peer)
                    : QStringLiteral("%1 → %2").arg(peer, relay);
}

QString MessageLogModel::noteText(const Record &r) const
{
    return r.extra ? m_extras[r.extra - 1].note : QString();
}

QString MessageLogModel::summaryText(const Record &r) const
{
    switch (r.kind) {
    case Kind::KeepAlive:
        return tr("keepalive (empty frame)");
    case Kind::Warning:
    case Kind::Error:
    case Kind::Event:
        return noteText(r);
    case Kind::Handshake: {
        static const char *const tokens[] = {"-> e", "<- e, ee, s, es", "-> s, se"};
        QString text = QStringLiteral("Noise XX message %1 [%2], %3 bytes")
                           .arg(r.type + 1)
                           .arg(QLatin1String(tokens[qMin<int>(r.type, 2)]))
                           .arg(r.bytes.size);
        if (r.flags & HandshakeFailed)
            text += tr(" — failed: %1").arg(noteText(r));
        return text;
    }
    case Kind::Frame:
        break;
    }
    if (r.flags & BytesDropped)
        return tr("(bytes not kept: the log's memory budget is exhausted)");
    const ByteView payload = payloadOf(r);
    std::string error;
    if (r.type <= 10) {
        const std::optional<Message> message = decodeMessage(r.type, payload, error);
        if (!message)
            return tr("malformed: %1").arg(QString::fromStdString(error));
        QString text = QString::fromStdString(summarize(*message));
        // The Type column already names the message.
        const QString prefix = fromUtf8(messageTypeName(r.type));
        if (text.startsWith(prefix))
            text = text.mid(prefix.size()).trimmed();
        // Have/Unhave/Want/Unwant: the blocks they cover, decoded (feed layer, issue 13).
        if (const std::optional<feed::MessageBlocks> blocks = feed::messageBlocks(*message))
            text += blocks->error.empty()
                        ? QStringLiteral(" → %1").arg(blockRangesText(blocks->ranges))
                        : QStringLiteral(" → %1").arg(QString::fromStdString(blocks->error));
        return text;
    }
    if (r.type == 15) {
        const std::optional<ExtensionPayload> ext = decodeExtension(payload, error);
        if (!ext)
            return tr("malformed: %1").arg(QString::fromStdString(error));
        const QString name = noteText(r);
        QString text = name.isEmpty() ? QStringLiteral("id=%1 (unnamed)").arg(ext->id)
                                      : QStringLiteral("id=%1 \"%2\"").arg(ext->id).arg(name);
        text += QStringLiteral(" %1 B").arg(ext->data.size());
        // Show a short text preview when the payload is printable.
        const QByteArray data =
            toByteArray(ext->data.first(std::min<std::size_t>(ext->data.size(), 48)));
        const bool printable = std::all_of(data.begin(), data.end(), [](char c) {
            return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t';
        });
        if (!data.isEmpty())
            text += printable ? QStringLiteral(" \"%1%2\"")
                                    .arg(QString::fromLatin1(data).simplified())
                                    .arg(ext->data.size() > 48 ? QStringLiteral("…") : QString())
                              : QStringLiteral(" %1%2")
                                    .arg(QString::fromLatin1(data.left(16).toHex()))
                                    .arg(ext->data.size() > 16 ? QStringLiteral("…") : QString());
        return text;
    }
    return tr("unassigned frame type %1, %2 payload bytes (ignored, as the reference does)")
        .arg(r.type)
        .arg(payload.size());
}

MessageLogModel::Severity MessageLogModel::severity(const Record &r) const
{
    switch (r.kind) {
    case Kind::Error:
        return Severity::Error;
    case Kind::Warning:
        return Severity::Warning;
    case Kind::KeepAlive:
        return Severity::Quiet;
    case Kind::Handshake:
        return (r.flags & HandshakeFailed) ? Severity::Error : Severity::Normal;
    case Kind::Event:
        return Severity::Normal;
    case Kind::Frame:
        break;
    }
    if (r.flags & Malformed)
        return Severity::Error;
    if (r.type > 10 && r.type < 15)
        return Severity::Warning;
    return Severity::Normal;
}

int MessageLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int MessageLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MessageLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Record &r = m_records[std::size_t(index.row())];
    const bool isFrame = r.kind == Kind::Frame || r.kind == Kind::KeepAlive;
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case NumberColumn:
            return index.row() + 1;
        case TimeColumn:
            return timeText(index.row(), index.row() - 1);
        case SessionColumn:
            return sessionLabel(r.session);
        case DirectionColumn:
            return directionText(r);
        case LegColumn:
            return legName(r.leg);
        case ChannelColumn: {
            if (!isFrame || r.kind == Kind::KeepAlive)
                return QString();
            if (r.channelKey)
                return QStringLiteral("%1 · %2").arg(r.channel).arg(
                    shortKeyHex(m_keys[r.channelKey]));
            return r.channel == 0 ? tr("0 · stream") : QString::number(r.channel);
        }
        case TypeColumn:
            return typeText(r);
        case SizeColumn:
            return (r.kind == Kind::Warning || r.kind == Kind::Error || r.kind == Kind::Event)
                       ? QVariant()
                       : QVariant(r.bytes.size);
        case SummaryColumn:
            return summaryText(r);
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case SummaryColumn:
            return summaryText(r);
        case ChannelColumn:
            if (r.channelKey)
                return tr("Sender's channel id %1\nDiscovery key %2")
                    .arg(r.channel)
                    .arg(QString::fromStdString(toHex(m_keys[r.channelKey])));
            return {};
        case TimeColumn:
            switch (m_timeFormat) {
            case TimeFormat::SinceSessionStart:
                return tr("Seconds since the first row of session %1").arg(sessionLabel(r.session));
            case TimeFormat::SincePrevious:
                return tr("Seconds since the previous row shown (\"–\": the two rows are from "
                          "captures with no common clock)");
            case TimeFormat::WallClock:
                return absoluteUs(r) ? tr("Local time when the row was logged")
                                     : tr("This capture does not say when it was recorded: no "
                                          "wall-clock time");
            }
            return {};
        case DirectionColumn:
            if (r.kind == Kind::Event || r.kind == Kind::Error)
                return tr("A local event of the session: neither received nor sent");
            if (r.leg == Leg::Client)
                return r.direction() == Direction::Outbound
                           ? tr("Sent by the relay to the client (forwarded or injected)")
                           : tr("Received by the relay from the client");
            if (r.leg == Leg::Server)
                return r.direction() == Direction::Outbound
                           ? tr("Sent by the relay to the server (forwarded or injected)")
                           : tr("Received by the relay from the server");
            return r.direction() == Direction::Outbound ? tr("Sent by us")
                                                        : tr("Received from the peer");
        case LegColumn:
            if (r.leg == Leg::Client)
                return tr("The client leg: the peer that dialed the relay");
            if (r.leg == Leg::Server)
                return tr("The server leg: the upstream peer the relay dialed");
            return {};
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == TypeColumn) {
            switch (severity(r)) {
            case Severity::Error:
                return icons::error();
            case Severity::Warning:
                return icons::warning();
            default:
                return {};
            }
        }
        if (index.column() == DirectionColumn && r.kind != Kind::Event && r.kind != Kind::Error)
            return r.direction() == Direction::Outbound ? icons::outbound() : icons::inbound();
        return {};
    case Qt::BackgroundRole:
        switch (severity(r)) {
        case Severity::Error:
            return QBrush(QColor(229, 57, 53, 70));
        case Severity::Warning:
            return QBrush(QColor(255, 213, 79, 110));
        case Severity::Quiet:
            return {};
        case Severity::Normal:
            break;
        }
        if (r.kind == Kind::Handshake)
            return QBrush(QColor(96, 125, 139, 45));
        if (r.kind == Kind::Event)
            return QBrush(QColor(158, 158, 158, 35));
        return QBrush(typeTint(r.type));
    case Qt::ForegroundRole:
        if (r.kind == Kind::KeepAlive)
            return QBrush(QColor(128, 128, 128));
        if (severity(r) == Severity::Error)
            return QBrush(QColor(183, 28, 28));
        return {};
    case Qt::FontRole:
        if (severity(r) == Severity::Error) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == NumberColumn || index.column() == SizeColumn ||
            index.column() == TimeColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case KindRole:
        return int(r.kind);
    case SessionRole:
        return int(r.session);
    case DirectionRole:
        return int(r.direction());
    case ChannelRole:
        return qulonglong(r.channel);
    case ChannelKeyRole:
        return uint(r.channelKey);
    case TypeRole:
        return (isFrame && r.kind != Kind::KeepAlive) || r.kind == Kind::Handshake ? int(r.type)
                                                                                   : -1;
    case SeverityRole:
        return int(severity(r));
    case PlainBytesRole:
        return plainBytes(index.row());
    case WireBytesRole:
        return wireBytes(index.row());
    case StreamOffsetRole:
        return qulonglong(r.streamOffset);
    case LegRole:
        return int(r.leg);
    }
    return {};
}

QVariant MessageLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (Column(section)) {
        case NumberColumn:
            return tr("No.");
        case TimeColumn:
            return tr("Time");
        case SessionColumn:
            return tr("Session");
        case DirectionColumn:
            return tr("Dir");
        case LegColumn:
            return tr("Leg");
        case ChannelColumn:
            return tr("Channel");
        case TypeColumn:
            return tr("Type");
        case SizeColumn:
            return tr("Size");
        case SummaryColumn:
            return tr("Summary");
        case ColumnCount:
            break;
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case TimeColumn:
            switch (m_timeFormat) {
            case TimeFormat::SinceSessionStart:
                return tr("Seconds since the session's first row (View › Time Display Format)");
            case TimeFormat::SincePrevious:
                return tr("Seconds since the previous row shown (View › Time Display Format)");
            case TimeFormat::WallClock:
                return tr("Local time of day (View › Time Display Format)");
            }
            return {};
        case ChannelColumn:
            return tr("The sender's channel id · the channel's discovery key");
        case LegColumn:
            return tr("The leg of a relayed session: client (dialed the relay) or server "
                      "(the upstream the relay dialed)");
        case SizeColumn:
            return tr("Frame size in bytes, length prefix included");
        default:
            break;
        }
    }
    return {};
}

QHash<int, QByteArray> MessageLogModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(KindRole, "kind");
    names.insert(SessionRole, "session");
    names.insert(DirectionRole, "direction");
    names.insert(ChannelRole, "channel");
    names.insert(ChannelKeyRole, "channelKey");
    names.insert(TypeRole, "type");
    names.insert(SeverityRole, "severity");
    names.insert(PlainBytesRole, "plainBytes");
    names.insert(WireBytesRole, "wireBytes");
    names.insert(StreamOffsetRole, "streamOffset");
    names.insert(LegRole, "leg");
    return names;
}

} // namespace hyperscope
