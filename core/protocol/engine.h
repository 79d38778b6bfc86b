// The Hypercore wire protocol v9 engine: one connection's complete protocol state, sans IO.
//
// An Engine never touches a socket, a clock or an event loop. Its caller (see core/session's
// SessionDriver, or a test wiring two engines back to back):
//
//   1. calls start(now) once the transport is connected,
//   2. feeds every received chunk to receive(bytes, now) and calls receiveEnd(now) at EOF,
//   3. writes out whatever takeOutput() returns after every call,
//   4. calls handleTimers(now) when nextDeadline() passes.
//
// Application actions (open a channel, send a message, register an extension) are plain calls
// that append to the output. Events come back synchronously through an EngineHandler; protocol
// detail (every frame, every handshake step) through an optional TraceSink.
//
// Re-entrancy: handler callbacks may call any Engine method, including destroy(), but must not
// delete the Engine. TraceSink methods must not call back into the engine. Errors are values: calls
// return an Error (ok() on success); a fatal error ends the session once, reported through
// EngineHandler::onEnd and TraceSink::traceError.
//
// engine.cpp is the state machine: driving, dispatch and timers. What it keeps apart: the
// channel tables (channeltable.h), building trace records (enginetrace.h), cutting the stream
// into handshake messages and frames (framer.h), and the Noise handshake itself (noise.h).
#pragma once

#include "bytes.h"
#include "channeltable.h"
#include "crypto.h"
#include "enginetrace.h"
#include "error.h"
#include "framer.h"
#include "messages.h"
#include "sessioninfo.h"
#include "trace.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hyperscope {

class NoiseHandshake;

/// Milliseconds on any monotonic clock the caller chooses (tests use a virtual one).
using Millis = std::chrono::milliseconds;

/// Limits that protect us from a hostile peer. Each is a named constant so that tests and
/// docs refer to the same number.
namespace limits {
/// Channels the remote may have open at once. The reference has no limit; thousands of Open
/// frames would otherwise grow our tables without bound.
inline constexpr std::size_t MaxRemoteChannels = 4096;
/// Channels we may open at once (the GUI and CLI never need more).
inline constexpr std::size_t MaxLocalChannels = 4096;
/// Extension names per scope, local or remote (the reference ecosystem uses a handful).
inline constexpr std::size_t MaxExtensionNames = 256;
/// Bytes of one extension name.
inline constexpr std::size_t MaxExtensionNameSize = 256;
// MaxQueuedOutput (output held for a peer that does not read) is not here: the engine's output
// is drained after every call, so only a driver can see it pile up (sessiondriver.h).
/// The reference's default inactivity timeout.
inline constexpr Millis DefaultTimeout{20000};
} // namespace limits

/// How one Engine behaves. Defaults are the reference's (hypercore-protocol 8) defaults,
/// except `live`, which a debugging tool wants on.
struct EngineOptions
{
    bool initiator = false; ///< The dialer is the initiator of the Noise handshake.
    bool noise = true;     ///< false: no handshake, plaintext from the first byte, no capabilities.
    bool encrypted = true; ///< false: handshake and capabilities, but plaintext transport.
    /// Inactivity timeout; keepalives are sent after timeout / 2 without output. 0 disables both.
    Millis timeout = limits::DefaultTimeout;
    /// false: end the session cleanly when the last channel closes (the reference's default).
    bool live = true;
    /// Our static key pair; a fresh one (crypto_kx_keypair) when empty.
    std::optional<crypto::KeyPair> staticKeyPair;
    /// Fixed ephemeral seed and payload nonce, for reproducing vectors. Random when empty.
    std::optional<Key32> ephemeralSeed;
    std::optional<Nonce24> payloadNonce;
};

