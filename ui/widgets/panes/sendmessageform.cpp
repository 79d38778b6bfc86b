#include "sendmessageform.h"

#include "channeltablemodel.h"
#include "crypto.h"
#include "inspectedsession.h"
#include "messagelogmodel.h"
#include "sessionoptions.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

namespace hyperscope {

namespace {

using google::protobuf::FieldDescriptor;

constexpr const char *KeyField = "key";

QString fieldName(const FieldDescriptor *fd)
{
    return QString::fromStdString(fd->name());
}

std::optional<std::uint64_t> parseUInt64(const QString &text, QString *error, const QString &what)
{
    QString t = text.trimmed();
    bool ok = false;
    std::uint64_t value = 0;
    if (t.startsWith(QLatin1String("0x"), Qt::CaseInsensitive))
        value = t.mid(2).toULongLong(&ok, 16);
    else
        value = t.toULongLong(&ok, 10);
    if (!ok || t.startsWith(QLatin1Char('-')) || t.startsWith(QLatin1Char('+'))) {
        *error = SendMessageForm::tr("%1: '%2' is not a whole number from 0 to "
                                     "18446744073709551615.")
                     .arg(what, t);
        return std::nullopt;
    }
    return value;
}

std::optional<QByteArray> parseHex(const QString &text, QString *error, const QString &what)
{
    // The same spellings parseKeyHex() accepts for keys: white space and colons between the
    // digits ("21 5b", "21:5b", pasted over several lines) and a leading "0x".
    QString t = text.trimmed();
    if (t.startsWith(QLatin1String("0x"), Qt::CaseInsensitive))
        t = t.mid(2);
    t.remove(QRegularExpression(QStringLiteral("[\\s:]")));
    for (int i = 0; i < t.size(); ++i) {
        if (!isxdigit(t.at(i).toLatin1())) {
            *error = SendMessageForm::tr("%1: '%2' at position %3 is not a hex digit (or switch "
                                         "the field to Text).")
                         .arg(what)
                         .arg(t.at(i))
                         .arg(i + 1);
            return std::nullopt;
        }
    }
    if (t.size() % 2) {
        *error =
            SendMessageForm::tr("%1: hex needs an even number of digits (two per byte); got %2.")
                .arg(what)
                .arg(t.size());
        return std::nullopt;
    }
    return QByteArray::fromHex(t.toLatin1());
}

std::string toStdString(const QByteArray &bytes)
{
    return std::string(bytes.constData(), std::size_t(bytes.size()));
}

QString typeName(MessageType type)
{
    const std::string_view name = messageTypeName(std::uint8_t(type));
    return QString::fromLatin1(name.data(), qsizetype(name.size()));
}

void markInvalid(QWidget *editor, bool invalid)
{
    if (!editor)
        return;
    editor->setStyleSheet(invalid ? QStringLiteral("border: 1px solid #c62828;") : QString());
}

} // namespace

SendMessageForm::SendMessageForm(QWidget *parent)
    : QWidget(parent)
    , m_type(new QComboBox)
    , m_channel(new QComboBox)
    , m_channelLabel(new QLabel(tr("Channel")))
    , m_fieldsBox(new QWidget)
    , m_fields(new QFormLayout(m_fieldsBox))
    , m_raw(new QCheckBox(tr("Raw frame on channel id")))
    , m_rawChannel(new QSpinBox)
    , m_send(new QPushButton(tr("Send")))
    , m_status(new QLabel)
    , m_sessionLabel(new QLabel)
    , m_help(new QLabel)
{
    m_type->setObjectName(QStringLiteral("sendType"));
    m_channel->setObjectName(QStringLiteral("sendChannel"));
    // Shown whenever the list is empty, from the start (Qt draws it only then).
    m_channel->setPlaceholderText(tr("no open channel"));
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_status->setObjectName(QStringLiteral("sendStatus"));
    m_raw->setObjectName(QStringLiteral("sendRaw"));
    m_rawChannel->setObjectName(QStringLiteral("sendRawChannel"));

    for (std::uint8_t type = 0; type <= 10; ++type)
        m_type->addItem(typeName(MessageType(type)), int(type));
    m_type->setCurrentIndex(int(MessageType::Want));
    m_channel->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_channel->setMinimumContentsLength(18);
    m_rawChannel->setRange(0, 1 << 30);
    m_rawChannel->setEnabled(false);
    m_raw->setToolTip(tr("Send the fields exactly as given, as type %1 on any channel id, "
                         "without the engine's checks: for testing how a peer reacts")
                          .arg(QStringLiteral("0–10")));
    m_send->setDefault(true);
    m_send->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_send->setToolTip(tr("Send the message (Ctrl+Return)"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_help->setWordWrap(true);
    m_help->setForegroundRole(QPalette::PlaceholderText);
    m_sessionLabel->setForegroundRole(QPalette::PlaceholderText);
    m_sessionLabel->setWordWrap(true); // a relayed session's label names the leg too
    m_fields->setContentsMargins(0, 0, 0, 0);
    m_fields->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    auto *top = new QFormLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addRow(tr("Type"), m_type);
    top->addRow(m_channelLabel, m_channel);

    auto *rawRow = new QHBoxLayout;
    rawRow->addWidget(m_raw);
    rawRow->addWidget(m_rawChannel);
    rawRow->addStretch();

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_send);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_sessionLabel);
    layout->addLayout(top);
    layout->addWidget(m_help);
    layout->addWidget(m_fieldsBox);
    layout->addLayout(rawRow);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addStretch();

    connect(m_type, &QComboBox::currentIndexChanged, this, &SendMessageForm::rebuildFields);
    connect(m_raw, &QCheckBox::toggled, this, [this](bool raw) {
        m_rawChannel->setEnabled(raw);
        rebuildFields();
    });
    connect(m_send, &QPushButton::clicked, this, &SendMessageForm::send);
    rebuildFields();
    setSession(nullptr);
}

void SendMessageForm::setSession(InspectedSession *session)
{
    if (m_session) {
        disconnect(m_session->channels(), nullptr, this, nullptr);
        disconnect(m_session, nullptr, this, nullptr);
    }
    m_session = session;
    if (session) {
        ChannelTableModel *channels = session->channels();
        connect(channels, &QAbstractItemModel::rowsInserted, this,
                &SendMessageForm::refreshChannels);
        connect(channels, &QAbstractItemModel::dataChanged, this,
                &SendMessageForm::refreshChannels);
        connect(channels, &QAbstractItemModel::modelReset, this, &SendMessageForm::refreshChannels);
        m_sessionLabel->setText(tr("On session %1").arg(session->legLabel()));
        connect(session, &InspectedSession::ended, this, [this] {
            m_send->setEnabled(false);
            m_sessionLabel->setText(tr("Session %1 has ended").arg(m_session->legLabel()));
        });
    } else {
        m_sessionLabel->setText(tr("No session selected"));
    }
    m_send->setEnabled(session && session->state() != InspectedSession::State::Ended);
    m_status->clear();
    refreshChannels();
}

void SendMessageForm::refreshChannels()
{
    // Only channels we have open can carry messages (the engine sends on our local id).
    QList<QPair<QString, QByteArray>> items;
    if (m_session) {
        const ChannelTableModel *channels = m_session->channels();
        for (int row = 0; row < channels->rowCount(); ++row) {
            const ChannelTableModel::Row &r = channels->row(row);
            if (!r.localOpen)
                continue;
            items.append({tr("%1 · %2… (%3)")
                              .arg(r.localId ? QString::number(*r.localId) : QStringLiteral("?"))
                              .arg(shortKeyHex(r.discoveryKey))
                              .arg(ChannelTableModel::stateText(r.state)),
                          QByteArray(reinterpret_cast<const char *>(r.discoveryKey.data()), 32)});
        }
    }
    bool same = items.size() == m_channel->count();
    for (int i = 0; same && i < items.size(); ++i)
        same =
            m_channel->itemText(i) == items[i].first && m_channel->itemData(i) == items[i].second;
    if (same)
        return;
    const QVariant current = m_channel->currentData();
    const QSignalBlocker blocker(m_channel);
    m_channel->clear();
    for (const auto &item : items)
        m_channel->addItem(item.first, item.second);
    const int index = m_channel->findData(current);
    m_channel->setCurrentIndex(index >= 0 ? index : 0);
}

void SendMessageForm::setMessageType(MessageType type)
{
    const int index = m_type->findData(int(type));
    if (index >= 0)
        m_type->setCurrentIndex(index);
}

MessageType SendMessageForm::messageType() const
{
    return MessageType(m_type->currentData().toInt());
}

bool SendMessageForm::setChannel(const Key32 &discoveryKey)
{
    refreshChannels();
    const int index =
        m_channel->findData(QByteArray(reinterpret_cast<const char *>(discoveryKey.data()), 32));
    if (index < 0)
        return false;
    m_channel->setCurrentIndex(index);
    return true;
}

std::optional<Key32> SendMessageForm::channel() const
{
    const QByteArray dk = m_channel->currentData().toByteArray();
    if (dk.size() != 32)
        return std::nullopt;
    Key32 key;
    std::copy(dk.begin(), dk.end(), key.begin());
    return key;
}

void SendMessageForm::setRawFrame(bool raw)
{
    m_raw->setChecked(raw);
}

QWidget *SendMessageForm::fieldEditor(const QString &name) const
{
    return m_fieldsBox->findChild<QWidget *>(QStringLiteral("field_") + name);
}

bool SendMessageForm::setFieldText(const QString &name, const QString &text)
{
    QWidget *editor = fieldEditor(name);
    if (auto *line = qobject_cast<QLineEdit *>(editor)) {
        line->setText(text);
        return true;
    }
    if (auto *plain = qobject_cast<QPlainTextEdit *>(editor)) {
        plain->setPlainText(text);
        return true;
    }
    if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        const int index = text.isEmpty() ? 0 : combo->findText(text);
        if (index < 0)
            return false;
        combo->setCurrentIndex(index);
        return true;
    }
    return false;
}

