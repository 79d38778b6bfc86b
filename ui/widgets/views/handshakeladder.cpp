#include "handshakeladder.h"

#include "inspectedsession.h"

#include <QFontDatabase>
#include <QHelpEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

namespace hyperscope {

namespace {

constexpr int Margin = 16;
constexpr int BoxWidth = 230;
constexpr int MinLane = 340;
constexpr int MinExplanation = 300;
constexpr int MinimumWidth = Margin * 2 + BoxWidth + MinLane + MinExplanation + 120;
/// The narrowest the ladder goes, with each explanation under its step.
constexpr int StackedMinimumWidth = Margin * 2 + BoxWidth + MinLane;

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

HandshakeLadder::HandshakeLadder(QWidget *parent)
    : QWidget(parent)
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
    if (m_record->neverConnected)
        return tr("No handshake: the connection never came up (%1)").arg(m_record->failure);
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

QStringList HandshakeLadder::detailLines(int index) const
{
    QStringList details;
    if (!m_record)
        return details;
    const HandshakeStep &s = m_record->steps[std::size_t(index)];
    if (s.seen) {
        details << tr("%1 bytes on the wire, payload %2 bytes").arg(s.wireSize).arg(s.payloadSize);
        if (s.ephemeralKey)
            details << tr("e  = %1").arg(hexShort(s.ephemeralKey, 32));
        if (s.staticKey)
            details << tr("s  = %1").arg(hexShort(s.staticKey, 32));
        if (s.payloadNonce)
            details << tr("nonce = %1").arg(hexOf(*s.payloadNonce, 32));
    } else if (m_record->failedStep != index) {
        details << (m_record->failedStep >= 0 && m_record->failedStep < index ? tr("not sent")
                                                                              : tr("waiting…"));
    }
    return details;
}

QString HandshakeLadder::outcomeExplanation() const
{
    if (!m_record)
        return {};
    if (m_record->neverConnected)
        return tr("The transport failed before any handshake byte was sent: nothing was "
                  "refused by Noise. Check the address, that the peer is listening, and the "
                  "network; the log's error row names the failure.");
    const bool failed = m_record->failedStep >= 0 || !m_record->failure.isEmpty();
    if (failed) {
        // Say what the failure usually means, by its kind (the error's stable name).
        const QString &why = m_record->failure;
        if (why.startsWith(QLatin1String("timeout")))
            return tr("The peer never answered the handshake. It may not speak Noise (a peer "
                      "started without it reads our first message as frames), may not be a "
                      "hypercore peer at all, or may be too slow for the timeout.");
        if (why.startsWith(QLatin1String("connection-lost")) ||
            why.contains(QLatin1String("closed during the handshake")))
            return tr("The connection closed before the handshake finished: the peer refused "
                      "us, crashed, or does not speak this protocol.");
        if (why.startsWith(QLatin1String("remote-key-rejected")))
            return tr("The peer's static key was refused by this side's key filter: the "
                      "handshake worked, but the peer is not one we accept.");
        if (why.startsWith(QLatin1String("bad-handshake-payload")))
            return tr("The handshake decrypted, but the peer's payload is not a NoisePayload "
                      "with a 24-byte nonce: it speaks Noise, but not hypercore's dialect.");
        return tr("A failed handshake ends the session: nothing after this point is trusted. A "
                  "MAC failure usually means the two sides disagree on the protocol (another "
                  "pattern or prologue) or that the bytes were altered in transit.");
    }
    if (!m_record->complete)
        return {};
    return m_record->encrypted
               ? tr("Both sides derived the same hash. From now on every byte is XORed with an "
                    "XSalsa20 keystream per direction (key from Split(), nonce from the sender's "
                    "payload); channel capabilities are bound to these keys.")
               : tr("Both sides derived the same hash. Encryption is off for this session: frames "
                    "follow in plaintext, but channel capabilities are still bound to the "
                    "handshake's keys.");
}

HandshakeLadder::Layout HandshakeLadder::layoutFor(int width) const
{
    Layout l;
    const QFontMetrics fm = fontMetrics();
    const int line = fm.height();
    l.stacked = width < MinimumWidth;
    const int available = qMax(width, l.stacked ? StackedMinimumWidth : MinimumWidth) - 2 * Margin;
    l.lane = l.stacked ? qBound(MinLane, available - BoxWidth, 480)
                       : qBound(MinLane, available - BoxWidth - MinExplanation - 40, 480);
    l.leftX = Margin + BoxWidth / 2;
    l.rightX = l.leftX + l.lane;
    if (l.stacked) {
        l.explanationX = Margin;
        l.explanationWidth = available;
    } else {
        l.explanationX = l.rightX + BoxWidth / 2 + 24;
        l.explanationWidth =
            qMax(MinExplanation, qMin(560, qMax(width, MinimumWidth) - Margin - l.explanationX));
    }
    l.boxHeight = 3 * line + 12;

    int y = Margin + l.boxHeight + 24;
    for (int i = 0; i < 3; ++i) {
        int details = detailLines(i).size() * line;
        if (m_record && m_record->failedStep == i)
            details += 3 * line;
        const int ladder = line + 10 + 10 + details + 12;
        const QRect text = fm.boundingRect(QRect(0, 0, l.explanationWidth - 20, 10000),
                                           Qt::TextWordWrap, explanation(i));
        const int side = text.height() + 14 + 10;
        l.stepTop[i] = y;
        l.stepHeight[i] = l.stacked ? ladder + side : qMax(ladder, side);
        l.explanationTop[i] = l.stacked ? y + ladder : y;
        l.explanationHeight[i] = (l.stacked ? side : l.stepHeight[i]) - 10;
        y += l.stepHeight[i];
    }
    l.outcomeTop = y + 8;
    int outcome = 8 + line + 6;
    if (m_record && m_record->complete && m_record->handshakeHash)
        outcome +=
            2 * QFontMetrics(QFontDatabase::systemFont(QFontDatabase::FixedFont)).height() + 8;
    const QString more = outcomeExplanation();
    if (!more.isEmpty())
        outcome +=
            fm.boundingRect(QRect(0, 0, available - 24, 10000), Qt::TextWordWrap, more).height();
    l.outcomeHeight = outcome + 10;
    l.height = l.outcomeTop + l.outcomeHeight + Margin;
    return l;
}

QSize HandshakeLadder::sizeHint() const
{
    return {MinimumWidth, layoutFor(qMax(width(), MinimumWidth)).height};
}

QSize HandshakeLadder::minimumSizeHint() const
{
    return {StackedMinimumWidth, layoutFor(StackedMinimumWidth).height};
}

QString HandshakeLadder::toolTipAt(const QPoint &pos) const
{
    if (!m_record || !m_record->noise)
        return {};
    const Layout l = layoutFor(width());
    for (int i = 0; i < 3; ++i) {
        const HandshakeStep &s = m_record->steps[std::size_t(i)];
        if (pos.y() < l.stepTop[i] || pos.y() >= l.stepTop[i] + l.stepHeight[i] || !s.seen)
            continue;
        const auto full = [](ByteView bytes) {
            return QString::fromStdString(toHex(bytes));
        };
        QStringList lines{tr("Message %1, in full:").arg(i + 1)};
        if (s.ephemeralKey)
            lines << tr("e  = %1").arg(full(*s.ephemeralKey));
        if (s.staticKey)
            lines << tr("s  = %1").arg(full(*s.staticKey));
        if (s.payloadNonce)
            lines << tr("nonce = %1").arg(full(*s.payloadNonce));
        lines << tr("With Copy buttons, step by step: the lesson below.");
        return lines.join(QLatin1Char('\n'));
    }
    return {};
}

bool HandshakeLadder::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

bool HandshakeLadder::hasHeightForWidth() const
{
    return true;
}

int HandshakeLadder::heightForWidth(int width) const
{
    return layoutFor(width).height;
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

    const Layout l = layoutFor(width());
    const int lane = l.lane;
    const int leftX = l.leftX;
    const int rightX = l.rightX;

    // Lifeline headers.
    const int boxHeight = l.boxHeight;
    auto drawBox = [&](int centerX, const QString &title, const QString &who, const QString &key) {
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

    const int outcomeTop = l.outcomeTop;

    // Lifelines.
    p.setPen(QPen(dim, 1.2, Qt::DashLine));
    p.drawLine(leftX, Margin + boxHeight, leftX, outcomeTop - 8);
    p.drawLine(rightX, Margin + boxHeight, rightX, outcomeTop - 8);

    for (int i = 0; i < 3; ++i) {
        const HandshakeStep &s = h.steps[std::size_t(i)];
        const bool failed = h.failedStep == i;
        const bool seen = s.seen;
        const QColor color = failed ? Failed : seen ? Ok : Pending;
        const int top = l.stepTop[i];
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
        const QStringList details = detailLines(i);
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
        const QRect explanationBox(l.explanationX, l.explanationTop[i], l.explanationWidth,
                                   l.explanationHeight[i]);
        p.setPen(QPen(QColor(dim.red(), dim.green(), dim.blue(), 60), 1));
        p.setBrush(pal.color(QPalette::AlternateBase));
        p.drawRoundedRect(explanationBox, 5, 5);
        p.setPen(dim);
        p.drawText(explanationBox.adjusted(10, 8, -10, -6),
                   Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, explanation(i));
    }

    // Outcome.
    const QRect outcome(Margin, outcomeTop, width() - 2 * Margin, l.outcomeHeight);
    const bool failed = h.failedStep >= 0 || !h.failure.isEmpty();
    const QColor outcomeColor = failed ? Failed : h.complete ? Ok : Pending;
    p.setPen(QPen(outcomeColor, 1.5));
    p.setBrush(QColor(outcomeColor.red(), outcomeColor.green(), outcomeColor.blue(), 25));
    p.drawRoundedRect(outcome, 6, 6);
    p.setPen(outcomeColor);
    p.setFont(bold);
    p.drawText(outcome.adjusted(12, 8, -12, 0), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
               outcomeText());
    p.setFont(font());
    int y = outcome.top() + 8 + line + 6;
    if (h.complete && h.handshakeHash) {
        const QString hash = QString::fromStdString(toHex(*h.handshakeHash));
        p.setPen(text);
        p.setFont(mono);
        p.drawText(QRect(outcome.left() + 12, y, outcome.width() - 24, 2 * monoFm.height() + 4),
                   Qt::AlignLeft | Qt::AlignTop,
                   tr("handshake hash  %1\n                %2").arg(hash.left(64), hash.mid(64)));
        p.setFont(font());
        y += 2 * monoFm.height() + 8;
    }
    p.setPen(dim);
    p.drawText(QRect(outcome.left() + 12, y, outcome.width() - 24, outcome.bottom() - y),
               Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, outcomeExplanation());
}

} // namespace hyperscope
