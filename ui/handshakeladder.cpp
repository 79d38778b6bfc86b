#include "handshakeladder.h"

#include "inspectedsession.h"

#include <QFontDatabase>
#include <QPainter>
#include <QPainterPath>

namespace hyperscope {

namespace {

constexpr int Margin = 16;
constexpr int BoxWidth = 230;
constexpr int MinLane = 340;
constexpr int MinExplanation = 300;

QString hexShort(const std::optional<Key32> &key, int chars = 16)
{
    if (!key)
        return QStringLiteral("—");
    return QString::fromStdString(toHex(*key)).left(chars) + QStringLiteral("…");
}

QString hexOf(const std::array<std::uint8_t, 24> &bytes, int chars)
{
    return QString::fromStdString(toHex(bytes)).left(chars) + QStringLiteral("…");
}

const QColor Ok(46, 125, 50);
const QColor Failed(198, 40, 40);
const QColor Pending(150, 150, 150);
const QColor Accent(21, 101, 192);

} // namespace

HandshakeLadder::HandshakeLadder(QWidget *parent) : QWidget(parent)
{
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
}

void HandshakeLadder::setRecord(const HandshakeRecord *record)
{
    m_record = record;
    updateGeometry();
    update();
}

QString HandshakeLadder::explanation(int index)
{
    switch (index) {
    case 0:
        return tr("The initiator (the side that dialed) makes a fresh ephemeral key pair and sends "
                  "its public half, e, in clear. No secret exists yet, so the payload, its 24-byte "
                  "XSalsa20 nonce, is readable by anyone on the path.");
    case 1:
        return tr("The responder sends its own ephemeral key e. Both sides can now compute ee, a "
                  "shared secret nobody else knows, and from here on everything is encrypted. The "
                  "responder then sends its long-term static key s (encrypted) and mixes it with "
                  "the initiator's ephemeral key (es). The initiator now knows who it talks to.");
    case 2:
        return tr("The initiator sends its static key s, encrypted, and mixes it with the "
                  "responder's ephemeral key (se). Both sides hold the same chaining key and "
                  "handshake hash; Split() turns them into one key per direction.");
    }
    return {};
}

QString HandshakeLadder::outcomeText() const
{
    if (!m_record)
        return tr("No session selected");
    if (!m_record->noise)
        return tr("Noise is off: no handshake");
    if (m_record->failedStep >= 0 || !m_record->failure.isEmpty()) {
        if (m_record->failedStep >= 0)
            return tr("Handshake failed at message %1: %2")
                .arg(m_record->failedStep + 1)
                .arg(m_record->failure);
        return tr("Handshake failed: %1").arg(m_record->failure);
    }
    if (m_record->complete)
        return tr("Handshake complete");
    return tr("Waiting for the handshake…");
}

int HandshakeLadder::stepHeight() const
{
    return fontMetrics().height() * 7;
}

QSize HandshakeLadder::sizeHint() const
{
    const int line = fontMetrics().height();
    const int height = Margin + 4 * line + 24 + 3 * stepHeight() + 6 * line + Margin;
    return {Margin * 2 + BoxWidth + MinLane + MinExplanation + 120, height};
}

QSize HandshakeLadder::minimumSizeHint() const
{
    return sizeHint();
}

void HandshakeLadder::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    const QColor text = pal.color(QPalette::Text);
    QColor dim = text;
    dim.setAlpha(150);
    const int line = fontMetrics().height();
    QFont bold = font();
    bold.setBold(true);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QFontMetrics monoFm(mono);

    if (!m_record) {
        p.setPen(dim);
        p.drawText(rect(), Qt::AlignCenter, tr("Select a session to see its handshake"));
        return;
    }
    const HandshakeRecord &h = *m_record;

    if (!h.noise) {
        p.setPen(text);
        p.setFont(bold);
        const QRect box(Margin, Margin, width() - 2 * Margin, 5 * line);
        p.drawText(box, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                   tr("Noise is off for this session"));
        p.setFont(font());
        p.drawText(box.adjusted(0, line + 6, 0, 0), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                   tr("There is no handshake: frames travel in plaintext from the first byte, "
                      "nobody's identity is proven, and Open messages carry no capability. This "
                      "mode exists for debugging and for peers that run inside an already "
                      "encrypted tunnel."));
        return;
    }