/// Application events. All methods have empty defaults. Pointers and views are valid only
/// during the call.
class EngineHandler
{
public:
    virtual ~EngineHandler() = default;
    /// The remote's static key is known (after handshake message 2 for the initiator, 3 for the
    /// responder). Return false to refuse it: the session ends with RemoteKeyRejected.
    virtual bool acceptRemoteKey(const Key32 &remotePublicKey)
    {
        (void)remotePublicKey;
        return true;
    }
    /// The handshake completed (not called with Noise off).
    virtual void onHandshake(const HandshakeInfo &) {}
    /// The remote opened a discovery key we have not opened. Call openChannel() to accept.
    virtual void onDiscoveryKey(const Key32 &discoveryKey) { (void)discoveryKey; }
    /// A channel is established: both sides opened it and the remote's capability verified.
    virtual void onChannelOpen(const ChannelInfo &) {}
    /// A message (Options … Close) arrived on a channel we have open.
    virtual void onMessage(const ChannelInfo &, const Message &) {}
    /// The remote sent Options on the stream (channel id 0, not a channel): the whole message,
    /// with `ack` and any fields this schema does not know, also when it names nothing. Called
    /// before onExtensionNames() reports the names it announces. A relay forwards it as is.
    virtual void onStreamOptions(const schema::Options &options) { (void)options; }
    /// The remote announced its extension names; `channel` is null for the stream scope.
    virtual void onExtensionNames(const ChannelInfo *channel, const std::vector<std::string> &names)
    {
        (void)channel, (void)names;
    }
    /// An extension message arrived. `name` is the remote's name for `id`, or null when the
    /// id was never announced or names nothing we registered.
    virtual void onExtension(const ChannelInfo *channel, const std::string *name, std::uint64_t id,
                             ByteView payload)
    {
        (void)channel, (void)name, (void)id, (void)payload;
    }
    /// A channel we had open closed (either side).
    virtual void onChannelClose(const ChannelInfo &) {}
    /// The remote closed a channel it had opened (reported by onDiscoveryKey()) before we opened
    /// it: the engine forgets the discovery key; openChannel() for it now opens it afresh. Not
    /// called for channels we had open (onChannelClose()) nor when the session ends.
    virtual void onRemoteChannelClosed(const Key32 &discoveryKey) { (void)discoveryKey; }
    /// The session ended: `reason.ok()` for a clean end, otherwise what went wrong.
    virtual void onEnd(const Error &reason) { (void)reason; }
};

class Engine
{
public:
    /// What the engine waits for.
    enum class State {
        Idle,        ///< start() not called yet.
        Handshaking, ///< Waiting for Noise messages.
        Open,        ///< Exchanging frames.
        Ended,       ///< Done; see endReason().
    };

    /// @p handler and @p trace are not owned and must outlive the engine (or be replaced).
    explicit Engine(EngineOptions options, EngineHandler *handler = nullptr,
                    TraceSink *trace = nullptr);
    ~Engine(); // wipes all key material
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    void setHandler(EngineHandler *handler) { m_handler = handler; }
    /// One sink per engine. To let several observers watch one engine, set a TraceFanOut
    /// (tracefanout.h) here and add the observers to it.
    void setTraceSink(TraceSink *trace) { m_trace.setSink(trace); }
    TraceSink *traceSink() const { return m_trace.sink(); }

    // --- Driving ------------------------------------------------------------------------------

