// SecretsPanel: the secret keys of the current session, hidden until a person asks for them.
//
// Sits under the handshake ladder. By default it says what is hidden and why; "Reveal…" asks for
// confirmation (the keys decrypt every captured byte of the session) and then shows our static
// secret key and the two transport keys. Switching sessions hides them again, and once a session
// ends the engine has wiped its keys, which the panel says instead of showing stale values.
#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace hyperscope {

class InspectedSession;

class SecretsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit SecretsPanel(QWidget *parent = nullptr);

    /// Shows @p session's keys from now on; always hides them first.
    void setSession(InspectedSession *session);

    /// Reveals the keys; with @p askFirst, only after the person confirmed. Returns whether they
    /// are shown.
    bool reveal(bool askFirst = true);
    void hideSecrets();
    bool isRevealed() const { return m_revealed; }

    /// The text shown while revealed (empty while hidden), for tests.
    QString secretsText() const;
    QPushButton *toggleButton() const { return m_toggle; }

signals:
    /// setSession() was called: views that follow the panel (the handshake lesson) follow suit.
    void sessionChanged(InspectedSession *session);
    /// The keys were revealed or hidden (also hidden by setSession()).
    void revealedChanged(bool revealed);

private:
    void refresh();

    QPointer<InspectedSession> m_session;
    bool m_revealed = false;
    QLabel *m_summary = nullptr;
    QPushButton *m_toggle = nullptr;
    QPlainTextEdit *m_text = nullptr;
};

} // namespace hyperscope
