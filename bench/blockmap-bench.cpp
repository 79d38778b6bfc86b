// hyperscope-bench-blockmap: how long the Feed tab's block map (BlockMap) takes to paint a
// million-block feed (issue 13: "the block map of a million-block feed paints in under a frame").
//
//   hyperscope-bench-blockmap [--blocks N] [--paints P] [--pattern clone|hostile]
//                             [--png DIR]
//
// A BlockMap alone, shown on the offscreen platform at the size of a whole 1024×640 and a whole
// 1920×1080 window (more than the Feed tab gives it: an upper bound), is given a feed of N blocks
// (default 1 000 000) and painted into a QImage (QWidget::render, the paintEvent() the screen
// would get) P times (default 50) in two ways:
//
//   update:  setBlocks() with the same layers again, then a paint: what the Feed tab does when
//            the channel's feed record changed (it refreshes at most every 150 ms): the layers
//            rasterised into the cell image, then painted.
//   repaint: a paint with nothing changed (an expose, a tooltip over the map): the cell image
//            is reused.
//
// Printed per size and way, one JSON line each (benchutil.h): {bench: "blockmap", pattern, width,
// height, blocks, mode, paints, median_ms, worst_ms, worst_cpu_ms, raster_median_ms, first_ms,
// cells, blocks_per_cell, ranges}. One paint first, not counted in the P (font and glyph caches,
// the image's first allocation: first_ms); worst is the slowest of the P by the wall clock, and
// worst_cpu_ms the most CPU time one paint took (on a loaded machine a paint's wall-clock time
// also counts the time the scheduler gave other processes).
//
// Patterns (fixed seed, so every run paints the same feed):
//   clone:   a hypercore 9 clone 60 % of the way through a feed, downloading from a peer that
//            misses a few hundred stretches: the remote has everything but 200 gaps; we want all
//            of it; we received 0–599 999 but 2 000 holes, plus 3 000 blocks scattered past that;
//            500 of those failed verification, 300 are unverifiable (received only), the rest
//            verified; 16 windows of 16 blocks and 1 000 single blocks are requested.
//   hostile: every layer at RangeSet::MaxRanges (65 536) disjoint ranges: the most a peer's
//            messages can make the map draw (diagnosis).
// --png DIR: also saves the last paint of each size as DIR/blockmap-WIDTH.png, to look at.

#include "benchutil.h"

#include "blockmap.h"
#include "blockranges.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QImage>

#include <algorithm>
#include <iostream>
#include <random>

using namespace hyperscope;
using feed::BlockRange;
using feed::RangeSet;

