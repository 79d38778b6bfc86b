#include "handshakelesson.h"

#include "copyablehex.h"
#include "inspectedsession.h"
#include "secretspanel.h"

#include <QCheckBox>
#include <QEvent>
#include <QFontDatabase>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace hyperscope {

namespace {

constexpr int Margin = 16;
constexpr int MaxContentWidth = 1100;
constexpr std::string_view ProtocolName = "Noise_XX_25519_ChaChaPoly_BLAKE2b";

const QColor Accent(21, 101, 192);
const QColor Failed(198, 40, 40);

QString side(bool initiator)
{
    return initiator ? HandshakeLesson::tr("initiator") : HandshakeLesson::tr("responder");
}

/// Whether message @p index (0-based) is written by the initiator: XX alternates, initiator first.
bool initiatorWrites(int index)
{
    return index % 2 == 0;
}

QString tokenName(NoiseStep::Kind kind)
{
    switch (kind) {
    case NoiseStep::Kind::Initialize:
        return QStringLiteral("init");
    case NoiseStep::Kind::Prologue:
        return QStringLiteral("prologue");
    case NoiseStep::Kind::E:
        return QStringLiteral("e");
    case NoiseStep::Kind::S:
        return QStringLiteral("s");
    case NoiseStep::Kind::EE:
        return QStringLiteral("ee");
    case NoiseStep::Kind::ES:
        return QStringLiteral("es");
    case NoiseStep::Kind::SE:
        return QStringLiteral("se");
    case NoiseStep::Kind::Payload:
        return QStringLiteral("payload");
    case NoiseStep::Kind::Split:
        return QStringLiteral("split");
    }
    return {};
}

bool isDh(NoiseStep::Kind kind)
{
    return kind == NoiseStep::Kind::EE || kind == NoiseStep::Kind::ES ||
           kind == NoiseStep::Kind::SE;
}

/// Which keys of each side a DH token combines: {initiator's is static, responder's is static}.
std::pair<bool, bool> dhStatics(NoiseStep::Kind kind)
{
    return {kind == NoiseStep::Kind::SE, kind == NoiseStep::Kind::ES};
}

QString bytesText(std::size_t count)
{
    return count == 1 ? HandshakeLesson::tr("1 byte")
                      : HandshakeLesson::tr("%1 bytes").arg(qulonglong(count));
}

QString keyKind(bool isStatic)
{
    return isStatic ? HandshakeLesson::tr("static") : HandshakeLesson::tr("ephemeral");
}

} // namespace

HandshakeLesson::HandshakeLesson(QWidget *parent)
    : QWidget(parent)
    , m_fullBox(new QCheckBox(tr("Show full values")))
{
    setObjectName(QStringLiteral("handshakeLesson"));
    m_fullBox->setObjectName(QStringLiteral("lessonFullValues"));
    m_fullBox->setToolTip(tr("Write out every key, nonce and hash in full instead of its first "
                             "and last digits (the full value is always in the tooltip and on "
                             "the Copy button)"));
    connect(m_fullBox, &QCheckBox::toggled, this, &HandshakeLesson::setFullValues);

    auto *title = new QLabel(tr("The handshake, step by step"));
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    title->setFont(titleFont);
    auto *header = new QWidget;
    auto *top = new QHBoxLayout(header);
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(title);
    top->addStretch();
    top->addWidget(m_fullBox);

    // Lines of prose much longer than MaxContentWidth are hard to follow, so the text lives in a
    // body at most that wide, placed by hand (resizeEvent) rather than by a layout of the
    // lesson's own: a layout would report heights for the whole width offered (QWidgetItem asks
    // the layout, not heightForWidth()), and the wrapped text, narrower, would overlap.
    m_body = new QWidget(this);
    m_body->installEventFilter(this);
    m_outer = new QVBoxLayout(m_body);
    m_outer->setContentsMargins(Margin, 8, Margin, 12);
    m_outer->addWidget(header);
    rebuild();
}

int HandshakeLesson::bodyWidth(int width)
{
    return qMin(width, MaxContentWidth + 2 * Margin);
}

