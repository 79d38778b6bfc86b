#include "secretspanel.h"

#include "inspectedsession.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace hyperscope {

namespace {
QString hexOf(const Key32 &key)
{
    return QString::fromStdString(toHex(key));
}
} // namespace

SecretsPanel::SecretsPanel(QWidget *parent)
    : QWidget(parent)
    , m_summary(new QLabel)
    , m_toggle(new QPushButton(tr("Reveal…")))
    , m_text(new QPlainTextEdit)
{
    setObjectName(QStringLiteral("secretsPanel"));
    m_toggle->setObjectName(QStringLiteral("revealSecretsButton"));
    m_text->setObjectName(QStringLiteral("secretsText"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // Wrapped (a key breaks where it must) rather than cut off in a narrow window.
    m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_text->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_text->setFixedHeight(m_text->fontMetrics().lineSpacing() * 6 + 12);
    m_text->hide();

    auto *title = new QLabel(tr("<b>Secret keys</b>"));
    auto *top = new QHBoxLayout;
    top->addWidget(title);
    top->addStretch();
    top->addWidget(m_toggle);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 4, 16, 12);
    layout->addLayout(top);
    layout->addWidget(m_summary);
    layout->addWidget(m_text);

    connect(m_toggle, &QPushButton::clicked, this, [this] {
        if (m_revealed)
            hideSecrets();
        else
            reveal(true);
    });
    refresh();
}

void SecretsPanel::setSession(InspectedSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    m_revealed = false;
    if (session) {
        // The keys are wiped when the session ends: show that rather than stale text.
        connect(session, &InspectedSession::handshakeChanged, this, &SecretsPanel::refresh);
        connect(session, &InspectedSession::ended, this, &SecretsPanel::refresh);
    }
    refresh();
    emit sessionChanged(session);
    emit revealedChanged(false);
}

bool SecretsPanel::reveal(bool askFirst)
{
    if (!m_session)
        return false;
    if (askFirst) {
        const auto answer = QMessageBox::warning(
            this, tr("Reveal Secret Keys"),
            tr("These keys decrypt every byte of this session that anyone captured, and the "
               "static secret key lets its holder pose as this peer while the session lasts.\n\n"
               "Show them?"),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes)
            return false;
    }
    m_revealed = true;
    refresh();
    emit revealedChanged(true);
    return true;
}

void SecretsPanel::hideSecrets()
{
    m_revealed = false;
    refresh();
    emit revealedChanged(false);
}

QString SecretsPanel::secretsText() const
{
    return m_revealed ? m_text->toPlainText() : QString();
}

void SecretsPanel::refresh()
{
    m_toggle->setEnabled(m_session != nullptr);
    m_toggle->setText(m_revealed ? tr("Hide") : tr("Reveal…"));
    if (!m_session) {
        m_summary->setText(tr("Select a session."));
        m_text->clear();
        m_text->hide();
        return;
    }
    if (!m_revealed) {
        m_summary->setText(
            tr("Hidden: our static secret key and the two transport keys (Split()). With them, "
               "anyone holding a capture of this session can decrypt it."));
        m_text->clear();
        m_text->hide();
        return;
    }

    const InspectedSession::Secrets secrets = m_session->secrets();
    QStringList lines;
    lines << (secrets.staticSecretKey
                  ? tr("static secret key  %1").arg(hexOf(*secrets.staticSecretKey))
                  : tr("static secret key  wiped when the session ended"));
    if (secrets.transportKeys) {
        lines << tr("transport key tx   %1   (we encrypt with it)")
                     .arg(hexOf(secrets.transportKeys->tx));
        lines << tr("transport key rx   %1   (we decrypt with it)")
                     .arg(hexOf(secrets.transportKeys->rx));
    } else {
        lines << tr("transport keys     %1")
                     .arg(m_session->handshake().noise
                              ? (m_session->handshake().complete
                                     ? tr("wiped when the session ended")
                                     : tr("none yet: the handshake has not completed"))
                              : tr("none: this session runs without Noise"));
    }
    m_text->setPlainText(lines.join(QLatin1Char('\n')));
    m_text->show();
    m_summary->setText(
        secrets.transportKeysFromLog
            ? tr("Shown on request. The engine wiped its keys when the session ended; these "
                 "transport keys are the inspector's copy, kept to show the bytes on the wire.")
            : tr("Shown on request. Hide them before sharing a screenshot."));
}

} // namespace hyperscope
