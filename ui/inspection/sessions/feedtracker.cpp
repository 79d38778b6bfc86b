#include "feedtracker.h"

#include "channeltablemodel.h"
#include "dissector.h"
#include "inspectedsession.h"
#include "sessionmanager.h"
#include "varint.h"

#include <QTimer>

#include <algorithm>

namespace hyperscope {

namespace {

/// Past this many ranges a row's touches keep only their envelope (a hostile Have of alternating
/// bits must not make the click-through table grow with every bit).
constexpr std::size_t MaxTouchesPerRow = 64;

/// The payload of a stored frame (after its length and header varints).
ByteView payloadOf(ByteView frame)
{
    const varint::Decoded length = varint::decode(frame);
    if (length.status != varint::Status::Ok)
        return {};
    const varint::Decoded header = varint::decode(frame.subspan(length.size));
    if (header.status != varint::Status::Ok)
        return {};
    const std::size_t start = length.size + header.size;
    return start <= frame.size() ? frame.subspan(start) : ByteView{};
}

/// The single block a Request, Cancel or Data is about.
std::optional<std::uint64_t> blockOf(const Message &message)
{
    if (const auto *request = std::get_if<schema::Request>(&message))
        return request->index();
    if (const auto *cancel = std::get_if<schema::Cancel>(&message))
        return cancel->index();
    if (const auto *data = std::get_if<schema::Data>(&message))
        return data->index();
    return std::nullopt;
}

} // namespace

QString blockRangesText(const feed::BlockRanges &ranges)
{
    if (ranges.empty())
        return QObject::tr("no blocks");
    QStringList parts;
    for (const feed::BlockRange &range : ranges) {
        if (range.isOpenEnded())
            parts << QStringLiteral("%1–∞").arg(range.first);
        else if (range.first == range.last)
            parts << QString::number(range.first);
        else
            parts << QStringLiteral("%1–%2").arg(range.first).arg(range.last);
        if (parts.size() == 8 && ranges.size() > 8) {
            parts << QObject::tr("… (%1 ranges)").arg(ranges.size());
            break;
        }
    }
    const bool one = ranges.size() == 1 && ranges.front().first == ranges.front().last;
    return (one ? QObject::tr("block %1") : QObject::tr("blocks %1"))
        .arg(parts.join(QStringLiteral(", ")));
}

QString verdictText(const feed::Verdict &verdict)
{
    const QString text = QString::fromStdString(verdict.text);
    switch (verdict.outcome) {
    case feed::Verdict::Outcome::Verified:
        return QObject::tr("verified: %1").arg(text);
    case feed::Verdict::Outcome::Failed:
        return QObject::tr("FAILED: %1").arg(text);
    case feed::Verdict::Outcome::Unverifiable:
        break;
    }
    return QObject::tr("unverifiable: %1").arg(text);
}

FeedTracker::FeedTracker(MessageLogModel *log, int session, Leg leg,
                         const ChannelTableModel *channels, QObject *parent)
    : QObject(parent)
    , m_log(log)
    , m_session(session)
    , m_leg(leg)
    , m_channelTable(channels)
{
    connect(log, &MessageLogModel::rowsFlushed, this, &FeedTracker::readRows);
    connect(log, &QAbstractItemModel::modelReset, this, &FeedTracker::clear);
    // Directly, not later: a capture opened is complete (verdicts and all) when openCapture()
    // returns. Cheap: a look at the few channels read without a key.
    if (channels) {
        connect(channels, &QAbstractItemModel::rowsInserted, this, &FeedTracker::checkLateKeys);
        connect(channels, &QAbstractItemModel::dataChanged, this, &FeedTracker::checkLateKeys);
        connect(channels, &QAbstractItemModel::modelReset, this, &FeedTracker::checkLateKeys);
    }
}

void FeedTracker::checkLateKeys()
{
    for (const auto &[keyIndex, channel] : m_channels) {
        if (!channel.feed.hasFeedKey() && feedKeyOf(channel.discoveryKey)) {
            rescan();
            return;
        }
    }
}

void FeedTracker::rescan()
{
    m_channels.clear();
    m_entries.clear();
    m_found.clear();
    m_unprovableDigests.clear();
    m_built.clear();
    m_touches.clear();
    m_readEnd = 0;
    if (m_log->rowCount() > 0)
        readNewRows(0, m_log->rowCount() - 1);
    emit changed();
    m_log->notifyFeedVerdictsChanged();
}

const FeedTracker::Entry *FeedTracker::entryOf(int row) const
{
    const auto it = std::lower_bound(m_entries.begin(), m_entries.end(), row,
                                     [](const Entry &entry, int r) { return entry.row < r; });
    return it == m_entries.end() || it->row != row ? nullptr : &*it;
}

const FeedTracker::RowFinding *FeedTracker::finding(int row) const
{
    const Entry *entry = entryOf(row);
    if (!entry)
        return nullptr;
    if (entry->kind == Entry::Kind::Found)
        return &m_found[entry->slot];
    return builtFinding(*entry);
}

std::optional<feed::Verdict::Outcome> FeedTracker::outcome(int row) const
{
    const Entry *entry = entryOf(row);
    if (!entry)
        return std::nullopt;
    if (entry->kind == Entry::Kind::Unprovable)
        return feed::Verdict::Outcome::Unverifiable;
    const std::optional<feed::Verdict> &verdict = m_found[entry->slot].verdict;
    return verdict ? std::optional(verdict->outcome) : std::nullopt;
}

const FeedTracker::RowFinding *FeedTracker::builtFinding(const Entry &entry) const
{
    if (const auto it = m_built.find(entry.row); it != m_built.end())
        return &it->second;
    const MessageLogModel::Record &record = m_log->record(entry.row);
    const Channel *channel = this->channel(record.channelKey);
    const feed::FeedVerifier *verifier = channel ? channel->feed.verifier() : nullptr;
    const std::optional<feed::DataProof> proof =
        feed::readDataProof(payloadOf(m_log->recordBytes(record)));
    if (!verifier || !proof)
        return nullptr; // cannot happen: readRows() judged this very row with them
    feed::Unprovable unprovable{proof->index, std::nullopt};
    if (entry.slot != NoDigest)
        unprovable.requestDigest = m_unprovableDigests[entry.slot];
    if (m_built.size() >= MaxBuiltFindings)
        m_built.clear(); // the oldest were used and dropped by their callers long ago
    if (!m_dropBuiltQueued) {
        m_dropBuiltQueued = true;
        QTimer::singleShot(0, const_cast<FeedTracker *>(this), [this] {
            m_built.clear();
            m_dropBuiltQueued = false;
        });
    }
    return &m_built
                .emplace(entry.row,
                         RowFinding{std::nullopt, verifier->verdictOf(*proof, unprovable)})
                .first->second;
}

void FeedTracker::addEntry(int row, Entry::Kind kind, std::uint32_t slot)
{
    // Rows come in ascending order (the log only appends; rescan() starts over).
    if (m_entries.empty() || m_entries.back().row < row) {
        m_entries.push_back({row, kind, slot});
        return;
    }
    const auto at = std::lower_bound(m_entries.begin(), m_entries.end(), row,
                                     [](const Entry &entry, int r) { return entry.row < r; });
    if (at != m_entries.end() && at->row == row)
        *at = {row, kind, slot};
    else
        m_entries.insert(at, {row, kind, slot});
}

const FeedTracker::RowFinding *FeedTracker::findingNow(int row)
{
    if (row >= m_readEnd && row < m_log->rowCount())
        readNewRows(m_readEnd, m_log->rowCount() - 1);
    return finding(row);
}

const FeedTracker::Channel *FeedTracker::channel(quint32 keyIndex) const
{
    const auto it = m_channels.find(keyIndex);
    return it == m_channels.end() ? nullptr : &it->second;
}

std::optional<Key32> FeedTracker::feedKeyOf(const Key32 &discoveryKey) const
{
    if (!m_channelTable)
        return std::nullopt;
    const int row = m_channelTable->rowOf(discoveryKey);
    return row >= 0 ? m_channelTable->row(row).key : std::nullopt;
}

FeedTracker::Channel &FeedTracker::channelFor(quint32 keyIndex)
{
    auto it = m_channels.find(keyIndex);
    if (it == m_channels.end()) {
        it = m_channels.try_emplace(keyIndex).first;
        it->second.discoveryKey = m_log->channelKey(keyIndex).value_or(Key32{});
    }
    Channel &channel = it->second;
    // The feed key becomes known when we open the channel (or a person gives it): start the
    // bookkeeping over with it then, as hyperscope-cli does.
    if (!channel.feed.hasFeedKey()) {
        if (const std::optional<Key32> key = feedKeyOf(channel.discoveryKey))
            channel.feed = feed::FeedChannel(key);
    }
    return channel;
}

void FeedTracker::touch(quint32 keyIndex, int row, std::uint64_t first, std::uint64_t last)
{
    m_touches[keyIndex].push_back({row, first, last});
}

void FeedTracker::readRows(int first, int last)
{
    // Verdicts on rows the log's filter tested before this tracker could be asked (a capture's
    // rows flushed before its session was listed): it tests them again.
    if (readNewRows(first, last))
        m_log->notifyFeedVerdictsChanged();
}

bool FeedTracker::readNewRows(int first, int last)
{
    // findingNow() may have read some of them already.
    first = std::max(first, m_readEnd);
    if (first > last)
        return false;
    m_readEnd = last + 1;
    bool verdicts = false;
    bool found = false;
    for (int row = first; row <= last; ++row) {
        const MessageLogModel::Record &record = m_log->record(row);
        // A Malformed frame did not decode when it was logged: it would not decode here either.
        if (record.session != m_session || record.leg != m_leg ||
            record.kind != MessageLogModel::Kind::Frame || record.channelKey == 0 ||
            record.type < 3 || record.type > 9 ||
            (record.flags & (MessageLogModel::BytesDropped | MessageLogModel::Malformed)))
            continue;
        const ByteView payload = payloadOf(m_log->recordBytes(record));
        const feed::Side sender =
            record.direction() == Direction::Outbound ? feed::Side::Local : feed::Side::Remote;
        feed::FeedChannel::Observation observation;
        std::optional<std::uint64_t> block;
        Channel *channelSeen = nullptr;
        if (record.type == std::uint8_t(MessageType::Data)) {
            // The bulk of a session: read in place, judged without hashing when nothing in it
            // can be verified.
            const std::optional<feed::DataProof> proof = feed::readDataProof(payload);
            if (!proof)
                continue;
            channelSeen = &channelFor(record.channelKey);
            observation = channelSeen->feed.observeData(
                sender, *proof, feed::FeedChannel::Judging::DeferUnprovable);
            block = proof->index;
        } else {
            std::string error;
            const std::optional<Message> message = decodeMessage(record.type, payload, error);
            if (!message)
                continue;
            channelSeen = &channelFor(record.channelKey);
            observation = channelSeen->feed.observe(sender, *message);
            block = blockOf(*message);
        }
        Channel &channel = *channelSeen;
        auto noteBlock = [&channel](std::uint64_t block) {
            if (block != feed::BlockRange::OpenEnd)
                channel.highestBlock = std::max(channel.highestBlock.value_or(0), block);
        };
        if (block) {
            touch(record.channelKey, row, *block, *block);
            noteBlock(*block);
        }
        if (observation.blocks) {
            const feed::BlockRanges &ranges = observation.blocks->ranges;
            if (ranges.size() <= MaxTouchesPerRow) {
                for (const feed::BlockRange &range : ranges)
                    touch(record.channelKey, row, range.first, range.last);
            } else {
                touch(record.channelKey, row, ranges.front().first, ranges.back().last);
            }
            for (const feed::BlockRange &range : ranges) {
                noteBlock(range.first);
                noteBlock(range.last);
            }
        }
        if (observation.verdict && observation.verdict->failed() && m_warned.insert(row).second) {
            const QString text = (record.direction() == Direction::Outbound
                                      ? tr("Data block %1 we sent fails verification: %2")
                                      : tr("Data block %1 failed verification: %2"))
                                     .arg(observation.verdict->block)
                                     .arg(QString::fromStdString(observation.verdict->text));
            if (!warningFollows(row, text)) {
                m_log->appendNote(m_session, MessageLogModel::Kind::Warning, record.direction(),
                                  record.streamOffset, text, m_leg);
                emit warned();
            }
        }
        verdicts = verdicts || observation.verdict || observation.unprovable;
        if (observation.unprovable) {
            std::uint32_t slot = NoDigest;
            if (observation.unprovable->requestDigest) {
                slot = std::uint32_t(m_unprovableDigests.size());
                m_unprovableDigests.push_back(*observation.unprovable->requestDigest);
            }
            addEntry(row, Entry::Kind::Unprovable, slot);
        } else if (observation.blocks || observation.verdict) {
            // Kept for the session's life: no room for the verifier's spare chain steps (a
            // verified 1 KiB Data of a clone kept 260 bytes of them, docs/benchmarks.md).
            if (observation.verdict)
                observation.verdict->chain.shrink_to_fit();
            m_found.push_back({std::move(observation.blocks), std::move(observation.verdict)});
            addEntry(row, Entry::Kind::Found, std::uint32_t(m_found.size() - 1));
        }
        found = true;
    }
    if (found)
        emit changed();
    return verdicts;
}

bool FeedTracker::warningFollows(int row, const QString &text) const
{
    // A capture keeps the warning rows the live session had: the row after a failed Data (within
    // a few rows: other sessions' rows may come between) already says it.
    constexpr int Lookahead = 64;
    const int last = std::min(m_log->rowCount() - 1, row + Lookahead);
    for (int next = row + 1; next <= last; ++next) {
        const MessageLogModel::Record &record = m_log->record(next);
        if (record.session == m_session && record.leg == m_leg &&
            record.kind == MessageLogModel::Kind::Warning && m_log->noteText(record) == text)
            return true;
    }
    return false;
}

int FeedTracker::latestRowAbout(quint32 keyIndex, std::uint64_t block) const
{
    const auto it = m_touches.find(keyIndex);
    if (it == m_touches.end())
        return -1;
    for (auto touch = it->second.rbegin(); touch != it->second.rend(); ++touch) {
        if (block >= touch->first && block <= touch->last)
            return touch->row;
    }
    return -1;
}

void FeedTracker::clear()
{
    m_readEnd = 0;
    m_channels.clear();
    m_entries.clear();
    m_found.clear();
    m_unprovableDigests.clear();
    m_built.clear();
    m_touches.clear();
    m_warned.clear();
    emit changed();
}

namespace {

std::string hexText(std::span<const std::uint8_t> bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()))
        .toHex()
        .toStdString();
}