namespace {

/// A realistic clone's layers over @p length blocks (see the header comment).
BlockMap::Layers cloneLayers(std::uint64_t length)
{
    std::mt19937_64 random(20261130);
    auto below = [&](std::uint64_t bound) {
        return random() % std::max<std::uint64_t>(1, bound);
    };

    RangeSet remote;
    remote.add({0, length - 1});
    for (int gap = 0; gap < 200; ++gap) {
        const std::uint64_t first = below(length);
        remote.remove({first, std::min(length - 1, first + below(500))});
    }
    RangeSet wanted;
    wanted.add({0, length - 1});

    const std::uint64_t frontier = length * 6 / 10;
    RangeSet received;
    if (frontier > 0)
        received.add({0, frontier - 1});
    for (int hole = 0; hole < 2000; ++hole) {
        const std::uint64_t first = below(frontier);
        received.remove({first, std::min(length - 1, first + below(20))});
    }
    for (int scattered = 0; scattered < 3000; ++scattered)
        received.add(frontier + below(length - frontier));

    // Of what was received: some failed, some could not be verified, the rest verified.
    RangeSet failed;
    RangeSet unverifiable;
    const feed::BlockRanges got = received.ranges();
    auto receivedBlock = [&] {
        const BlockRange &range = got[std::size_t(below(got.size()))];
        return range.first + below(range.last - range.first + 1);
    };
    for (int i = 0; i < 500; ++i)
        failed.add(receivedBlock());
    for (int i = 0; i < 300; ++i)
        unverifiable.add(receivedBlock());
    RangeSet verified = received;
    for (const BlockRange &range : failed.ranges())
        verified.remove(range);
    for (const BlockRange &range : unverifiable.ranges())
        verified.remove(range);

    RangeSet requested;
    for (int window = 0; window < 16; ++window) {
        const std::uint64_t first = frontier + std::uint64_t(window) * 64;
        requested.add({first, std::min(length - 1, first + 15)});
    }
    for (int single = 0; single < 1000; ++single)
        requested.add(frontier + below(length - frontier));

    BlockMap::Layers layers;
    layers[BlockMap::RemoteHas] = remote.ranges();
    layers[BlockMap::Wanted] = wanted.ranges();
    layers[BlockMap::Requested] = requested.ranges();
    layers[BlockMap::Received] = unverifiable.ranges();
    layers[BlockMap::Verified] = verified.ranges();
    layers[BlockMap::Failed] = failed.ranges();
    return layers;
}

/// Every layer at RangeSet's bound of disjoint ranges, spread over the feed.
BlockMap::Layers hostileLayers(std::uint64_t length)
{
    BlockMap::Layers layers;
    const std::uint64_t count = RangeSet::MaxRanges;
    const std::uint64_t stride = std::max<std::uint64_t>(2, length / count);
    for (std::size_t layer = 0; layer < layers.size(); ++layer) {
        // Offset per layer so that the layers interleave instead of covering the same blocks.
        for (std::uint64_t i = 0; i < count; ++i) {
            const std::uint64_t first = i * stride + layer % stride;
            if (first >= length)
                break;
            layers[layer].push_back({first, first});
        }
    }
    return layers;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const bench::Options options(argc, argv, 1);
    const auto blocks = std::uint64_t(std::max(1LL, options.number("blocks", 1000000)));
    const int paints = int(std::max(1LL, options.number("paints", 50)));
    const std::string pattern = options.text("pattern", "clone");
    if (pattern != "clone" && pattern != "hostile") {
        std::cerr << "blockmap: --pattern clone|hostile\n";
        return 2;
    }
    const QString pngDir = QString::fromStdString(options.text("png"));
    const BlockMap::Layers layers =
        pattern == "clone" ? cloneLayers(blocks) : hostileLayers(blocks);
    std::size_t ranges = 0;
    for (const feed::BlockRanges &layer : layers)
        ranges += layer.size();

    for (const QSize size : {QSize(1024, 640), QSize(1920, 1080)}) {
        BlockMap map;
        map.resize(size);
        map.show();
        map.setBlocks(blocks, layers);
        QImage image(map.size(), QImage::Format_ARGB32_Premultiplied);
        QElapsedTimer first;
        first.start();
        map.render(&image); // not one of the P: font and glyph caches, first allocations
        const double firstMs = double(first.nsecsElapsed()) / 1e6;

        for (const char *mode : {"update", "repaint"}) {
            const bool update = std::string_view(mode) == "update";
            std::vector<double> paintMs;
            std::vector<double> rasterMs;
            double worstCpuMs = 0;
            for (int i = 0; i < paints; ++i) {
                QElapsedTimer timer;
                timer.start();
                const double cpuStart = bench::threadCpuSeconds();
                if (update)
                    map.setBlocks(blocks, layers);
                map.render(&image);
                paintMs.push_back(double(timer.nsecsElapsed()) / 1e6);
                worstCpuMs = std::max(worstCpuMs, (bench::threadCpuSeconds() - cpuStart) * 1e3);
                if (update)
                    rasterMs.push_back(map.lastRasterMs());
            }
            const std::uint64_t perCell = map.blocksPerCell();
            bench::Result("blockmap")
                .add("pattern", pattern)
                .add("width", (long long)size.width())
                .add("height", (long long)size.height())
                .add("blocks", blocks)
                .add("mode", mode)
                .add("paints", (long long)paints)
                .add("median_ms", median(paintMs))
                .add("worst_ms", *std::max_element(paintMs.begin(), paintMs.end()))
                .add("worst_cpu_ms", worstCpuMs)
                .add("raster_median_ms", update ? median(rasterMs) : 0.0)
                .add("first_ms", firstMs)
                .add("cells", (long long)(blocks / perCell + (blocks % perCell != 0)))
                .add("cell_px", (long long)map.cellSize())
                .add("blocks_per_cell", perCell)
                .add("ranges", (long long)ranges)
                .print();
        }
        if (!pngDir.isEmpty())
            image.save(QDir(pngDir).filePath(QStringLiteral("blockmap-%1-%2.png")
                                                 .arg(QString::fromStdString(pattern))
                                                 .arg(size.width())));
    }
    return 0;
}
