#include "feedserver.h"

#include "inspectedsession.h"
#include "sessiondriver.h"
#include "sessionmanager.h"

#include <string>
#include <variant>

namespace hyperscope {

FeedServer::FeedServer(SessionManager *manager, QObject *parent)
    : QObject(parent)
    , m_manager(manager)
{
    connect(m_manager, &SessionManager::sessionAdded, this,
            [this](InspectedSession *session) { attach(session); });
}

FeedServer::~FeedServer() = default;

bool FeedServer::serveFile(const QString &path, std::size_t blockSize, QString *error)
{
    std::variant<feed::FeedBuilder, std::string> loaded =
        feed::loadServedFile(path.toStdString(), blockSize, feed::generateSigningKeyPair());
    if (const std::string *message = std::get_if<std::string>(&loaded)) {
        if (error)
            *error = QString::fromStdString(*message);
        return false;
    }
    // The responders read the old feed: drop them before it goes.
    m_responders.clear();
    m_feed = std::make_unique<feed::FeedBuilder>(std::get<feed::FeedBuilder>(std::move(loaded)));
    m_discoveryKey = m_feed->discoveryKey();
    m_fileName = path;
    emit servingChanged();
    for (InspectedSession *session : m_manager->sessions())
        attach(session);
    return true;
}

void FeedServer::attach(InspectedSession *session)
{
    SessionDriver *driver = session->driver();
    if (!driver || session->isCapture() || session->isRelayed() ||
        session->origin() == InspectedSession::Origin::Demo)
        return;
    const int id = session->id();
    if (!m_attached.count(id) || m_attached[id] != driver) {
        m_attached[id] = driver;
        connect(driver, &SessionDriver::channelOpened, this,
                [this, driver](const ChannelInfo &channel) { onChannelOpened(driver, channel); });
        connect(driver, &SessionDriver::messageReceived, this,
                [this, driver](const ChannelInfo &channel, const Message &message) {
                    onMessage(driver, channel, message);
                });
        connect(driver, &SessionDriver::transportConnected, this, [this, driver] {
            if (m_feed)
                open(driver);
        });
        connect(driver, &SessionDriver::ended, this, [this, id] {
            m_responders.erase(id);
            m_attached.erase(id);
        });
    }
    // The engine queues channels until the handshake completes; the transport must be up.
    if (m_feed && driver->engine().state() != Engine::State::Idle &&
        driver->engine().state() != Engine::State::Ended)
        open(driver);
}

void FeedServer::open(SessionDriver *driver)
{
    if (const Error error = driver->openChannel(m_feed->key())) {
        emit warning(driver->id(), tr("cannot open the served feed's channel: %1")
                                       .arg(QString::fromStdString(error.message)));
    }
}

void FeedServer::onChannelOpened(SessionDriver *driver, const ChannelInfo &channel)
{
    if (!m_feed || channel.discoveryKey != m_discoveryKey)
        return;
    send(driver, m_responders.try_emplace(driver->id(), *m_feed).first->second.opening());
}

void FeedServer::onMessage(SessionDriver *driver, const ChannelInfo &channel,
                           const Message &message)
{
    if (!m_feed || channel.discoveryKey != m_discoveryKey)
        return;
    feed::FeedResponder &responder = m_responders.try_emplace(driver->id(), *m_feed).first->second;
    const feed::FeedResponder::Reply reply = responder.respond(message);
    if (!reply.warning.empty())
        emit warning(driver->id(), QString::fromStdString(reply.warning));
    send(driver, reply.messages);
}

void FeedServer::send(SessionDriver *driver, const std::vector<Message> &messages)
{
    for (const Message &message : messages) {
        if (const Error error = driver->send(m_discoveryKey, message))
            emit warning(driver->id(), QString::fromStdString(error.message));
    }
}

} // namespace hyperscope