/// The top-level field @p name of a frame's dissection whose child "index" reads @p index (a
/// proof node), or the first field named @p name when @p index is empty.
const DissectedField *fieldOf(const DissectedField &root, const std::string &name,
                              const std::string &index = {})
{
    for (const DissectedField &child : root.children) {
        if (child.name != name)
            continue;
        if (index.empty())
            return &child;
        for (const DissectedField &part : child.children) {
            if (part.name == "index" && part.value == index)
                return &child;
        }
    }
    return nullptr;
}

/// A child of @p field named @p name, or @p field itself.
const DissectedField *partOf(const DissectedField *field, const std::string &name)
{
    if (!field)
        return nullptr;
    for (const DissectedField &part : field->children) {
        if (part.name == name)
            return &part;
    }
    return field;
}

DissectedField nodeField(std::string name, std::string value, const DissectedField *bytes)
{
    return {std::move(name),
            std::move(value),
            bytes ? bytes->offset : 0,
            bytes ? bytes->length : 0,
            {}};
}

const char *sourceText(feed::ChainStep::Source source)
{
    switch (source) {
    case feed::ChainStep::Source::Computed:
        return "computed here";
    case feed::ChainStep::Source::Proof:
        return "from the proof";
    case feed::ChainStep::Source::Verified:
        return "verified earlier on this channel";
    }
    return "";
}

