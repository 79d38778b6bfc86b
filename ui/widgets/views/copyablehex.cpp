#include "copyablehex.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace hyperscope {

CopyableHex::CopyableHex(const QString &name, ByteView bytes, QWidget *parent)
    : QWidget(parent)
    , m_nameText(name)
    , m_hex(QString::fromStdString(toHex(bytes)))
{
    build(name);
}

CopyableHex::CopyableHex(const QString &name, const QString &reason, QWidget *parent)
    : QWidget(parent)
    , m_nameText(name)
    , m_reason(reason)
{
    build(name);
}

void CopyableHex::build(const QString &name)
{
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_name = new QLabel(name);
    m_name->setFont(fixed);
    // Names line up: most are short ("h", "ck", "responder's e"); longer ones take their room.
    m_name->setMinimumWidth(QFontMetrics(fixed).horizontalAdvance(QStringLiteral("responder's e")) +
                            4);
    m_value = new QLabel;
    m_value->setTextFormat(Qt::PlainText);
    m_value->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_layout = new QHBoxLayout(this);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(8);
    m_layout->addWidget(m_name, 0, Qt::AlignTop);
    m_layout->addWidget(m_value, 0, Qt::AlignTop);

    if (isWithheld()) {
        m_value->setEnabled(false); // drawn dimmed: it is a placeholder, not a value
    } else {
        m_value->setFont(fixed);
        m_value->setToolTip(
            tr("%1 (%2 bytes):\n%3").arg(name).arg(m_hex.size() / 2).arg(groupedForm(m_hex)));
        m_copy = new QToolButton;
        m_copy->setText(tr("Copy"));
        m_copy->setAutoRaise(true);
        m_copy->setToolTip(tr("Copy %1, all %2 bytes, as hex").arg(name).arg(m_hex.size() / 2));
        m_copy->setAccessibleName(tr("Copy %1").arg(name));
        connect(m_copy, &QToolButton::clicked, this,
                [this] { QApplication::clipboard()->setText(m_hex); });
        m_layout->addWidget(m_copy, 0, Qt::AlignTop);
    }
    m_layout->addStretch(1);
    refresh();
}

void CopyableHex::setFull(bool full)
{
    m_full = full;
    refresh();
}

QString CopyableHex::shownText() const
{
    return m_value->text();
}

QString CopyableHex::shortForm(const QString &hex)
{
    if (hex.size() <= 16 + 8 + 4)
        return hex;
    return hex.left(16) + QStringLiteral("…") + hex.right(8);
}

QString CopyableHex::groupedForm(const QString &hex)
{
    QStringList groups;
    for (qsizetype i = 0; i < hex.size(); i += 16)
        groups << hex.mid(i, 16);
    return groups.join(QLatin1Char(' '));
}

void CopyableHex::refresh()
{
    if (isWithheld())
        m_value->setText(m_reason);
    else
        m_value->setText(m_full ? groupedForm(m_hex) : shortForm(m_hex));
    // Short, the Copy button sits right after the value; in full, the value takes the width it
    // can and wraps, the button at the end of its first line.
    m_value->setWordWrap(m_full && !isWithheld());
    m_layout->setStretchFactor(m_value, m_full ? 1 : 0);
    m_layout->setStretch(m_layout->count() - 1, m_full ? 0 : 1);
}

} // namespace hyperscope
