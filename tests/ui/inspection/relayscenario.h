// Test fixture: one relayed session through a SessionManager's relay, between two in-process
// peers over loopback TCP, doing what a relayed capture is checked on, then ended: what the
// capture tests save and open again (tst_capturereplay drives a SessionManager, and
// tst_mainwindowcapture the real window's).
//
// The client dials the relay and opens two channels: forwardedKey, which the relay and the
// upstream know (forwarded on both legs), and heldKey, which only the client knows (the relay
// holds it on the client leg). Both peers announce the stream extension "hello" with one message
// of it (each forwarded to the other). The client sends a Want, the upstream a
// Have, each forwarded to the other. Then the relayed session is disconnected, both legs cleanly.
#pragma once

#include "builders.h"
#include "crypto.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"
#include "sessiondriver.h"
#include "sessionmanager.h"
#include "sessionserver.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

namespace hyperscope::test {

class RelayScenario
{
public:
    static constexpr int Timeout = 15000;
    const Key32 forwardedKey = keyOf(0x31);
    const Key32 heldKey = keyOf(0x32);

    /// Runs the scenario through a relay of @p manager; the relayed session, ended, is
    /// session(). False with @p failure saying which step did not happen.
    bool run(SessionManager &manager, QString *failure)
    {
        const auto fail = [failure](const char *what) {
            *failure = QString::fromLatin1(what);
            return false;
        };
        QObject::connect(&m_upstream, &SessionServer::sessionStarted, &m_upstream,
                         [this](SessionDriver *driver) { watchUpstream(driver); });
        if (!m_upstream.listen(QHostAddress::LocalHost, 0))
            return fail("the upstream cannot listen");
        ConnectionOptions options;
        options.keys = {forwardedKey};
        QString error;
        Relay *relay = manager.relay(QHostAddress::LocalHost, 0, QStringLiteral("127.0.0.1"),
                                     m_upstream.port(), options, &error);
        if (!relay)
            return fail("the relay cannot listen");

        EngineOptions clientOptions;
        clientOptions.initiator = true;
        m_client = std::make_unique<SessionDriver>(1000, clientOptions);
        SessionDriver *client = m_client.get();
        QObject::connect(client, &SessionDriver::transportConnected, client, [this, client] {
            client->openChannel(forwardedKey);
            client->openChannel(heldKey);
        });
        QObject::connect(client, &SessionDriver::handshakeCompleted, client,
                         [client] { sayHello(client, "from the client"); });
        QObject::connect(client, &SessionDriver::messageReceived, client,
                         [this](const ChannelInfo &, const Message &m) {
                             m_clientReceived.append(messageType(m));
                         });
        QObject::connect(client, &SessionDriver::extensionReceived, client,
                         [this] { ++m_clientExtensions; });
        client->connectToHost(QStringLiteral("127.0.0.1"), relay->port());

        if (!QTest::qWaitFor([&manager] { return !manager.sessions().isEmpty(); }, Timeout))
            return fail("no relayed session");
        m_session = manager.sessions().last();
        InspectedSession *server = m_session->serverLeg();
        QSignalSpy clientEnded(m_session, &InspectedSession::ended);
        QSignalSpy serverEnded(server, &InspectedSession::ended);
        const Key32 forwarded = crypto::discoveryKey(forwardedKey);
        const auto established = [&forwarded](const InspectedSession *leg) {
            const int row = leg->channels()->rowOf(forwarded);
            return row >= 0 &&
                   leg->channels()->row(row).state == ChannelTableModel::State::Established;
        };
        if (!QTest::qWaitFor([&] { return established(m_session) && established(server); },
                             Timeout))
            return fail("the known channel was not forwarded");
        if (!QTest::qWaitFor([this] { return m_session->heldChannels().size() == 1; }, Timeout))
            return fail("the unknown channel was not held");
        if (!m_client->send(forwarded, wantOf(4)).ok())
            return fail("the client cannot send its Want");
        if (!QTest::qWaitFor([this] { return m_upstreamReceived.contains(MessageType::Want); },
                             Timeout))
            return fail("the Want was not forwarded to the upstream");
        if (!m_upstreamPeer || !m_upstreamPeer->send(forwarded, haveOf(0)).ok())
            return fail("the upstream cannot send its Have");
        if (!QTest::qWaitFor(
                [this] {
                    return m_clientReceived.contains(MessageType::Have) && m_clientExtensions > 0 &&
                           m_upstreamExtensions > 0;
                },
                Timeout))
            return fail("the Have or an extension message was not forwarded");

        m_session->disconnectFromPeer();
        if (!QTest::qWaitFor([&] { return !clientEnded.isEmpty() && !serverEnded.isEmpty(); },
                             Timeout))
            return fail("the legs did not end");
        manager.log()->flush();
        for (InspectedSession *leg : {m_session.data(), server}) {
            leg->channels()->flush();
            leg->extensions()->flush();
        }
        return true;
    }

    InspectedSession *session() const { return m_session; }
    /// "127.0.0.1:4000": the upstream as the relay dialed it.
    QString upstreamAddress() const
    {
        return QStringLiteral("127.0.0.1:%1").arg(m_upstream.port());
    }

private:
    void watchUpstream(SessionDriver *driver)
    {
        m_upstreamPeer = driver;
        QObject::connect(driver, &SessionDriver::discoveryKeyReceived, driver,
                         [this, driver](const Key32 &discoveryKey) {
                             if (discoveryKey == crypto::discoveryKey(forwardedKey))
                                 driver->openChannel(forwardedKey);
                         });
        QObject::connect(driver, &SessionDriver::messageReceived, driver,
                         [this](const ChannelInfo &, const Message &m) {
                             m_upstreamReceived.append(messageType(m));
                         });
        QObject::connect(driver, &SessionDriver::extensionReceived, driver,
                         [this] { ++m_upstreamExtensions; });
        QObject::connect(driver, &SessionDriver::handshakeCompleted, driver,
                         [driver] { sayHello(driver, "from the server"); });
    }

    /// Registers the stream extension "hello" and sends one message of it (which announces it).
    static void sayHello(SessionDriver *driver, const QByteArray &payload)
    {
        driver->registerExtension(std::nullopt, "hello");
        driver->sendExtension(std::nullopt, "hello",
                              {reinterpret_cast<const std::uint8_t *>(payload.constData()),
                               std::size_t(payload.size())});
    }

    SessionServer m_upstream;
    QPointer<SessionDriver> m_upstreamPeer;
    std::unique_ptr<SessionDriver> m_client;
    QPointer<InspectedSession> m_session;
    QList<MessageType> m_upstreamReceived;
    QList<MessageType> m_clientReceived;
    int m_clientExtensions = 0;
    int m_upstreamExtensions = 0;
};

} // namespace hyperscope::test
