// ExtensionsPane: the extensions of the current session (stream and per channel) with the
// controls to register an extension name and to send an extension message (text or hex).
#pragma once

#include <QPointer>
#include <QWidget>

#include <optional>

#include "bytes.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace hyperscope {

class InspectedSession;

class ExtensionsPane : public QWidget
{
    Q_OBJECT
public:
    explicit ExtensionsPane(QWidget *parent = nullptr);

    void setSession(InspectedSession *session);

    QComboBox *scopeCombo() const { return m_scope; }
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *payloadEdit() const { return m_payload; }
    QComboBox *formatCombo() const { return m_format; }
    QPushButton *registerButton() const { return m_register; }
    QPushButton *sendButton() const { return m_send; }
    QTableView *table() const { return m_table; }
    QString statusText() const;

    bool registerFromForm();
    bool sendFromForm();

private:
    std::optional<std::optional<Key32>> currentScope() const;
    void refreshScopes();
    void showStatus(const QString &text, bool error);

    QPointer<InspectedSession> m_session;
    QTableView *m_table;
    QComboBox *m_scope;
    QLineEdit *m_name;
    QPushButton *m_register;
    QLineEdit *m_payload;
    QComboBox *m_format;
    QPushButton *m_send;
    QLabel *m_status;
    QLabel *m_title;
};

} // namespace hyperscope
