// ConnectDialog: where to connect (or listen, or relay) and how: Noise, encryption, timeout, and
// feed keys to open once the session starts (for a relay: the keys it may forward). Validates
// everything before it accepts.
#pragma once

#include "sessionoptions.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;

namespace hyperscope {

class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    /// Relay (File › Relay…): listen address and port, the upstream HOST:PORT every client is
    /// relayed to, and the feed keys the relay may forward (docs/relay.md).
    enum class Mode { Connect, Listen, Relay };

    ConnectDialog(Mode mode, QWidget *parent = nullptr);

    /// Recent "host:port" entries, newest first (Connect mode).
    void setRecent(const QStringList &recent);
    void setOptions(const ConnectionOptions &options);
    void setAddress(const QString &hostPort);
    void setPort(quint16 port);
    /// Relay mode: the upstream "host:port".
    void setUpstream(const QString &hostPort);

    ConnectionOptions options() const { return m_options; }
    QString host() const { return m_host; }
    quint16 port() const { return m_port; }
    /// Relay mode: where every client is relayed to.
    HostPort upstream() const { return m_upstream; }

    /// Validates the fields with sessionoptions.h's parsers; on success fills host(), port() and
    /// options() and returns true, otherwise sets @p error ("what: why") and changes nothing.
    bool validate(QString *error = nullptr);

    /// The error shown under the fields after a refused accept(); empty when there is none.
    QString errorText() const;

    void accept() override;

private:
    Mode m_mode;
    QComboBox *m_address;
    QSpinBox *m_portSpin = nullptr;
    QComboBox *m_upstreamEdit = nullptr;
    QCheckBox *m_noise;
    QCheckBox *m_encrypted;
    QSpinBox *m_timeout;
    QPlainTextEdit *m_keys;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
    ConnectionOptions m_options;
    QString m_host;
    quint16 m_port = 0;
    HostPort m_upstream;
};

} // namespace hyperscope
