// ChannelsPane: the channel table of the current session, with the controls to open a channel
// by feed key (pasted, or a fresh random one, with copy buttons) and to close one. Under the
// table, the selected channel's derivations (ChannelDerivationPanel). A key typed in Feed key
// that belongs to a channel the remote opened fills in that channel's key without opening it.
#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace hyperscope {

class ChannelDerivationPanel;
class InspectedSession;

class ChannelsPane : public QWidget
{
    Q_OBJECT
public:
    explicit ChannelsPane(QWidget *parent = nullptr);

    void setSession(InspectedSession *session);
    InspectedSession *session() const;

    QLineEdit *keyEdit() const { return m_key; }
    QPushButton *openButton() const { return m_open; }
    QPushButton *randomButton() const { return m_random; }
    QPushButton *closeButton() const { return m_close; }
    QTableView *table() const { return m_table; }
    /// A relayed session's channels across both legs (RelayChannelModel): each channel's ids on
    /// both legs and whether the relay forwards or holds it; hidden for other sessions. The
    /// key field then adds a feed key to the relay (Add Key), which releases a held channel.
    QTableView *relayTable() const { return m_relayTable; }
    QString statusText() const;
    /// The selected channel's discovery-key and capability derivations.
    ChannelDerivationPanel *derivationPanel() const { return m_derivation; }

    /// Opens the channel of the key in the edit. Returns false (with a message) when the key is
    /// not valid or the engine refused.
    bool openFromEdit();
    /// Closes the selected channel.
    bool closeSelected();

signals:
    void statusMessage(const QString &text);

private:
    /// The colour of the line under the key field: an error, a success, or a plain fact.
    enum class StatusTone { Neutral, Success, Error };
    void showStatus(const QString &text, bool error);
    void showStatus(const QString &text, StatusTone tone);
    void updateButtons();
    void copySelected(int role);
    /// The key in the edit, when valid, names a channel of the session: fill in its key.
    void useKeyOfEdit();
    int selectedRow() const;

    QPointer<InspectedSession> m_session;
    QTableView *m_relayTable;
    QLabel *m_relayTitle;
    QTableView *m_table;
    QLineEdit *m_key;
    QPushButton *m_random;
    QPushButton *m_copyKey;
    QPushButton *m_open;
    QPushButton *m_close;
    QPushButton *m_copyDiscoveryKey;
    QPushButton *m_copyFeedKey;
    QLabel *m_status;
    QLabel *m_title;
    ChannelDerivationPanel *m_derivation;
};

} // namespace hyperscope