    /// Starts the session: the initiator writes handshake message 1.
    void start(Millis now);
    /// Feeds received bytes (any chunking). Errors end the session; never throws.
    void receive(ByteView bytes, Millis now);
    /// Same as receive(), but decrypts @p bytes where they are instead of copying them first:
    /// for a caller that reads into a buffer of its own (a driver's read buffer). The contents of
    /// @p bytes are unspecified afterwards.
    void receiveInPlace(std::span<std::uint8_t> bytes, Millis now);
    /// The transport reached EOF. Clean when it happened between frames after the handshake.
    void receiveEnd(Millis now);
    /// Bytes waiting to be written to the transport; takeOutput() moves them out.
    Bytes takeOutput();
    /// Same, reusing storage: @p out is cleared and swapped with the pending output, so the
    /// engine goes on writing into the buffer the caller had. A caller that keeps one buffer and
    /// drains after every call makes no allocation per frame in steady state.
    void takeOutput(Bytes &out);
    std::size_t outputSize() const { return m_output.size(); }
    /// When handleTimers() must be called next; nullopt when no timer is armed.
    std::optional<Millis> nextDeadline() const;
    /// Fires the timeout (fatal) or sends a keepalive, whichever is due.
    void handleTimers(Millis now);
    /// The remote is known to have sent bytes at or before @p now that the caller has not fed
    /// yet, because it chose not to read them (a relay holding back a leg whose other side
    /// cannot keep up). The inactivity timeout measures the remote's silence, so it restarts
    /// from @p now: the remote is not blamed for the caller's pause. A caller that pauses reading
    /// calls this before handleTimers() while unread bytes wait; a remote that truly sends
    /// nothing still times out.
    void noteRemoteActivity(Millis now);
    /// Ends the session. An ok() reason is a clean local close.
    void destroy(Error reason = {});

    // --- Application actions ------------------------------------------------------------------

    /// Opens (or accepts) the channel of feed key @p key. Before the handshake completes the
    /// Open is queued. Returns InvalidState once ended, TooManyChannels when the table is full.
    Error openChannel(const Key32 &key);
    /// Closes our side of a channel, or refuses one the remote opened (Close {discoveryKey}).
    Error closeChannel(const Key32 &discoveryKey);
    /// Sends @p message on our side of the channel. Open cannot be sent this way
    /// (openChannel computes its capability). An Options message also records the extension
    /// names the remote now knows for that channel.
    Error send(const Key32 &discoveryKey, const Message &message);
    /// Sends a raw frame on local channel id @p channel: the debugging escape hatch (and how the
    /// session vector is replayed). The payload is sent as given; no table changes.
    Error sendFrame(std::uint64_t channel, std::uint8_t type, ByteView payload);
    /// Registers an extension name on the stream (no discovery key) or on a channel we opened.
    Error registerExtension(const std::optional<Key32> &discoveryKey, std::string name);
    /// Sends an extension message by name, first announcing our names with Options when they
    /// changed since the last announcement on that scope.
    Error sendExtension(const std::optional<Key32> &discoveryKey, std::string_view name,
                        ByteView payload);
    /// Sends a keepalive now (ignored while handshaking, as the reference does).
    Error ping();

    // --- Introspection ------------------------------------------------------------------------

