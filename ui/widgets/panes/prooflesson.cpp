#include "prooflesson.h"

#include "copyablehex.h"
#include "feedtracker.h"
#include "flattree.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"
#include "messages.h"
#include "prooftreepicture.h"
#include "varint.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace hyperscope {

namespace {

using feed::ChainStep;
using feed::TreeNode;
using feed::Verdict;
using Role = ProofTreePicture::Role;

constexpr int DataType = 9;
const QColor Accent(21, 101, 192);
const QColor VerifiedColour(46, 125, 50);
const QColor FailedColour(198, 40, 40);

/// The bytes of a big-endian uint64, as the feed's hashes take them.
Bytes u64(std::uint64_t value)
{
    Bytes bytes(8);
    for (int i = 7; i >= 0; --i, value >>= 8)
        bytes[std::size_t(i)] = std::uint8_t(value & 0xff);
    return bytes;
}

ByteView viewOf(const std::string &text)
{
    return asView(text);
}

/// The Data of a log row, decoded again from its stored frame (nullopt for other rows).
std::optional<schema::Data> dataOfRow(const MessageLogModel &log, int row)
{
    if (row < 0 || row >= log.rowCount())
        return std::nullopt;
    const MessageLogModel::Record &record = log.record(row);
    if (record.kind != MessageLogModel::Kind::Frame || record.type != DataType ||
        (record.flags & (MessageLogModel::BytesDropped | MessageLogModel::Malformed)))
        return std::nullopt;
    const ByteView frame = log.recordBytes(record);
    const varint::Decoded length = varint::decode(frame);
    if (length.status != varint::Status::Ok)
        return std::nullopt;
    const varint::Decoded header = varint::decode(frame.subspan(length.size));
    if (header.status != varint::Status::Ok || length.size + header.size > frame.size())
        return std::nullopt;
    std::string error;
    std::optional<Message> message =
        decodeMessage(DataType, frame.subspan(length.size + header.size), error);
    if (!message || !std::holds_alternative<schema::Data>(*message))
        return std::nullopt;
    return std::get<schema::Data>(std::move(*message));
}

/// "blocks 0–7" / "block 14" under node @p index.
QString blocksUnder(std::uint64_t index)
{
    const auto [left, right] = feed::flat::spans(index);
    return left == right ? ProofLesson::tr("block %1").arg(left / 2)
                         : ProofLesson::tr("blocks %1–%2").arg(left / 2).arg(right / 2);
}

QString bytesText(std::uint64_t count)
{
    return count == 1 ? ProofLesson::tr("1 byte") : ProofLesson::tr("%1 bytes").arg(count);
}

QString listText(const std::vector<std::uint64_t> &indexes)
{
    QStringList parts;
    for (const std::uint64_t index : indexes)
        parts << QString::number(index);
    return parts.join(QStringLiteral(", "));
}

} // namespace

QString ProofLesson::helpPage()
{
    return QStringLiteral("feed.html");
}

ProofLesson::ProofLesson(QWidget *parent)
    : QWidget(parent)
    , m_fullBox(new QCheckBox(tr("Show full values")))
    , m_headline(new QLabel)
    , m_picture(new ProofTreePicture)
    , m_outer(new QVBoxLayout(this))
{
    setObjectName(QStringLiteral("proofLesson"));
    m_fullBox->setObjectName(QStringLiteral("proofFullValues"));
    m_fullBox->setToolTip(tr("Write out every hash, key and value in full instead of its first "
                             "and last digits (the full value is always in the tooltip and on "
                             "the Copy button)"));
    connect(m_fullBox, &QCheckBox::toggled, this, &ProofLesson::setFullValues);
    m_headline->setObjectName(QStringLiteral("proofHeadline"));
    m_headline->setWordWrap(true);
    m_headline->setTextFormat(Qt::RichText);
    m_headline->setTextInteractionFlags(Qt::TextBrowserInteraction);
    connect(m_headline, &QLabel::linkActivated, this, &ProofLesson::onLink);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_headline, 1);
    top->addWidget(m_fullBox, 0, Qt::AlignTop);
    m_outer->setContentsMargins(10, 6, 10, 10);
    m_outer->addLayout(top);
    m_outer->addWidget(m_picture);
    m_outer->addStretch(); // the content goes above it
    clear(tr("Select a Data message in the log and choose Explain This Proof (or click a "
             "received block in the map above) to see how its block is proven."));
}

