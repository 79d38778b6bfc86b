// FeedTracker: the feed layer (core/feed) of one inspected session, or of one leg of a relayed one.
//
// It reads the session's rows as the log flushes them (so live sessions, relayed legs and
// sessions replayed from a capture are all treated alike), feeds every Have/Unhave/Want/Unwant/
// Request/Cancel/Data of each channel into a feed::FeedChannel (with the channel's feed key once
// the session's channel table knows it), and keeps what it found per log row in a compact side
// table: the verdict of each Data and the decoded ranges of each Have/Unhave/Want/Unwant. The
// log's Record stays 48 bytes. A Data that fails verification adds a warning row to the log, so
// Expert Information counts it.
//
// It runs on the GUI thread for every flushed row, so the common case is kept cheap (see
// docs/benchmarks.md, "FeedTracker"): a Data is read in place from the log's bytes (no protobuf
// message, no copy of its value), and a Data with nothing to verify it with (no proof nodes, no
// signature, nothing on its path verified: a flood of bare Data) is judged "unverifiable"
// without hashing and costs a 12-byte entry; its full Verdict (text, leaf hash) is built when
// finding() is asked for it.
//
// The Feed view paints a channel's SideRecords; latestRowAbout() gives its click-through.
#pragma once

#include "blockranges.h"
#include "feedchannel.h"
#include "messagelogmodel.h"

#include <QObject>
#include <QString>

#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace hyperscope {

class ChannelTableModel;
class SessionManager;
struct DissectedField;

/// "blocks 0–9, 12, 20–∞" (ranges inclusive; an open range ends in ∞); "no blocks" when empty.
QString blockRangesText(const feed::BlockRanges &ranges);

/// One line for a Data's verdict: "verified: signature over …", "FAILED: …", "unverifiable: …".
QString verdictText(const feed::Verdict &verdict);

class FeedTracker : public QObject
{
    Q_OBJECT
public:
    using Leg = MessageLogModel::Leg;

    /// Watches the rows of @p session (its @p leg) in @p log; looks feed keys up in @p channels.
    FeedTracker(MessageLogModel *log, int session, Leg leg, const ChannelTableModel *channels,
                QObject *parent = nullptr);

    /// What the feed layer found out about one log row.
    struct RowFinding
    {
        std::optional<feed::MessageBlocks> blocks; ///< Have/Unhave/Want/Unwant
        std::optional<feed::Verdict> verdict;      ///< Data on a channel with a known feed key
    };
    /// The finding for source row @p row of the log, or null (other rows, other sessions).
    /// The finding of a Data judged without hashing is built on this call (a few microseconds)
    /// and stays valid until control returns to the event loop or MaxBuiltFindings more are
    /// built (a pass over a million rows must not keep a million verdicts); every other finding
    /// stays valid until the log is cleared or rescan() runs.
    const RowFinding *finding(int row) const;
    /// The same, reading first the rows the log holds that this tracker has not read yet: the
    /// log's filter tests rows as they are inserted, before rowsFlushed() reaches readRows().
    const RowFinding *findingNow(int row);
    /// The outcome of the verdict on row @p row (a Data on a channel whose feed key is known), or
    /// nullopt: what finding(row)->verdict->outcome says, without building anything. For a pass
    /// over many rows that only asks which verified (a filter on `verified`, a search back for
    /// the Data that verified a node).
    std::optional<feed::Verdict::Outcome> outcome(int row) const;

    /// One channel's feed bookkeeping.
    struct Channel
    {
        Key32 discoveryKey{};
        feed::FeedChannel feed{std::nullopt};
        /// The highest block number any message mentioned (the block map's extent), if any.
        std::optional<std::uint64_t> highestBlock;
    };
    /// The channels seen so far, by the log's interned discovery-key index.
    const std::map<quint32, Channel> &channels() const { return m_channels; }
    const Channel *channel(quint32 keyIndex) const;

    /// The latest log row about @p block on channel @p keyIndex (a Data, Request, Cancel of that
    /// block, or a Have/Want whose ranges cover it); -1 when none.
    int latestRowAbout(quint32 keyIndex, std::uint64_t block) const;

    int session() const { return m_session; }
    Leg leg() const { return m_leg; }

