#include "iograph.h"

#include "channeltablemodel.h"

#include <QLocale>
#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hyperscope {

namespace {

const QColor InColor(33, 120, 220);
const QColor OutColor(240, 130, 20);
const QColor ProblemColor(211, 47, 47);

/// The smallest of 1, 2, 5 × 10^k at or above @p value (at least 1).
quint64 niceCeiling(quint64 value)
{
    quint64 magnitude = 1;
    while (true) {
        for (const quint64 step : {1, 2, 5}) {
            if (step * magnitude >= value)
                return step * magnitude;
        }
        if (magnitude > std::numeric_limits<quint64>::max() / 100)
            return value;
        magnitude *= 10;
    }
}

/// A step of 1, 2, 5 × 10^k microseconds at or above @p minimumUs.
qint64 niceTimeStep(double minimumUs)
{
    qint64 magnitude = 1;
    while (true) {
        for (const qint64 step : {1, 2, 5}) {
            if (double(step * magnitude) >= minimumUs)
                return step * magnitude;
        }
        magnitude *= 10;
    }
}

QString secondsText(qint64 us, qint64 stepUs)
{
    const int decimals = stepUs >= 1000000 ? 0 : stepUs >= 100000 ? 1 : stepUs >= 10000 ? 2 : 3;
    return QStringLiteral("%1 s").arg(QLocale().toString(double(us) / 1e6, 'f', decimals));
}

} // namespace

QString formatInterval(qint64 us)
{
    const QLocale locale;
    if (us < 1000)
        return IoGraph::tr("%1 µs").arg(us);
    if (us < 1000000)
        return IoGraph::tr("%1 ms").arg(locale.toString(double(us) / 1e3, 'g', 4));
    if (us < 60 * qint64(1000000))
        return IoGraph::tr("%1 s").arg(locale.toString(double(us) / 1e6, 'g', 4));
    return IoGraph::tr("%1 min").arg(locale.toString(double(us) / 6e7, 'g', 4));
}

IoGraph::IoGraph(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("ioGraph"));
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setBackgroundRole(QPalette::Base);
}

void IoGraph::setSeries(const IoGraphSeries *series)
{
    if (m_series)
        disconnect(m_series, nullptr, this, nullptr);
    m_series = series;
    if (series)
        connect(series, &QAbstractItemModel::modelReset, this, [this] {
            setHovered(-1);
            update();
        });
    setHovered(-1);
    update();
}

void IoGraph::setMeasure(IoGraphSeries::Measure measure)
{
    if (m_measure == measure)
        return;
    m_measure = measure;
    update();
}

QSize IoGraph::sizeHint() const
{
    return {720, 320};
}

QSize IoGraph::minimumSizeHint() const
{
    return {320, 160};
}

QRect IoGraph::plotRect() const
{
    const QFontMetrics fm = fontMetrics();
    const int labels = std::max(fm.horizontalAdvance(valueText(axisMaximum())),
                                fm.horizontalAdvance(QStringLiteral("0,000")));
    const int left = labels + 14;
    const int top = 2 * fm.height() + 12;
    const int bottom = fm.height() + 14; // time labels, and the problem marks above them
    return QRect(left, top, std::max(1, width() - left - 14), std::max(1, height() - top - bottom));
}

std::pair<int, int> IoGraph::columnBuckets(int column, int width) const
{
    const qint64 n = m_series ? m_series->bucketCount() : 0;
    const int first = int(qint64(column) * n / width);
    const int last = std::max(first + 1, int(qint64(column + 1) * n / width));
    return {first, int(std::min<qint64>(last, n))};
}

int IoGraph::bucketAt(int x) const
{
    const QRect plot = plotRect();
    if (!m_series || m_series->bucketCount() == 0 || x < plot.left() || x > plot.right())
        return -1;
    const auto [first, last] = columnBuckets(x - plot.left(), plot.width());
    int best = first;
    quint64 bestValue = 0;
    for (int b = first; b < last; ++b) {
        const quint64 value = m_series->value(b, 0, m_measure) + m_series->value(b, 1, m_measure);
        if (value > bestValue) {
            bestValue = value;
            best = b;
        }
    }
    return best;
}

