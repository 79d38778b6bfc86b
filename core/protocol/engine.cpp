#include "engine.h"

#include "noise.h"
#include "varint.h"

#include <algorithm>

namespace hyperscope {

namespace {

std::string describeScope(const std::optional<Key32> &discoveryKey)
{
    return discoveryKey ? "channel " + toHex(*discoveryKey) : std::string("the stream");
}

template<typename T> ByteView bytesOf(const T &container)
{
    return {reinterpret_cast<const std::uint8_t *>(container.data()), container.size()};
}

std::optional<Key32> key32Of(const std::string &bytes)
{
    if (bytes.size() != 32)
        return std::nullopt;
    Key32 key;
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
}

} // namespace

Engine::Engine(EngineOptions options, EngineHandler *handler, TraceSink *trace)
    : m_options(std::move(options))
    , m_handler(handler)
    , m_trace(trace)
    , m_handshakeDecoder(NoiseHandshake::MaxMessageSize)
    , m_channels(limits::MaxLocalChannels, limits::MaxRemoteChannels)
{
    // Without Noise there is no key to encrypt with (the reference's noise:false,encrypted:false).
    if (!m_options.noise)
        m_options.encrypted = false;
    m_staticKeys = m_options.staticKeyPair ? *m_options.staticKeyPair : crypto::generateKeyPair();
    if (m_options.staticKeyPair)
        crypto::wipe(m_options.staticKeyPair->secretKey);
    if (m_options.payloadNonce)
        m_localNonce = *m_options.payloadNonce;
    else
        crypto::randomBytes(m_localNonce);
}

Engine::~Engine()
{
    wipeSecrets();
}

// --- Driving ---------------------------------------------------------------------------------

void Engine::start(Millis now)
{
    if (m_state != State::Idle)
        return;
    m_now = now;
    m_lastReceived = m_lastSent = now;
    if (!m_options.noise) {
        m_state = State::Open;
        flushPending();
        return;
    }
    m_state = State::Handshaking;
    crypto::KeyPair ephemeral = m_options.ephemeralSeed
                                    ? crypto::keyPairFromSeed(*m_options.ephemeralSeed)
                                    : crypto::generateKeyPair();
    m_noise = std::make_unique<NoiseHandshake>(m_options.initiator, m_staticKeys, ephemeral);
    crypto::wipe(ephemeral.secretKey);
    if (m_noise->nextAction() == NoiseHandshake::Action::WriteMessage)
        writeHandshakeMessage();
}

void Engine::receive(ByteView bytes, Millis now)
{
    receiveChunk(bytes, false, now);
}

void Engine::receiveInPlace(std::span<std::uint8_t> bytes, Millis now)
{
    receiveChunk(bytes, true, now);
}

void Engine::receiveChunk(ByteView bytes, bool writable, Millis now)
{
    m_now = now;
    if (m_state == State::Ended || m_state == State::Idle || bytes.empty())
        return;
    m_lastReceived = now;
    m_bytesReceived += bytes.size();
    ByteView input = bytes;
    if (m_state == State::Handshaking)
        readHandshakeBytes(input);
    if (m_state == State::Open && !input.empty())
        receiveTransport(input, writable);
}

void Engine::receiveEnd(Millis now)
{
    m_now = now;
    if (m_state == State::Ended)
        return;
    if (m_state == State::Handshaking && m_noise) {
        const int next = m_noise->messageIndex() + 1;
        const std::size_t received = m_handshakeDecoder.buffered();
        std::string detail = received == 0
                                 ? std::string()
                                 : " (" + std::to_string(received) + " bytes of it received)";
        fail({ErrorCode::ConnectionLost, "connection closed during the handshake, before message " +
                                             std::to_string(next) + " of 3" + detail});
        return;
    }
    if (m_decoder.position() != m_frameBoundary) {
        fail(
            {ErrorCode::ConnectionLost, "connection closed in the middle of a frame (" +
                                            std::to_string(m_decoder.position() - m_frameBoundary) +
                                            " bytes of it received, at stream offset " +
                                            std::to_string(m_frameBoundary) + ")"});
        return;
    }
    end({ErrorCode::None, "the remote closed the connection"});
}

Bytes Engine::takeOutput()
{
    Bytes out;
    out.swap(m_output);
    return out;
}

void Engine::takeOutput(Bytes &out)
{
    out.clear();
    out.swap(m_output);
}

std::optional<Millis> Engine::nextDeadline() const
{
    if (m_state == State::Ended || m_state == State::Idle || m_options.timeout.count() <= 0)
        return std::nullopt;
    Millis deadline = m_lastReceived + m_options.timeout;
    if (m_state == State::Open)
        deadline = std::min(deadline, m_lastSent + keepAliveInterval());
    return deadline;
}

Millis Engine::keepAliveInterval() const
{
    // The reference pings after ceil(timeout / 2) without output.
    return Millis((m_options.timeout.count() + 1) / 2);
}

void Engine::handleTimers(Millis now)
{
    m_now = now;
    if (m_state == State::Ended || m_state == State::Idle || m_options.timeout.count() <= 0)
        return;
    if (now >= m_lastReceived + m_options.timeout) {
        fail({ErrorCode::Timeout,
              "no data received for " + std::to_string((now - m_lastReceived).count()) +
                  " ms (timeout " + std::to_string(m_options.timeout.count()) + " ms)"});
        return;
    }
    if (m_state == State::Open && now >= m_lastSent + keepAliveInterval())
        ping();
}

void Engine::noteRemoteActivity(Millis now)
{
    m_now = now;
    if (m_state == State::Ended || m_state == State::Idle)
        return;
    m_lastReceived = std::max(m_lastReceived, now);
}

void Engine::destroy(Error reason)
{
    if (m_state == State::Ended)
        return;
    if (reason.ok()) {
        if (reason.message.empty())
            reason.message = "closed locally";
        end(std::move(reason));
    } else {
        fail(std::move(reason));
    }
}

// --- Handshake -------------------------------------------------------------------------------

void Engine::writeHandshakeMessage()
{
    schema::NoisePayload payload;
    payload.set_nonce(m_localNonce.data(), m_localNonce.size());
    const std::string encodedPayload = payload.SerializeAsString();

    const int index = m_noise->messageIndex();
    Bytes message;
    if (const Error error = m_noise->writeMessage(bytesOf(encodedPayload), message)) {
        fail({ErrorCode::HandshakeFailed,
              "handshake message " + std::to_string(index + 1) + ": " + error.message});
        return;
    }
    const std::size_t start = m_output.size();
    varint::append(m_output, message.size());
    m_output.insert(m_output.end(), message.begin(), message.end());
    m_bytesSent += m_output.size() - start;
    m_lastSent = m_now;

    m_trace.handshakeWritten(*m_noise, index, ByteView(m_output).subspan(start),
                             bytesOf(encodedPayload), m_localNonce, m_staticKeys.publicKey);
    if (m_noise->nextAction() == NoiseHandshake::Action::Split)
        completeHandshake();
}

void Engine::readHandshakeBytes(ByteView &input)
{
    while (m_state == State::Handshaking && !input.empty() &&
           m_noise->nextAction() == NoiseHandshake::Action::ReadMessage) {
        HandshakeMessage message;
        Error error;
        const auto status =
            m_handshakeDecoder.next(input, m_noise->messageIndex() + 1, message, error);
        if (status == HandshakeDecoder::Status::Failed) {
            fail(std::move(error));
            return;
        }
        if (status == HandshakeDecoder::Status::NeedMore)
            return;
        if (!readHandshakeMessage(message.body(), message.wire))
            return;
        if (m_noise->nextAction() == NoiseHandshake::Action::WriteMessage)
            writeHandshakeMessage();
        else if (m_noise->nextAction() == NoiseHandshake::Action::Split)
            completeHandshake();
    }
}

bool Engine::readHandshakeMessage(ByteView message, ByteView wire)
{
    const int index = m_noise->messageIndex();
    const bool hadRemoteStatic = m_noise->remoteStaticKey().has_value();
    Bytes payload;
    const Error error = m_noise->readMessage(message, payload);

    m_trace.handshakeRead(*m_noise, index, wire, error, payload, hadRemoteStatic);
    if (error) {
        fail({ErrorCode::HandshakeFailed,
              "handshake message " + std::to_string(index + 1) + ": " + error.message});
        return false;
    }
    if (!hadRemoteStatic && m_noise->remoteStaticKey()) {
        const Key32 remoteKey = *m_noise->remoteStaticKey();
        if (m_handler && !m_handler->acceptRemoteKey(remoteKey)) {
            fail({ErrorCode::RemoteKeyRejected,
                  "remote static key " + toHex(remoteKey) + " was refused"});
            return false;
        }
        if (m_state != State::Handshaking)
            return false;
    }
    // The reference keeps the payload of the last handshake message that carried one.
    if (!payload.empty())
        m_lastRemotePayload = std::move(payload);
    return true;
}

void Engine::completeHandshake()
{
    schema::NoisePayload remotePayload;
    if (m_lastRemotePayload.empty()) {
        fail({ErrorCode::BadHandshakePayload, "the remote sent no handshake payload"});
        return;
    }
    if (!remotePayload.ParseFromArray(m_lastRemotePayload.data(),
                                      static_cast<int>(m_lastRemotePayload.size()))) {
        fail({ErrorCode::BadHandshakePayload,
              "the remote's handshake payload is not a NoisePayload (" +
                  toHex(m_lastRemotePayload) + ")"});
        return;
    }
    if (remotePayload.nonce().size() != Nonce24().size()) {
        fail({ErrorCode::BadHandshakePayload, "the remote's payload nonce is " +
                                                  std::to_string(remotePayload.nonce().size()) +
                                                  " bytes, expected 24"});
        return;
    }
    HandshakeInfo info;
    info.publicKey = m_staticKeys.publicKey;
    info.remotePublicKey = m_noise->remoteStaticKey().value_or(Key32{});
    info.handshakeHash = m_noise->handshakeHash();
    info.localNonce = m_localNonce;
    std::copy(remotePayload.nonce().begin(), remotePayload.nonce().end(), info.remoteNonce.begin());
    info.split = m_noise->split();
    m_split = info.split;
    if (m_options.encrypted) {
        m_sendCipher = std::make_unique<crypto::XSalsa20Stream>(info.split.tx, info.localNonce);
        m_receiveCipher = std::make_unique<crypto::XSalsa20Stream>(info.split.rx, info.remoteNonce);
    }
    m_noise.reset();
    crypto::wipe(m_lastRemotePayload);
    m_lastRemotePayload.clear();
    m_handshakeInfo = info;
    m_state = State::Open;

    m_trace.handshakeComplete(info);
    if (m_handler)
        m_handler->onHandshake(info);
    crypto::wipe(info.split.tx);
    crypto::wipe(info.split.rx);
    if (m_state == State::Open)
        flushPending();
}

// --- Transport: receiving --------------------------------------------------------------------

void Engine::receiveTransport(ByteView input, bool writable)
{
    ByteView plain = input;
    m_receivedWire = {};
    if (m_receiveCipher && writable && !m_trace) {
        // receiveInPlace(): the caller lent us its buffer, so @p input views mutable bytes.
        m_receiveCipher->apply({const_cast<std::uint8_t *>(input.data()), input.size()});
    } else if (m_receiveCipher) {
        // XSalsa20 is a continuous keystream: decrypt the chunk as a whole, then cut frames.
        m_receiveScratch.assign(input.begin(), input.end());
        m_receiveCipher->apply(m_receiveScratch);
        plain = m_receiveScratch;
        // A trace shows every frame as received too: keep the chunk as it came.
        m_receivedWire = input;
    }
    Frame frame;
    Error error;
    while (m_state == State::Open) {
        const auto status = m_decoder.next(plain, frame, error);
        if (status == FrameDecoder::Status::NeedMore)
            break;
        if (status == FrameDecoder::Status::Failed) {
            fail(std::move(error));
            break;
        }
        m_frameBoundary = frame.offset + frame.bytes.size();
        handleFrame(frame);
    }
    m_receivedWire = {};
}

EngineTrace::ReceivedChunk Engine::receivedChunk() const
{
    return {m_receiveCipher.get(), m_receivedWire, m_receiveScratch};
}

void Engine::handleFrame(const Frame &frame)
{
    if (frame.keepAlive) {
        m_trace.inboundFrame(frame, nullptr, std::nullopt, nullptr, receivedChunk());
        return;
    }
    ChannelRecord *channel = m_channels.byRemoteId(frame.channel);
    const std::string typeName(messageTypeName(frame.type));

    if (frame.type <= static_cast<std::uint8_t>(MessageType::Close)) {
        Error error;
        const std::optional<Message> message = decodeMessage(frame.type, frame.payload, error);
        m_trace.inboundFrame(frame, message ? &*message : nullptr, std::nullopt, channel,
                             receivedChunk());
        if (!message) {
            fail({ErrorCode::InvalidMessage, error.message + " (frame at stream offset " +
                                                 std::to_string(frame.offset) + ", channel " +
                                                 std::to_string(frame.channel) + ")"});
            return;
        }
        switch (static_cast<MessageType>(frame.type)) {
        case MessageType::Open:
            handleOpen(frame.channel, std::get<schema::Open>(*message), frame.offset);
            return;
        case MessageType::Close:
            handleClose(frame.channel, std::get<schema::Close>(*message), channel, frame.offset);
            return;
        case MessageType::Options:
            if (channel) {
                handleOptions(channel, *message, frame.offset);
            } else if (frame.channel == 0) {
                const auto &options = std::get<schema::Options>(*message);
                if (m_handler)
                    m_handler->onStreamOptions(options);
                if (m_state == State::Open)
                    updateRemoteNames(nullptr, options, frame.offset);
            } else {
                warn(Direction::Inbound, frame.offset,
                     "Options for channel id " + std::to_string(frame.channel) +
                         ", which the remote never opened: ignored");
            }
            return;
        default:
            break;
        }
        if (!channel) {
            warn(Direction::Inbound, frame.offset,
                 typeName + " for channel id " + std::to_string(frame.channel) +
                     ", which the remote never opened: ignored");
            return;
        }
        if (!channel->localId) {
            warn(Direction::Inbound, frame.offset,
                 typeName + " on channel " + toHex(channel->discoveryKey) +
                     ", which we have not opened: ignored");
            return;
        }
        if (m_handler)
            m_handler->onMessage(channel->info(), *message);
        return;
    }

    if (frame.type == static_cast<std::uint8_t>(MessageType::Extension)) {
        Error error;
        const auto extension = decodeExtension(frame.payload, error);
        m_trace.inboundFrame(frame, nullptr, extension, channel, receivedChunk());
        if (!extension) {
            fail({ErrorCode::InvalidMessage, error.message + " (frame at stream offset " +
                                                 std::to_string(frame.offset) + ")"});
            return;
        }
        if (channel) {
            handleExtension(channel, *extension, frame.offset);
        } else if (frame.channel == 0) {
            handleExtension(nullptr, *extension, frame.offset);
        } else {
            warn(Direction::Inbound, frame.offset,
                 "Extension for channel id " + std::to_string(frame.channel) +
                     ", which the remote never opened: ignored");
        }
        return;
    }

    m_trace.inboundFrame(frame, nullptr, std::nullopt, channel, receivedChunk());
    warn(Direction::Inbound, frame.offset,
         "frame of unassigned type " + std::to_string(frame.type) + " on channel id " +
             std::to_string(frame.channel) + ": ignored");
}

void Engine::handleOpen(std::uint64_t remoteId, const schema::Open &open, std::uint64_t offset)
{
    const auto discoveryKey = key32Of(open.discoverykey());
    if (!discoveryKey) {
        fail({ErrorCode::InvalidMessage, "Open on channel id " + std::to_string(remoteId) +
                                             " has a " +
                                             std::to_string(open.discoverykey().size()) +
                                             "-byte discoveryKey, expected 32 (stream offset " +
                                             std::to_string(offset) + ")"});
        return;
    }
    if (ChannelRecord *previous = m_channels.byRemoteId(remoteId)) {
        warn(Direction::Inbound, offset,
             "the remote reused channel id " + std::to_string(remoteId) +
                 " without closing it first");
        m_channels.unbindRemoteId(*previous);
    }
    ChannelRecord *existing = m_channels.find(*discoveryKey);
    if (existing && existing->remoteId) {
        warn(Direction::Inbound, offset,
             "the remote opened channel " + toHex(*discoveryKey) + " twice");
        m_channels.unbindRemoteId(*existing);
    }
    if (m_channels.remoteFull()) {
        fail({ErrorCode::RemoteLimitExceeded, "the remote opened more than " +
                                                  std::to_string(limits::MaxRemoteChannels) +
                                                  " channels"});
        return;
    }
    // The remote reuses an id it closed: a later Close on it is about the new channel.
    std::erase(m_awaitedCloses, remoteId);
    ChannelRecord &channel = m_channels.obtain(*discoveryKey);
    m_channels.bindRemoteId(channel, remoteId);
    channel.remoteOpened = true;
    channel.remoteCapability = key32Of(open.capability());
    m_trace.channel(ChannelEvent::OpenedByRemote, channel);

    if (!channel.localId) {
        if (m_handler)
            m_handler->onDiscoveryKey(*discoveryKey);
        return;
    }
    verifyRemoteCapability(channel);
    if (m_state == State::Open)
        maybeEstablish(channel);
}

void Engine::verifyRemoteCapability(ChannelRecord &channel)
{
    if (channel.verified || !channel.key || !channel.remoteOpened)
        return;
    if (m_options.noise) {
        if (!channel.remoteCapability) {
            fail({ErrorCode::CapabilityMismatch,
                  "capability missing for channel " + toHex(channel.discoveryKey)});
            return;
        }
        const Key32 expected = crypto::remoteCapability(*channel.key, *m_split);
        if (!crypto::constantTimeEqual(expected, *channel.remoteCapability)) {
            fail({ErrorCode::CapabilityMismatch,
                  "capability mismatch for channel " + toHex(channel.discoveryKey)});
            return;
        }
    }
    channel.verified = true;
    m_trace.channel(ChannelEvent::Verified, channel);
}

void Engine::maybeEstablish(ChannelRecord &channel)
{
    if (channel.established || !channel.localId || !channel.remoteId || !channel.verified)
        return;
    channel.established = true;
    m_trace.channel(ChannelEvent::Established, channel);
    if (m_handler)
        m_handler->onChannelOpen(channel.info());
}

void Engine::handleClose(std::uint64_t remoteId, const schema::Close &close, ChannelRecord *channel,
                         std::uint64_t offset)
{
    if (channel) {
        m_channels.unbindRemoteId(*channel);
    } else if (const auto discoveryKey = key32Of(close.discoverykey())) {
        channel = m_channels.find(*discoveryKey);
        if (channel && channel->remoteId)
            m_channels.unbindRemoteId(*channel);
    }
    if (!channel) {
        // The remote's answer to a Close of ours: the channel is gone on both sides now.
        const auto awaited = std::find(m_awaitedCloses.begin(), m_awaitedCloses.end(), remoteId);
        if (awaited != m_awaitedCloses.end()) {
            m_awaitedCloses.erase(awaited);
            return;
        }
        warn(Direction::Inbound, offset,
             "Close for channel id " + std::to_string(remoteId) +
                 ", which the remote never opened: ignored");
        return;
    }
    const Key32 discoveryKey = channel->discoveryKey;
    m_trace.channel(ChannelEvent::ClosedByRemote, *channel);
    if (channel->localId) {
        if (m_handler)
            m_handler->onMessage(channel->info(), Message(close));
        // The handler may have closed the channel itself.
        channel = m_channels.find(discoveryKey);
        if (m_state == State::Ended || !channel)
            return;
        if (channel->localId)
            closeLocally(*channel);
        else
            forgetChannel(discoveryKey);
    } else {
        forgetChannel(discoveryKey);
        // onDiscoveryKey() announced it; the handler may be holding it (a relay waiting for its
        // key) and must learn that it is gone.
        if (m_handler)
            m_handler->onRemoteChannelClosed(discoveryKey);
        if (m_state != State::Open)
            return;
    }
    endIfLastChannelClosed();
}

void Engine::handleOptions(ChannelRecord *channel, const Message &message, std::uint64_t offset)
{
    const Key32 discoveryKey = channel->discoveryKey;
    if (channel->localId && m_handler)
        m_handler->onMessage(channel->info(), message);
    channel = m_channels.find(discoveryKey);
    if (m_state != State::Open || !channel)
        return;
    updateRemoteNames(channel, std::get<schema::Options>(message), offset);
}

void Engine::updateRemoteNames(ChannelRecord *channel, const schema::Options &options,
                               std::uint64_t offset)
{
    ExtensionScope &scope = channel ? channel->extensions : m_streamExtensions;
    if (static_cast<std::size_t>(options.extensions_size()) > limits::MaxExtensionNames) {
        fail({ErrorCode::RemoteLimitExceeded,
              "the remote announced " + std::to_string(options.extensions_size()) +
                  " extension names (limit " + std::to_string(limits::MaxExtensionNames) + ")"});
        return;
    }
    std::vector<std::string> names;
    names.reserve(options.extensions_size());
    for (const std::string &name : options.extensions()) {
        if (name.size() > limits::MaxExtensionNameSize) {
            fail({ErrorCode::RemoteLimitExceeded,
                  "the remote announced an extension name of " + std::to_string(name.size()) +
                      " bytes (limit " + std::to_string(limits::MaxExtensionNameSize) + ")"});
            return;
        }
        names.push_back(name);
    }
    if (!std::is_sorted(names.begin(), names.end()) ||
        std::adjacent_find(names.begin(), names.end()) != names.end()) {
        warn(Direction::Inbound, offset,
             "the remote's extension names are not unique and sorted; ids follow its order");
    }
    // An Options without names (e.g. only ack) on a scope that never had names announces nothing.
    if (names.empty() && scope.remote.empty())
        return;
    scope.remote = names;
    m_trace.extensions(ExtensionTrace::Kind::RemoteAnnounced,
                       channel ? std::optional(channel->discoveryKey) : std::nullopt, names);
    if (m_handler) {
        if (channel) {
            if (channel->localId) {
                const ChannelInfo info = channel->info();
                m_handler->onExtensionNames(&info, names);
            }
        } else {
            m_handler->onExtensionNames(nullptr, names);
        }
    }
}

void Engine::handleExtension(ChannelRecord *channel, const ExtensionPayload &extension,
                             std::uint64_t offset)
{
    const ExtensionScope &scope = channel ? channel->extensions : m_streamExtensions;
    const std::string *remoteName =
        extension.id < scope.remote.size() ? &scope.remote[extension.id] : nullptr;
    if (!remoteName) {
        warn(Direction::Inbound, offset,
             "extension id " + std::to_string(extension.id) + " on " +
                 describeScope(channel ? std::optional(channel->discoveryKey) : std::nullopt) +
                 " was never announced by the remote");
    }
    if (channel && !channel->localId) {
        warn(Direction::Inbound, offset,
             "Extension on channel " + toHex(channel->discoveryKey) +
                 ", which we have not opened: ignored");
        return;
    }
    const std::string *name =
        remoteName && std::binary_search(scope.local.begin(), scope.local.end(), *remoteName)
            ? remoteName
            : nullptr;
    if (!m_handler)
        return;
    if (channel) {
        const ChannelInfo info = channel->info();
        m_handler->onExtension(&info, name, extension.id, extension.data);
    } else {
        m_handler->onExtension(nullptr, name, extension.id, extension.data);
    }
}

// --- Application actions ---------------------------------------------------------------------

Error Engine::openChannel(const Key32 &key)
{
    if (m_state == State::Ended)
        return {ErrorCode::InvalidState, "the session has ended"};
    const Key32 discoveryKey = crypto::discoveryKey(key);
    ChannelRecord *existing = m_channels.find(discoveryKey);
    if (existing && existing->localId)
        return {};
    if (m_channels.localFull()) {
        return {ErrorCode::TooManyChannels,
                "cannot open more than " + std::to_string(limits::MaxLocalChannels) + " channels"};
    }
    ChannelRecord &channel = m_channels.obtain(discoveryKey);
    channel.key = key;
    const std::uint64_t id = m_channels.bindLocalId(channel);

    if (m_state == State::Open)
        writeOpen(id, key, discoveryKey);
    else
        m_pending.push_back({id, static_cast<std::uint8_t>(MessageType::Open), {}, key});
    m_trace.channel(ChannelEvent::OpenedLocally, channel);

    if (m_state == State::Open && channel.remoteOpened) {
        verifyRemoteCapability(channel);
        if (m_state == State::Open)
            maybeEstablish(channel);
    }
    return {};
}

Error Engine::closeChannel(const Key32 &discoveryKey)
{
    if (m_state == State::Ended)
        return {ErrorCode::InvalidState, "the session has ended"};
    ChannelRecord *channel = m_channels.find(discoveryKey);
    if (channel && channel->localId) {
        if (channel->remoteId) {
            if (m_awaitedCloses.size() == MaxAwaitedCloses)
                m_awaitedCloses.erase(m_awaitedCloses.begin());
            m_awaitedCloses.push_back(*channel->remoteId);
            m_channels.unbindRemoteId(*channel);
        }
        closeLocally(*channel);
        endIfLastChannelClosed();
        return {};
    }
    // Refuse a channel we never opened: Close {discoveryKey} on a fresh (unreserved) local id.
    schema::Close close;
    close.set_discoverykey(discoveryKey.data(), discoveryKey.size());
    queueMessage(m_channels.lowestFreeLocalId(), Message(close));
    if (channel)
        m_trace.channel(ChannelEvent::Refused, *channel);
    return {};
}

Error Engine::send(const Key32 &discoveryKey, const Message &message)
{
    if (m_state == State::Ended)
        return {ErrorCode::InvalidState, "the session has ended"};
    const MessageType type = messageType(message);
    if (type == MessageType::Open)
        return {ErrorCode::InvalidArgument, "Open is sent by opening a channel, not by send"};
    if (!asProtobuf(message).IsInitialized()) {
        return {ErrorCode::InvalidArgument,
                std::string(messageTypeName(static_cast<std::uint8_t>(type))) +
                    ": missing required fields (" +
                    asProtobuf(message).InitializationErrorString() + ")"};
    }
    ChannelRecord *channel = m_channels.find(discoveryKey);
    if (!channel || !channel->localId)
        return {ErrorCode::UnknownChannel, "channel " + toHex(discoveryKey) + " is not open"};
    if (type == MessageType::Close)
        return closeChannel(discoveryKey);
    if (type == MessageType::Options) {
        const auto &names = std::get<schema::Options>(message).extensions();
        channel->extensions.announced.assign(names.begin(), names.end());
    }
    queueMessage(*channel->localId, message);
    return {};
}

Error Engine::sendFrame(std::uint64_t channel, std::uint8_t type, ByteView payload)
{
    if (m_state == State::Ended)
        return {ErrorCode::InvalidState, "the session has ended"};
    if (type > 15)
        return {ErrorCode::InvalidArgument, "frame type " + std::to_string(type) + " is not 0..15"};
    if (channel >= (std::uint64_t(1) << 59))
        return {ErrorCode::InvalidArgument, "channel id " + std::to_string(channel) + " too large"};
    if (payload.size() + varint::MaxBytes > MaxFrameSize)
        return {ErrorCode::InvalidArgument,
                "frame payload of " + std::to_string(payload.size()) + " bytes exceeds 8 MiB"};
    if (m_state == State::Open)
        writeFrame(channel, type, payload);
    else
        m_pending.push_back({channel, type, Bytes(payload.begin(), payload.end()), std::nullopt});
    return {};
}

Error Engine::registerExtension(const std::optional<Key32> &discoveryKey, std::string name)
{
    if (m_state == State::Ended)
        return {ErrorCode::InvalidState, "the session has ended"};
    if (name.empty() || name.size() > limits::MaxExtensionNameSize) {
        return {ErrorCode::InvalidArgument, "an extension name must be 1 to " +
                                                std::to_string(limits::MaxExtensionNameSize) +
                                                " bytes"};
    }
    ExtensionScope *scope = &m_streamExtensions;
    if (discoveryKey) {
        ChannelRecord *channel = m_channels.find(*discoveryKey);
        if (!channel || !channel->localId)
            return {ErrorCode::UnknownChannel, "channel " + toHex(*discoveryKey) + " is not open"};
        scope = &channel->extensions;
    }
    auto position = std::lower_bound(scope->local.begin(), scope->local.end(), name);
    if (position != scope->local.end() && *position == name)
        return {};
    if (scope->local.size() >= limits::MaxExtensionNames) {
        return {ErrorCode::TooManyExtensions, "cannot register more than " +
                                                  std::to_string(limits::MaxExtensionNames) +
                                                  " extensions on " + describeScope(discoveryKey)};
    }
    scope->local.insert(position, std::move(name));
    m_trace.extensions(ExtensionTrace::Kind::LocalRegistered, discoveryKey, scope->local);
    return {};
}

Error Engine::sendExtension(const std::optional<Key32> &discoveryKey, std::string_view name,
                            ByteView payload)
{
    if (m_state == State::Ended)
        return {ErrorCode::InvalidState, "the session has ended"};
    ExtensionScope *scope = &m_streamExtensions;
    std::uint64_t channelId = 0;
    if (discoveryKey) {
        ChannelRecord *channel = m_channels.find(*discoveryKey);
        if (!channel || !channel->localId)
            return {ErrorCode::UnknownChannel, "channel " + toHex(*discoveryKey) + " is not open"};
        scope = &channel->extensions;
        channelId = *channel->localId;
    }
    const auto position = std::lower_bound(scope->local.begin(), scope->local.end(), name);
    if (position == scope->local.end() || *position != name) {
        return {ErrorCode::UnknownExtension, "extension '" + std::string(name) +
                                                 "' is not registered on " +
                                                 describeScope(discoveryKey)};
    }
    if (payload.size() + 2 * varint::MaxBytes > MaxFrameSize) {
        return {ErrorCode::InvalidArgument,
                "extension payload of " + std::to_string(payload.size()) + " bytes exceeds 8 MiB"};
    }
    if (scope->local != scope->announced) {
        schema::Options options;
        for (const std::string &local : scope->local)
            options.add_extensions(local);
        scope->announced = scope->local;
        queueMessage(channelId, Message(options));
        m_trace.extensions(ExtensionTrace::Kind::Announced, discoveryKey, scope->local);
    }
    Bytes body;
    appendExtension(body, static_cast<std::uint64_t>(position - scope->local.begin()), payload);
    return sendFrame(channelId, static_cast<std::uint8_t>(MessageType::Extension), body);
}

Error Engine::ping()
{
    // Like the reference: no pings while handshaking.
    if (m_state != State::Open)
        return {};
    const std::size_t start = m_output.size();
    m_output.push_back(0);
    finishOutgoing(start, 0, 0, nullptr);
    return {};
}

// --- Introspection ---------------------------------------------------------------------------

std::vector<ChannelInfo> Engine::channels() const
{
    std::vector<ChannelInfo> out;
    out.reserve(m_channels.size());
    m_channels.forEach([&out](const ChannelRecord &channel) { out.push_back(channel.info()); });
    return out;
}

std::optional<ChannelInfo> Engine::channel(const Key32 &discoveryKey) const
{
    if (const ChannelRecord *channel = m_channels.find(discoveryKey))
        return channel->info();
    return std::nullopt;
}

std::vector<std::string> Engine::localExtensions(const std::optional<Key32> &discoveryKey) const
{
    if (!discoveryKey)
        return m_streamExtensions.local;
    const ChannelRecord *channel = m_channels.find(*discoveryKey);
    return channel ? channel->extensions.local : std::vector<std::string>{};
}

std::vector<std::string> Engine::remoteExtensions(const std::optional<Key32> &discoveryKey) const
{
    if (!discoveryKey)
        return m_streamExtensions.remote;
    const ChannelRecord *channel = m_channels.find(*discoveryKey);
    return channel ? channel->extensions.remote : std::vector<std::string>{};
}

// --- Output ----------------------------------------------------------------------------------

void Engine::writeOpen(std::uint64_t localId, const Key32 &key, const Key32 &discoveryKey)
{
    schema::Open open;
    open.set_discoverykey(discoveryKey.data(), discoveryKey.size());
    if (m_options.noise && m_split) {
        const Key32 capability = crypto::capability(key, *m_split);
        open.set_capability(capability.data(), capability.size());
    }
    writeMessageFrame(localId, Message(open));
}

void Engine::queueMessage(std::uint64_t channel, const Message &message)
{
    if (m_state == State::Open) {
        writeMessageFrame(channel, message);
        return;
    }
    Bytes payload;
    appendMessage(payload, message);
    m_pending.push_back({channel, static_cast<std::uint8_t>(messageType(message)),
                         std::move(payload), std::nullopt});
}

void Engine::flushPending()
{
    std::vector<PendingFrame> pending;
    pending.swap(m_pending);
    for (const PendingFrame &frame : pending) {
        if (m_state != State::Open)
            return;
        if (frame.openKey)
            writeOpen(frame.channel, *frame.openKey, crypto::discoveryKey(*frame.openKey));
        else
            writeFrame(frame.channel, frame.type, frame.payload);
    }
}

void Engine::writeMessageFrame(std::uint64_t channel, const Message &message)
{
    // Encoded straight into the output behind its frame prefix: no intermediate copy of the
    // payload (a 64 KiB Data value is otherwise copied once more per message).
    const auto type = static_cast<std::uint8_t>(messageType(message));
    const std::size_t start = m_output.size();
    appendFrameHeader(m_output, channel, type, messageSize(message));
    appendMessage(m_output, message);
    finishOutgoing(start, channel, type, &message);
}

void Engine::writeFrame(std::uint64_t channel, std::uint8_t type, ByteView payload)
{
    const std::size_t start = m_output.size();
    appendFrame(m_output, channel, type, payload);
    finishOutgoing(start, channel, type, nullptr);
}

void Engine::finishOutgoing(std::size_t start, std::uint64_t channel, std::uint8_t type,
                            const Message *message)
{
    const std::span<std::uint8_t> frame(m_output.data() + start, m_output.size() - start);
    const std::uint64_t offset = m_sendOffset;
    m_sendOffset += frame.size();
    m_bytesSent += frame.size();
    m_lastSent = m_now;
    if (!m_trace) {
        if (m_sendCipher)
            m_sendCipher->apply(frame);
        return;
    }
    const ChannelRecord *record = m_channels.byLocalId(channel);
    m_trace.outboundFrame(frame, offset, m_sendCipher.get(), channel, type, message,
                          record ? &record->discoveryKey : nullptr);
}

void Engine::closeLocally(ChannelRecord &channel)
{
    const std::uint64_t id = *channel.localId;
    m_channels.releaseLocalId(channel);
    schema::Close close;
    queueMessage(id, Message(close));
    const Key32 discoveryKey = channel.discoveryKey;
    ChannelInfo info = channel.info();
    info.localId = id;
    m_trace.channel(ChannelEvent::ClosedLocally, info);
    forgetChannel(discoveryKey);
    if (m_handler)
        m_handler->onChannelClose(info);
}

void Engine::forgetChannel(const Key32 &discoveryKey)
{
    m_channels.erase(discoveryKey);
}

void Engine::endIfLastChannelClosed()
{
    if (!m_options.live && m_state == State::Open && m_channels.empty())
        end({ErrorCode::None, "the last channel closed (session not live)"});
}

// --- Helpers ---------------------------------------------------------------------------------

void Engine::fail(Error error)
{
    if (m_state == State::Ended)
        return;
    m_trace.error(error);
    end(std::move(error));
}

void Engine::end(Error reason)
{
    if (m_state == State::Ended)
        return;
    m_state = State::Ended;
    m_endReason = reason;
    m_pending.clear();
    wipeSecrets();
    // Like the reference's destroy: every channel still open locally is closed for the handler.
    std::vector<ChannelInfo> closed;
    m_channels.forEach([&closed](const ChannelRecord &channel) {
        if (channel.localId)
            closed.push_back(channel.info());
    });
    m_channels.clear();
    if (m_handler) {
        for (const ChannelInfo &info : closed)
            m_handler->onChannelClose(info);
        m_handler->onEnd(m_endReason);
    }
}

void Engine::warn(Direction direction, std::uint64_t offset, std::string message)
{
    m_trace.warning(direction, offset, std::move(message));
}

std::optional<Key32> Engine::staticSecretKey() const
{
    if (m_secretsWiped)
        return std::nullopt;
    return m_staticKeys.secretKey;
}

std::optional<crypto::SplitKeys> Engine::transportKeys() const
{
    if (m_secretsWiped || !m_split)
        return std::nullopt;
    return m_split;
}

void Engine::wipeSecrets()
{
    m_secretsWiped = true;
    m_noise.reset();
    m_sendCipher.reset();
    m_receiveCipher.reset();
    crypto::wipe(m_staticKeys.secretKey);
    if (m_split) {
        crypto::wipe(m_split->tx);
        crypto::wipe(m_split->rx);
    }
    if (m_handshakeInfo) {
        crypto::wipe(m_handshakeInfo->split.tx);
        crypto::wipe(m_handshakeInfo->split.rx);
    }
    crypto::wipe(m_lastRemotePayload);
}

} // namespace hyperscope
