// CaptureReplay: a session's state rebuilt from a capture file, and what a file keeps of a live
// session beyond its rows.
//
// A live session's models are fed by its InspectorTrace as the engine reports each step. An
// opened capture has no engine, so fill() replays the file's rows of one session into the same
// models, through the same calls and trace structures: handshake rows become the HandshakeRecord's
// steps, Open and Close frames become ChannelTrace events for the ChannelTableModel, Options
// frames ExtensionTrace announcements for the ExtensionModel, every frame counts on its channel
// and in the session's counters. What the rows cannot tell (the static keys inside encrypted
// handshake messages, the handshake hash, the feed keys of the channels) comes from the header's
// SessionInfo, which describe() writes when a session is saved. Files written before it existed
// still open: those fields stay unknown and the rest is inferred from the rows.
//
// Only the client leg of a relayed session (rows without a leg, or of the client leg) is replayed.
#pragma once

#include "capturefile.h"

namespace hyperscope {

class InspectedSession;

class CaptureReplay
{
public:
    /// Fills @p session (origin Capture, fresh) from the rows of file session @p fileId of
    /// @p capture and its header entry. Times (the handshake ladder's, the duration) are taken
    /// relative to the session's first row, as capture::addSessionsTo() logs them.
    static void fill(InspectedSession &session, const capture::Capture &capture, int fileId);
    /// The same with the session's rows already picked out (in file order, of any leg), for a
    /// caller that fills many sessions: each row is visited once, not once per session.
    static void fill(InspectedSession &session, const capture::Capture &capture, int fileId,
                     const std::vector<const capture::Row *> &rows);

    /// What a capture's header keeps of @p session (a relayed one: its client leg), for
    /// capture::write(). Holds no secret.
    static capture::SessionInfo describe(const InspectedSession &session);
};

} // namespace hyperscope
