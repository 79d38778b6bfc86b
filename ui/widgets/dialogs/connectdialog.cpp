#include "connectdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace hyperscope {

ConnectDialog::ConnectDialog(Mode mode, QWidget *parent)
    : QDialog(parent)
    , m_mode(mode)
    , m_address(new QComboBox)
    , m_noise(new QCheckBox(tr("Noise handshake (XX, proves both static keys)")))
    , m_encrypted(new QCheckBox(tr("Encrypt the transport (XSalsa20)")))
    , m_timeout(new QSpinBox)
    , m_keys(new QPlainTextEdit)
    , m_error(new QLabel)
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setWindowTitle(mode == Mode::Connect  ? tr("Connect to a Peer")
                   : mode == Mode::Listen ? tr("Listen for Peers")
                                          : tr("Relay Between Two Peers"));
    m_address->setObjectName(QStringLiteral("address"));
    m_noise->setObjectName(QStringLiteral("noise"));
    m_encrypted->setObjectName(QStringLiteral("encrypted"));
    m_timeout->setObjectName(QStringLiteral("timeout"));
    m_keys->setObjectName(QStringLiteral("keys"));
    m_error->setObjectName(QStringLiteral("error"));

    m_address->setEditable(true);
    m_address->setInsertPolicy(QComboBox::NoInsert);
    m_address->setMinimumContentsLength(24);
    auto *form = new QFormLayout;
    if (mode == Mode::Connect) {
        m_address->lineEdit()->setPlaceholderText(QStringLiteral("127.0.0.1:4000"));
        form->addRow(tr("Peer (host:port)"), m_address);
    } else {
        m_address->addItems({QStringLiteral("127.0.0.1"), QStringLiteral("0.0.0.0"),
                             QStringLiteral("::1"), QStringLiteral("::")});
        m_portSpin = new QSpinBox;
        m_portSpin->setObjectName(QStringLiteral("port"));
        m_portSpin->setRange(0, 65535);
        m_portSpin->setSpecialValueText(tr("any free port"));
        m_portSpin->setValue(4000);
        form->addRow(tr("Address"), m_address);
        form->addRow(tr("Port"), m_portSpin);
    }
    if (mode == Mode::Relay) {
        m_portSpin->setValue(5000);
        m_upstreamEdit = new QComboBox;
        m_upstreamEdit->setObjectName(QStringLiteral("upstream"));
        m_upstreamEdit->setEditable(true);
        m_upstreamEdit->setInsertPolicy(QComboBox::NoInsert);
        m_upstreamEdit->setMinimumContentsLength(24);
        m_upstreamEdit->lineEdit()->setPlaceholderText(QStringLiteral("127.0.0.1:4000"));
        m_upstreamEdit->setToolTip(tr("The peer every client is relayed to: point your app at "
                                      "the port above instead of at this address"));
        form->addRow(tr("Upstream (host:port)"), m_upstreamEdit);
    }
    m_noise->setChecked(true);
    m_encrypted->setChecked(true);
    connect(m_noise, &QCheckBox::toggled, m_encrypted, &QCheckBox::setEnabled);
    m_timeout->setRange(0, 3600000);
    m_timeout->setSingleStep(1000);
    m_timeout->setSuffix(tr(" ms"));
    m_timeout->setSpecialValueText(tr("none"));
    m_timeout->setValue(int(limits::DefaultTimeout.count()));
    m_timeout->setToolTip(tr("Inactivity timeout: the session ends when nothing arrives for this "
                             "long; keepalives go out after half of it. 0: none."));
    m_keys->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_keys->setPlaceholderText(tr("feed keys to open, one per line (64 hex digits)"));
    m_keys->setTabChangesFocus(true);
    m_keys->setFixedHeight(m_keys->fontMetrics().height() * 4 + 12);
    auto *randomKey = new QPushButton(tr("Add Random Key"));
    connect(randomKey, &QPushButton::clicked, this, [this] {
        m_keys->appendPlainText(QString::fromStdString(toHex(hyperscope::randomKey())));
    });
    auto *keysBox = new QVBoxLayout;
    keysBox->addWidget(m_keys);
    keysBox->addWidget(randomKey, 0, Qt::AlignRight);

    form->addRow(QString(), m_noise);
    form->addRow(QString(), m_encrypted);
    form->addRow(tr("Timeout"), m_timeout);
    if (mode == Mode::Relay) {
        m_keys->setPlaceholderText(tr("feed keys the relay may forward, one per line (64 hex "
                                      "digits); a channel without its key is held"));
        form->addRow(tr("Feed keys"), keysBox);
    } else {
        form->addRow(tr("Open channels"), keysBox);
    }

    m_error->setWordWrap(true);
    QPalette pal = m_error->palette();
    pal.setColor(QPalette::WindowText, QColor(198, 40, 40));
    m_error->setPalette(pal);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    m_buttons->button(QDialogButtonBox::Ok)
        ->setText(mode == Mode::Connect  ? tr("Connect")
                  : mode == Mode::Listen ? tr("Listen")
                                         : tr("Relay"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);
}

