// ChannelDerivationPanel: how the selected channel's discovery key and capabilities are computed,
// with this session's real values (issue 11, "Teaching").
//
// Sits under the channel table of the Channels tab. Two formulas, each followed by its inputs and
// its result in full (a read-only field and a Copy button per value):
//   discovery key = BLAKE2b-256(key: feed key, message: "hypercore")
//   capability    = BLAKE2b-256(key: sender's rx, message: "hypercore capability" ‖ sender's tx ‖
//                                feed key)
// once for the capability we send and once for the one the remote must send (the same formula
// with the split keys swapped). The feed key is shown when known (we opened the channel, or a
// person typed it); the split keys only after "Reveal Split Keys…" (they decrypt the session), and
// hidden again when the session changes. The capabilities themselves are on the wire: they are
// shown whenever they can be computed.
#pragma once

#include <QMap>
#include <QPointer>
#include <QWidget>

class QGridLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace hyperscope {

class InspectedSession;

class ChannelDerivationPanel : public QWidget
{
    Q_OBJECT
public:
    /// The values the panel shows, by name (valueText(), the fields' object names "derivation.X").
    static constexpr const char *FeedKey = "feedKey";
    static constexpr const char *Message = "message";
    static constexpr const char *DiscoveryKey = "discoveryKey";
    static constexpr const char *SplitTx = "splitTx";
    static constexpr const char *SplitRx = "splitRx";
    static constexpr const char *OurCapability = "ourCapability";
    static constexpr const char *RemoteCapability = "remoteCapability";

    explicit ChannelDerivationPanel(QWidget *parent = nullptr);

    /// Shows channels of @p session from now on (none selected) and hides the split keys.
    void setSession(InspectedSession *session);
    /// Shows the channel in row @p row of the session's ChannelTableModel (-1: none).
    void setChannel(int row);
    int channel() const { return m_row; }

    /// Reveals the split keys; with @p askFirst, only after the person confirmed. Returns whether
    /// they are shown.
    bool revealSplitKeys(bool askFirst = true);
    void hideSplitKeys();
    bool splitKeysRevealed() const { return m_revealed; }

    /// The full text of value @p name (FeedKey, ...) as shown: a hex value, or a note saying why
    /// there is none ("hidden: …"). What the row's Copy button copies.
    QString valueText(const char *name) const;
    /// The text of the verdict line under the capabilities.
    QString verdictText() const;
    QPushButton *revealButton() const { return m_reveal; }

signals:
    void statusMessage(const QString &text);

public slots:
    /// Recomputes everything from the session (its channel table changed, keys were given).
    void refresh();

private:
    struct ValueRow
    {
        QLabel *label = nullptr;
        QLineEdit *value = nullptr;
        QPushButton *copy = nullptr;
    };
    void addValue(QGridLayout *grid, const char *name, const QString &label);
    /// Shows @p text in row @p name; a hex value (@p copyable) gets an enabled Copy button.
    void setValue(const char *name, const QString &text, bool copyable);

    QPointer<InspectedSession> m_session;
    int m_row = -1;
    bool m_revealed = false;
    QLabel *m_discoveryFormula;
    QLabel *m_capabilityFormula;
    QLabel *m_roles;
    QLabel *m_verdict;
    QPushButton *m_reveal;
    QMap<QString, ValueRow> m_values;
};

} // namespace hyperscope
