#include "channelspane.h"

#include "channelderivationpanel.h"
#include "channeltablemodel.h"
#include "crypto.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"
#include "relaychannelmodel.h"
#include "sessionoptions.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace hyperscope {

ChannelsPane::ChannelsPane(QWidget *parent)
    : QWidget(parent)
    , m_relayTable(new QTableView)
    , m_relayTitle(new QLabel)
    , m_table(new QTableView)
    , m_key(new QLineEdit)
    , m_random(new QPushButton(tr("Random Key")))
    , m_copyKey(new QPushButton(tr("Copy")))
    , m_open(new QPushButton(tr("Open Channel")))
    , m_close(new QPushButton(tr("Close Channel")))
    , m_copyDiscoveryKey(new QPushButton(tr("Copy Discovery Key")))
    , m_copyFeedKey(new QPushButton(tr("Copy Key")))
    , m_status(new QLabel)
    , m_title(new QLabel)
    , m_derivation(new ChannelDerivationPanel)
{
    m_table->setObjectName(QStringLiteral("channelTable"));
    m_key->setObjectName(QStringLiteral("channelKeyEdit"));
    m_open->setObjectName(QStringLiteral("openChannelButton"));
    m_random->setObjectName(QStringLiteral("randomKeyButton"));
    m_close->setObjectName(QStringLiteral("closeChannelButton"));
    m_status->setObjectName(QStringLiteral("channelStatus"));

    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setAlternatingRowColors(true);
    m_relayTable->setObjectName(QStringLiteral("relayChannelTable"));
    m_relayTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_relayTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_relayTable->verticalHeader()->hide();
    m_relayTable->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_relayTable->setWordWrap(false);
    m_relayTable->setTextElideMode(Qt::ElideMiddle);
    m_relayTable->setMaximumHeight(m_table->fontMetrics().height() * 9);
    m_relayTitle->setWordWrap(true);

    m_key->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_key->setPlaceholderText(tr("feed key: 64 hex digits (32 bytes)"));
    m_key->setClearButtonEnabled(true);
    m_random->setToolTip(tr("Generate a fresh random feed key"));
    m_copyKey->setToolTip(tr("Copy the key in the field"));
    m_open->setToolTip(tr("Send Open for this key's discovery key, with a capability"));
    m_open->setDefault(true);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    auto *openRow = new QHBoxLayout;
    openRow->addWidget(new QLabel(tr("Feed key")));
    openRow->addWidget(m_key, 1);
    openRow->addWidget(m_random);
    openRow->addWidget(m_copyKey);
    openRow->addWidget(m_open);

    auto *tableButtons = new QHBoxLayout;
    tableButtons->addWidget(m_close);
    tableButtons->addWidget(m_copyDiscoveryKey);
    tableButtons->addWidget(m_copyFeedKey);
    tableButtons->addStretch();

    auto *explanation =
        new QLabel(tr("A channel carries one feed. Peers open it by discovery key (a hash of the "
                      "feed key) and prove they know the key with a capability bound to this "
                      "connection; each side numbers channels with its own ids."));
    explanation->setWordWrap(true);
    explanation->setForegroundRole(QPalette::PlaceholderText);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(explanation);
    layout->addLayout(openRow);
    layout->addWidget(m_status);
    layout->addWidget(m_relayTitle);
    layout->addWidget(m_relayTable);
    // The table and the selected channel's derivations share the height; a person may give the
    // derivations more room (or less) with the splitter.
    auto *tablePart = new QWidget;
    auto *tableLayout = new QVBoxLayout(tablePart);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addWidget(m_table, 1);
    tableLayout->addLayout(tableButtons);
    auto *derivationScroll = new QScrollArea;
    derivationScroll->setWidget(m_derivation);
    derivationScroll->setWidgetResizable(true);
    derivationScroll->setFrameShape(QFrame::NoFrame);
    auto *split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("channelsSplitter"));
    split->setChildrenCollapsible(false);
    split->addWidget(tablePart);
    split->addWidget(derivationScroll);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    connect(m_random, &QPushButton::clicked, this, [this] {
        m_key->setText(QString::fromStdString(toHex(randomKey())));
        showStatus(tr("A fresh random key. Open it here, and on the peer with the same key."),
                   false);
    });
    connect(m_copyKey, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(m_key->text().trimmed());
        emit statusMessage(tr("Key copied"));
    });
    connect(m_open, &QPushButton::clicked, this, &ChannelsPane::openFromEdit);
    connect(m_key, &QLineEdit::returnPressed, this, &ChannelsPane::openFromEdit);
    connect(m_key, &QLineEdit::textChanged, this, &ChannelsPane::useKeyOfEdit);
    connect(m_derivation, &ChannelDerivationPanel::statusMessage, this,
            &ChannelsPane::statusMessage);
    connect(m_close, &QPushButton::clicked, this, &ChannelsPane::closeSelected);
    connect(m_copyDiscoveryKey, &QPushButton::clicked, this,
            [this] { copySelected(ChannelTableModel::DiscoveryKeyRole); });
    connect(m_copyFeedKey, &QPushButton::clicked, this,
            [this] { copySelected(ChannelTableModel::KeyRole); });
    setSession(nullptr);
}

