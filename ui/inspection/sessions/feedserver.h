// FeedServer: the inspector serves a file as a hypercore 9 feed (Session › Serve a File…), as
// `hyperscope-cli --serve` does (core/cli/servefeed.h): the file's bytes become a signed feed in
// memory (feed::FeedBuilder, a fresh Ed25519 key), and every live session of the manager (those
// there now and those to come: dialed or accepted, not relayed, demo or captured) opens its
// channel and answers on it as a hypercore 9 writer (feed::FeedResponder, one per session: Want
// of the first mebiblock on open, Have for a Want, Data with the proof nodes and the signature
// for a Request). This class is only the adapter: which sessions, and the driver's signals in
// and sends out.
//
// One feed at a time: serving another file replaces it (sessions keep the old channel open, but
// it is no longer answered).
#pragma once

#include "feedbuilder.h"
#include "feedfile.h"
#include "feedresponder.h"
#include "messages.h"
#include "sessioninfo.h"

#include <QObject>
#include <QPointer>

#include <map>
#include <memory>
#include <vector>

namespace hyperscope {

class InspectedSession;
class SessionDriver;
class SessionManager;

class FeedServer : public QObject
{
    Q_OBJECT
public:
    /// The block sizes accepted: 1 byte .. 8 MiB (hypercore 9 refuses larger messages).
    static constexpr std::size_t MaxBlockSize = feed::MaxServedBlockSize;
    static constexpr std::size_t DefaultBlockSize = feed::FeedBuilder::DefaultBlockSize;

    /// Serves on @p manager's sessions (not owned; must outlive this object or be its parent).
    explicit FeedServer(SessionManager *manager, QObject *parent = nullptr);
    ~FeedServer() override;

    /// Reads @p path and serves it in blocks of @p blockSize. Returns false and sets @p error
    /// ("cannot read FILE: ...", "FILE is empty: a feed needs at least one block", "the block
    /// size must be 1 to 8388608 bytes") when it cannot; what was served before goes on then.
    bool serveFile(const QString &path, std::size_t blockSize, QString *error = nullptr);
    bool isServing() const { return m_feed != nullptr; }
    /// The feed served, null when none.
    const feed::FeedBuilder *feed() const { return m_feed.get(); }
    QString fileName() const { return m_fileName; }

signals:
    /// A new feed is served (its key, length and file in feed() and fileName()).
    void servingChanged();
    /// A Request that cannot be answered, or a send that failed, on session @p session.
    void warning(int session, const QString &message);

private:
    void attach(InspectedSession *session);
    void open(SessionDriver *driver);
    void onChannelOpened(SessionDriver *driver, const ChannelInfo &channel);
    void onMessage(SessionDriver *driver, const ChannelInfo &channel, const Message &message);
    void send(SessionDriver *driver, const std::vector<Message> &messages);

    SessionManager *m_manager;
    std::unique_ptr<feed::FeedBuilder> m_feed;
    Key32 m_discoveryKey{};
    QString m_fileName;
    /// One responder per session (they read *m_feed; cleared whenever it is replaced).
    std::map<int, feed::FeedResponder> m_responders;
    std::map<int, QPointer<SessionDriver>> m_attached; ///< drivers watched, by session id
};

} // namespace hyperscope
