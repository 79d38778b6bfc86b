#include "extensionspane.h"

#include "channeltablemodel.h"
#include "extensionmodel.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableView>
#include <QVBoxLayout>

namespace hyperscope {

ExtensionsPane::ExtensionsPane(QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableView)
    , m_scope(new QComboBox)
    , m_name(new QLineEdit)
    , m_register(new QPushButton(tr("Register")))
    , m_payload(new QLineEdit)
    , m_format(new QComboBox)
    , m_send(new QPushButton(tr("Send Extension Message")))
    , m_status(new QLabel)
    , m_title(new QLabel)
{
    m_table->setObjectName(QStringLiteral("extensionTable"));
    m_scope->setObjectName(QStringLiteral("extensionScope"));
    m_name->setObjectName(QStringLiteral("extensionName"));
    m_payload->setObjectName(QStringLiteral("extensionPayload"));
    m_format->setObjectName(QStringLiteral("extensionFormat"));
    m_register->setObjectName(QStringLiteral("registerExtensionButton"));
    m_send->setObjectName(QStringLiteral("sendExtensionButton"));
    m_status->setObjectName(QStringLiteral("extensionStatus"));

    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);

    m_name->setPlaceholderText(tr("extension name, e.g. hyperscope/chat"));
    m_payload->setPlaceholderText(tr("message payload"));
    m_format->addItem(tr("Text"));
    m_format->addItem(tr("Hex"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    auto *explanation = new QLabel(
        tr("Extensions are named side protocols. Each side announces its sorted names with "
           "Options; a message carries the index of its name in the sender's list, so the same "
           "name usually has different ids on the two sides. Names only one side knows are "
           "dropped by the other."));
    explanation->setWordWrap(true);
    explanation->setForegroundRole(QPalette::PlaceholderText);

    auto *form = new QGridLayout;
    form->addWidget(new QLabel(tr("Scope")), 0, 0);
    form->addWidget(m_scope, 0, 1);
    form->addWidget(new QLabel(tr("Name")), 0, 2);
    form->addWidget(m_name, 0, 3);
    form->addWidget(m_register, 0, 4);
    form->addWidget(new QLabel(tr("Payload")), 1, 0);
    form->addWidget(m_payload, 1, 1, 1, 3);
    auto *sendRow = new QHBoxLayout;
    sendRow->addWidget(m_format);
    sendRow->addWidget(m_send);
    form->addLayout(sendRow, 1, 4);
    form->setColumnStretch(3, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(explanation);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(m_table, 1);

    connect(m_register, &QPushButton::clicked, this, &ExtensionsPane::registerFromForm);
    connect(m_send, &QPushButton::clicked, this, &ExtensionsPane::sendFromForm);
    connect(m_payload, &QLineEdit::returnPressed, this, &ExtensionsPane::sendFromForm);
    connect(m_table, &QTableView::clicked, this, [this](const QModelIndex &index) {
        m_name->setText(index.data(ExtensionModel::NameRole).toString());
        const QByteArray scope = index.data(ExtensionModel::ScopeKeyRole).toByteArray();
        const int i = m_scope->findData(scope);
        if (i >= 0)
            m_scope->setCurrentIndex(i);
    });
    setSession(nullptr);
}

void ExtensionsPane::setSession(InspectedSession *session)
{
    if (m_session)
        disconnect(m_session->channels(), nullptr, this, nullptr);
    m_session = session;
    m_table->setModel(session ? session->extensions() : nullptr);
    if (session) {
        connect(session->channels(), &QAbstractItemModel::rowsInserted, this,
                &ExtensionsPane::refreshScopes);
        connect(session->channels(), &QAbstractItemModel::dataChanged, this,
                &ExtensionsPane::refreshScopes);
        // Few rows: columns fit their contents; the name takes what is left.
        QHeaderView *header = m_table->horizontalHeader();
        header->setSectionResizeMode(QHeaderView::ResizeToContents);
        header->setSectionResizeMode(ExtensionModel::NameColumn, QHeaderView::Stretch);
        header->setStretchLastSection(false);
        m_title->setText(tr("Extensions of session %1").arg(session->legLabel()));
    } else {
        m_title->setText(tr("Extensions (no session selected)"));
    }
    m_register->setEnabled(session != nullptr);
    m_send->setEnabled(session != nullptr);
    m_status->clear();
    refreshScopes();
}

void ExtensionsPane::refreshScopes()
{
    QList<QPair<QString, QByteArray>> items{{tr("Stream (channel 0)"), QByteArray()}};
    if (m_session) {
        const ChannelTableModel *channels = m_session->channels();
        for (int row = 0; row < channels->rowCount(); ++row) {
            const ChannelTableModel::Row &r = channels->row(row);
            if (!r.localOpen)
                continue;
            items.append({tr("Channel %1 · %2…")
                              .arg(r.localId ? QString::number(*r.localId) : QStringLiteral("?"))
                              .arg(shortKeyHex(r.discoveryKey)),
                          QByteArray(reinterpret_cast<const char *>(r.discoveryKey.data()), 32)});
        }
    }
    bool same = items.size() == m_scope->count();
    for (int i = 0; same && i < items.size(); ++i)
        same = m_scope->itemText(i) == items[i].first;
    if (same)
        return;
    const QVariant current = m_scope->currentData();
    const QSignalBlocker blocker(m_scope);
    m_scope->clear();
    for (const auto &item : items)
        m_scope->addItem(item.first, item.second);
    const int index = m_scope->findData(current);
    m_scope->setCurrentIndex(index >= 0 ? index : 0);
}

std::optional<std::optional<Key32>> ExtensionsPane::currentScope() const
{
    const QByteArray dk = m_scope->currentData().toByteArray();
    if (dk.isEmpty())
        return std::optional<Key32>();
    if (dk.size() != 32)
        return std::nullopt;
    Key32 key;
    std::copy(dk.begin(), dk.end(), key.begin());
    return std::optional<Key32>(key);
}

bool ExtensionsPane::registerFromForm()
{
    if (!m_session) {
        showStatus(tr("No session selected."), true);
        return false;
    }
    const QString name = m_name->text().trimmed();
    if (name.isEmpty()) {
        showStatus(tr("Enter the extension's name."), true);
        m_name->setFocus();
        return false;
    }
    const auto scope = currentScope();
    if (!scope) {
        showStatus(tr("Choose a scope."), true);
        return false;
    }
    const QString result = m_session->registerExtension(*scope, name);
    if (!result.isEmpty()) {
        showStatus(result, true);
        return false;
    }
    showStatus(tr("Registered \"%1\" on %2. It is announced with the next message sent through "
                  "it.")
                   .arg(name, m_scope->currentText()),
               false);
    return true;
}

bool ExtensionsPane::sendFromForm()
{
    if (!m_session) {
        showStatus(tr("No session selected."), true);
        return false;
    }
    const QString name = m_name->text().trimmed();
    if (name.isEmpty()) {
        showStatus(tr("Enter the name of a registered extension."), true);
        m_name->setFocus();
        return false;
    }
    QByteArray payload;
    if (m_format->currentIndex() == 1) {
        QString hex = m_payload->text();
        hex.remove(QLatin1Char(' '));
        static const QRegularExpression valid(QStringLiteral("^([0-9a-fA-F]{2})*$"));
        if (!valid.match(hex).hasMatch()) {
            showStatus(tr("The payload is not hex: use pairs of 0-9 a-f, or switch to Text."),
                       true);
            m_payload->setFocus();
            return false;
        }
        payload = QByteArray::fromHex(hex.toLatin1());
    } else {
        payload = m_payload->text().toUtf8();
    }
    const auto scope = currentScope();
    if (!scope) {
        showStatus(tr("Choose a scope."), true);
        return false;
    }
    const QString result = m_session->sendExtension(*scope, name, payload);
    if (!result.isEmpty()) {
        showStatus(result, true);
        return false;
    }
    showStatus(payload.size() == 1
                   ? tr("Sent 1 byte through \"%1\".").arg(name)
                   : tr("Sent %1 bytes through \"%2\".").arg(payload.size()).arg(name),
               false);
    return true;
}

void ExtensionsPane::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    QPalette pal = m_status->palette();
    pal.setColor(QPalette::WindowText, error ? QColor(198, 40, 40) : QColor(46, 125, 50));
    m_status->setPalette(pal);
}

QString ExtensionsPane::statusText() const
{
    return m_status->text();
}

} // namespace hyperscope