void ChannelsPane::setSession(InspectedSession *session)
{
    m_session = session;
    // Both legs' channels, for a relayed session; the table below is the chosen leg's.
    QAbstractItemModel *oldRelay = m_relayTable->model();
    const bool relayed = session && session->isRelayed();
    m_relayTable->setModel(relayed ? new RelayChannelModel(session, this) : nullptr);
    delete oldRelay;
    m_relayTable->setVisible(relayed);
    m_relayTitle->setVisible(relayed);
    if (relayed) {
        QHeaderView *header = m_relayTable->horizontalHeader();
        header->setSectionResizeMode(QHeaderView::ResizeToContents);
        header->setSectionResizeMode(RelayChannelModel::DiscoveryKeyColumn, QHeaderView::Stretch);
        m_relayTitle->setText(
            tr("Through the relay: each leg numbers a channel on its own. A channel whose feed "
               "key the relay lacks is held: type the key above and click Add Key to forward "
               "it. Below: the %1 leg's own view.")
                .arg(MessageLogModel::legName(session->leg())));
        if (session->isCapture()) // nothing can be added to a capture
            m_relayTitle->setText(
                tr("Through the relay: each leg numbers a channel on its own. A channel whose "
                   "feed key the relay lacked was held: not forwarded. Below: the %1 leg's own "
                   "view.")
                    .arg(MessageLogModel::legName(session->leg())));
    }
    m_open->setText(relayed ? tr("Add Key") : tr("Open Channel"));
    m_open->setToolTip(relayed ? tr("Give the relay this feed key: a channel held for it opens "
                                    "on both legs, and later ones are forwarded")
                               : tr("Send Open for this key's discovery key, with a capability"));
    m_table->setModel(session ? session->channels() : nullptr);
    if (session) {
        // Keys are long: they share the spare width and elide in the middle; the other columns
        // fit their contents (the table has few rows).
        QHeaderView *header = m_table->horizontalHeader();
        header->setStretchLastSection(false);
        header->setSectionResizeMode(QHeaderView::ResizeToContents);
        header->setSectionResizeMode(ChannelTableModel::DiscoveryKeyColumn, QHeaderView::Stretch);
        header->setSectionResizeMode(ChannelTableModel::KeyColumn, QHeaderView::Stretch);
        // Stretched columns still get no less than this: at 1024 px the keys keep their first
        // and last digits (the table scrolls sideways; the full values are in the panel below).
        header->setMinimumSectionSize(
            QFontMetrics(QFontDatabase::systemFont(QFontDatabase::FixedFont))
                .horizontalAdvance(QStringLiteral("012345678")));
        // Extension lists can be long: a fixed share (full text in the cell's tooltip and by
        // dragging), so that the keys keep some width at 1024 px.
        header->setSectionResizeMode(ChannelTableModel::ExtensionsColumn, QHeaderView::Interactive);
        header->resizeSection(ChannelTableModel::ExtensionsColumn,
                              m_table->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 22);
        connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
                &ChannelsPane::updateButtons);
        m_title->setText(tr("Channels of session %1").arg(session->legLabel()));
    } else {
        m_title->setText(tr("Channels (no session selected)"));
    }
    m_derivation->setSession(session);
    m_status->clear();
    updateButtons();
}

int ChannelsPane::selectedRow() const
{
    const QItemSelectionModel *selection = m_table->selectionModel();
    return selection && selection->hasSelection() ? selection->selectedRows().value(0).row() : -1;
}

void ChannelsPane::useKeyOfEdit()
{
    if (!m_session || m_session->isRelayed())
        return;
    const std::optional<Key32> key = parseKeyHex(m_key->text(), nullptr);
    if (!key)
        return;
    ChannelTableModel *channels = m_session->channels();
    const int row = channels->rowOf(crypto::discoveryKey(*key));
    if (row < 0 || channels->row(row).key)
        return;
    channels->setKnownKey(*key);
    m_table->selectRow(row);
    showStatus(tr("This is the feed key of channel %1… (opened by the remote): filled in. Open "
                  "Channel opens it on our side too.")
                   .arg(shortKeyHex(channels->row(row).discoveryKey)),
               false);
}