/// The field of the frame that carries proof node @p index (its hash), if it is in the proof.
const DissectedField *proofHash(const DissectedField &root, std::uint64_t index)
{
    return partOf(fieldOf(root, "nodes", std::to_string(index)), "hash");
}

DissectedField chainField(const feed::Verdict &verdict, const DissectedField &root)
{
    DissectedField chain{"hash chain", {}, 0, 0, {}};
    for (const feed::ChainStep &step : verdict.chain) {
        const std::string hash = hexText(step.node.hash);
        const std::string where = sourceText(step.source);
        switch (step.kind) {
        case feed::ChainStep::Kind::Leaf: {
            // The leaf is computed from the value: selecting it shows the value's bytes.
            const DissectedField *value = step.source == feed::ChainStep::Source::Computed
                                              ? fieldOf(root, "value")
                                              : proofHash(root, step.node.index);
            chain.children.push_back(nodeField(
                "leaf node " + std::to_string(step.node.index),
                hash + " = H(0x00 ‖ u64(" + std::to_string(step.node.size) + ") ‖ value), " + where,
                value));
            break;
        }
        case feed::ChainStep::Kind::Parent: {
            DissectedField parent = nodeField(
                "parent node " + std::to_string(step.node.index),
                hash + " (size " + std::to_string(step.node.size) + "), " + where, nullptr);
            if (step.sibling) {
                parent.children.push_back(
                    nodeField("sibling node " + std::to_string(step.sibling->index),
                              hexText(step.sibling->hash) + ", " + sourceText(step.siblingSource),
                              step.siblingSource == feed::ChainStep::Source::Proof
                                  ? proofHash(root, step.sibling->index)
                                  : nullptr));
            }
            parent.value.insert(0, "H(0x01 ‖ size ‖ lower ‖ higher) = ");
            chain.children.push_back(std::move(parent));
            break;
        }
        case feed::ChainStep::Kind::Root:
            chain.children.push_back(nodeField(
                "root node " + std::to_string(step.node.index),
                hash + " (size " + std::to_string(step.node.size) + "), " + where,
                step.source == feed::ChainStep::Source::Proof ? proofHash(root, step.node.index)
                                                              : nullptr));
            break;
        }
    }
    if (verdict.treeHash)
        chain.children.push_back(nodeField(
            "tree hash", hexText(*verdict.treeHash) + " = H(0x02 ‖ each root: hash ‖ index ‖ size)",
            nullptr));
    if (!verdict.signedBytes.empty())
        chain.children.push_back(nodeField(
            "signed bytes",
            hexText(verdict.signedBytes) + " (" + std::to_string(verdict.signedBytes.size()) +
                " bytes, length " + std::to_string(verdict.signedLength) + ")",
            nullptr));
    if (const DissectedField *signature = fieldOf(root, "signature")) {
        std::string check;
        if (verdict.how == feed::Verdict::How::Signature ||
            verdict.how == feed::Verdict::How::SignatureTree)
            check = "Ed25519 signature matches the feed key";
        else if (verdict.failed() && verdict.text.find("signature") != std::string::npos)
            check = "Ed25519 signature does NOT match the feed key";
        else
            check = "not needed or not reached";
        chain.children.push_back(nodeField("signature check", check, signature));
    }
    if (verdict.how == feed::Verdict::How::VerifiedNode)
        chain.children.push_back(nodeField("anchor",
                                           "node " + std::to_string(verdict.anchorNode) +
                                               ", verified earlier on this channel",
                                           nullptr));
    return chain;
}

} // namespace