void ConnectDialog::setRecent(const QStringList &recent)
{
    if (m_mode != Mode::Connect)
        return;
    m_address->clear();
    m_address->addItems(recent);
    if (!recent.isEmpty())
        m_address->setCurrentIndex(0);
}

void ConnectDialog::setOptions(const ConnectionOptions &options)
{
    m_noise->setChecked(options.noise);
    m_encrypted->setChecked(options.encrypted);
    m_encrypted->setEnabled(options.noise);
    m_timeout->setValue(options.timeoutMs);
    QStringList keys;
    for (const Key32 &key : options.keys)
        keys << QString::fromStdString(toHex(key));
    m_keys->setPlainText(keys.join(QLatin1Char('\n')));
}

void ConnectDialog::setAddress(const QString &hostPort)
{
    m_address->setEditText(hostPort);
}

void ConnectDialog::setUpstream(const QString &hostPort)
{
    if (m_upstreamEdit)
        m_upstreamEdit->setEditText(hostPort);
}

void ConnectDialog::setPort(quint16 port)
{
    if (m_portSpin)
        m_portSpin->setValue(port);
}

bool ConnectDialog::validate(QString *error)
{
    // Everything typed here is parsed by sessionoptions.h, as on the command lines.
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    ConnectionOptions options;
    options.noise = m_noise->isChecked();
    options.encrypted = m_noise->isChecked() && m_encrypted->isChecked();
    options.timeoutMs = m_timeout->value();
    const QStringList lines = m_keys->toPlainText().split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        if (lines[i].trimmed().isEmpty())
            continue;
        QString keyError;
        const std::optional<Key32> key = parseKeyHex(lines[i], &keyError);
        if (!key)
            return fail(tr("%1, line %2: %3")
                            .arg(m_mode == Mode::Relay ? tr("Feed keys") : tr("Open channels"))
                            .arg(i + 1)
                            .arg(keyError));
        options.keys.append(*key);
    }
    QString host;
    quint16 port = 0;
    QString addressError;
    if (m_mode == Mode::Connect) {
        const std::optional<HostPort> peer = parseHostPort(m_address->currentText(), &addressError);
        if (!peer)
            return fail(addressError);
        host = peer->host;
        port = peer->port;
    } else {
        // Canonical text ("localhost" becomes 127.0.0.1): the caller makes a QHostAddress of it.
        const std::optional<QHostAddress> address =
            parseListenHost(m_address->currentText(), &addressError);
        if (!address)
            return fail(addressError);
        host = address->toString();
        port = quint16(m_portSpin->value());
    }
    HostPort upstream;
    if (m_mode == Mode::Relay) {
        const std::optional<HostPort> parsed =
            parseHostPort(m_upstreamEdit->currentText(), &addressError);
        if (!parsed)
            return fail(tr("Upstream: %1").arg(addressError));
        upstream = *parsed;
    }
    m_upstream = upstream;
    m_host = host;
    m_port = port;
    m_options = options;
    return true;
}

QString ConnectDialog::errorText() const
{
    return m_error->text();
}

void ConnectDialog::accept()
{
    QString error;
    if (!validate(&error)) {
        m_error->setText(error);
        return;
    }
    m_error->clear();
    QDialog::accept();
}

} // namespace hyperscope
