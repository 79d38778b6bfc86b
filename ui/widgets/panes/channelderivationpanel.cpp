#include "channelderivationpanel.h"

#include "channeltablemodel.h"
#include "crypto.h"
#include "inspectedsession.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>

namespace hyperscope {

namespace {
QString hexOf(const Key32 &key)
{
    return QString::fromStdString(toHex(key));
}

QLabel *heading(const QString &text)
{
    auto *label = new QLabel(text);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

QLabel *formula(const QString &text)
{
    auto *label = new QLabel(text);
    label->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}
} // namespace

ChannelDerivationPanel::ChannelDerivationPanel(QWidget *parent)
    : QWidget(parent)
    , m_discoveryFormula(
          formula(tr("discovery key = BLAKE2b-256(key: feed key, message: \"hypercore\")")))
    , m_capabilityFormula(
          formula(tr("capability = BLAKE2b-256(key: sender's rx, message: \"hypercore "
                     "capability\" ‖ sender's tx ‖ feed key)")))
    , m_roles(new QLabel)
    , m_verdict(new QLabel)
    , m_reveal(new QPushButton(tr("Reveal Split Keys…")))
{
    setObjectName(QStringLiteral("channelDerivation"));
    m_reveal->setObjectName(QStringLiteral("revealSplitKeysButton"));
    m_reveal->setToolTip(tr("Show this session's transport keys (they decrypt the session)"));
    m_roles->setWordWrap(true);
    m_verdict->setWordWrap(true);
    m_verdict->setObjectName(QStringLiteral("derivationVerdict"));

    // One grid for both formulas, so that all values line up; headings and formulas span it.
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setColumnStretch(1, 1);
    auto addSpanning = [grid](QWidget *widget) {
        grid->addWidget(widget, grid->rowCount(), 0, 1, 3);
    };
    addSpanning(heading(tr("Discovery key")));
    addSpanning(m_discoveryFormula);
    addValue(grid, FeedKey, tr("feed key"));
    addValue(grid, Message, tr("message"));
    addValue(grid, DiscoveryKey, tr("= discovery key"));
    addSpanning(heading(tr("Capabilities")));
    addSpanning(m_capabilityFormula);
    const int rolesRow = grid->rowCount();
    grid->addWidget(m_roles, rolesRow, 0, 1, 2);
    grid->addWidget(m_reveal, rolesRow, 2, Qt::AlignTop);
    addValue(grid, SplitTx, tr("our tx (send)"));
    addValue(grid, SplitRx, tr("our rx (receive)"));
    addValue(grid, OurCapability, tr("= our capability"));
    addValue(grid, RemoteCapability, tr("= remote's capability"));
    addSpanning(m_verdict);
    grid->setRowStretch(grid->rowCount(), 1);

    connect(m_reveal, &QPushButton::clicked, this, [this] {
        if (m_revealed)
            hideSplitKeys();
        else
            revealSplitKeys(true);
    });
    refresh();
}

void ChannelDerivationPanel::addValue(QGridLayout *grid, const char *name, const QString &label)
{
    ValueRow row;
    row.label = new QLabel(label);
    row.value = new QLineEdit;
    row.value->setObjectName(QStringLiteral("derivation.%1").arg(QLatin1String(name)));
    row.value->setReadOnly(true);
    row.value->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    row.value->setFrame(false);
    row.copy = new QPushButton(tr("Copy"));
    row.copy->setToolTip(tr("Copy the full value"));
    const int line = grid->rowCount();
    grid->addWidget(row.label, line, 0);
    grid->addWidget(row.value, line, 1);
    grid->addWidget(row.copy, line, 2);
    QLineEdit *value = row.value;
    connect(row.copy, &QPushButton::clicked, this, [this, value] {
        QApplication::clipboard()->setText(value->text());
        emit statusMessage(tr("Copied %1").arg(value->text()));
    });
    m_values.insert(QLatin1String(name), row);
}

void ChannelDerivationPanel::setValue(const char *name, const QString &text, bool copyable)
{
    const ValueRow &row = m_values[QLatin1String(name)];
    if (row.value->text() != text) { // refresh() runs on every counter update: keep selections
        row.value->setText(text);
        row.value->setCursorPosition(0);
        row.value->setToolTip(text);
    }
    row.copy->setEnabled(copyable);
    // A value that is not there reads as a note, not as data.
    row.value->setForegroundRole(copyable ? QPalette::Text : QPalette::PlaceholderText);
}

void ChannelDerivationPanel::setSession(InspectedSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    if (m_session && m_session->channels())
        disconnect(m_session->channels(), nullptr, this, nullptr);
    m_session = session;
    m_row = -1;
    m_revealed = false;
    if (session) {
        connect(session, &InspectedSession::handshakeChanged, this,
                &ChannelDerivationPanel::refresh);
        connect(session, &InspectedSession::ended, this, &ChannelDerivationPanel::refresh);
        // Keys become known (we open the channel, a person gives it) through the table.
        connect(session->channels(), &QAbstractItemModel::dataChanged, this,
                &ChannelDerivationPanel::refresh);
    }
    refresh();
}

void ChannelDerivationPanel::setChannel(int row)
{
    m_row = row;
    refresh();
}

bool ChannelDerivationPanel::revealSplitKeys(bool askFirst)
{
    if (!m_session)
        return false;
    if (askFirst) {
        const auto answer = QMessageBox::warning(
            this, tr("Reveal Split Keys"),
            tr("The split keys decrypt every byte of this session that anyone captured.\n\n"
               "Show them?"),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes)
            return false;
    }
    m_revealed = true;
    refresh();
    return true;
}

void ChannelDerivationPanel::hideSplitKeys()
{
    m_revealed = false;
    refresh();
}

QString ChannelDerivationPanel::valueText(const char *name) const
{
    const auto it = m_values.constFind(QLatin1String(name));
    return it == m_values.constEnd() ? QString() : it->value->text();
}

QString ChannelDerivationPanel::verdictText() const
{
    return m_verdict->text();
}

void ChannelDerivationPanel::refresh()
{
    const ChannelTableModel *channels = m_session ? m_session->channels() : nullptr;
    const bool haveRow = channels && m_row >= 0 && m_row < channels->rowCount();
    m_reveal->setEnabled(m_session != nullptr);
    m_reveal->setText(m_revealed ? tr("Hide Split Keys") : tr("Reveal Split Keys…"));
    setValue(Message, QStringLiteral("\"hypercore\" = 6879706572636f7265"), false);
    if (!haveRow) {
        const QString none = m_session ? tr("select a channel above") : tr("no session");
        for (const char *name :
             {FeedKey, DiscoveryKey, SplitTx, SplitRx, OurCapability, RemoteCapability})
            setValue(name, none, false);
        m_roles->setText(QString());
        m_verdict->setText(QString());
        return;
    }

    const ChannelTableModel::Row &row = channels->row(m_row);
    setValue(DiscoveryKey, hexOf(row.discoveryKey), true);
    if (row.key) {
        setValue(FeedKey, hexOf(*row.key), true);
    } else {
        setValue(FeedKey,
                 tr("unknown: it never crosses the wire; type it in Feed key above to fill it in"),
                 false);
    }

    const HandshakeRecord &handshake = m_session->handshake();
    const std::optional<crypto::SplitKeys> split = m_session->secrets().transportKeys;
    if (!handshake.noise) {
        m_roles->setText(tr("This session runs without Noise: there are no split keys and Open "
                            "carries no capability."));
        for (const char *name : {SplitTx, SplitRx, OurCapability, RemoteCapability})
            setValue(name, tr("n/a (no Noise)"), false);
        m_verdict->setText(QString());
        return;
    }
    m_roles->setText(
        handshake.initiator
            ? tr("We are the initiator: our tx is Split()'s first key and our rx its second. The "
                 "remote has them the other way round, so its rx is our tx.")
            : tr("We are the responder: our tx is Split()'s second key and our rx its first. The "
                 "remote has them the other way round, so its rx is our tx."));
    if (!split) {
        for (const char *name : {SplitTx, SplitRx})
            setValue(name, tr("not known (the handshake has not finished)"), false);
    } else if (m_revealed) {
        setValue(SplitTx, hexOf(split->tx), true);
        setValue(SplitRx, hexOf(split->rx), true);
    } else {
        for (const char *name : {SplitTx, SplitRx})
            setValue(name, tr("hidden: Reveal Split Keys… to see it"), false);
    }
    if (split && row.key) {
        setValue(OurCapability, hexOf(crypto::capability(*row.key, *split)), true);
        setValue(RemoteCapability, hexOf(crypto::remoteCapability(*row.key, *split)), true);
    } else {
        const QString why = row.key ? tr("needs the split keys") : tr("needs the feed key");
        setValue(OurCapability, why, false);
        setValue(RemoteCapability, why, false);
    }
    m_verdict->setText(
        tr("Ours is keyed with our rx over \"hypercore capability\" ‖ our tx ‖ feed key; the "
           "remote's with our tx over … ‖ our rx ‖ feed key. Check of the remote's Open: %1.")
            .arg(ChannelTableModel::capabilityText(channels->capabilityStatus(m_row))));
}

} // namespace hyperscope