int IoGraph::xForBucket(int bucket) const
{
    const QRect plot = plotRect();
    for (int column = 0; column < plot.width(); ++column) {
        const auto [first, last] = columnBuckets(column, plot.width());
        if (bucket >= first && bucket < last)
            return plot.left() + column;
    }
    return -1;
}

quint64 IoGraph::axisMaximum() const
{
    return niceCeiling(m_series ? m_series->peak(m_measure) : 0);
}

QString IoGraph::valueText(quint64 value) const
{
    // Bytes too as plain numbers: the axis' round values (2,000) are not round in KiB, and
    // the unit is in the title.
    return QLocale().toString(value);
}

QString IoGraph::hoverText() const
{
    if (!m_series || m_hovered < 0 || m_hovered >= m_series->bucketCount())
        return {};
    const qint64 interval = m_series->intervalUs();
    const qint64 start = qint64(m_hovered) * interval;
    const IoGraphSeries::Bucket &b = m_series->bucket(m_hovered);
    const auto direction = [&](int d) {
        const quint32 messages = b.messages[std::size_t(d)];
        const QString count =
            messages == 1 ? tr("1 message") : tr("%1 messages").arg(QLocale().toString(messages));
        return QStringLiteral("%1 %2 (%3)")
            .arg(d == 0 ? tr("in") : tr("out"), count, formatBytes(b.bytes[std::size_t(d)]));
    };
    QString text = tr("%1 – %2: %3, %4")
                       .arg(secondsText(start, interval), secondsText(start + interval, interval),
                            direction(0), direction(1));
    if (b.problems)
        text += b.problems == 1 ? tr(" · 1 warning or error")
                                : tr(" · %1 warnings or errors").arg(b.problems);
    return text;
}

void IoGraph::setHovered(int bucket)
{
    if (bucket == m_hovered)
        return;
    m_hovered = bucket;
    update();
    emit bucketHovered(bucket);
}

void IoGraph::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    const QRect plot = plotRect();
    setHovered(pos.y() >= plot.top() - 4 && pos.y() <= plot.bottom() + 4 ? bucketAt(pos.x()) : -1);
}

void IoGraph::leaveEvent(QEvent *)
{
    setHovered(-1);
}