    /// Reads rows [@p first, @p last] of the log (connected to rowsFlushed()), those not read yet.
    /// Verdicts found there were not known when the log's filter tested these rows (findingNow()
    /// reads rows first when it is asked): MessageLogModel::notifyFeedVerdictsChanged() then.
    void readRows(int first, int last);
    /// Forgets everything (the log was cleared).
    void clear();
    /// Reads every row of the session again: a channel's feed key became known after its rows
    /// were read (a capture's channels are rebuilt after its rows are added; a person gave a
    /// key in the Channels tab), and its Data can be verified now.
    void rescan();

signals:
    /// New findings (throttle in the view: it may come every flush).
    void changed();
    /// A warning row was added for a Data that failed verification (the session counts it).
    void warned();

private:
    /// A range of blocks a row is about, for latestRowAbout().
    struct Touch
    {
        int row;
        std::uint64_t first;
        std::uint64_t last;
    };
    /// readRows() without the notification; true when a Data got a verdict.
    bool readNewRows(int first, int last);
    /// What readRows() kept about one row of this session, in row order: 12 bytes, since most
    /// rows of a flood are Data with nothing to verify.
    struct Entry
    {
        int row;
        enum class Kind : std::uint8_t {
            Found,      ///< m_found[slot] holds its RowFinding
            Unprovable, ///< a Data judged "unverifiable" without hashing: built when asked
        } kind;
        /// Found: the index in m_found. Unprovable: the index of its Request's digest in
        /// m_unprovableDigests, or NoDigest when no Request for its block was seen.
        std::uint32_t slot;
    };
    static constexpr std::uint32_t NoDigest = UINT32_MAX;
    void addEntry(int row, Entry::Kind kind, std::uint32_t slot);
    /// The entry of @p row, or null.
    const Entry *entryOf(int row) const;
    /// The RowFinding of an Unprovable entry, built (and kept until the event loop runs again).
    const RowFinding *builtFinding(const Entry &entry) const;
    Channel &channelFor(quint32 keyIndex);
    std::optional<Key32> feedKeyOf(const Key32 &discoveryKey) const;
    void touch(quint32 keyIndex, int row, std::uint64_t first, std::uint64_t last);
    /// Whether a warning row with @p text follows @p row already (a capture read back).
    bool warningFollows(int row, const QString &text) const;
    /// Rescans when a channel read without a feed key has one in the channel table now.
    void checkLateKeys();

    MessageLogModel *m_log;
    int m_session;
    Leg m_leg;
    const ChannelTableModel *m_channelTable;
    std::map<quint32, Channel> m_channels;
    std::vector<Entry> m_entries;                   ///< ascending rows
    std::deque<RowFinding> m_found;                 ///< stable addresses for finding()
    std::vector<std::uint64_t> m_unprovableDigests; ///< Entry::slot of Unprovable entries
    /// Findings of Unprovable rows built by finding(); dropped when control returns to the event
    /// loop (m_dropBuiltQueued), so that what a pass over the rows built does not stay.
    mutable std::unordered_map<int, RowFinding> m_built;
    /// How many built findings are kept at most (a few hundred KiB): a filter or a colouring
    /// rule on `verified` over a whole log asks for every row once, and uses each at once.
    static constexpr std::size_t MaxBuiltFindings = 1024;
    mutable bool m_dropBuiltQueued = false;
    std::map<quint32, std::vector<Touch>> m_touches;
    /// Rows whose failure already has its warning row (a rescan must not add another).
    std::unordered_set<int> m_warned;
    /// The first log row not read yet (readRows() never reads a row twice).
    int m_readEnd = 0;
};

/// For FieldTreeModel::setAnnotator(): when @p root is the dissection of log row @p row of @p log
/// and the row's session (its leg) has a finding for it, adds it to the tree:
///  - a Data gets "feed verification" (value: verdictText()) with the hash chain as children,
///    bottom-up: the leaf, each parent with the sibling it was combined with, each root, the tree
///    hash, the signed bytes and the signature check. A node that came from the frame (the value,
///    a proof node, the signature) covers those bytes, so the hex pane shows them;
///  - a Have/Unhave/Want/Unwant gets "blocks" with its decoded ranges.
void annotateFeedRow(DissectedField &root, const MessageLogModel &log, int row,
                     const SessionManager &sessions);
/// The same with the row's tracker given (the session's, or its leg's, feed()).
void annotateFeedRow(DissectedField &root, const FeedTracker &tracker, int row);

/// The verdict on log row @p row of @p log (a Data), from the tracker of its session (its leg)
/// in @p sessions (FeedTracker::findingNow()), or null: what MessageLogModel::feedVerdict()
/// answers (SessionManager sets it).
const feed::Verdict *feedVerdictOf(const MessageLogModel &log, int row,
                                   const SessionManager &sessions);

} // namespace hyperscope