    // Geometry: two lifelines, the explanation column to the right.
    const int available = width() - 2 * Margin;
    const int lane = qMax(MinLane, qMin(520, available - BoxWidth - MinExplanation - 40));
    const int leftX = Margin + BoxWidth / 2;
    const int rightX = leftX + lane;
    const int explanationX = rightX + BoxWidth / 2 + 24;
    const int explanationWidth = qMax(MinExplanation, width() - Margin - explanationX);

    // Lifeline headers.
    const int boxHeight = 3 * line + 12;
    auto drawBox = [&](int centerX, const QString &title, const QString &who,
                       const QString &key) {
        const QRect box(centerX - BoxWidth / 2, Margin, BoxWidth, boxHeight);
        p.setPen(QPen(Accent, 1.5));
        p.setBrush(QColor(Accent.red(), Accent.green(), Accent.blue(), 22));
        p.drawRoundedRect(box, 6, 6);
        p.setPen(text);
        p.setFont(bold);
        p.drawText(box.adjusted(0, 6, 0, 0), Qt::AlignHCenter | Qt::AlignTop, title);
        p.setFont(font());
        p.setPen(dim);
        p.drawText(box.adjusted(0, 6 + line, 0, 0), Qt::AlignHCenter | Qt::AlignTop, who);
        p.setFont(mono);
        p.drawText(box.adjusted(0, 6 + 2 * line, 0, 0), Qt::AlignHCenter | Qt::AlignTop,
                   tr("s = %1").arg(key));
        p.setFont(font());
    };
    const QString localKey = hexShort(h.localStaticKey);
    const QString remoteKey = hexShort(h.remoteStaticKey);
    drawBox(leftX, tr("Initiator"), h.initiator ? tr("this side (dialed)") : tr("the peer"),
            h.initiator ? localKey : remoteKey);
    drawBox(rightX, tr("Responder"), h.initiator ? tr("the peer") : tr("this side (accepted)"),
            h.initiator ? remoteKey : localKey);

    const int stepsTop = Margin + boxHeight + 24;
    const int stepH = stepHeight();
    const int outcomeTop = stepsTop + 3 * stepH + 8;

    // Lifelines.
    p.setPen(QPen(dim, 1.2, Qt::DashLine));
    p.drawLine(leftX, Margin + boxHeight, leftX, outcomeTop - 8);
    p.drawLine(rightX, Margin + boxHeight, rightX, outcomeTop - 8);