void ProofLesson::explainRow(InspectedSession *session, int row)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    if (m_session && m_session->log())
        disconnect(m_session->log(), nullptr, this, nullptr);
    if (m_session && m_session->feed())
        disconnect(m_session->feed(), nullptr, this, nullptr);
    m_session = session;
    m_row = session ? row : -1;
    m_hint.clear();
    if (session) {
        connect(session, &InspectedSession::aboutToBeDestroyed, this, [this] {
            m_session = nullptr;
            clear(tr("The session of the message explained has gone."));
        });
        connect(session->log(), &QAbstractItemModel::modelReset, this,
                [this] { clear(tr("The log was cleared.")); });
        // A verdict never changes, but one may appear: the channel's feed key became known (a
        // person gave it in the Channels tab) and the tracker read the rows again.
        if (const FeedTracker *tracker = session->feed()) {
            connect(tracker, &FeedTracker::changed, this, [this, tracker] {
                if (m_row >= 0 && hasVerdict(*tracker, m_row) != m_hadVerdict)
                    rebuild();
            });
        }
    }
    rebuild();
}

bool ProofLesson::hasVerdict(const FeedTracker &tracker, int row)
{
    const FeedTracker::RowFinding *finding = tracker.finding(row);
    return finding && finding->verdict;
}

void ProofLesson::clear(const QString &hint)
{
    m_row = -1;
    m_hint = hint;
    rebuild();
}

void ProofLesson::setFullValues(bool full)
{
    m_fullValues = full;
    m_fullBox->setChecked(full);
    for (CopyableHex *v : std::as_const(m_values))
        v->setFull(full);
}

CopyableHex *ProofLesson::value(const QString &name) const
{
    for (CopyableHex *v : m_values) {
        if (v->name() == name)
            return v;
    }
    return nullptr;
}

QString ProofLesson::text() const
{
    QStringList lines{m_headline->text()};
    if (m_content) {
        for (const QLabel *label : m_content->findChildren<QLabel *>()) {
            if (!qobject_cast<CopyableHex *>(label->parentWidget()))
                lines << label->text();
        }
    }
    return lines.join(QLatin1Char('\n'));
}

QString ProofLesson::rowLink(int row)
{
    return QStringLiteral("<a href=\"row:%1\">%2</a>").arg(row).arg(tr("message #%1").arg(row + 1));
}

void ProofLesson::onLink(const QString &link)
{
    if (link.startsWith(QLatin1String("row:")))
        emit rowRequested(link.mid(4).toInt());
    else if (link.startsWith(QLatin1String("help:")))
        emit helpRequested(link.mid(5));
}

QLabel *ProofLesson::paragraph(const QString &text, bool rich)
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    label->setTextFormat(rich ? Qt::RichText : Qt::PlainText);
    label->setTextInteractionFlags(rich ? Qt::TextBrowserInteraction : Qt::TextSelectableByMouse);
    if (rich)
        connect(label, &QLabel::linkActivated, this, &ProofLesson::onLink);
    return label;
}

CopyableHex *ProofLesson::hexValue(const QString &name, ByteView bytes)
{
    auto *v = new CopyableHex(name, bytes);
    v->setFull(m_fullValues);
    m_values << v;
    return v;
}

