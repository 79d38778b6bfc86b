// capabilitylesson: why an Open's capability verified or failed, from this session's real keys.
//
// The engine checks a remote capability and either carries on or ends the session; the inspector
// redoes the computation to show a student what was compared. checkOpenCapability() is the pure
// computation (and its words); annotateOpenCapability() adds the result to the field tree of an
// Open row as a "capability check" node, for FieldTreeModel::setAnnotator().
#pragma once

#include "bytes.h"
#include "crypto.h"
#include "trace.h"

#include <QString>

#include <optional>

namespace hyperscope {

class MessageLogModel;
class SessionManager;
struct DissectedField;

/// The outcome of checking one Open's capability.
struct CapabilityCheck
{
    enum class Verdict {
        Verified,       ///< The capability matches the one computed here.
        Mismatch,       ///< It does not: the engine ends the session on an inbound one.
        Missing,        ///< The Open carries no capability although Noise is on.
        FeedKeyUnknown, ///< Nobody here knows the feed key: the check cannot be made.
        KeysUnknown,    ///< No split keys (handshake not finished, or the keys were not kept).
        NoNoise,        ///< The session runs without Noise: there is no capability.
    };
    Verdict verdict = Verdict::FeedKeyUnknown;
    std::optional<Key32> expected; ///< What the Open should carry, when it could be computed.
    std::optional<Key32> received; ///< What it carries.
    /// One line for the field tree's value column: "verified: expected = received".
    QString summary() const;
    /// A few sentences: the formula with the keys named from the sender's point of view.
    QString explanation(Direction direction) const;
};

/// Checks the capability @p received of an Open that travelled in @p direction, for the feed
/// @p feedKey (if known) with this side's @p split keys (if known). An outbound Open's capability
/// is crypto::capability() (ours), an inbound one's crypto::remoteCapability().
CapabilityCheck checkOpenCapability(Direction direction, const std::optional<Key32> &received,
                                    const std::optional<Key32> &feedKey,
                                    const std::optional<crypto::SplitKeys> &split, bool noise);

/// When @p root is the dissection of an Open frame (log row @p row of @p log), adds a child
/// "capability check" under its capability field (or under the frame when there is none) with
/// checkOpenCapability()'s verdict, expected and received values. Does nothing for other rows or
/// when the row's session is gone.
void annotateOpenCapability(DissectedField &root, const MessageLogModel &log, int row,
                            const SessionManager &sessions);

} // namespace hyperscope