    for (int i = 0; i < 3; ++i) {
        const HandshakeStep &s = h.steps[std::size_t(i)];
        const bool failed = h.failedStep == i;
        const bool seen = s.seen;
        const QColor color = failed ? Failed : seen ? Ok : Pending;
        const int top = stepsTop + i * stepH;
        const int arrowY = top + line + 10;
        const bool toRight = i != 1; // messages 1 and 3 go initiator -> responder
        const int fromX = toRight ? leftX : rightX;
        const int toX = toRight ? rightX : leftX;

        // Step title above the arrow.
        static const char *const tokens[] = {"e", "e, ee, s, es", "s, se"};
        p.setFont(bold);
        p.setPen(color);
        p.drawText(QRect(leftX + 8, top, lane - 16, line + 4), Qt::AlignHCenter | Qt::AlignTop,
                   tr("Message %1   %2 %3")
                       .arg(i + 1)
                       .arg(toRight ? QStringLiteral("→") : QStringLiteral("←"))
                       .arg(QLatin1String(tokens[i])));
        p.setFont(font());

        // The arrow.
        p.setPen(QPen(color, 2.2, seen || failed ? Qt::SolidLine : Qt::DashLine));
        const int tip = toRight ? toX - 2 : toX + 2;
        p.drawLine(fromX + (toRight ? 2 : -2), arrowY, tip, arrowY);
        QPainterPath head;
        const int dir = toRight ? -1 : 1;
        head.moveTo(tip, arrowY);
        head.lineTo(tip + dir * 12, arrowY - 6);
        head.lineTo(tip + dir * 12, arrowY + 6);
        head.closeSubpath();
        p.fillPath(head, color);
        if (failed) {
            // A cross in the middle of the failed arrow.
            const QPoint c((fromX + toX) / 2, arrowY);
            p.setPen(QPen(Failed, 3));
            p.drawLine(c + QPoint(-7, -7), c + QPoint(7, 7));
            p.drawLine(c + QPoint(7, -7), c + QPoint(-7, 7));
        }

        // Details below the arrow.
        QStringList details;
        if (seen) {
            details << tr("%1 bytes on the wire, payload %2 bytes").arg(s.wireSize).arg(s.payloadSize);
            if (s.ephemeralKey)
                details << tr("e  = %1").arg(hexShort(s.ephemeralKey, 32));
            if (s.staticKey)
                details << tr("s  = %1").arg(hexShort(s.staticKey, 32));
            if (s.payloadNonce)
                details << tr("nonce = %1").arg(hexOf(*s.payloadNonce, 32));
        } else if (!failed) {
            details << (h.failedStep >= 0 && h.failedStep < i ? tr("not sent")
                                                               : tr("waiting…"));
        }
        int y = arrowY + 10;
        p.setPen(text);
        p.setFont(mono);
        for (const QString &d : details) {
            p.drawText(QRect(leftX + 14, y, lane - 28, line), Qt::AlignLeft | Qt::AlignTop,
                       monoFm.elidedText(d, Qt::ElideRight, lane - 28));
            y += line;
        }
        p.setFont(font());
        if (failed) {
            p.setPen(Failed);
            p.setFont(bold);
            const QString why = s.error.isEmpty() ? h.failure : s.error;
            p.drawText(QRect(leftX + 14, y, lane - 28, 2 * line + 4),
                       Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, tr("Failed: %1").arg(why));
            p.setFont(font());
        }

        // Plain-language explanation beside the step.
        const QRect explanationBox(explanationX, top, explanationWidth, stepH - 8);
        p.setPen(QPen(QColor(dim.red(), dim.green(), dim.blue(), 60), 1));
        p.setBrush(pal.color(QPalette::AlternateBase));
        p.drawRoundedRect(explanationBox, 5, 5);
        p.setPen(dim);
        p.drawText(explanationBox.adjusted(10, 8, -10, -6),
                   Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, explanation(i));
    }

    // Outcome.
    const QRect outcome(Margin, outcomeTop, width() - 2 * Margin, 5 * line + 10);
    const bool failed = h.failedStep >= 0 || !h.failure.isEmpty();
    const QColor outcomeColor = failed ? Failed : h.complete ? Ok : Pending;
    p.setPen(QPen(outcomeColor, 1.5));
    p.setBrush(QColor(outcomeColor.red(), outcomeColor.green(), outcomeColor.blue(), 25));
    p.drawRoundedRect(outcome, 6, 6);
    p.setPen(outcomeColor);
    p.setFont(bold);
    p.drawText(outcome.adjusted(12, 8, -12, 0), Qt::AlignLeft | Qt::AlignTop, outcomeText());
    p.setFont(font());
    p.setPen(text);
    QStringList lines;
    if (h.complete && h.handshakeHash) {
        const QString hash = QString::fromStdString(toHex(*h.handshakeHash));
        p.setFont(mono);
        p.drawText(outcome.adjusted(12, 8 + line + 4, -12, 0), Qt::AlignLeft | Qt::AlignTop,
                   tr("handshake hash  %1\n                %2").arg(hash.left(64), hash.mid(64)));
        p.setFont(font());
        p.setPen(dim);
        p.drawText(outcome.adjusted(12, 8 + 3 * line + 8, -12, 0),
                   Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                   h.encrypted ? tr("Both sides derived the same hash. From now on every byte is "
                                    "XORed with an XSalsa20 keystream per direction (key from "
                                    "Split(), nonce from the sender's payload); channel "
                                    "capabilities are bound to these keys.")
                               : tr("Both sides derived the same hash. Encryption is off for this "
                                    "session: frames follow in plaintext, but channel "
                                    "capabilities are still bound to the handshake's keys."));
    } else if (failed) {
        p.setPen(dim);
        p.drawText(outcome.adjusted(12, 8 + line + 6, -12, 0),
                   Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                   tr("A failed handshake ends the session: nothing after this point is "
                      "trusted. A MAC failure usually means the two sides disagree on the "
                      "protocol (Noise on one side only, a different pattern) or the bytes were "
                      "altered in transit."));
    }
}

} // namespace hyperscope