QWidget *ProofLesson::step(const QString &badge, const QString &title, const QString &explanation,
                           const QList<QWidget *> &values, const QString &failure)
{
    auto *frame = new QFrame;
    frame->setFrameShape(QFrame::StyledPanel);
    auto *grid = new QGridLayout(frame);
    grid->setContentsMargins(10, 6, 10, 6);
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(3);

    auto *tag = new QLabel(badge);
    QFont tagFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    tagFont.setBold(true);
    tag->setFont(tagFont);
    tag->setAlignment(Qt::AlignCenter);
    tag->setFixedWidth(QFontMetrics(tagFont).horizontalAdvance(QStringLiteral("signed")) + 12);
    tag->setStyleSheet(QStringLiteral("QLabel { color: white; background: %1; border-radius: 3px; "
                                      "padding: 2px 0px; }")
                           .arg((failure.isEmpty() ? Accent : FailedColour).name()));
    grid->addWidget(tag, 0, 0, Qt::AlignTop);

    m_titles << title;
    auto *heading = new QLabel(title);
    heading->setWordWrap(true);
    heading->setTextFormat(Qt::PlainText);
    heading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = heading->font();
    bold.setBold(true);
    heading->setFont(bold);
    grid->addWidget(heading, 0, 1);
    grid->addWidget(paragraph(explanation, true), 1, 1);
    auto *lines = new QVBoxLayout;
    lines->setSpacing(0);
    for (QWidget *value : values)
        lines->addWidget(value);
    grid->addLayout(lines, 2, 1);
    if (!failure.isEmpty()) {
        m_failedStep = title;
        QLabel *failed = paragraph(failure, true);
        failed->setObjectName(QStringLiteral("proofFailure"));
        failed->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(FailedColour.name()));
        grid->addWidget(failed, 3, 1);
    }
    grid->setColumnStretch(1, 1);
    return frame;
}

void ProofLesson::rebuild()
{
    if (m_content) {
        // Later, not now: a link of the old content may be what asked for the new one.
        m_outer->removeWidget(m_content);
        m_content->hide();
        m_content->setParent(nullptr);
        m_content->deleteLater();
    }
    m_titles.clear();
    m_values.clear();
    m_failedStep.clear();
    m_content = new QWidget;
    m_contentLayout = new QVBoxLayout(m_content);
    m_contentLayout->setContentsMargins(0, 0, 0, 0);
    m_contentLayout->setSpacing(6);
    m_outer->insertWidget(m_outer->count() - 1, m_content);
    m_picture->clear();
    m_picture->hide();
    m_fullBox->hide();
    m_headline->setText(QStringLiteral("<b>%1</b>").arg(tr("How a block is proven")));

    const FeedTracker *tracker = m_session ? m_session->feed() : nullptr;
    m_hadVerdict = tracker && m_row >= 0 && hasVerdict(*tracker, m_row);
    if (!m_session || m_row < 0 || !tracker || m_row >= m_session->log()->rowCount()) {
        m_contentLayout->addWidget(
            paragraph((m_hint.isEmpty() ? tr("Nothing to explain.") : m_hint) +
                          QStringLiteral(" <a href=\"help:%1\">%2</a>")
                              .arg(helpPage(), tr("How a block is proven (help)")),
                      true));
        return;
    }
    build(*m_session->log(), *tracker);
}