void annotateFeedRow(DissectedField &root, const MessageLogModel &log, int row,
                     const SessionManager &sessions)
{
    if (row < 0 || row >= log.rowCount())
        return;
    const MessageLogModel::Record &record = log.record(row);
    InspectedSession *session = sessions.sessionById(record.session);
    if (session && record.leg == MessageLogModel::Leg::Server && session->serverLeg())
        session = session->serverLeg();
    if (session && session->feed())
        annotateFeedRow(root, *session->feed(), row);
}

const feed::Verdict *feedVerdictOf(const MessageLogModel &log, int row,
                                   const SessionManager &sessions)
{
    if (row < 0 || row >= log.rowCount())
        return nullptr;
    const MessageLogModel::Record &record = log.record(row);
    InspectedSession *session = sessions.sessionById(record.session);
    if (session && record.leg == MessageLogModel::Leg::Server && session->serverLeg())
        session = session->serverLeg();
    if (!session || !session->feed())
        return nullptr;
    const FeedTracker::RowFinding *finding = session->feed()->findingNow(row);
    return finding && finding->verdict ? &*finding->verdict : nullptr;
}

void annotateFeedRow(DissectedField &root, const FeedTracker &tracker, int row)
{
    const FeedTracker::RowFinding *finding = tracker.finding(row);
    if (!finding)
        return;
    if (finding->blocks) {
        const DissectedField *bytes = fieldOf(root, "bitfield");
        if (!bytes)
            bytes = fieldOf(root, "start");
        root.children.push_back(nodeField(
            "blocks",
            finding->blocks->error.empty() ? blockRangesText(finding->blocks->ranges).toStdString()
                                           : finding->blocks->error,
            bytes));
    }
    if (const std::optional<feed::Verdict> &verdict = finding->verdict) {
        DissectedField node =
            nodeField("feed verification", verdictText(*verdict).toStdString(), nullptr);
        node.offset = root.offset;
        node.length = 0;
        node.children.push_back(chainField(*verdict, root));
        // Right after the header, where a person looks first (the proof nodes can be many).
        auto at = root.children.begin();
        while (at != root.children.end() && (at->name == "Length" || at->name == "Header"))
            ++at;
        root.children.insert(at, std::move(node));
    }
}

} // namespace hyperscope
