// ProofLesson: how one Data's block is proven, step by step, with that Data's own numbers.
//
// For a student without the hypercore source beside them (issue 13, "teaching"): the Feed tab
// shows it under the block map for the Data selected in the log ("Explain This Proof") or the
// block clicked. The steps follow what the feed layer computed for that Data (the FeedTracker's
// feed::Verdict and its hash chain), never a second computation of its own:
//  1. the leaf: block i is node 2i, leaf = H(0x00 ‖ u64(length) ‖ value), with the real bytes;
//  2. each climb: the node, its sibling (from the proof, or verified earlier on the channel), the
//     parent = H(0x01 ‖ u64(size) ‖ lower ‖ higher), with the three hashes;
//  3. either the end of the climb at a node verified earlier ("already verified by the Data of
//     block 5, message #123", a link to that message), or the roots of the tree the proof covers,
//     the tree hash of the roots, the 40 signed bytes (tree hash ‖ u64(length)) and the Ed25519
//     check against the feed key.
// A failed check is marked at the step where it failed, with both hashes (computed and
// expected). Every value is a CopyableHex (start and end, full on demand, a Copy button); a
// ProofTreePicture draws the flat tree of the nodes involved.
#pragma once

#include "bytes.h"

#include <QPointer>
#include <QWidget>

#include <optional>

class QCheckBox;
class QLabel;
class QVBoxLayout;

namespace hyperscope {

class CopyableHex;
class FeedTracker;
class InspectedSession;
class MessageLogModel;
class ProofTreePicture;

class ProofLesson : public QWidget
{
    Q_OBJECT
public:
    /// The help page this lesson links to ("How a block is proven").
    static QString helpPage();

    explicit ProofLesson(QWidget *parent = nullptr);

    /// Explains source row @p row of @p session's log: a Data on a channel whose feed key is
    /// known. Any other row (or a null session) shows why there is nothing to explain. The
    /// session is followed until it is destroyed; the lesson does not change on its own when
    /// more rows arrive (a Data's verdict never changes), only when the row gets its first
    /// verdict (its channel's feed key became known).
    void explainRow(InspectedSession *session, int row);
    /// Shows @p hint instead of a lesson.
    void clear(const QString &hint);
    /// The row explained, or -1.
    int row() const { return m_row; }

    /// Whether every value is written out in full (else its start and end, full in the tooltip).
    void setFullValues(bool full);
    bool fullValues() const { return m_fullValues; }

    /// The headlines of the steps shown, in order (for tests): "1. The leaf: node 10", ...
    QStringList shownStepTitles() const { return m_titles; }
    /// The headline of the step where verification failed; empty when nothing failed.
    QString failedStep() const { return m_failedStep; }
    /// Every value line shown, in order.
    QList<CopyableHex *> values() const { return m_values; }
    /// The first value line named @p name, or null.
    CopyableHex *value(const QString &name) const;
    /// The whole text shown (headings and paragraphs, without the values), for tests.
    QString text() const;
    ProofTreePicture *picture() const { return m_picture; }

signals:
    /// The person followed a link to another message ("already verified by … message #124").
    void rowRequested(int row);
    /// The person followed the link to the help page (helpPage(), perhaps with an anchor).
    void helpRequested(const QString &page);

private:
    void rebuild();
    void build(const MessageLogModel &log, const FeedTracker &tracker);
    QWidget *step(const QString &badge, const QString &title, const QString &explanation,
                  const QList<QWidget *> &values, const QString &failure = {});
    CopyableHex *hexValue(const QString &name, ByteView bytes);
    QLabel *paragraph(const QString &text, bool rich = false);
    /// "message #124" as a link to @p row.
    static QString rowLink(int row);
    void onLink(const QString &link);
    static bool hasVerdict(const FeedTracker &tracker, int row);

    QPointer<InspectedSession> m_session;
    int m_row = -1;
    QString m_hint;
    bool m_hadVerdict = false; ///< the row had a verdict when the lesson was built
    bool m_fullValues = false;
    QCheckBox *m_fullBox;
    QLabel *m_headline;
    ProofTreePicture *m_picture;
    QWidget *m_content = nullptr;
    QVBoxLayout *m_contentLayout = nullptr;
    QVBoxLayout *m_outer;
    QStringList m_titles;
    QString m_failedStep;
    QList<CopyableHex *> m_values;
};

} // namespace hyperscope
