// FeedPane: the Feed tab. For the session (or relayed leg) the main window shows, a channel
// chooser and the channel's BlockMap, filled from the session's FeedTracker: what the remote has
// announced, what we have, wanted, requested, received, verified and what failed. A click on a
// block selects the latest log row about it (rowActivated()); a summary line says how far the
// channel got and whether its Data can be verified at all (the feed key is known only for the
// channels we opened, or whose key a person gave).
#pragma once

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;

namespace hyperscope {

class BlockMap;
class FeedTracker;
class InspectedSession;

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

signals:
    /// The log's source row @p row is the latest about the block clicked.
    void rowActivated(int row);

private:
    void showChannel();
    void onBlockClicked(quint64 block);
    FeedTracker *tracker() const;

    QPointer<InspectedSession> m_session;
    QMetaObject::Connection m_trackerConnection;
    QComboBox *m_channels;
    QComboBox *m_perspective;
    bool m_perspectiveChosen = false; ///< the person (or a caller) chose; no more automatic choice
    BlockMap *m_map;
    QLabel *m_summary;
    QTimer m_refreshTimer;
};

} // namespace hyperscope