bool HandshakeLesson::hasHeightForWidth() const
{
    return true;
}

int HandshakeLesson::heightForWidth(int width) const
{
    return m_body->heightForWidth(bodyWidth(width));
}

QSize HandshakeLesson::sizeHint() const
{
    const QSize hint = m_body->sizeHint();
    return {bodyWidth(hint.width()), heightForWidth(hint.width())};
}

QSize HandshakeLesson::minimumSizeHint() const
{
    return m_body->minimumSizeHint();
}

void HandshakeLesson::resizeEvent(QResizeEvent *)
{
    m_body->setGeometry(0, 0, bodyWidth(width()), height());
}

bool HandshakeLesson::eventFilter(QObject *watched, QEvent *event)
{
    // The body's content changed size: the lesson's height for a width changes with it.
    if (watched == m_body && event->type() == QEvent::LayoutRequest)
        updateGeometry();
    return QWidget::eventFilter(watched, event);
}

void HandshakeLesson::followSecretsPanel(SecretsPanel *panel)
{
    connect(panel, &SecretsPanel::sessionChanged, this, &HandshakeLesson::setSession);
    connect(panel, &SecretsPanel::revealedChanged, this, &HandshakeLesson::setSecretsShown);
    connect(this, &HandshakeLesson::revealRequested, panel, [panel] { panel->reveal(true); });
}

void HandshakeLesson::setSession(InspectedSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    m_record = session ? &session->handshake() : nullptr;
    if (session) {
        connect(session, &InspectedSession::handshakeChanged, this, &HandshakeLesson::rebuild);
        connect(session, &InspectedSession::aboutToBeDestroyed, this, [this] {
            m_record = nullptr;
            rebuild();
        });
    }
    rebuild();
}

void HandshakeLesson::setRecord(const HandshakeRecord *record)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = nullptr;
    m_record = record;
    rebuild();
}

void HandshakeLesson::setSecretsShown(bool shown)
{
    if (m_secretsShown == shown)
        return;
    m_secretsShown = shown;
    rebuild();
}

void HandshakeLesson::setFullValues(bool full)
{
    m_fullValues = full;
    m_fullBox->setChecked(full);
    for (CopyableHex *v : std::as_const(m_values))
        v->setFull(full);
}

QStringList HandshakeLesson::shownStepTitles() const
{
    return m_titles;
}

QList<CopyableHex *> HandshakeLesson::values() const
{
    return m_values;
}

QString HandshakeLesson::text() const
{
    QStringList lines;
    if (m_content) {
        for (const QLabel *label : m_content->findChildren<QLabel *>()) {
            if (!qobject_cast<CopyableHex *>(label->parentWidget()))
                lines << label->text();
        }
    }
    return lines.join(QLatin1Char('\n'));
}

// --- Texts ------------------------------------------------------------------------------------

QString HandshakeLesson::stepTitle(const NoiseStep &step)
{
    const QString sender = side(initiatorWrites(step.message));
    switch (step.kind) {
    case NoiseStep::Kind::Initialize:
        return tr("Initialize: h = ck = the protocol name");
    case NoiseStep::Kind::Prologue:
        return tr("Prologue: h = HASH(h ‖ prologue)");
    case NoiseStep::Kind::E:
        return tr("e: the %1's ephemeral public key, in clear").arg(sender);
    case NoiseStep::Kind::S:
        return step.encrypted ? tr("s: the %1's static public key, encrypted").arg(sender)
                              : tr("s: the %1's static public key, in clear").arg(sender);
    case NoiseStep::Kind::EE:
    case NoiseStep::Kind::ES:
    case NoiseStep::Kind::SE: {
        const auto [initiatorStatic, responderStatic] = dhStatics(step.kind);
        return tr("%1: DH(initiator's %2, responder's %3)")
            .arg(tokenName(step.kind), keyKind(initiatorStatic), keyKind(responderStatic));
    }
    case NoiseStep::Kind::Payload:
        return step.encrypted ? tr("payload: the %1's NoisePayload, encrypted").arg(sender)
                              : tr("payload: the %1's NoisePayload, in clear").arg(sender);
    case NoiseStep::Kind::Split:
        return tr("Split(): one transport key per direction");
    }
    return {};
}

