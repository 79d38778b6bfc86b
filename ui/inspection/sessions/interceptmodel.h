// InterceptModel: the inspector's intercept (issue 12), mitmproxy's "i" for Hypercore messages.
//
// While on, one filter expression is given to every live session of a SessionManager, those
// running and those to come: an own session's driver holds matching messages it receives (before
// they are delivered) and sends (before the engine sends them); a relayed session holds matching
// messages on the leg they arrived on, before they are forwarded (core/session/interceptor.h has
// the ordering rules: per direction and channel, in order). Sessions opened from a capture are
// read-only and never intercepted. Off (the empty expression) nothing is held, and what was held
// is released in order.
//
// The model lists the held messages oldest first, one row each (session, leg, direction, channel,
// type, summary, id), and carries them out: forward() as they were or edited (same type), drop(),
// forwardAll(). A session that ends drops what it held: the rows go, lastNotice() says so and
// notice() is emitted. Every hold, release and drop is also a row in the shared log (a note on the
// message's session and leg; a warning for what the session's end dropped), so that a learner
// reading the log sees what intercept did.
//
// No widget: InterceptPane shows it; tests drive it without a window.
#pragma once

#include "filter.h"
#include "inspectedsession.h"
#include "messages.h"
#include "sessioninfo.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QString>

#include <optional>
#include <vector>

namespace hyperscope {

class SessionDriver;
class SessionManager;
struct InterceptedMessage;

class InterceptModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        SessionColumn,
        LegColumn,
        DirectionColumn,
        ChannelColumn,
        TypeColumn,
        SummaryColumn,
        IdColumn,
        ColumnCount
    };
    enum Role { IdRole = Qt::UserRole + 1 }; ///< The held message's id (qulonglong).

    /// One held message.
    struct Held
    {
        quint64 id = 0;
        int session = 0;
        InspectedSession::Leg leg = InspectedSession::Leg::None;
        Direction direction = Direction::Inbound;
        ChannelInfo channel;
        Message message;
        QPointer<SessionDriver> driver; ///< Where it waits (resume and drop go there).
    };

    /// Watches every session of @p sessions, present and future; not owned.
    explicit InterceptModel(SessionManager *sessions, QObject *parent = nullptr);

    /// Sets the intercept expression (empty: off; everything held is released in order) and
    /// gives it to every live session. @p text is what the person typed, for expressionText().
    void setExpression(const filter::Filter &filter, const QString &text);
    QString expressionText() const { return m_text; }
    bool isOn() const { return !m_filter.isEmpty(); }

    const std::vector<Held> &held() const { return m_held; }
    /// The row of held message @p id, or -1.
    int rowOf(quint64 id) const;

    // Each returns an empty string on success, otherwise what went wrong (unknown id, a session
    // that is gone, an edited message of another type).
    QString forward(quint64 id, const std::optional<Message> &edited = std::nullopt);
    QString drop(quint64 id);
    /// Forwards every held message, oldest first (their order per channel is kept).
    QString forwardAll();

    /// The last thing the model had to say that no button asked for ("#2 ended: 2 held messages
    /// dropped"); empty when nothing happened yet.
    QString lastNotice() const { return m_notice; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    /// Something happened that no button asked for (held messages dropped as a session ended,
    /// the interceptor's bound was reached); @p text is one sentence.
    void notice(const QString &text);
    /// The expression changed (on, off, another expression).
    void expressionChanged();

private:
    void watch(InspectedSession *session);
    void watchDriver(SessionDriver *driver, InspectedSession *session);
    void applyTo(InspectedSession *session);
    void onHeld(SessionDriver *driver, InspectedSession *session,
                const InterceptedMessage &message);
    void onGone(quint64 id, const QString &note, bool warning);
    void note(int session, InspectedSession::Leg leg, Direction direction, const QString &text,
              bool warning = false);
    void say(const QString &text);

    SessionManager *m_sessions;
    filter::Filter m_filter;
    QString m_text;
    std::vector<Held> m_held;
    QString m_notice;
};

} // namespace hyperscope
