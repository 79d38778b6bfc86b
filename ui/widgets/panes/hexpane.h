// HexPane: the bytes of the selected log row, decrypted and/or as they crossed the wire.
//
// XSalsa20 is a keystream XOR, so a frame's wire bytes have the same length and layout as its
// plaintext: the field highlighted in one view is highlighted at the same offsets in the other.
#pragma once

#include <QWidget>

class QButtonGroup;
class QLabel;
class QSplitter;

namespace hyperscope {

class HexView;

class HexPane : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { Decrypted, Wire, Both };

    explicit HexPane(QWidget *parent = nullptr);

    /// @p sameOnWire: the transport is not encrypted (one view suffices). @p wire may be empty
    /// when the wire bytes are unknown.
    void setBytes(const QByteArray &plain, const QByteArray &wire, bool sameOnWire);
    void clear(const QString &placeholder = {});
    void setHighlight(qsizetype offset, qsizetype length);

    void setMode(Mode mode);
    Mode mode() const { return m_mode; }

    HexView *plainView() const { return m_plain; }
    HexView *wireView() const { return m_wire; }

signals:
    void byteClicked(qsizetype offset);
    void modeChanged(hyperscope::HexPane::Mode mode);

private:
    void updateVisibility();

    Mode m_mode = Mode::Decrypted;
    bool m_sameOnWire = true;
    QButtonGroup *m_buttons;
    QLabel *m_plainCaption;
    QLabel *m_wireCaption;
    QWidget *m_plainBox;
    QWidget *m_wireBox;
    HexView *m_plain;
    HexView *m_wire;
};

} // namespace hyperscope
