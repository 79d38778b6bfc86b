// HandshakeLadder: the Noise XX handshake of one session drawn as a ladder diagram.
//
// Two lifelines (initiator left, responder right) and three arrows, one per Noise message, each
// with its tokens, size, keys and payload nonce; beside each step a plain-language explanation
// for people learning the protocol; below, the outcome: the handshake hash, or exactly which step
// failed and why. Steps not yet seen are drawn dashed. Narrower than the side-by-side layout
// needs, each explanation goes under its step instead of beside it. Keys, nonces and the hash are
// shortened on the ladder; hovering a step shows them in full (the lesson below the ladder has
// them with Copy buttons).
#pragma once

#include <QWidget>

namespace hyperscope {

struct HandshakeRecord;

class HandshakeLadder : public QWidget
{
    Q_OBJECT
public:
    explicit HandshakeLadder(QWidget *parent = nullptr);

    /// The record to draw; not owned. Null shows a hint to select a session.
    void setRecord(const HandshakeRecord *record);
    const HandshakeRecord *record() const { return m_record; }

    /// The text of the explanation shown beside step @p index (0..2), for tests and tooltips.
    static QString explanation(int index);
    /// One line describing the outcome ("complete", "failed at message 2: …", "waiting").
    QString outcomeText() const;

    /// The tooltip at @p pos: the full keys and nonce of the step there; empty elsewhere.
    QString toolTipAt(const QPoint &pos) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override;
    int heightForWidth(int width) const override;

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    /// Where everything goes for a given width: shared by sizeHint() and paintEvent().
    struct Layout
    {
        int leftX = 0;
        int rightX = 0;
        int lane = 0;
        int explanationX = 0;
        int explanationWidth = 0;
        bool stacked = false; ///< Explanations under the steps (narrow) instead of beside them.
        int explanationTop[3] = {};
        int explanationHeight[3] = {};
        int boxHeight = 0;
        int stepTop[3] = {};
        int stepHeight[3] = {};
        int outcomeTop = 0;
        int outcomeHeight = 0;
        int height = 0;
    };
    Layout layoutFor(int width) const;
    QStringList detailLines(int index) const;
    QString outcomeExplanation() const;

    const HandshakeRecord *m_record = nullptr;
};

} // namespace hyperscope
