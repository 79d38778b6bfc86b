// FeedPane: the Feed tab. For the session (or relayed leg) the main window shows, a channel
// chooser and the channel's BlockMap, filled from the session's FeedTracker: what the remote has
// announced, what we have, wanted, requested, received, verified and what failed. A click on a
// block selects the latest log row about it (rowActivated()); a summary line says how far the
// channel got and whether its Data can be verified at all (the feed key is known only for the
// channels we opened, or whose key a person gave).
//
// Under the map, a collapsible lesson (ProofLesson) explains how one Data's block is proven with
// that Data's own hashes: explainRow() shows it for a log row ("Explain This Proof"), and while it
// is open a click on a block explains that block's latest Data instead of leaving the tab.
#pragma once

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QScrollArea;
class QSplitter;
class QToolButton;

namespace hyperscope {

class BlockMap;
class FeedTracker;
class InspectedSession;
class ProofLesson;

class FeedPane : public QWidget
{
    Q_OBJECT
public:
    explicit FeedPane(QWidget *parent = nullptr);

    /// Follows @p session's feed (null: shows nothing). Keeps the chosen channel when it can.
    void setSession(InspectedSession *session);
    InspectedSession *session() const { return m_session; }

    BlockMap *blockMap() const { return m_map; }
    QComboBox *channelCombo() const { return m_channels; }
    /// What the map shows of the channel: what we downloaded (the Data we received), or what we
    /// served (the Data the remote received from us). A session that only sent Data on a channel
    /// shows Serving when first shown; the person can switch.
    enum class Perspective { Downloading, Serving };
    void setPerspective(Perspective perspective);
    Perspective perspective() const;
    /// The line under the map: "10 blocks · remote has 10 · verified 3 · failed 0".
    QString summaryText() const;

    /// Rebuilds the channel list and the map now (they follow the tracker on a short timer).
    void refresh();

    /// The proof lesson under the map.
    ProofLesson *proofLesson() const { return m_lesson; }
    /// Opens the lesson on source row @p row of the session shown (a Data: how its block is
    /// proven; another row says why there is nothing to prove) and shows that row's channel.
    void explainRow(int row);
    /// The log's current row changed: while the lesson is open and @p row is a Data of the
    /// session shown, the lesson follows it.
    void followLogRow(int row);
    /// Opens or collapses the lesson panel.
    void setLessonShown(bool shown);
    bool lessonShown() const;
    /// The latest Data about @p block on the channel shown, in the direction the map shows
    /// (received when downloading, sent when serving); -1 when none.
    int latestDataRow(quint64 block) const;

signals:
    /// The log's source row @p row is the latest about the block clicked (lesson collapsed), or
    /// the person asked to see the explained Data in the Messages tab.
    void rowActivated(int row);
    /// The lesson now explains source row @p row (the log may select it without leaving the tab).
    void proofShown(int row);
    /// The lesson's link to the help page @p page was followed.
    void helpRequested(const QString &page);

private:
    void showChannel();
    void onBlockClicked(quint64 block);
    QWidget *buildLessonPanel();
    FeedTracker *tracker() const;

    QPointer<InspectedSession> m_session;
    QMetaObject::Connection m_trackerConnection;
    QComboBox *m_channels;
    QComboBox *m_perspective;
    bool m_perspectiveChosen = false; ///< the person (or a caller) chose; no more automatic choice
    BlockMap *m_map;
    QLabel *m_summary;
    QTimer m_refreshTimer;
    QSplitter *m_splitter = nullptr;
    QWidget *m_lessonPanel = nullptr;
    QToolButton *m_lessonToggle = nullptr;
    QToolButton *m_showInLog = nullptr;
    QScrollArea *m_lessonScroll = nullptr;
    ProofLesson *m_lesson = nullptr;
};

} // namespace hyperscope
