// HandshakeLesson: the Noise handshake of one session taught step by step, under the ladder.
//
// For a student without the Noise specification beside them: what Noise_XX_25519_ChaChaPoly_
// BLAKE2b means, the empty prologue, the initial state, then for each message every token in
// order (e, ee, s, es, se, payload) with which Diffie-Hellman it performs between which keys
// and how the handshake hash h and the chaining key ck change, with the session's real values;
// then why message 3 repeats message 1's payload nonce.
//
// The values come from the engine's trace (HandshakeStep::noiseSteps). h and the public keys are
// always shown; ck and the cipher keys only while the secrets are revealed (the SecretsPanel's
// Reveal…). Every value has a Copy button and its full hex in a tooltip; "Show full values"
// writes them all out.
#pragma once

#include "sessioninfo.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QVBoxLayout;

namespace hyperscope {

class CopyableHex;
class InspectedSession;
class SecretsPanel;
struct HandshakeRecord;
struct HandshakeStep;

class HandshakeLesson : public QWidget
{
    Q_OBJECT
public:
    explicit HandshakeLesson(QWidget *parent = nullptr);

    /// Follows @p panel (not owned): shows the session it shows, reveals ck and k while it
    /// reveals the secrets, and the lesson's own "Reveal…" button asks the panel (which asks the
    /// person to confirm).
    void followSecretsPanel(SecretsPanel *panel);

    /// Teaches @p session's handshake and follows its changes; null shows a hint.
    void setSession(InspectedSession *session);
    /// Teaches from @p record (not owned; must outlive the lesson or be replaced).
    void setRecord(const HandshakeRecord *record);

    /// Whether ck and the cipher keys are shown (else withheld).
    void setSecretsShown(bool shown);
    bool secretsShown() const { return m_secretsShown; }
    /// Whether every value is written out in full (else its start and end, full in the tooltip).
    void setFullValues(bool full);
    bool fullValues() const { return m_fullValues; }

    /// The headline of a step, e.g. "ee: DH(initiator's ephemeral, responder's ephemeral)".
    static QString stepTitle(const NoiseStep &step);
    /// What the step does and why, in plain words; @p thisSideIsInitiator picks "this side" or
    /// "the peer" where it matters.
    static QString stepExplanation(const NoiseStep &step, bool thisSideIsInitiator);

    /// The headlines of the steps shown now, in order (for tests).
    QStringList shownStepTitles() const;
    /// Every value line shown now, in order (for tests).
    QList<CopyableHex *> values() const;
    /// The whole text of the lesson as shown now, without values (for tests).
    QString text() const;

    bool hasHeightForWidth() const override;
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    /// The person pressed the lesson's "Reveal…" button.
    void revealRequested();

protected:
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    static int bodyWidth(int width);
    void rebuild();
    QWidget *buildIntro();
    QWidget *buildStep(const NoiseStep &step, const HandshakeStep *message);
    QWidget *buildNonceSection();
    void addMessage(int index);
    CopyableHex *value(const QString &name, ByteView bytes);
    CopyableHex *secretValue(const QString &name, ByteView bytes);
    QLabel *paragraph(const QString &text, bool rich = false);
    QLabel *heading(const QString &text);

    QPointer<InspectedSession> m_session;
    const HandshakeRecord *m_record = nullptr;
    bool m_secretsShown = false;
    bool m_fullValues = false;
    QCheckBox *m_fullBox = nullptr;
    QWidget *m_content = nullptr;
    QVBoxLayout *m_contentLayout = nullptr;
    QWidget *m_body = nullptr; ///< Everything shown, at most MaxContentWidth wide.
    QVBoxLayout *m_outer = nullptr;
    QStringList m_titles;
    QList<CopyableHex *> m_values;
};

} // namespace hyperscope