    State state() const { return m_state; }
    bool isInitiator() const { return m_options.initiator; }
    const EngineOptions &options() const { return m_options; }
    const Key32 &publicKey() const { return m_staticKeys.publicKey; }
    const std::optional<HandshakeInfo> &handshake() const { return m_handshakeInfo; }
    /// Our static secret key while the engine still holds it; nullopt once the session ended
    /// (the key is wiped then). For a person who asks to see it (the inspector's "Reveal secret
    /// keys"); nothing in the protocol reads it from here.
    std::optional<Key32> staticSecretKey() const;
    /// The transport keys (split() from our point of view) while the session is open; nullopt
    /// before the handshake completed, without Noise, and once they were wiped at the end.
    std::optional<crypto::SplitKeys> transportKeys() const;
    const Error &endReason() const { return m_endReason; }
    std::vector<ChannelInfo> channels() const;
    std::optional<ChannelInfo> channel(const Key32 &discoveryKey) const;
    std::vector<std::string> localExtensions(const std::optional<Key32> &discoveryKey) const;
    std::vector<std::string> remoteExtensions(const std::optional<Key32> &discoveryKey) const;
    std::uint64_t bytesSent() const { return m_bytesSent; }
    std::uint64_t bytesReceived() const { return m_bytesReceived; }

private:
    struct PendingFrame
    {
        std::uint64_t channel;
        std::uint8_t type;
        Bytes payload;
        std::optional<Key32> openKey; ///< An Open whose capability is computed at send time.
    };
    // Handshake
    void writeHandshakeMessage();
    void readHandshakeBytes(ByteView &input);
    bool readHandshakeMessage(ByteView message, ByteView wire);
    void completeHandshake();
    // Transport: receiving
    void receiveChunk(ByteView bytes, bool writable, Millis now);
    void receiveTransport(ByteView input, bool writable);
    void handleFrame(const Frame &frame);
    EngineTrace::ReceivedChunk receivedChunk() const;
    void handleOpen(std::uint64_t remoteId, const schema::Open &open, std::uint64_t offset);
    void handleClose(std::uint64_t remoteId, const schema::Close &close, ChannelRecord *channel,
                     std::uint64_t offset);
    void handleOptions(ChannelRecord *channel, const Message &message, std::uint64_t offset);
    void updateRemoteNames(ChannelRecord *channel, const schema::Options &options,
                           std::uint64_t offset);
    void handleExtension(ChannelRecord *channel, const ExtensionPayload &extension,
                         std::uint64_t offset);
    void verifyRemoteCapability(ChannelRecord &channel);
    void maybeEstablish(ChannelRecord &channel);
    // Transport: sending
    void writeOpen(std::uint64_t localId, const Key32 &key, const Key32 &discoveryKey);
    void queueMessage(std::uint64_t channel, const Message &message);
    void flushPending();
    void writeMessageFrame(std::uint64_t channel, const Message &message);
    void writeFrame(std::uint64_t channel, std::uint8_t type, ByteView payload);
    void finishOutgoing(std::size_t start, std::uint64_t channel, std::uint8_t type,
                        const Message *message);
    // Channels
    void closeLocally(ChannelRecord &channel);
    void forgetChannel(const Key32 &discoveryKey);
    void endIfLastChannelClosed();
    // Helpers
    Millis keepAliveInterval() const;
    void fail(Error error);
    void end(Error reason);
    void warn(Direction direction, std::uint64_t offset, std::string message);
    void wipeSecrets();

    bool m_secretsWiped = false;
    EngineOptions m_options;
    EngineHandler *m_handler = nullptr;
    EngineTrace m_trace; ///< The one sink slot, and the code that builds its records.
    State m_state = State::Idle;
    Error m_endReason;

    crypto::KeyPair m_staticKeys{};
    Nonce24 m_localNonce{};
    std::unique_ptr<NoiseHandshake> m_noise;
    HandshakeDecoder m_handshakeDecoder;
    Bytes m_lastRemotePayload;
    std::optional<HandshakeInfo> m_handshakeInfo;
    std::optional<crypto::SplitKeys> m_split;
    std::unique_ptr<crypto::XSalsa20Stream> m_sendCipher;
    std::unique_ptr<crypto::XSalsa20Stream> m_receiveCipher;

    FrameDecoder m_decoder;
    std::uint64_t m_frameBoundary = 0; ///< Stream offset just past the last complete frame.
    Bytes m_receiveScratch;            ///< Decrypted copy of the chunk being processed.
    ByteView m_receivedWire; ///< With a trace: that chunk as received, while it is processed.
    Bytes m_output;
    std::uint64_t m_sendOffset = 0; ///< Transport bytes written (plaintext stream position).
    std::vector<PendingFrame> m_pending;

    ChannelTable m_channels; ///< Every channel either side opened; ids are the table's.
    /// The remote's ids of channels we closed while the remote still had them open: the remote
    /// answers our Close with its own (as the reference does), which is expected, not a stray.
    /// Bounded: a peer that never answers cannot make it grow past MaxAwaitedCloses.
    std::vector<std::uint64_t> m_awaitedCloses;
    static constexpr std::size_t MaxAwaitedCloses = 1024;
    ExtensionScope m_streamExtensions;

    Millis m_now{0}; ///< The latest time the caller passed in.
    Millis m_lastReceived{0};
    Millis m_lastSent{0};
    std::uint64_t m_bytesSent = 0;
    std::uint64_t m_bytesReceived = 0;
};

} // namespace hyperscope
