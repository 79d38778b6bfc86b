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
// A relayed session (origin "relayed", or rows with a leg) becomes a captured relayed pair
// (InspectedSession::becomeCapturedRelay()): the client leg is rebuilt from the client leg's rows
// and the relay's own (rows without a leg), the server leg from the server leg's rows, each as its
// leg's trace fed it live. The header's entry describes the client leg and its "serverLeg" the
// server leg (peer, static keys, handshake hash, nonces, end); both legs share the entry's mode
// and feed keys. Files without a "serverLeg" (hyperscope-cli's, older inspectors') rebuild the
// server leg's handshake from its rows (ephemeral keys, sizes, message 1's nonce) and the relay's
// static key, which is the same on both legs. The channels a relay held when the file was saved
// (its peer opened them, the relay never did) are the leg's heldChannels().
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

    /// What a capture's header keeps of @p session (a relayed one: its client leg, and its
    /// server leg in serverLeg), for capture::write(). Holds no secret.
    static capture::SessionInfo describe(const InspectedSession &session);

private:
    /// Fills one leg (or an ordinary session) from its @p rows: handshake, channels, extensions,
    /// counters and end, with @p info for what the rows cannot tell and @p peer as its peer's
    /// address. Times relative to @p start.
    static void fillLeg(InspectedSession &session, const capture::SessionInfo &info,
                        const QString &peer, const std::vector<const capture::Row *> &rows,
                        qint64 start);
    /// Publishes what fillLeg() built: flushes the models and tells the views.
    static void finish(InspectedSession &session);
};

} // namespace hyperscope
