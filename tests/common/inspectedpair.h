// Test fixture: two InspectedSessions over loopback, the way the inspector sees a connection it
// dialed and one it accepted. Needs hyperscope::inspection (Qt Gui) and hyperscope::session, so
// it is a header of its own: only the inspector's tests include it, core tests never do.
#pragma once

#include "crypto.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"
#include "sessiondriver.h"
#include "sessionserver.h"

#include <QHostAddress>
#include <QObject>
#include <QStringList>
#include <QTest>

#include <functional>
#include <memory>

namespace hyperscope::test {

/// A dialed SessionDriver (the initiator) and the driver a SessionServer accepted, each wrapped
/// in an InspectedSession, both writing to one log. The pair owns everything; the sessions are
/// destroyed before the server.
struct InspectedPair
{
    MessageLogModel log;
    SessionIds ids;
    SessionServer server{&ids};
    std::unique_ptr<InspectedSession> dialer;
    std::unique_ptr<InspectedSession> accepted;
    /// Called with the accepted driver right after its InspectedSession is made: a test connects
    /// the driver's signals here to record what the accepted side receives.
    std::function<void(SessionDriver *)> onAccepted;

    InspectedPair() = default;
    InspectedPair(const InspectedPair &) = delete;
    InspectedPair &operator=(const InspectedPair &) = delete;

    /// Listens on loopback with @p options and dials with the same options as initiator;
    /// @p beforeDial may adjust the dialer's driver (a key filter). Does not wait: false only when
    /// the server cannot listen.
    bool start(EngineOptions options = {},
               const std::function<void(SessionDriver *)> &beforeDial = {})
    {
        server.setOptions(options);
        QObject::connect(&server, &SessionServer::sessionStarted, &server,
                         [this](SessionDriver *driver) {
                             accepted = std::make_unique<InspectedSession>(
                                 driver->id(), driver, InspectedSession::Origin::Accepted, &log);
                             if (onAccepted)
                                 onAccepted(driver);
                         });
        if (!server.listen(QHostAddress::LocalHost, 0))
            return false;
        options.initiator = true;
        auto *driver = new SessionDriver(ids.next(), options);
        if (beforeDial)
            beforeDial(driver);
        dialer = std::make_unique<InspectedSession>(driver->id(), driver,
                                                    InspectedSession::Origin::Dialed, &log);
        driver->connectToHost(QStringLiteral("127.0.0.1"), server.port());
        return true;
    }

    /// Waits (QTest::qWaitFor's default time) until both sides are Open.
    bool waitUntilOpen()
    {
        return QTest::qWaitFor([this] {
            return dialer && accepted && dialer->state() == InspectedSession::State::Open &&
                   accepted->state() == InspectedSession::State::Open;
        });
    }

    /// start() with default options, then waitUntilOpen().
    bool open() { return start() && waitUntilOpen(); }

    /// Opens @p feed on both sides and waits until the dialer has it established.
    bool establish(const Key32 &feed)
    {
        if (!dialer->openChannel(feed).isEmpty() || !accepted->openChannel(feed).isEmpty())
            return false;
        const Key32 dk = crypto::discoveryKey(feed);
        return QTest::qWaitFor([this, dk] {
            const auto *channels = dialer->channels();
            for (int row = 0; row < channels->rowCount(); ++row) {
                if (channels->row(row).discoveryKey == dk)
                    return channels->row(row).state == ChannelTableModel::State::Established;
            }
            return false;
        });
    }

    /// Every note of session @p session in the log (flushed first), as text.
    QStringList notes(int session)
    {
        log.flush();
        QStringList texts;
        for (int row = 0; row < log.rowCount(); ++row) {
            const auto &r = log.record(row);
            if (r.session == session && !log.noteText(r).isEmpty())
                texts << log.noteText(r);
        }
        return texts;
    }
};

} // namespace hyperscope::test