void IoGraph::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    const QRect plot = plotRect();
    const QFontMetrics fm = fontMetrics();
    const QColor text = palette().color(QPalette::Text);
    QColor grid = palette().color(QPalette::Mid);
    grid.setAlpha(110);

    // The unit and the legend (first line), the hovered interval (second line).
    const bool bytes = m_measure == IoGraphSeries::Measure::Bytes;
    const int legendY = 4 + fm.ascent();
    const QString per = m_series ? formatInterval(m_series->intervalUs()) : QString();
    const QString unit = bytes ? tr("bytes per %1").arg(per) : tr("messages per %1").arg(per);
    p.setPen(text);
    p.drawText(4, legendY, unit);
    int x = std::max(plot.left(), 4 + fm.horizontalAdvance(unit) + 24);
    const int swatchTop = legendY - fm.ascent() + (fm.ascent() - 10) / 2 + 1;
    const auto legend = [&](const QString &label) {
        x += 16;
        p.setPen(text);
        p.drawText(x, legendY, label);
        x += fm.horizontalAdvance(label) + 18;
    };
    p.fillRect(QRect(x, swatchTop, 12, 10), InColor.lighter(150));
    p.fillRect(QRect(x, swatchTop, 12, 2), InColor);
    legend(tr("in (received)"));
    p.fillRect(QRect(x, swatchTop + 4, 12, 2), OutColor);
    legend(tr("out (sent)"));
    p.fillRect(QRect(x, swatchTop + 3, 12, 4), ProblemColor);
    legend(tr("warning or error"));
    const QString hover = hoverText();
    if (!hover.isEmpty())
        p.drawText(plot.left(), legendY + fm.height() + 2,
                   fm.elidedText(hover, Qt::ElideRight, plot.width()));

    // Value axis: the peak rounded up, four steps.
    const quint64 top = axisMaximum();
    const auto yOf = [&](quint64 value) {
        return plot.bottom() - int(double(value) / double(top) * (plot.height() - 1));
    };
    for (int i = 0; i <= 4; ++i) {
        const quint64 value = top * quint64(i) / 4;
        const int y = yOf(value);
        p.setPen(grid);
        p.drawLine(plot.left(), y, plot.right(), y);
        p.setPen(text);
        const QString label = valueText(value);
        p.drawText(plot.left() - 6 - fm.horizontalAdvance(label), y + fm.ascent() / 2, label);
    }

    const int n = m_series ? m_series->bucketCount() : 0;
    if (n == 0) {
        p.setPen(text);
        p.drawText(plot, Qt::AlignCenter, tr("No messages to draw"));
        return;
    }

    // Time axis: a round step, at least 90 px apart.
    const qint64 interval = m_series->intervalUs();
    const double spanUs = double(n) * double(interval);
    const qint64 step = niceTimeStep(spanUs * 90 / plot.width());
    for (qint64 t = 0; double(t) <= spanUs; t += step) {
        const int tx = plot.left() + int(double(t) / spanUs * plot.width());
        p.setPen(grid);
        p.drawLine(tx, plot.top(), tx, plot.bottom());
        p.setPen(text);
        const QString label = secondsText(t, step);
        const int labelX = std::min(tx - fm.horizontalAdvance(label) / 2,
                                    width() - 2 - fm.horizontalAdvance(label));
        p.drawText(labelX, plot.bottom() + 8 + fm.ascent(), label);
    }

    // The two directions, column by column: each column the busiest interval it covers.
    const int w = plot.width();
    std::vector<quint64> columns[2];
    std::vector<bool> problems(std::size_t(w), false);
    for (int d = 0; d < 2; ++d)
        columns[d].assign(std::size_t(w), 0);
    for (int c = 0; c < w; ++c) {
        const auto [first, last] = columnBuckets(c, w);
        for (int b = first; b < last; ++b) {
            for (int d = 0; d < 2; ++d)
                columns[d][std::size_t(c)] =
                    std::max(columns[d][std::size_t(c)], m_series->value(b, d, m_measure));
            if (m_series->bucket(b).problems)
                problems[std::size_t(c)] = true;
        }
    }
    // In is a filled area, out a line drawn over it: where both are equal neither hides the
    // other, and the two never mix into a third colour.
    p.setRenderHint(QPainter::Antialiasing, false);
    for (int d = 0; d < 2; ++d) {
        QPolygonF outline;
        for (int c = 0; c < w; ++c) {
            const int y = yOf(columns[d][std::size_t(c)]);
            outline << QPointF(plot.left() + c, y) << QPointF(plot.left() + c + 1, y);
        }
        if (d == 0) {
            QPolygonF area = outline;
            area.prepend(QPointF(plot.left(), plot.bottom() + 1));
            area << QPointF(plot.left() + w, plot.bottom() + 1);
            p.setPen(Qt::NoPen);
            p.setBrush(InColor.lighter(150));
            p.drawPolygon(area);
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(InColor, 1));
        } else {
            p.setPen(QPen(OutColor, 2));
        }
        p.drawPolyline(outline);
    }
    p.setPen(Qt::NoPen);
    p.setBrush(ProblemColor);
    for (int c = 0; c < w; ++c) {
        if (problems[std::size_t(c)])
            p.drawRect(plot.left() + c, plot.bottom() + 2, 2, 4);
    }
    p.setBrush(Qt::NoBrush);
    p.setPen(grid);
    p.drawRect(plot.adjusted(0, 0, -1, -1));

    if (m_hovered >= 0) {
        const int hx = xForBucket(m_hovered);
        QColor cursor = text;
        cursor.setAlpha(140);
        p.setPen(QPen(cursor, 1, Qt::DashLine));
        p.drawLine(hx, plot.top(), hx, plot.bottom());
    }
}

} // namespace hyperscope
