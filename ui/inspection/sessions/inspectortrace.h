// InspectorTrace: the TraceSink of one inspected session.
//
// The engine calls it synchronously, frame by frame; it copies what it needs (the views it gets
// die with the call) into the shared MessageLogModel (which batches rows on its own timer) and
// into the session's channel and extension models and handshake record.
#pragma once

#include "messagelogmodel.h"
#include "trace.h"

namespace hyperscope {

class InspectedSession;

class InspectorTrace : public TraceSink
{
public:
    /// Frames whose recomputed wire bytes are checked against the real ones, per direction.
    /// XSalsa20 makes them a pure function of the plaintext, offset and keys; checking the first
    /// few catches a key or offset mismatch, after which the log stores wire bytes instead.
    static constexpr int WireChecks = 8;

    InspectorTrace(InspectedSession &session, MessageLogModel &log);
    ~InspectorTrace() override;
    InspectorTrace(const InspectorTrace &) = delete;
    InspectorTrace &operator=(const InspectorTrace &) = delete;

    /// The session's transport keys, kept (only when the session is encrypted) to recompute the
    /// wire bytes of logged frames; wiped by the destructor.
    const std::optional<crypto::SplitKeys> &transportKeys() const { return m_split; }

    void traceHandshake(const HandshakeTrace &step) override;
    void traceHandshakeComplete(const HandshakeInfo &info) override;
    void traceFrame(const FrameTrace &frame) override;
    void traceChannel(const ChannelTrace &channel) override;
    void traceExtensions(const ExtensionTrace &extensions) override;
    void traceWarning(const WarningTrace &warning) override;
    void traceError(const Error &error) override;

private:
    bool wireMatches(const FrameTrace &frame) const;

    InspectedSession &m_session;
    MessageLogModel &m_log;
    MessageLogModel::WireStorage m_wire = MessageLogModel::WireStorage::SameAsPlain;
    std::optional<crypto::SplitKeys> m_split;
    Nonce24 m_localNonce{};
    Nonce24 m_remoteNonce{};
    int m_checksLeft[2] = {WireChecks, WireChecks};
};

} // namespace hyperscope