void ChannelsPane::updateButtons()
{
    const bool selected = m_table->selectionModel() && m_table->selectionModel()->hasSelection();
    m_derivation->setChannel(selectedRow());
    m_open->setEnabled(m_session != nullptr);
    m_close->setEnabled(selected);
    m_copyDiscoveryKey->setEnabled(selected);
    m_copyFeedKey->setEnabled(selected);
}

bool ChannelsPane::openFromEdit()
{
    if (!m_session) {
        showStatus(tr("No session selected."), true);
        return false;
    }
    QString error;
    const std::optional<Key32> key = parseKeyHex(m_key->text(), &error);
    if (!key) {
        showStatus(error, true);
        m_key->setFocus();
        return false;
    }
    // Pasting the key of a channel that is already open sends nothing (the engine answers such
    // an Open with success and no frame): say so, in the neutral colour, not as a success.
    const Key32 discoveryKey = crypto::discoveryKey(*key);
    if (const auto localId = m_session->openLocalId(discoveryKey)) {
        const QByteArray prefix(reinterpret_cast<const char *>(discoveryKey.data()), 8);
        showStatus(tr("Channel already open as local id %1 (discovery key %2…): nothing sent.")
                       .arg(*localId)
                       .arg(QString::fromLatin1(prefix.toHex())),
                   StatusTone::Neutral);
        return false;
    }
    const QString result = m_session->openChannel(*key);
    if (!result.isEmpty()) {
        showStatus(result, true);
        return false;
    }
    if (m_session->isRelayed()) {
        showStatus(tr("Feed key added to the relay for discovery key %1…: a channel held for it "
                      "opens on both legs")
                       .arg(QString::fromStdString(toHex(crypto::discoveryKey(*key))).left(16)),
                   false);
        return true;
    }
    showStatus(tr("Open sent for discovery key %1…")
                   .arg(QString::fromStdString(toHex(crypto::discoveryKey(*key))).left(16)),
               false);
    return true;
}

bool ChannelsPane::closeSelected()
{
    if (!m_session || !m_table->selectionModel() || !m_table->selectionModel()->hasSelection())
        return false;
    const QModelIndex index = m_table->selectionModel()->selectedRows().value(0);
    const QByteArray dk = index.data(ChannelTableModel::DiscoveryKeyRole).toByteArray();
    Key32 key;
    std::copy(dk.begin(), dk.end(), key.begin());
    const QString result = m_session->closeChannel(key);
    if (!result.isEmpty()) {
        showStatus(result, true);
        return false;
    }
    showStatus(tr("Close sent for channel %1…").arg(shortKeyHex(key)), false);
    return true;
}

void ChannelsPane::copySelected(int role)
{
    const QModelIndex index = m_table->selectionModel()
                                  ? m_table->selectionModel()->selectedRows().value(0)
                                  : QModelIndex();
    const QByteArray bytes = index.data(role).toByteArray();
    if (bytes.isEmpty()) {
        showStatus(tr("The feed key of this channel is not known here: only the side that opened "
                      "it with the key knows it."),
                   true);
        return;
    }
    QApplication::clipboard()->setText(QString::fromLatin1(bytes.toHex()));
    emit statusMessage(tr("Copied %1").arg(QString::fromLatin1(bytes.toHex())));
}

void ChannelsPane::showStatus(const QString &text, bool error)
{
    showStatus(text, error ? StatusTone::Error : StatusTone::Success);
}

void ChannelsPane::showStatus(const QString &text, StatusTone tone)
{
    m_status->setText(text);
    QPalette pal = m_status->palette();
    switch (tone) {
    case StatusTone::Error:
        pal.setColor(QPalette::WindowText, QColor(198, 40, 40));
        break;
    case StatusTone::Success:
        pal.setColor(QPalette::WindowText, QColor(46, 125, 50));
        break;
    case StatusTone::Neutral:
        pal.setColor(QPalette::WindowText, palette().color(QPalette::WindowText));
        break;
    }
    m_status->setPalette(pal);
    if (tone != StatusTone::Error)
        emit statusMessage(text);
}

QString ChannelsPane::statusText() const
{
    return m_status->text();
}

InspectedSession *ChannelsPane::session() const
{
    return m_session;
}

} // namespace hyperscope
