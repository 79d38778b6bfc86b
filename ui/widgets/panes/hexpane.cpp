#include "hexpane.h"

#include "hexview.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace hyperscope {

HexPane::HexPane(QWidget *parent)
    : QWidget(parent)
    , m_buttons(new QButtonGroup(this))
    , m_plainCaption(new QLabel(tr("Decrypted frame")))
    , m_wireCaption(new QLabel(tr("On the wire")))
    , m_plainBox(new QWidget)
    , m_wireBox(new QWidget)
    , m_plain(new HexView)
    , m_wire(new HexView)
{
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->setSpacing(0);
    auto *title = new QLabel(tr("<b>Bytes</b>"));
    bar->addWidget(title);
    bar->addStretch();
    const struct
    {
        Mode mode;
        QString text;
        QString tip;
    } modes[] = {
        {Mode::Decrypted, tr("Decrypted"), tr("The frame in clear, as the protocol reads it")},
        {Mode::Wire, tr("Wire"), tr("The same bytes as they crossed the socket (XSalsa20)")},
        {Mode::Both, tr("Both"), tr("Decrypted and wire bytes one above the other")},
    };
    for (const auto &m : modes) {
        auto *button = new QToolButton;
        button->setText(m.text);
        button->setToolTip(m.tip);
        button->setCheckable(true);
        button->setAutoRaise(true);
        button->setChecked(m.mode == m_mode);
        m_buttons->addButton(button, int(m.mode));
        bar->addWidget(button);
    }
    m_buttons->setExclusive(true);
    connect(m_buttons, &QButtonGroup::idClicked, this, [this](int id) { setMode(Mode(id)); });

    auto boxLayout = [](QWidget *box, QLabel *caption, HexView *view) {
        auto *layout = new QVBoxLayout(box);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(2);
        QFont font = caption->font();
        font.setPointSizeF(font.pointSizeF() * 0.9);
        caption->setFont(font);
        caption->setForegroundRole(QPalette::PlaceholderText);
        layout->addWidget(caption);
        layout->addWidget(view);
    };
    boxLayout(m_plainBox, m_plainCaption, m_plain);
    boxLayout(m_wireBox, m_wireCaption, m_wire);
    m_plain->setObjectName(QStringLiteral("plainHexView"));
    m_wire->setObjectName(QStringLiteral("wireHexView"));

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_plainBox);
    splitter->addWidget(m_wireBox);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    connect(m_plain, &HexView::byteClicked, this, &HexPane::byteClicked);
    connect(m_wire, &HexView::byteClicked, this, &HexPane::byteClicked);
    clear(tr("Select a message to see its bytes"));
    updateVisibility();
}

void HexPane::setBytes(const QByteArray &plain, const QByteArray &wire, bool sameOnWire)
{
    m_sameOnWire = sameOnWire;
    m_plain->setBytes(plain);
    m_wire->setBytes(sameOnWire ? plain : wire);
    if (sameOnWire) {
        m_plainCaption->setText(tr("Frame (not encrypted: these are also the bytes on the wire)"));
        m_wireCaption->setText(tr("On the wire (same as the frame: no transport encryption)"));
    } else {
        // Plurals spelt out: without a translator installed, Qt's %n leaves "byte(s)".
        const auto bytes = [](qsizetype n) {
            return n == 1 ? tr("1 byte") : tr("%1 bytes").arg(n);
        };
        m_plainCaption->setText(tr("Decrypted frame (%1)").arg(bytes(plain.size())));
        m_wireCaption->setText(
            wire.isEmpty() ? tr("On the wire: unknown")
                           : tr("On the wire, XSalsa20-encrypted (%1)").arg(bytes(wire.size())));
    }
    m_wire->setPlaceholderText(tr("The wire bytes of this frame are not known"));
    updateVisibility();
}

void HexPane::clear(const QString &placeholder)
{
    m_plain->setBytes({});
    m_wire->setBytes({});
    m_plain->setPlaceholderText(placeholder);
    m_wire->setPlaceholderText(placeholder);
    m_plainCaption->setText(tr("Decrypted frame"));
    m_wireCaption->setText(tr("On the wire"));
}

void HexPane::setHighlight(qsizetype offset, qsizetype length)
{
    m_plain->setHighlight(offset, length);
    m_wire->setHighlight(offset, length);
}

void HexPane::setMode(Mode mode)
{
    if (m_buttons->button(int(mode)))
        m_buttons->button(int(mode))->setChecked(true);
    if (m_mode == mode)
        return;
    m_mode = mode;
    updateVisibility();
    emit modeChanged(mode);
}

void HexPane::updateVisibility()
{
    m_plainBox->setVisible(m_mode != Mode::Wire);
    m_wireBox->setVisible(m_mode != Mode::Decrypted);
}

} // namespace hyperscope
