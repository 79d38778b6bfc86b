// HexView: a read-only hex dump (offset | 16 hex bytes, or 8 when narrow | ASCII) with one
// highlighted byte range.
//
// The inspector shows a frame's bytes here and highlights exactly the bytes of the field selected
// in the field tree (every DissectedField carries {offset, length}). Clicking a byte emits
// byteClicked() so the owner can select the innermost field that covers it, as Wireshark does.
//
// Painting is lazy: only the visible rows are formatted, so an 8 MiB Data frame costs nothing
// until it is scrolled through.
#pragma once

#include <QAbstractScrollArea>
#include <QByteArray>
#include <QString>

namespace hyperscope {

class HexView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    /// Bytes per row when the view is wide enough for them and the ASCII column, and in the
    /// copied hex dump; a narrower view shows NarrowBytesPerRow.
    static constexpr int BytesPerRow = 16;
    static constexpr int NarrowBytesPerRow = 8;
    /// What the view shows now (BytesPerRow or NarrowBytesPerRow, by its width).
    int bytesPerRow() const { return m_bytesPerRow; }

    explicit HexView(QWidget *parent = nullptr);

    /// Replaces the bytes shown; clears the highlight and scrolls to the top.
    void setBytes(const QByteArray &bytes);
    const QByteArray &bytes() const { return m_bytes; }

    /// Highlights bytes [offset, offset + length) and scrolls them into view. length 0 clears.
    void setHighlight(qsizetype offset, qsizetype length);
    void clearHighlight() { setHighlight(0, 0); }
    qsizetype highlightOffset() const { return m_highlightOffset; }
    qsizetype highlightLength() const { return m_highlightLength; }

    /// Text shown centred when there are no bytes ("Select a message", "No wire bytes").
    void setPlaceholderText(const QString &text);

    /// The highlighted bytes as spaced hex ("0a 1b 2c"), or all bytes when nothing is highlighted.
    QString selectedHex() const;

    /// The byte under a viewport position, or -1.
    qsizetype byteAt(const QPoint &viewportPos) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void byteClicked(qsizetype offset);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void updateMetrics();
    void updateScrollBars();
    int rowCount() const;
    int hexColumnX(int column) const;
    int asciiColumnX(int column) const;
    /// Width of offset, hex and ASCII columns with margins, at @p bytesPerRow.
    int contentWidth(int bytesPerRow) const;

    QByteArray m_bytes;
    QString m_placeholder;
    qsizetype m_highlightOffset = 0;
    qsizetype m_highlightLength = 0;
    int m_charWidth = 8;
    int m_lineHeight = 16;
    int m_ascent = 12;
    int m_offsetDigits = 4;
    int m_bytesPerRow = BytesPerRow;
};

} // namespace hyperscope
