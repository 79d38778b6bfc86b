// CopyableHex: one named binary value (a key, a nonce, a hash) on one line: its name, its hex,
// and a Copy button.
//
// Values are long (a 64-byte hash is 128 hex digits), so the line shows the start and the end of
// the value by default and the whole value in its tooltip; setFull(true) shows all of it, in
// groups of 16 digits that wrap. Copy always puts the whole value on the clipboard, as plain
// lowercase hex without spaces. A value that must not be shown (a secret not yet revealed) is
// "withheld": its line says why, and it has no Copy button.
#pragma once

#include "bytes.h"

#include <QString>
#include <QWidget>

class QHBoxLayout;
class QLabel;
class QToolButton;

namespace hyperscope {

class CopyableHex : public QWidget
{
    Q_OBJECT
public:
    /// A value shown in full on demand: @p name ("h", "ck", "e"), @p bytes copied.
    CopyableHex(const QString &name, ByteView bytes, QWidget *parent = nullptr);
    /// A withheld value: @p name and the @p reason shown in its place ("hidden: …").
    CopyableHex(const QString &name, const QString &reason, QWidget *parent = nullptr);

    /// Shows the whole value (grouped, wrapping) instead of its start and end.
    void setFull(bool full);
    bool isFull() const { return m_full; }

    QString name() const { return m_nameText; }
    /// The whole value as lowercase hex; empty when withheld.
    QString hex() const { return m_hex; }
    bool isWithheld() const { return m_hex.isEmpty(); }
    /// The text on the value's line as shown now, for tests.
    QString shownText() const;
    /// Null when withheld.
    QToolButton *copyButton() const { return m_copy; }

    /// @p hex shortened to its first 16 and last 8 digits ("0123456789abcdef…89abcdef"); unchanged
    /// when that would not be shorter.
    static QString shortForm(const QString &hex);
    /// @p hex in groups of 16 digits separated by spaces, so that a label can wrap it.
    static QString groupedForm(const QString &hex);

private:
    void build(const QString &name);
    void refresh();

    QString m_nameText;
    QString m_hex;
    QString m_reason;
    bool m_full = false;
    QHBoxLayout *m_layout = nullptr;
    QLabel *m_name = nullptr;
    QLabel *m_value = nullptr;
    QToolButton *m_copy = nullptr;
};

} // namespace hyperscope