void SendMessageForm::rebuildFields()
{
    while (m_fields->rowCount() > 0)
        m_fields->removeRow(0);
    const MessageType type = messageType();
    const bool openChannel = type == MessageType::Open && !m_raw->isChecked() && !m_editorOnly;
    m_channel->setVisible(!openChannel && !m_raw->isChecked() && !m_editorOnly);
    m_channelLabel->setVisible(!openChannel && !m_raw->isChecked() && !m_editorOnly);
    m_send->setText(openChannel ? tr("Open Channel") : tr("Send"));

    if (openChannel) {
        m_help->setText(tr("Open proves we know the feed key without sending it: the engine sends "
                           "the discovery key and a capability bound to this connection."));
        auto *row = new QWidget;
        auto *layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        auto *key = new QLineEdit;
        key->setObjectName(QStringLiteral("field_") + QLatin1String(KeyField));
        key->setPlaceholderText(tr("64 hex digits (spaces, colons and 0x are fine)"));
        // Enter in the key opens, as a person who pasted a key expects (the form is no dialog:
        // the default button does not take Enter).
        connect(key, &QLineEdit::returnPressed, this, &SendMessageForm::send);
        auto *random = new QPushButton(tr("Random"));
        random->setToolTip(tr("Fill in a fresh random key"));
        connect(random, &QPushButton::clicked, key, [key] {
            const Key32 k = randomKey();
            key->setText(QString::fromStdString(toHex(k)));
        });
        layout->addWidget(key, 1);
        layout->addWidget(random);
        m_fields->addRow(tr("Feed key"), row);
        return;
    }

    static const char *const help[] = {
        "",
        QT_TR_NOOP("Extension names this side knows (sorted). Sent automatically when extensions "
                   "are used."),
        QT_TR_NOOP("Whether this side uploads and/or downloads."),
        QT_TR_NOOP("Announce blocks we have: start, length (default 1), optional bitfield."),
        QT_TR_NOOP("Withdraw blocks we announced."),
        QT_TR_NOOP("Ask to be told about blocks: no length means from start on, forever."),
        QT_TR_NOOP("Stop wanting blocks."),
        QT_TR_NOOP("Ask for one block (index), optionally with Merkle nodes."),
        QT_TR_NOOP("Cancel an earlier Request."),
        QT_TR_NOOP("A block: its index, value, Merkle nodes (one per line: index hash size) and "
                   "signature."),
        QT_TR_NOOP("Close our side of the channel."),
    };
    m_help->setText(tr(help[int(type)]));

    const std::optional<Message> empty = makeMessage(type);
    const google::protobuf::Descriptor *descriptor = asProtobuf(*empty).GetDescriptor();
    for (int i = 0; i < descriptor->field_count(); ++i) {
        const FieldDescriptor *fd = descriptor->field(i);
        const QString name = fieldName(fd);
        QString hint = fd->is_required() ? tr("required") : tr("optional");
        if (fd->has_default_value() && fd->type() == FieldDescriptor::TYPE_UINT64)
            hint += tr(", default %1").arg(fd->default_value_uint64());
        QWidget *editor = nullptr;
        QWidget *row = nullptr;
        switch (fd->type()) {
        case FieldDescriptor::TYPE_UINT64: {
            auto *line = new QLineEdit;
            line->setPlaceholderText(hint);
            editor = line;
            break;
        }
        case FieldDescriptor::TYPE_BOOL: {
            auto *combo = new QComboBox;
            combo->addItem(tr("not set"));
            combo->addItem(QStringLiteral("false"));
            combo->addItem(QStringLiteral("true"));
            combo->setToolTip(tr("proto2 keeps presence: \"not set\" leaves the field out"));
            editor = combo;
            break;
        }
        case FieldDescriptor::TYPE_BYTES: {
            auto *line = new QLineEdit;
            line->setPlaceholderText(hint + tr(", hex"));
            auto *format = new QComboBox;
            format->setObjectName(QStringLiteral("field_") + name + QStringLiteral("_format"));
            format->addItem(tr("Hex"));
            format->addItem(tr("Text"));
            connect(format, &QComboBox::currentIndexChanged, line, [line, hint](int index) {
                line->setPlaceholderText(hint + (index ? tr(", UTF-8 text") : tr(", hex")));
            });
            row = new QWidget;
            auto *layout = new QHBoxLayout(row);
            layout->setContentsMargins(0, 0, 0, 0);
            layout->addWidget(line, 1);
            layout->addWidget(format);
            editor = line;
            break;
        }
        case FieldDescriptor::TYPE_STRING: {
            auto *line = new QLineEdit;
            line->setPlaceholderText(fd->is_repeated() ? tr("comma-separated names") : hint);
            editor = line;
            break;
        }
        case FieldDescriptor::TYPE_MESSAGE: {
            auto *text = new QPlainTextEdit;
            // The hint fits a narrow dock; the full example (a 64-digit hash) is in the tooltip.
            text->setPlaceholderText(tr("one node per line:\nindex hash size"));
            text->setToolTip(
                tr("One Merkle tree node per line: its flat-tree index, its hash (32 bytes, 64 "
                   "hex digits) and the byte size it covers, e.g.\n4 "
                   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 1024"));
            text->setTabChangesFocus(true);
            text->setFixedHeight(text->fontMetrics().height() * 4 + 10);
            editor = text;
            break;
        }
        default: {
            auto *line = new QLineEdit;
            line->setEnabled(false);
            line->setPlaceholderText(tr("not supported"));
            editor = line;
            break;
        }
        }
        editor->setObjectName(QStringLiteral("field_") + name);
        QString label = name;
        if (fd->is_required())
            label += QStringLiteral(" *");
        m_fields->addRow(label, row ? row : editor);
    }
}

void SendMessageForm::setEditorOnly(bool editorOnly)
{
    m_editorOnly = editorOnly;
    m_sessionLabel->setVisible(!editorOnly);
    m_raw->setVisible(!editorOnly);
    m_rawChannel->setVisible(!editorOnly);
    m_send->setVisible(!editorOnly);
    m_help->setVisible(!editorOnly); // the editor lives in a short dock: fields first
    if (editorOnly)
        m_raw->setChecked(false);
    rebuildFields();
}

void SendMessageForm::setMessage(const Message &message)
{
    m_raw->setChecked(false);
    setMessageType(hyperscope::messageType(message));
    rebuildFields(); // the type may not have changed: start from empty editors all the same
    const google::protobuf::Message &pb = asProtobuf(message);
    const google::protobuf::Descriptor *descriptor = pb.GetDescriptor();
    const google::protobuf::Reflection *reflection = pb.GetReflection();
    for (int i = 0; i < descriptor->field_count(); ++i) {
        const FieldDescriptor *fd = descriptor->field(i);
        const QString name = fieldName(fd);
        if (fd->is_repeated() ? reflection->FieldSize(pb, fd) == 0 : !reflection->HasField(pb, fd))
            continue;
        switch (fd->type()) {
        case FieldDescriptor::TYPE_UINT64:
            setFieldText(name, QString::number(reflection->GetUInt64(pb, fd)));
            break;
        case FieldDescriptor::TYPE_BOOL:
            setFieldText(name, reflection->GetBool(pb, fd) ? QStringLiteral("true")
                                                           : QStringLiteral("false"));
            break;
        case FieldDescriptor::TYPE_BYTES: {
            const std::string bytes = reflection->GetString(pb, fd);
            const QByteArray raw(bytes.data(), qsizetype(bytes.size()));
            // Text only when it reads back byte for byte and has nothing a person cannot see.
            const QString text = QString::fromUtf8(raw);
            bool printable = !raw.isEmpty() && text.toUtf8() == raw;
            for (const QChar c : text)
                printable = printable && (c.isPrint() || c == QLatin1Char(' '));
            if (auto *format = m_fieldsBox->findChild<QComboBox *>(QStringLiteral("field_") + name +
                                                                   QStringLiteral("_format")))
                format->setCurrentIndex(printable ? 1 : 0);
            setFieldText(name, printable ? text : QString::fromLatin1(raw.toHex()));
            break;
        }
        case FieldDescriptor::TYPE_STRING: {
            QStringList names;
            if (fd->is_repeated()) {
                for (int n = 0; n < reflection->FieldSize(pb, fd); ++n)
                    names << QString::fromStdString(reflection->GetRepeatedString(pb, fd, n));
            } else {
                names << QString::fromStdString(reflection->GetString(pb, fd));
            }
            setFieldText(name, names.join(QStringLiteral(", ")));
            break;
        }
        case FieldDescriptor::TYPE_MESSAGE: {
            // Data.nodes, as buildMessage() reads them back.
            QStringList lines;
            for (int n = 0; n < reflection->FieldSize(pb, fd); ++n) {
                const google::protobuf::Message &node = reflection->GetRepeatedMessage(pb, fd, n);
                const google::protobuf::Descriptor *nd = node.GetDescriptor();
                const google::protobuf::Reflection *nr = node.GetReflection();
                const std::string hash = nr->GetString(node, nd->FindFieldByName("hash"));
                lines << QStringLiteral("%1 %2 %3")
                             .arg(nr->GetUInt64(node, nd->FindFieldByName("index")))
                             .arg(QString::fromLatin1(
                                 QByteArray(hash.data(), qsizetype(hash.size())).toHex()))
                             .arg(nr->GetUInt64(node, nd->FindFieldByName("size")));
            }
            setFieldText(name, lines.join(QLatin1Char('\n')));
            break;
        }
        default:
            break;
        }
    }
}

std::optional<Message> SendMessageForm::buildMessage(QString *error, bool allowIncomplete) const
{
    QString ignored;
    if (!error)
        error = &ignored;
    const MessageType type = messageType();
    std::optional<Message> message = makeMessage(type);
    if (!message) {
        *error = tr("%1 is not a protobuf message.").arg(typeName(type));
        return std::nullopt;
    }
    google::protobuf::Message &pb = asProtobuf(*message);
    const google::protobuf::Descriptor *descriptor = pb.GetDescriptor();
    const google::protobuf::Reflection *reflection = pb.GetReflection();

    for (int i = 0; i < descriptor->field_count(); ++i) {
        const FieldDescriptor *fd = descriptor->field(i);
        const QString name = fieldName(fd);
        QWidget *editor = fieldEditor(name);
        markInvalid(editor, false);
        auto fail = [&](const QString &text) -> std::optional<Message> {
            *error = text;
            markInvalid(editor, true);
            if (editor)
                editor->setFocus();
            return std::nullopt;
        };
        auto missing = [&]() -> bool {
            return fd->is_required() && !allowIncomplete;
        };

        switch (fd->type()) {
        case FieldDescriptor::TYPE_UINT64: {
            const QString text = qobject_cast<QLineEdit *>(editor)->text().trimmed();
            if (text.isEmpty()) {
                if (missing())
                    return fail(tr("%1 is required for %2.").arg(name, typeName(type)));
                break;
            }
            const auto value = parseUInt64(text, error, name);
            if (!value)
                return fail(*error);
            reflection->SetUInt64(&pb, fd, *value);
            break;
        }
        case FieldDescriptor::TYPE_BOOL: {
            const int index = qobject_cast<QComboBox *>(editor)->currentIndex();
            if (index > 0)
                reflection->SetBool(&pb, fd, index == 2);
            break;
        }
        case FieldDescriptor::TYPE_BYTES: {
            const QString text = qobject_cast<QLineEdit *>(editor)->text();
            if (text.trimmed().isEmpty()) {
                if (missing())
                    return fail(tr("%1 is required for %2.").arg(name, typeName(type)));
                break;
            }
            const auto *format = m_fieldsBox->findChild<QComboBox *>(
                QStringLiteral("field_") + name + QStringLiteral("_format"));
            QByteArray bytes;
            if (format && format->currentIndex() == 1) {
                bytes = text.toUtf8();
            } else {
                const auto hex = parseHex(text, error, name);
                if (!hex)
                    return fail(*error);
                bytes = *hex;
            }
            reflection->SetString(&pb, fd, toStdString(bytes));
            break;
        }
        case FieldDescriptor::TYPE_STRING: {
            const QString text = qobject_cast<QLineEdit *>(editor)->text();
            const QStringList names = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
            for (const QString &n : names) {
                const QString trimmed = n.trimmed();
                if (trimmed.isEmpty())
                    continue;
                if (fd->is_repeated())
                    reflection->AddString(&pb, fd, trimmed.toStdString());
                else
                    reflection->SetString(&pb, fd, trimmed.toStdString());
            }
            break;
        }
        case FieldDescriptor::TYPE_MESSAGE: {
            // Data.nodes: "index hash size" per line.
            const QString text = qobject_cast<QPlainTextEdit *>(editor)->toPlainText();
            const QStringList lines = text.split(QLatin1Char('\n'));
            for (int n = 0; n < lines.size(); ++n) {
                const QStringList parts = lines[n].split(
                    QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
                if (parts.isEmpty())
                    continue;
                const QString where = tr("%1, line %2").arg(name).arg(n + 1);
                if (parts.size() != 3)
                    return fail(tr("%1: expected 'index hash size' (3 values), got %2.")
                                    .arg(where)
                                    .arg(parts.size()));
                const auto index = parseUInt64(parts[0], error, where + tr(" (index)"));
                if (!index)
                    return fail(*error);
                const auto hash = parseHex(parts[1], error, where + tr(" (hash)"));
                if (!hash)
                    return fail(*error);
                const auto size = parseUInt64(parts[2], error, where + tr(" (size)"));
                if (!size)
                    return fail(*error);
                google::protobuf::Message *node = reflection->AddMessage(&pb, fd);
                const google::protobuf::Descriptor *nd = node->GetDescriptor();
                const google::protobuf::Reflection *nr = node->GetReflection();
                nr->SetUInt64(node, nd->FindFieldByName("index"), *index);
                nr->SetString(node, nd->FindFieldByName("hash"), toStdString(*hash));
                nr->SetUInt64(node, nd->FindFieldByName("size"), *size);
            }
            break;
        }
        default:
            break;
        }
    }
    if (!allowIncomplete && !pb.IsInitialized()) {
        *error = tr("%1 is missing required fields: %2")
                     .arg(typeName(type), QString::fromStdString(pb.InitializationErrorString()));
        return std::nullopt;
    }
    error->clear();
    return message;
}

bool SendMessageForm::openFromForm()
{
    auto *line = qobject_cast<QLineEdit *>(fieldEditor(QLatin1String(KeyField)));
    QString error;
    const std::optional<Key32> key = parseKeyHex(line ? line->text() : QString(), &error);
    markInvalid(line, !key);
    if (!key) {
        showStatus(error, Tone::Error);
        return false;
    }
    const Key32 discoveryKey = crypto::discoveryKey(*key);
    // The engine answers an Open for a channel we have open with success and sends nothing:
    // say so rather than claim an Open went out.
    if (const auto localId = m_session->openLocalId(discoveryKey)) {
        showStatus(tr("Channel already open as local id %1 (discovery key %2…): nothing sent.")
                       .arg(*localId)
                       .arg(shortKeyHex(discoveryKey)),
                   Tone::Neutral);
        return false;
    }
    const QString result = m_session->openChannel(*key);
    if (!result.isEmpty()) {
        showStatus(result, Tone::Error);
        return false;
    }
    showStatus(tr("Opened the channel (Open sent)."), Tone::Success);
    emit sent(tr("Open for discovery key %1…").arg(shortKeyHex(discoveryKey)));
    return true;
}

bool SendMessageForm::send()
{
    if (!m_session) {
        showStatus(tr("No session selected."), true);
        return false;
    }
    const MessageType type = messageType();
    const bool raw = m_raw->isChecked();
    if (type == MessageType::Open && !raw)
        return openFromForm();
    QString error;
    const std::optional<Message> message = buildMessage(&error, raw);
    if (!message) {
        showStatus(error, true);
        return false;
    }
    const QString summary = QString::fromStdString(summarize(*message));
    if (raw) {
        Bytes payload;
        appendMessage(payload, *message);
        const QByteArray bytes(reinterpret_cast<const char *>(payload.data()),
                               qsizetype(payload.size()));
        const QString result =
            m_session->sendFrame(std::uint64_t(m_rawChannel->value()), std::uint8_t(type), bytes);
        if (!result.isEmpty()) {
            showStatus(result, true);
            return false;
        }
        const QString text =
            tr("Sent raw %1 on channel id %2").arg(summary).arg(m_rawChannel->value());
        showStatus(text, false);
        emit sent(text);
        return true;
    }
    const std::optional<Key32> dk = channel();
    if (!dk) {
        showStatus(tr("Choose a channel: open one first (Channels tab, or Open here)."), true);
        m_channel->setFocus();
        return false;
    }
    const QString result = m_session->send(*dk, *message);
    if (!result.isEmpty()) {
        showStatus(result, true);
        return false;
    }
    const QString text = tr("Sent %1 on %2").arg(summary, m_channel->currentText());
    showStatus(text, false);
    emit sent(text);
    return true;
}

void SendMessageForm::showStatus(const QString &text, bool error)
{
    showStatus(text, error ? Tone::Error : Tone::Success);
}

void SendMessageForm::showStatus(const QString &text, Tone tone)
{
    m_status->setText(text);
    QPalette pal = m_status->palette();
    switch (tone) {
    case Tone::Success:
        pal.setColor(QPalette::WindowText, QColor(46, 125, 50));
        break;
    case Tone::Error:
        pal.setColor(QPalette::WindowText, QColor(198, 40, 40));
        break;
    case Tone::Neutral:
        pal.setColor(QPalette::WindowText, palette().color(QPalette::WindowText));
        break;
    }
    m_status->setPalette(pal);
    m_status->setProperty("error", tone == Tone::Error);
    m_status->setProperty("tone", tone == Tone::Success ? QStringLiteral("success")
                                  : tone == Tone::Error ? QStringLiteral("error")
                                                        : QStringLiteral("neutral"));
}

QString SendMessageForm::statusText() const
{
    return m_status->text();
}

InspectedSession *SendMessageForm::session() const
{
    return m_session;
}

} // namespace hyperscope
