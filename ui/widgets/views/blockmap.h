// BlockMap: one channel's blocks as a picture (the Feed tab). Each cell is a block, or for a feed
// larger than the widget has room for, a run of blocks (aggregated per cell, down to one pixel
// per cell): the upper third says whether the remote has it, the rest what happened to it on our
// side, strongest first: failed, verified, received, requested, wanted, ours (we hold or have
// announced it).
//
// Built for a million blocks: the widget paints from range sets (BlockRanges, a handful for a
// real feed), never per block: the sets are rasterised into a QImage of the cells at their size
// (a pass over each set's ranges and the cells they cover, then a row of pixels per cell row
// copied down), which paintEvent() blits onto the widget unscaled in one drawImage(); it is
// redone only when the blocks or the size change. No per-block item or widget exists.
//
// Hover shows what a cell holds ("blocks 1000–1999: remote has 1000, verified 250"); a click
// emits blockClicked() with the cell's first block in its strongest state, for the click-through
// to the log.
#pragma once

#include "blockranges.h"

#include <QColor>
#include <QImage>
#include <QString>
#include <QWidget>

#include <array>
#include <optional>
#include <vector>

namespace hyperscope {

class BlockMap : public QWidget
{
    Q_OBJECT
public:
    /// What the map paints, weakest first: a cell's lower part shows its strongest layer.
    enum Layer {
        RemoteHas, ///< announced by the remote (Have minus Unhave): the cell's upper third
        LocalHas,  ///< announced by us (what we hold, for a served feed)
        Wanted,    ///< we wanted it (Want minus Unwant)
        Requested, ///< we requested it and it has not arrived
        Received,  ///< its Data arrived (not verified: the key is unknown, or unverifiable)
        Verified,  ///< its Data verified
        Failed,    ///< its Data failed verification
        LayerCount
    };
    using Layers = std::array<feed::BlockRanges, LayerCount>;

    explicit BlockMap(QWidget *parent = nullptr);

    /// Shows @p layers over blocks 0 .. @p length − 1 (ranges past it are clipped; open ranges
    /// end there). @p length 0 shows an empty map with a hint.
    void setBlocks(std::uint64_t length, const Layers &layers);
    void clear();
    std::uint64_t length() const { return m_length; }

    /// The colour of @p layer (also the legend's).
    static QColor colour(Layer layer);
    /// "remote has", "verified", ... (the default names).
    static QString layerName(Layer layer);
    /// Renames @p layer in the legend and the hover text: the Feed tab's serving view paints our
    /// side in the upper third ("we have") and the remote's progress below ("sent", ...).
    void setLayerName(Layer layer, const QString &name);
    /// The name the legend shows for @p layer.
    QString shownName(Layer layer) const;

    // --- Geometry (for tests and hover) --------------------------------------------------------

    /// The size of a cell in pixels (square, at least 1).
    int cellSize() const { return m_cell; }
    /// How many blocks one cell covers (1 until the feed outgrows the widget).
    std::uint64_t blocksPerCell() const { return m_perCell; }
    /// The blocks of the cell at @p pos (widget coordinates), when there is one.
    std::optional<feed::BlockRange> blocksAt(QPoint pos) const;
    /// The centre of the cell holding @p block, in widget coordinates.
    QPoint cellCentre(std::uint64_t block) const;
    /// Hover text for the blocks @p range: "blocks 0–9: remote has 10, verified 3".
    QString describe(const feed::BlockRange &range) const;
    /// Milliseconds the last rasterisation took (for the benchmark).
    double lastRasterMs() const { return m_rasterMs; }

signals:
    /// A cell was clicked: @p block is its first block in the strongest layer it holds.
    void blockClicked(quint64 block);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    /// The map's area below the legend.
    QRect mapRect() const;
    void layout();
    void rasterise();
    int legendHeight() const;
    /// Width of the row labels left of the map.
    int gutterWidth() const;
    /// The legend's items: one per layer, then the extent.
    QStringList legendTexts() const;
    /// Where each legend item goes (wrapped to the width); @p height: the legend's height.
    std::vector<QPoint> legendPositions(int *height) const;

    std::uint64_t m_length = 0;
    Layers m_layers;
    std::array<QString, LayerCount> m_names;
    int m_cell = 16;
    std::uint64_t m_perCell = 1;
    int m_columns = 1;
    int m_rows = 0;
    /// (columns · cell) × (rows · cell) pixels: per cell, its upper third the remote, the rest
    /// our side.
    QImage m_image;
    /// Blocks per layer within 0 .. m_length − 1 (the legend's numbers), counted by setBlocks().
    std::array<std::uint64_t, LayerCount> m_counts{};
    bool m_dirty = true;
    double m_rasterMs = 0;
};

} // namespace hyperscope