QString HandshakeLesson::stepExplanation(const NoiseStep &step, bool thisSideIsInitiator)
{
    const bool sentByInitiator = initiatorWrites(step.message);
    const bool sentByThisSide = sentByInitiator == thisSideIsInitiator;
    switch (step.kind) {
    case NoiseStep::Kind::Initialize:
        return tr("The protocol name is %1 bytes, shorter than BLAKE2b's 64-byte output, so h "
                  "starts as the name itself padded with zero bytes. The chaining key ck starts "
                  "equal to h. There is no cipher key k yet, so nothing can be encrypted.")
            .arg(ProtocolName.size());
    case NoiseStep::Kind::Prologue:
        return tr("Both sides mix the same prologue into h, so that a disagreement about the "
                  "context makes the handshake fail. Hypercore's prologue is empty (%1 here): h "
                  "is hashed on its own.")
            .arg(bytesText(step.mixedSize));
    case NoiseStep::Kind::E:
        return tr("A key pair made for this handshake only (%1). Its public half travels in "
                  "clear; h = HASH(h ‖ e), so everything that follows depends on it.")
            .arg(sentByThisSide ? tr("this side made it") : tr("the peer made it"));
    case NoiseStep::Kind::S:
        return tr("The long-term key that identifies the %1, encrypted with k (ChaChaPoly, "
                  "nonce counter n = %2, h as associated data): 32 bytes + a 16-byte tag = %3 "
                  "bytes. h = HASH(h ‖ ciphertext).%4")
            .arg(side(sentByInitiator))
            .arg(step.nonce)
            .arg(step.mixedSize)
            .arg(sentByThisSide ? QString()
                                : tr(" This is where this side learns who the peer is."));
    case NoiseStep::Kind::EE:
    case NoiseStep::Kind::ES:
    case NoiseStep::Kind::SE: {
        const auto [initiatorStatic, responderStatic] = dhStatics(step.kind);
        const bool ourStatic = thisSideIsInitiator ? initiatorStatic : responderStatic;
        const bool theirStatic = thisSideIsInitiator ? responderStatic : initiatorStatic;
        QString why;
        if (step.kind == NoiseStep::Kind::EE)
            why = tr("Two fresh keys: a secret nobody watching can compute, so from here on "
                     "everything is encrypted; but neither side has proved who it is yet.");
        else if (step.kind == NoiseStep::Kind::ES)
            why = tr("Only the holder of the responder's static secret key can compute it: what "
                     "is encrypted from here proves to the initiator that it talks to that key.");
        else
            why = tr("Only the holder of the initiator's static secret key can compute it: the "
                     "responder now knows who dialed.");
        return tr("This side (the %1) computes X25519(its %2 secret key, the peer's %3 public "
                  "key); the peer combines the mirror pair and gets the same 32 bytes. ck, k = "
                  "HKDF(ck, DH result): a new chaining key and a new cipher key k, whose nonce "
                  "counter n restarts at 0; h does not change. %4")
            .arg(side(thisSideIsInitiator), keyKind(ourStatic), keyKind(theirStatic), why);
    }
    case NoiseStep::Kind::Payload:
        if (!step.encrypted)
            return tr("Hypercore's NoisePayload, a protobuf holding the sender's 24-byte nonce "
                      "(%1). No Diffie-Hellman has happened yet, so there is no key: it travels "
                      "in clear, readable by anyone on the path. h = HASH(h ‖ payload).")
                .arg(bytesText(step.mixedSize));
        return tr("Hypercore's NoisePayload, a protobuf holding the sender's 24-byte nonce, "
                  "encrypted with k (nonce counter n = %1, h as associated data): %2 bytes with "
                  "the tag. h = HASH(h ‖ ciphertext).")
            .arg(step.nonce)
            .arg(step.mixedSize);
    case NoiseStep::Kind::Split:
        return tr("k1, k2 = HKDF(ck, empty). The initiator sends with k1 and receives with k2, "
                  "the responder the other way round. Noise would use them as ChaChaPoly keys; "
                  "hypercore uses them as XSalsa20 keys, each direction with its sender's payload "
                  "nonce. ck and k are not needed any more, and the engines wipe them.");
    }
    return {};
}

