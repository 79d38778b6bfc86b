#include "capturereplayer.h"

#include "crypto.h"
#include "jsonevents.h"
#include "sessiondriver.h"

#include <QStringList>
#include <QTimer>

#include <algorithm>
#include <map>
#include <set>

namespace hyperscope {

namespace {

/// Whether @p row is something the replayed session sent.
bool isSent(const CaptureRow &row)
{
    if (row.kind != CaptureRow::Kind::Frame || row.bytesDropped)
        return false;
    if (row.leg == CaptureRow::Leg::None)
        return row.direction == Direction::Outbound;
    // A relayed session: its client's messages, as they arrived at the relay.
    return row.leg == CaptureRow::Leg::Client && row.direction == Direction::Inbound;
}

} // namespace

std::optional<ReplayPlan> planReplay(const CaptureContents &capture, std::optional<int> session,
                                     const std::vector<Key32> &keys, QString *error)
{
    auto failed = [error](const QString &message) -> std::optional<ReplayPlan> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (!session) {
        for (const CaptureRow &row : capture.rows) {
            if (isSent(row)) {
                session = row.session;
                break;
            }
        }
        if (!session)
            return failed(QStringLiteral("replay: no session of the capture sent a message"));
    }
    std::map<Key32, Key32> feedKeys; // by discovery key
    if (const auto header = capture.sessions.constFind(*session);
        header != capture.sessions.constEnd())
        feedKeys = header->feedKeys;
    for (const Key32 &key : keys)
        feedKeys[crypto::discoveryKey(key)] = key;

    ReplayPlan plan;
    plan.session = *session;
    std::map<quint64, Key32> channels; // the capture's channel id -> discovery key (its Opens)
    std::set<Key32> opened;
    std::vector<Key32> missing;
    bool sessionSeen = false;
    for (const CaptureRow &row : capture.rows) {
        if (row.session != *session)
            continue;
        sessionSeen = true;
        if (!isSent(row))
            continue;
        const std::optional<CapturedFrame> frame = splitFrame(row.plain);
        if (!frame)
            continue; // the reader checked every frame
        ReplayStep step;
        step.timeUs = row.timeUs;
        step.line = row.line;
        std::optional<Message> message;
        if (frame->type <= std::uint8_t(MessageType::Close)) {
            std::string why;
            message = decodeMessage(frame->type, frame->payload, why);
            if (!message)
                return failed(
                    QStringLiteral("replay: line %1: the %2 does not decode (%3): a "
                                   "malformed message cannot be replayed")
                        .arg(row.line)
                        .arg(QString::fromStdString(std::string(messageTypeName(frame->type))))
                        .arg(QString::fromStdString(why)));
        }
        std::optional<Key32> discoveryKey = row.discoveryKey;
        if (message && messageType(*message) == MessageType::Open) {
            const auto &open = std::get<schema::Open>(*message);
            if (!discoveryKey && open.discoverykey().size() == 32) {
                Key32 k{};
                std::copy(open.discoverykey().begin(), open.discoverykey().end(), k.begin());
                discoveryKey = k;
            }
            if (discoveryKey)
                channels[frame->channel] = *discoveryKey;
        }
        if (!discoveryKey) {
            const auto known = channels.find(frame->channel);
            if (known == channels.end())
                return failed(QStringLiteral("replay: line %1: the frame's channel (id %2) is "
                                             "unknown: the row has no discovery key and the "
                                             "session sent no Open for it")
                                  .arg(row.line)
                                  .arg(frame->channel));
            discoveryKey = known->second;
        }
        step.discoveryKey = *discoveryKey;
        const auto key = feedKeys.find(*discoveryKey);
        if (key == feedKeys.end()) {
            if (std::find(missing.begin(), missing.end(), *discoveryKey) == missing.end())
                missing.push_back(*discoveryKey);
            continue;
        }
        // Every channel is opened before its first message, as the engine requires.
        if (!opened.count(*discoveryKey)) {
            ReplayStep open = step;
            open.action = ReplayStep::Action::Open;
            open.feedKey = key->second;
            plan.steps.push_back(open);
            opened.insert(*discoveryKey);
        }
        if (message && messageType(*message) == MessageType::Open)
            continue; // the Open above is this one
        if (message) {
            step.action = ReplayStep::Action::Send;
            if (messageType(*message) == MessageType::Close)
                opened.erase(*discoveryKey); // a later message reopens it
            step.message = std::move(message);
        } else {
            step.action = ReplayStep::Action::RawFrame;
            step.type = frame->type;
            step.payload = QByteArray(reinterpret_cast<const char *>(frame->payload.data()),
                                      qsizetype(frame->payload.size()));
        }
        plan.steps.push_back(std::move(step));
    }
    if (!sessionSeen)
        return failed(QStringLiteral("replay: the capture has no session %1").arg(*session));
    if (!missing.empty()) {
        QStringList names;
        for (const Key32 &k : missing)
            names << hexString(k);
        return failed(QStringLiteral("replay: the capture does not hold the feed key of "
                                     "channel %1 (discovery key), which session %2 sent on; "
                                     "give it with --key HEX")
                          .arg(names.join(QStringLiteral(", ")))
                          .arg(*session));
    }
    if (plan.steps.empty())
        return failed(
            QStringLiteral("replay: session %1 of the capture sent no message").arg(*session));
    return plan;
}

CaptureReplayer::CaptureReplayer(ReplayPlan plan, SessionDriver *driver, bool fast,
                                 EventPrinter *printer, QObject *parent)
    : QObject(parent)
    , m_plan(std::move(plan))
    , m_driver(driver)
    , m_fast(fast)
    , m_printer(printer)
{}

void CaptureReplayer::start()
{
    if (m_started)
        return;
    m_started = true;
    m_clock.start();
    takeDueSteps();
}

void CaptureReplayer::takeDueSteps()
{
    const qint64 origin = m_plan.steps.empty() ? 0 : m_plan.steps.front().timeUs;
    while (m_next < m_plan.steps.size()) {
        if (!m_driver)
            return; // the session is gone: nothing more to send
        const ReplayStep &step = m_plan.steps[m_next];
        if (!m_fast) {
            const qint64 dueMs = (step.timeUs - origin) / 1000;
            const qint64 waitMs = dueMs - m_clock.elapsed();
            if (waitMs > 0) {
                QTimer::singleShot(std::chrono::milliseconds(waitMs), this,
                                   &CaptureReplayer::takeDueSteps);
                return;
            }
        }
        ++m_next;
        take(step);
    }
    emit finished();
}

void CaptureReplayer::take(const ReplayStep &step)
{
    Error error;
    switch (step.action) {
    case ReplayStep::Action::Open:
        error = m_driver->openChannel(step.feedKey);
        break;
    case ReplayStep::Action::Send:
        error = m_driver->send(step.discoveryKey, *step.message);
        break;
    case ReplayStep::Action::RawFrame: {
        const std::optional<ChannelInfo> channel = m_driver->engine().channel(step.discoveryKey);
        if (!channel || !channel->localId) {
            error = Error(ErrorCode::UnknownChannel,
                          "channel " + toHex(step.discoveryKey) + " is not open");
            break;
        }
        error = m_driver->sendFrame(
            *channel->localId, step.type,
            ByteView(reinterpret_cast<const std::uint8_t *>(step.payload.constData()),
                     std::size_t(step.payload.size())));
        break;
    }
    }
    if (error)
        m_printer->print(
            errorEvent(m_driver->id(), QStringLiteral("replay: line %1: %2")
                                           .arg(step.line)
                                           .arg(QString::fromStdString(error.message))));
}

} // namespace hyperscope
