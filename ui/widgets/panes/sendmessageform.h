// SendMessageForm: send any of the eleven message types on a channel of the current session.
//
// The fields are generated from the protobuf schema (reflection), so the form always matches
// schema.proto: uint64 fields take decimal (or 0x-hex) numbers, bools have an explicit "not set"
// (proto2 keeps presence, and the reference writes set defaults), bytes take hex or text, the
// repeated strings of Options a comma-separated list and Data.nodes one node per line.
// Everything is validated before sending, with a sentence naming the field that is wrong.
//
// Open is special: the engine computes its capability, so the form asks for the feed key and
// opens the channel. "Raw frame" bypasses the engine's tables and sends the fields as given on
// a channel id of your choice (missing required fields included): a tool for testing peers.
#pragma once

#include "messages.h"

#include <QPointer>
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace hyperscope {

class InspectedSession;

class SendMessageForm : public QWidget
{
    Q_OBJECT
public:
    explicit SendMessageForm(QWidget *parent = nullptr);

    void setSession(InspectedSession *session);
    InspectedSession *session() const;

    /// Selects the message type (0..10).
    void setMessageType(MessageType type);
    MessageType messageType() const;
    /// Selects the channel by discovery key; false if it is not in the list.
    bool setChannel(const Key32 &discoveryKey);
    std::optional<Key32> channel() const;
    void setRawFrame(bool raw);

    /// The editor of field @p name ("start", "nodes", ...); its object name is "field_<name>".
    QWidget *fieldEditor(const QString &name) const;
    /// Sets an editor's text (line edits, text edits, and the bool combos: "", "false", "true").
    bool setFieldText(const QString &name, const QString &text);

    /// Builds the message the form describes; nullopt (and @p error) when a field is invalid.
    /// With @p allowIncomplete, missing required fields are not an error (raw frames).
    std::optional<Message> buildMessage(QString *error, bool allowIncomplete = false) const;
    /// Validates and sends. Returns true when something was sent; the status line says what
    /// happened: green for sent, red for an error, neutral when there was nothing to send (an
    /// Open for a channel we already have open: "Channel already open as local id 0 …").
    bool send();

    // --- Prefilling (intercept and replay, issue 12) ---------------------------------------------

    /// Fills the form with @p message: selects its type and writes every field it has set
    /// (numbers in decimal, bytes as text when they read as printable UTF-8 and as hex otherwise,
    /// Data.nodes one "index hash size" per line). buildMessage() then gives the same message
    /// back until someone edits a field. Raw frame mode is turned off.
    void setMessage(const Message &message);
    /// Hides the session line, channel, raw frame and Send button: the form is a message editor
    /// only (the intercept pane edits a held message with it; Open too, field by field).
    void setEditorOnly(bool editorOnly);
    bool isEditorOnly() const { return m_editorOnly; }

    QPushButton *sendButton() const { return m_send; }
    QComboBox *typeCombo() const { return m_type; }
    QComboBox *channelCombo() const { return m_channel; }
    QLabel *statusLabel() const { return m_status; }
    QString statusText() const;

signals:
    /// A message went out; @p summary is what was sent ("Want start=5 length=3 on channel 1").
    void sent(const QString &summary);

private:
    void rebuildFields();
    void refreshChannels();
    /// How the status line reads: what was sent, nothing to do, or what went wrong.
    enum class Tone { Success, Neutral, Error };
    void showStatus(const QString &text, bool error);
    void showStatus(const QString &text, Tone tone);
    /// Opens the channel of the form's feed key; false (and the status said why) when nothing
    /// was sent.
    bool openFromForm();

    QPointer<InspectedSession> m_session;
    QComboBox *m_type;
    QComboBox *m_channel;
    QLabel *m_channelLabel;
    QWidget *m_fieldsBox;
    QFormLayout *m_fields;
    QCheckBox *m_raw;
    QSpinBox *m_rawChannel;
    QPushButton *m_send;
    QLabel *m_status;
    QLabel *m_sessionLabel;
    QLabel *m_help;
    bool m_editorOnly = false;
};

} // namespace hyperscope