// --- Building ---------------------------------------------------------------------------------

QLabel *HandshakeLesson::paragraph(const QString &text, bool rich)
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    label->setTextFormat(rich ? Qt::RichText : Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QLabel *HandshakeLesson::heading(const QString &text)
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

CopyableHex *HandshakeLesson::value(const QString &name, ByteView bytes)
{
    auto *v = new CopyableHex(name, bytes);
    v->setFull(m_fullValues);
    m_values << v;
    return v;
}

CopyableHex *HandshakeLesson::secretValue(const QString &name, ByteView bytes)
{
    if (m_secretsShown)
        return value(name, bytes);
    auto *v = new CopyableHex(name, tr("hidden: secret (Reveal… shows it)"));
    m_values << v;
    return v;
}

QWidget *HandshakeLesson::buildIntro()
{
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *name =
        new QLabel(QString::fromLatin1(ProtocolName.data(), qsizetype(ProtocolName.size())));
    name->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(name);
    layout->addWidget(paragraph(
        tr("XX: the handshake pattern, three messages in which both sides send their static key "
           "encrypted (→ e · ← e, ee, s, es · → s, se). 25519: Diffie-Hellman over Curve25519 "
           "(X25519). ChaChaPoly: ChaCha20-Poly1305 encrypts the keys and payloads inside the "
           "handshake. BLAKE2b: the hash, also used for HMAC and HKDF. The prologue is empty.")));
    layout->addWidget(paragraph(
        tr("Two values evolve from step to step. The handshake hash h is a running hash of "
           "everything sent; it is public, since anyone who saw the bytes could compute it, and "
           "both sides must end with the same h. The chaining key ck absorbs every "
           "Diffie-Hellman result, and each new ck also gives a cipher key k for what is "
           "encrypted next; both are secret.")));
    if (!m_secretsShown) {
        auto *row = new QHBoxLayout;
        auto *note = paragraph(tr("ck and k are hidden: they are as secret as the session's "
                                  "transport keys."));
        auto *reveal = new QPushButton(tr("Reveal…"));
        reveal->setObjectName(QStringLiteral("lessonRevealButton"));
        reveal->setToolTip(tr("Show ck and k (and the secret keys below the ladder)"));
        connect(reveal, &QPushButton::clicked, this, &HandshakeLesson::revealRequested);
        row->addWidget(note, 1);
        row->addWidget(reveal, 0, Qt::AlignTop);
        layout->addLayout(row);
    }
    return box;
}

QWidget *HandshakeLesson::buildStep(const NoiseStep &step, const HandshakeStep *message)
{
    const bool thisSideIsInitiator = step.recordedByInitiator;
    auto *row = new QWidget;
    auto *grid = new QGridLayout(row);
    grid->setContentsMargins(0, 6, 0, 2);
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(2);

    auto *badge = new QLabel(tokenName(step.kind));
    QFont badgeFont = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    badgeFont.setBold(true);
    badge->setFont(badgeFont);
    badge->setAlignment(Qt::AlignCenter);
    badge->setFixedWidth(QFontMetrics(badgeFont).horizontalAdvance(QStringLiteral("prologue")) +
                         12);
    badge->setStyleSheet(
        QStringLiteral("QLabel { color: white; background: %1; border-radius: 3px; "
                       "padding: 2px 0px; }")
            .arg((isDh(step.kind) ? Accent : QColor(96, 108, 118)).name()));
    grid->addWidget(badge, 0, 0, Qt::AlignTop);

    const QString title = stepTitle(step);
    m_titles << title;
    grid->addWidget(heading(title), 0, 1);
    grid->addWidget(paragraph(stepExplanation(step, thisSideIsInitiator)), 1, 1);

    auto *valueLines = new QVBoxLayout;
    valueLines->setSpacing(0);
    switch (step.kind) {
    case NoiseStep::Kind::Initialize:
        valueLines->addWidget(value(QStringLiteral("h"), step.h));
        valueLines->addWidget(value(QStringLiteral("ck"), step.ck)); // still public: the name
        break;
    case NoiseStep::Kind::Prologue:
        valueLines->addWidget(value(QStringLiteral("h"), step.h));
        break;
    case NoiseStep::Kind::E:
    case NoiseStep::Kind::S:
        valueLines->addWidget(value(tokenName(step.kind), step.publicKey));
        valueLines->addWidget(value(QStringLiteral("h"), step.h));
        break;
    case NoiseStep::Kind::EE:
    case NoiseStep::Kind::ES:
    case NoiseStep::Kind::SE: {
        const auto [initiatorStatic, responderStatic] = dhStatics(step.kind);
        valueLines->addWidget(
            value(tr("initiator's %1").arg(initiatorStatic ? "s" : "e"), step.initiatorKey));
        valueLines->addWidget(
            value(tr("responder's %1").arg(responderStatic ? "s" : "e"), step.responderKey));
        valueLines->addWidget(secretValue(QStringLiteral("ck"), step.ck));
        if (step.k)
            valueLines->addWidget(secretValue(QStringLiteral("k"), *step.k));
        break;
    }
    case NoiseStep::Kind::Payload:
        if (message && message->payloadNonce)
            valueLines->addWidget(value(tr("nonce"), *message->payloadNonce));
        valueLines->addWidget(value(QStringLiteral("h"), step.h));
        break;
    case NoiseStep::Kind::Split:
        if (step.k)
            valueLines->addWidget(secretValue(tr("k1 (initiator → responder)"), *step.k));
        if (step.k2)
            valueLines->addWidget(secretValue(tr("k2 (responder → initiator)"), *step.k2));
        break;
    }
    grid->addLayout(valueLines, 2, 1);
    grid->setColumnStretch(1, 1);
    return row;
}

void HandshakeLesson::addMessage(int index)
{
    const HandshakeRecord &record = *m_record;
    const HandshakeStep &message = record.steps[std::size_t(index)];
    const bool byInitiator = initiatorWrites(index);
    const bool byThisSide = byInitiator == record.initiator;
    static const char *const tokens[] = {"e", "e, ee, s, es", "s, se"};

    auto *frame = new QFrame;
    frame->setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(frame);
    layout->setContentsMargins(12, 8, 12, 8);
    QString head =
        tr("Message %1 %2 %3 to %4 · %5")
            .arg(index + 1)
            .arg(byInitiator ? QStringLiteral("→") : QStringLiteral("←"))
            .arg(side(byInitiator), side(!byInitiator), QString::fromLatin1(tokens[index]));
    if (message.seen)
        head += tr(" · %1 by this side · %2 bytes on the wire")
                    .arg(byThisSide ? tr("sent") : tr("received"))
                    .arg(message.wireSize);
    layout->addWidget(heading(head));

    bool any = false;
    for (const NoiseStep &step : message.noiseSteps) {
        if (step.message < 0)
            continue; // the opening, shown before the messages
        layout->addWidget(buildStep(step, &message));
        any = true;
    }
    if (!message.seen) {
        layout->addWidget(paragraph(record.failedStep >= 0 && record.failedStep < index
                                        ? tr("Never sent: the handshake failed before.")
                                        : tr("Not yet: waiting for this message.")));
    } else if (!any && message.error.isEmpty()) {
        layout->addWidget(paragraph(tr("Its Noise steps were not recorded: the inspector began "
                                       "watching after this message, or the session comes from a "
                                       "capture file.")));
    }
    if (!message.error.isEmpty()) {
        QLabel *failed = paragraph(
            tr("Failed here: %1. A failed handshake ends the session.").arg(message.error));
        failed->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(Failed.name()));
        layout->addWidget(failed);
    }
    m_contentLayout->addWidget(frame);
}

