// `hyperscope-cli read CAPTURE`: prints the events of a capture file as if they were happening,
// so that scripts search captures the way `tshark -r` searches pcap files.
//
// Each frame row that decodes becomes the "message" event a live session prints (types 0..10;
// the same JSON shape) or an "extension" event (type 15); warning and error rows become
// "warning" and "error" events. Every event has the row's session, "leg" on a relayed session's
// rows, and two fields live events do not need: "direction" ("in": the session received it,
// "out": it sent it) and "timeUs" (the row's time, microseconds since the capture began).
// Handshake, keepalive and note ("event") rows print nothing, except that --trace prints a
// "frame" event for every frame and keepalive row, as live. A frame that does not decode prints
// a "warning" naming its line. --filter selects message, extension, frame and warning events as
// in the live modes; error events are always printed.
//
// The feed layer runs over the rows as it runs live (core/cli/feedevents.h): Have/Unhave/Want/
// Unwant events carry "blocks", and a Data on a channel whose feed key the capture knows carries
// "verified", "verdict" and "verifiedBy" or "verifyError", judged from every message before it on
// its channel (each leg of a relayed session on its own, what the leg sent being the local side).
// Verdicts are left out with --no-verify (@p verification Off); "blocks" stay. --filter's
// `verified` / `verdict` / `verifyError` read the same verdicts. `time` in a filter is the time
// since the process started, not the capture's (use the order of events).
#pragma once

#include "capturereader.h"
#include "feedevents.h"

namespace hyperscope {

class EventFilter;
class EventPrinter;

/// Prints @p capture's events to @p printer (see above).
void printCapture(
    const CaptureContents &capture, EventPrinter &printer, const EventFilter &filter, bool frames,
    FeedEventAnnotator::Verification verification = FeedEventAnnotator::Verification::On);

} // namespace hyperscope
