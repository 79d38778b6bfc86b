// IoGraph: Wireshark's I/O Graph for one IoGraphSeries. Messages (or bytes) per interval over
// time on one time axis: received (in) as a blue area, sent (out) as an orange line over it, and
// red marks under the intervals that hold a warning or an error. Pointing at the graph shows the
// interval under the pointer and its values.
//
// Drawn with QPainter, one column of pixels at a time: when the series has more intervals than
// the graph has pixels, each column shows the busiest interval it covers, so a burst keeps its
// height at any width instead of being averaged away. Nothing is stored per interval; painting
// costs one pass over the series.
#pragma once

#include "iographseries.h"

#include <QPointer>
#include <QWidget>

#include <utility>

namespace hyperscope {

class IoGraph : public QWidget
{
    Q_OBJECT
public:
    explicit IoGraph(QWidget *parent = nullptr);

    /// The series to draw (not owned); repaints when it is recomputed.
    void setSeries(const IoGraphSeries *series);
    const IoGraphSeries *series() const { return m_series; }
    void setMeasure(IoGraphSeries::Measure measure);
    IoGraphSeries::Measure measure() const { return m_measure; }

    /// Where the data is drawn (widget coordinates).
    QRect plotRect() const;
    /// The interval drawn in column @p x (widget coordinates): the busiest of those the column
    /// covers; -1 outside the plot or when empty.
    int bucketAt(int x) const;
    /// The x at the middle of the column that draws bucket @p bucket.
    int xForBucket(int bucket) const;
    /// The interval under the pointer, or -1.
    int hoveredBucket() const { return m_hovered; }
    /// What the graph says about the hovered interval ("12.3–12.4 s: in 5 messages (1.2 KiB),
    /// out 3 messages (600 B)"); empty when nothing is hovered.
    QString hoverText() const;
    /// The top of the value axis (a round number at or above the series' peak).
    quint64 axisMaximum() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    /// The pointer moved onto interval @p bucket (-1: off the data).
    void bucketHovered(int bucket);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    /// A value as the axis and the hover text write it (a count, or bytes).
    QString valueText(quint64 value) const;
    void setHovered(int bucket);
    /// The buckets column @p column of the plot covers: [first, last).
    std::pair<int, int> columnBuckets(int column, int width) const;

    QPointer<const IoGraphSeries> m_series;
    IoGraphSeries::Measure m_measure = IoGraphSeries::Measure::Messages;
    int m_hovered = -1;
};

/// "100 ms", "1 s", "2.5 min".
QString formatInterval(qint64 microseconds);

} // namespace hyperscope