QWidget *HandshakeLesson::buildNonceSection()
{
    const HandshakeRecord &record = *m_record;
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 8, 0, 0);
    layout->addWidget(heading(tr("Why message 3 carries message 1's nonce again")));
    layout->addWidget(paragraph(
        tr("Every handshake message a side writes carries hypercore's NoisePayload, which holds "
           "that side's 24-byte nonce. The initiator writes two messages, 1 and 3, with the same "
           "payload, so its nonce crosses the wire twice: in clear in message 1, because no key "
           "exists yet, and encrypted in message 3. The responder keeps the payload of the last "
           "handshake message it read, message 3's. The nonce need not be secret: after Split() "
           "it is the XSalsa20 nonce of the initiator's sending direction (the responder's nonce, "
           "from message 2, that of the other), and a stream cipher needs a nonce never reused "
           "with the same key, not a hidden one. The key is the secret part.")));
    const auto &first = record.steps[0].payloadNonce;
    const auto &third = record.steps[2].payloadNonce;
    if (first)
        layout->addWidget(value(tr("initiator's nonce, message 1"), *first));
    if (third)
        layout->addWidget(value(tr("initiator's nonce, message 3"), *third));
    if (record.steps[1].payloadNonce)
        layout->addWidget(value(tr("responder's nonce, message 2"), *record.steps[1].payloadNonce));
    if (first && third)
        layout->addWidget(paragraph(*first == *third
                                        ? tr("Messages 1 and 3 carry the same nonce.")
                                        : tr("Messages 1 and 3 carry different nonces: this "
                                             "initiator does not behave like hypercore's.")));
    return box;
}

