// What a filter looks at: one row of a log, one event of the CLI, one message of a relayed
// session. Every source fills the same struct of plain values and views, so one compiled Filter
// evaluates on all of them without a virtual call per field.
//
// A field that a row does not carry is left at its "absent" value (nullopt, empty view,
// Leg::None, NoType): comparisons on it are false and a bare test of it is false.
//
// The feed layer's facts (issue 13) come two ways. `blocks` is read from the message itself (a
// Have's bitfield, a Want's start and length, a Request's index), so every source has it for
// free. A Data's verdict depends on what came before it on its channel, so only whoever keeps the
// channel's core/feed::FeedChannel knows it: that source calls setVerdict() (the inspector's log,
// hyperscope-cli's live and `read` events). Intercept holds a message before the feed layer has
// seen it, so its rows have no verdict (see fieldcatalogue.cpp's help for `verified`).
#pragma once

#include "bytes.h"
#include "messages.h"
#include "trace.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace hyperscope::feed {
struct Verdict;
}

namespace hyperscope::filter {

/// Which side of a relayed session a row belongs to; None on the inspector's own sessions.
enum class Leg : std::uint8_t { None, Client, Server };

/// One row. The views are borrowed: they must stay valid while Filter::matches() runs, and are not
/// kept afterwards.
struct Row
{
    /// No frame type: a warning or an error row.
    static constexpr int NoType = -1;
    /// A keepalive frame (an empty frame, which has no type on the wire). `type == Keepalive`.
    static constexpr int KeepaliveType = 16;

    /// The frame type 0..15 (MessageType; 11..14 are unknown types), KeepaliveType or NoType.
    int type = NoType;
    std::optional<Direction> direction; ///< `dir`: in (received) or out (sent).
    std::optional<std::uint64_t> session;
    Leg leg = Leg::None;
    /// The channel id the row shows: for a frame, its header's channel field (the sender's id,
    /// as the log and the CLI's frame events show it); for a delivered message, the local id.
    std::optional<std::uint64_t> channel;
    ByteView discoveryKey;             ///< `dk`; empty when the row belongs to no channel.
    ByteView feedKey;                  ///< `key`; empty when the feed key is not known.
    std::optional<std::uint64_t> size; ///< The frame's size in bytes.
    /// Milliseconds, on the clock of whoever fills the row (the log: since it started; the CLI:
    /// since the process started).
    std::optional<std::uint64_t> time;
    std::optional<std::string_view> extension; ///< `ext`: the extension's name (UTF-8).
    std::optional<std::string_view> warning;   ///< The warning the row carries (UTF-8).
    std::optional<std::string_view> error;     ///< The error the row carries (UTF-8).
    /// Types 0..10: the message's protobuf encoding (the frame's payload). Every schema field
    /// (`index`, `value`, `nodes.index` ...) is read from these bytes as it is needed, so a row
    /// costs no decoding unless the filter asks for a message field. nullopt when the row has no
    /// decoded message (a keepalive, a message that failed to decode, an extension).
    std::optional<ByteView> payload;

    /// The verdict on a Data whose channel's feed key is known (setVerdict()): `verified` is true
    /// when the block was verified, false when it failed or could not be verified (the CLI's
    /// "verified" key). nullopt on every other row.
    std::optional<bool> verified;
    /// `verdict`: "verified", "failed" or "unverifiable" (the CLI's "verdict" key).
    std::optional<std::string_view> verdict;
    /// `verifyError`: why a Data failed, or what its verification lacks (the CLI's "verifyError").
    std::optional<std::string_view> verifyError;
};

/// Fills type, channel, size and (types 0..10) payload from @p plainFrame, a transport frame in
/// clear as the log keeps it and FrameTrace::plain holds it: varint(length) || varint(channel << 4
/// | type) || payload. An empty frame is a keepalive. The payload is a view into @p plainFrame.
/// Returns false, leaving @p row alone, when the bytes are not one whole frame.
bool setFrame(Row &row, ByteView plainFrame);

/// Fills @p row's payload from a decoded @p message, encoding it into @p scratch (reused between
/// calls to avoid an allocation per row; it must outlive the evaluation). Also sets type.
void setMessage(Row &row, const Message &message, Bytes &scratch);

/// Fills @p row's verified, verdict and verifyError from @p verdict (core/feed/feedverifier.h). A
/// failed Data also carries its reason as the row's `warning`, so that `warning` and the default
/// colouring rule for warnings find the tampered block itself, as they find the warning row or
/// event that reports it. The views point into @p verdict, which must outlive the evaluation.
void setVerdict(Row &row, const feed::Verdict &verdict);

} // namespace hyperscope::filter