void ProofLesson::build(const MessageLogModel &log, const FeedTracker &tracker)
{
    const MessageLogModel::Record &record = log.record(m_row);
    const std::optional<schema::Data> data = dataOfRow(log, m_row);
    const FeedTracker::RowFinding *finding = tracker.finding(m_row);
    if (!data) {
        m_contentLayout->addWidget(paragraph(
            tr("Message #%1 is not a Data message: only a Data carries a block and its proof. "
               "Select a Data (type 9) in the log.")
                .arg(m_row + 1)));
        return;
    }
    if (!finding || !finding->verdict) {
        m_contentLayout->addWidget(paragraph(
            tr("The feed key of this Data's channel is unknown (the remote opened the channel "
               "and we never did), so its block cannot be verified: the signature is checked "
               "against the feed key. Give the key in the Channels tab to verify it.")));
        return;
    }
    const Verdict &verdict = *finding->verdict;
    const FeedTracker::Channel *channel = tracker.channel(record.channelKey);
    const feed::FeedVerifier *verifier = channel ? channel->feed.verifier() : nullptr;
    const std::uint64_t block = verdict.block;
    const bool sent = record.direction() == Direction::Outbound;

    // One pass over the earlier rows of this channel: for each node of this proof, the first
    // Data whose verified chain held it ("verified by the Data of block 5"), and the length the
    // channel's latest signature covered (the tree the picture draws when this Data has none).
    std::map<std::uint64_t, int> firstVerifier;
    for (const ChainStep &chainStep : verdict.chain) {
        firstVerifier.emplace(chainStep.node.index, -1);
        if (chainStep.sibling)
            firstVerifier.emplace(chainStep.sibling->index, -1);
    }
    if (verdict.how == Verdict::How::VerifiedNode)
        firstVerifier.emplace(verdict.anchorNode, -1);
    std::uint64_t channelLength = 0;
    for (int r = 0; r < m_row; ++r) {
        const MessageLogModel::Record &other = log.record(r);
        if (other.session != record.session || other.leg != record.leg ||
            other.channelKey != record.channelKey || other.type != DataType ||
            other.kind != MessageLogModel::Kind::Frame)
            continue;
        // Only verified rows can have verified a node; asking the outcome first builds nothing
        // for the bare Data of a flood (their findings are made on demand).
        if (tracker.outcome(r) != feed::Verdict::Outcome::Verified)
            continue;
        const FeedTracker::RowFinding *found = tracker.finding(r);
        if (!found || !found->verdict || !found->verdict->verified())
            continue;
        if (found->verdict->signedLength)
            channelLength = found->verdict->signedLength;
        auto note = [&](std::uint64_t index) {
            const auto it = firstVerifier.find(index);
            if (it != firstVerifier.end() && it->second < 0)
                it->second = r;
        };
        for (const ChainStep &chainStep : found->verdict->chain) {
            note(chainStep.node.index);
            if (chainStep.sibling)
                note(chainStep.sibling->index);
        }
    }
    auto verifiedBy = [&](std::uint64_t index) {
        const auto it = firstVerifier.find(index);
        return it == firstVerifier.end() ? -1 : it->second;
    };
    auto earlierText = [&](std::uint64_t index) {
        const int r = verifiedBy(index);
        if (r < 0)
            return tr("verified earlier on this channel");
        const std::optional<schema::Data> other = dataOfRow(log, r);
        return tr("verified earlier on this channel, by the Data of block %1 (%2)")
            .arg(other ? other->index() : 0)
            .arg(rowLink(r));
    };
    auto sourceText = [&](ChainStep::Source source, std::uint64_t index) {
        switch (source) {
        case ChainStep::Source::Computed:
            return tr("computed here");
        case ChainStep::Source::Proof:
            return tr("carried by this Data (its <tt>nodes</tt>)");
        case ChainStep::Source::Verified:
            return earlierText(index);
        }
        return QString();
    };
    auto roleOf = [](ChainStep::Source source) {
        switch (source) {
        case ChainStep::Source::Computed:
            return Role::Computed;
        case ChainStep::Source::Proof:
            return Role::Proof;
        case ChainStep::Source::Verified:
            return Role::Verified;
        }
        return Role::Other;
    };
    // A computed node that differs from the node of that index verified earlier: the failure.
    auto mismatch = [&](const TreeNode &node) -> std::optional<TreeNode> {
        if (!verdict.failed() || !verifier ||
            verdict.text.find("does not match the verified") == std::string::npos)
            return std::nullopt;
        const std::optional<TreeNode> known = verifier->verifiedNode(node.index);
        if (known && *known != node)
            return known;
        return std::nullopt;
    };

    // The headline: which block, which message, the verdict in one line.
    const QColor colour = verdict.verified() ? VerifiedColour
                          : verdict.failed() ? FailedColour
                                             : QColor(96, 108, 118);
    m_headline->setText(
        tr("<b>How block %1 is proven</b> · Data %2, %3 · <span style=\"color:%4\">%5</span>")
            .arg(block)
            .arg(rowLink(m_row), sent ? tr("sent by this side") : tr("received"), colour.name(),
                 verdictText(verdict).toHtmlEscaped()));
    m_fullBox->show();
    m_contentLayout->addWidget(paragraph(
        tr("Every hash H is BLAKE2b-256 and every u64 an unsigned 64-bit big-endian integer. The "
           "Merkle tree is numbered as a flat tree: block i is node 2i, parents are the odd "
           "numbers between their children, so a node's number is also its column below. The "
           "proof climbs from the block's leaf to a node that is already trusted: a root signed "
           "by the writer, or a node verified earlier. <a href=\"help:%1\">How a block is "
           "proven</a> explains each step.")
            .arg(helpPage()),
        true));

    // The picture: every node of the chain, by the part it plays.
    std::map<std::uint64_t, ProofTreePicture::Node> nodes;
    auto draw = [&](std::uint64_t index, Role role, bool root = false) {
        ProofTreePicture::Node &node = nodes[index];
        node.index = index;
        // The block's leaf stays the block's (unless it failed); a failure or a match with a
        // verified node says more than "computed".
        if (node.role == Role::Other || role == Role::Failed ||
            (node.role != Role::Block && role == Role::Verified) || role == Role::Block)
            node.role = role;
        node.root = node.root || root;
        node.description = tr("node %1: %2").arg(index).arg(blocksUnder(index));
    };

    int number = 0;
    auto title = [&number](const QString &text) {
        return tr("%1. %2").arg(++number).arg(text);
    };
    bool failureShown = false;

    if (verdict.chain.empty()) {
        // Rejected before any hashing: an index out of range, a hash that is not 32 bytes, ...
        m_contentLayout->addWidget(step(
            QStringLiteral("read"), title(tr("Reading the proof")),
            tr("Before hashing anything, every index must be in range, every node hash 32 "
               "bytes and a signature 64 bytes."),
            {}, tr("Failed here: %1.").arg(QString::fromStdString(verdict.text).toHtmlEscaped())));
        failureShown = verdict.failed();
    }

    const TreeNode *top = nullptr;
    std::vector<TreeNode> roots;
    for (const ChainStep &chainStep : verdict.chain) {
        const TreeNode &node = chainStep.node;
        QList<QWidget *> values;
        QString failure;
        if (chainStep.kind == ChainStep::Kind::Leaf) {
            draw(node.index, Role::Block);
            QString text;
            if (chainStep.source == ChainStep::Source::Computed && data->has_value()) {
                text = tr("The leaf's hash covers the block's bytes and their length: "
                          "<tt>leaf = H(0x00 ‖ u64(length) ‖ value)</tt>. 0x00 says \"a leaf\" "
                          "(a parent starts with 0x01, the tree hash with 0x02), so a leaf can "
                          "never pass for a parent. This block is %1: H(0x00 ‖ u64(%2) ‖ the %1) "
                          "= node %3.")
                           .arg(bytesText(node.size))
                           .arg(node.size)
                           .arg(node.index);
                values << hexValue(QStringLiteral("0x00"), Bytes{0});
                values << hexValue(tr("u64(%1)").arg(node.size), u64(node.size));
                values << hexValue(tr("value (%1)").arg(bytesText(node.size)),
                                   viewOf(data->value()));
            } else {
                text = tr("This Data has no value (it answers a Request with <tt>hash</tt> set): "
                          "its first proof node is the block's leaf, node %1, itself.")
                           .arg(node.index);
            }
            values << hexValue(tr("= leaf node %1").arg(node.index), node.hash);
            if (const std::optional<TreeNode> known = mismatch(node)) {
                draw(node.index, Role::Failed);
                values << hexValue(tr("verified node %1").arg(node.index), known->hash);
                failure = tr("Failed here: leaf node %1 was verified earlier (%2) with another "
                             "hash: this block's bytes are not the ones the feed holds.")
                              .arg(node.index)
                              .arg(earlierText(node.index));
            }
            m_contentLayout->addWidget(
                step(QStringLiteral("leaf"),
                     title(tr("The leaf: block %1 is node %2").arg(block).arg(node.index)), text,
                     values, failure));
            top = &node;
        } else if (chainStep.kind == ChainStep::Kind::Parent && chainStep.sibling && top) {
            const TreeNode &sibling = *chainStep.sibling;
            draw(sibling.index, roleOf(chainStep.siblingSource));
            draw(node.index, Role::Computed);
            const TreeNode &lower = top->index < sibling.index ? *top : sibling;
            const TreeNode &higher = top->index < sibling.index ? sibling : *top;
            const QString text =
                tr("Node %1's sibling is node %2 (%3), %4. Together they make their parent, node "
                   "%5 (%6), the lower index first: <tt>node %5 = H(0x01 ‖ u64(%7 + %8) ‖ node "
                   "%9 ‖ node %10)</tt>, the sizes being the bytes under each node.")
                    .arg(top->index)
                    .arg(sibling.index)
                    .arg(blocksUnder(sibling.index))
                    .arg(sourceText(chainStep.siblingSource, sibling.index))
                    .arg(node.index)
                    .arg(blocksUnder(node.index))
                    .arg(lower.size)
                    .arg(higher.size)
                    .arg(lower.index)
                    .arg(higher.index);
            values << hexValue(tr("u64(%1)").arg(node.size), u64(node.size));
            values << hexValue(tr("node %1").arg(lower.index), lower.hash);
            values << hexValue(tr("node %1").arg(higher.index), higher.hash);
            values << hexValue(tr("= node %1").arg(node.index), node.hash);
            if (const std::optional<TreeNode> known = mismatch(node)) {
                draw(node.index, Role::Failed);
                values << hexValue(tr("verified node %1").arg(node.index), known->hash);
                failure = tr("Failed here: node %1 computed here does not match node %1 %2. The "
                             "block or a proof node under it was changed.")
                              .arg(node.index)
                              .arg(earlierText(node.index));
            }
            m_contentLayout->addWidget(step(QStringLiteral("climb"),
                                            title(tr("Climb: node %1 + node %2 → node %3")
                                                      .arg(top->index)
                                                      .arg(sibling.index)
                                                      .arg(node.index)),
                                            text, values, failure));
            top = &node;
        } else if (chainStep.kind == ChainStep::Kind::Root) {
            roots.push_back(node);
            draw(node.index,
                 chainStep.source == ChainStep::Source::Computed
                     ? (verdict.chain.size() == 1 ? Role::Block : Role::Computed)
                     : roleOf(chainStep.source),
                 true);
        }
        failureShown = failureShown || !failure.isEmpty();
    }

    if (verdict.how == Verdict::How::VerifiedNode && top) {
        // The climb reached a node verified earlier: nothing more to check.
        draw(verdict.anchorNode, Role::Verified);
        const std::optional<TreeNode> known =
            verifier ? verifier->verifiedNode(verdict.anchorNode) : std::nullopt;
        QList<QWidget *> values;
        values << hexValue(tr("node %1 computed").arg(top->index), top->hash);
        if (known)
            values << hexValue(tr("node %1 verified").arg(known->index), known->hash);
        m_contentLayout->addWidget(
            step(QStringLiteral("done"),
                 title(tr("Ended at node %1, already verified").arg(verdict.anchorNode)),
                 tr("Node %1 was %2, whose proof reached roots signed by the writer. The node "
                    "computed here has the same hash and size, so block %3 is proven without a "
                    "signature of its own: a server leaves out the nodes and the signature the "
                    "requester already has.")
                     .arg(verdict.anchorNode)
                     .arg(earlierText(verdict.anchorNode))
                     .arg(block),
                 values));
    } else if (!roots.empty() && verdict.treeHash) {
        // The roots of the tree the proof covers, the tree hash, the signed bytes, the signature.
        const std::uint64_t length = verdict.signedLength;
        std::vector<std::uint64_t> rootIndexes;
        QStringList rootLines;
        QList<QWidget *> rootValues;
        for (std::size_t i = 0; i < roots.size(); ++i) {
            const TreeNode &root = roots[i];
            rootIndexes.push_back(root.index);
            const ChainStep &chainStep = verdict.chain[verdict.chain.size() - roots.size() + i];
            const QString where = top && root.index == top->index
                                      ? tr("reached by the climb")
                                      : sourceText(chainStep.source, root.index);
            rootLines << tr("node %1 (%2, %3): %4")
                             .arg(root.index)
                             .arg(blocksUnder(root.index), bytesText(root.size), where);
            rootValues << hexValue(tr("root node %1").arg(root.index), root.hash);
        }
        m_contentLayout->addWidget(step(
            QStringLiteral("roots"), title(tr("The roots of the %1-block tree").arg(length)),
            tr("The proof covers a feed of %1 blocks (the smallest tree that holds node %2 and "
               "every node the Data carries). A feed of L blocks is a row of full trees, one for "
               "each 1 bit of L; their tops are its roots, flat-tree's <tt>fullRoots(2L)</tt>: "
               "here %3.<br>%4")
                .arg(length)
                .arg(top ? top->index : 0)
                .arg(listText(rootIndexes), rootLines.join(QStringLiteral("<br>"))),
            rootValues));

        if (verdict.treeHash) {
            Bytes input{2};
            for (const TreeNode &root : roots) {
                input.insert(input.end(), root.hash.begin(), root.hash.end());
                const Bytes index = u64(root.index);
                const Bytes size = u64(root.size);
                input.insert(input.end(), index.begin(), index.end());
                input.insert(input.end(), size.begin(), size.end());
            }
            QList<QWidget *> values;
            values << hexValue(tr("input (%1)").arg(bytesText(input.size())), input);
            values << hexValue(tr("= tree hash"), *verdict.treeHash);
            m_contentLayout->addWidget(step(
                QStringLiteral("tree"), title(tr("The tree hash of the roots")),
                tr("One hash over all the roots, in ascending order, each with its index and "
                   "size: <tt>tree = H(0x02 ‖ for each root: hash ‖ u64(index) ‖ u64(size))</tt>, "
                   "here 1 + %1 × 48 = %2 bytes in.")
                    .arg(roots.size())
                    .arg(input.size()),
                values));
        }

        const bool older = verdict.how == Verdict::How::SignatureTree;
        if (!verdict.signedBytes.empty()) {
            QList<QWidget *> values;
            if (!older)
                values << hexValue(tr("u64(%1)").arg(length), u64(length));
            values << hexValue(tr("signed bytes (%1)").arg(bytesText(verdict.signedBytes.size())),
                               verdict.signedBytes);
            m_contentLayout->addWidget(step(
                QStringLiteral("signed"),
                title(older ? tr("The signed bytes: the tree hash alone (the older form)")
                            : tr("The signed bytes: tree hash ‖ u64(%1)").arg(length)),
                older ? tr("The signature does not cover the 40-byte form, but the 32-byte tree "
                           "hash alone, as older writers signed; hypercore 9 accepts both.")
                      : tr("The writer signs the tree hash followed by the feed's length: "
                           "<tt>signable = tree ‖ u64(length)</tt>, 32 + 8 = 40 bytes, so a "
                           "signature also says how long the feed was."),
                values));

            QList<QWidget *> checkValues;
            checkValues << hexValue(tr("signature"), viewOf(data->signature()));
            if (verifier)
                checkValues << hexValue(tr("feed key"), verifier->feedKey());
            const bool good = verdict.verified();
            QString failure;
            if (!good) {
                failure = tr("Failed here: the signature does not match the feed key over these "
                             "bytes. The block, a proof node or the signature was changed (or "
                             "the feed key is not this feed's): every hash above was computed "
                             "from what this Data carries, and the writer did not sign them.");
                failureShown = true;
            }
            m_contentLayout->addWidget(step(
                QStringLiteral("sig"), title(tr("The signature: Ed25519 against the feed key")),
                good ? tr("Ed25519 verify(signature, signed bytes, feed key) succeeds: only the "
                          "holder of the feed's secret key can have signed these roots, so every "
                          "block under them, block %1 included, is the writer's.")
                           .arg(block)
                     : tr("Ed25519 verify(signature, signed bytes, feed key)."),
                checkValues, failure));
        }
    }

    if (!failureShown && !verdict.verified()) {
        // The proof stopped short (or the check failed in a way no step above shows).
        const QString why = QString::fromStdString(verdict.text).toHtmlEscaped();
        m_contentLayout->addWidget(
            step(verdict.failed() ? QStringLiteral("fail") : QStringLiteral("stop"),
                 title(verdict.failed() ? tr("Verification fails") : tr("The proof ends here")),
                 verdict.failed()
                     ? tr("The Data does not prove block %1.").arg(block)
                     : tr("Block %1 cannot be proven from this Data alone. A Request's "
                          "<tt>nodes</tt> digest lets the server leave out nodes the requester "
                          "already holds, so a proof is complete only when it is 0.")
                           .arg(block),
                 {}, verdict.failed() ? tr("Failed here: %1.").arg(why) : QString()));
        if (!verdict.failed())
            m_contentLayout->addWidget(paragraph(tr("Unverifiable: %1.").arg(why), true));
    }

    std::vector<ProofTreePicture::Node> drawn;
    for (auto &[index, node] : nodes)
        drawn.push_back(node);
    // The tree drawn: the one this Data's signature covers, else the one the channel's latest
    // signature before it covered, at least as large as the nodes involved.
    std::uint64_t length = verdict.signedLength ? verdict.signedLength : channelLength;
    for (const auto &[index, node] : nodes)
        length = std::max(length, feed::flat::rightSpan(index) / 2 + 1);
    m_picture->setTree(length, std::move(drawn));
    m_picture->setVisible(!nodes.empty());
}

} // namespace hyperscope