void HandshakeLesson::rebuild()
{
    if (m_content) {
        // Later, not now: rebuild() may run inside a click on a button of the old content (the
        // lesson's own Reveal…). Detached at once so that it is no longer part of the lesson.
        m_outer->removeWidget(m_content);
        m_content->hide();
        m_content->setParent(nullptr);
        m_content->deleteLater();
    }
    m_titles.clear();
    m_values.clear();
    m_content = new QWidget;
    m_contentLayout = new QVBoxLayout(m_content);
    m_contentLayout->setContentsMargins(0, 0, 0, 0);
    m_contentLayout->setSpacing(8);
    m_outer->addWidget(m_content);

    if (!m_record) {
        m_contentLayout->addWidget(paragraph(tr("Select a session to follow its handshake.")));
        return;
    }
    if (!m_record->noise) {
        m_contentLayout->addWidget(
            paragraph(tr("This session runs without Noise: there is no handshake to follow.")));
        return;
    }

    m_contentLayout->addWidget(buildIntro());

    // The opening (Initialize, Prologue) is reported with message 1.
    auto *opening = new QFrame;
    opening->setFrameShape(QFrame::StyledPanel);
    auto *openingLayout = new QVBoxLayout(opening);
    openingLayout->setContentsMargins(12, 8, 12, 8);
    openingLayout->addWidget(heading(tr("Before the first message")));
    bool any = false;
    for (const NoiseStep &step : m_record->steps[0].noiseSteps) {
        if (step.message >= 0)
            continue;
        openingLayout->addWidget(buildStep(step, nullptr));
        any = true;
    }
    if (!any)
        openingLayout->addWidget(
            paragraph(tr("h = the protocol name padded with zero bytes to 64 bytes; ck = h. Not "
                         "recorded for this session.")));
    m_contentLayout->addWidget(opening);

    for (int i = 0; i < 3; ++i)
        addMessage(i);

    if (m_record->complete && m_record->handshakeHash) {
        m_contentLayout->addWidget(heading(tr("Result")));
        m_contentLayout->addWidget(
            paragraph(tr("The handshake hash is the last h. Both sides hold the same value: if "
                         "anything had been changed on the way, their h (and so the keys) would "
                         "differ and a MAC check would have failed.")));
        m_contentLayout->addWidget(value(tr("handshake hash"), *m_record->handshakeHash));
    }
    m_contentLayout->addWidget(buildNonceSection());
}

} // namespace hyperscope
