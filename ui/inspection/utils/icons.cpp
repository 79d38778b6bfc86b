#include "icons.h"

#include <QFile>
#include <QHash>
#include <QImageReader>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace hyperscope::icons {

namespace {

template<typename Paint> QIcon painted(Paint paint, std::initializer_list<int> sizes = {16, 24, 32})
{
    QIcon icon;
    for (int size : sizes) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.scale(size / 32.0, size / 32.0);
        paint(painter);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QIcon arrow(bool right, const QColor &color)
{
    return painted([=](QPainter &p) {
        QPainterPath path;
        if (right) {
            path.moveTo(4, 12);
            path.lineTo(17, 12);
            path.lineTo(17, 5);
            path.lineTo(29, 16);
            path.lineTo(17, 27);
            path.lineTo(17, 20);
            path.lineTo(4, 20);
        } else {
            path.moveTo(28, 12);
            path.lineTo(15, 12);
            path.lineTo(15, 5);
            path.lineTo(3, 16);
            path.lineTo(15, 27);
            path.lineTo(15, 20);
            path.lineTo(28, 20);
        }
        path.closeSubpath();
        p.fillPath(path, color);
    });
}

} // namespace

QIcon application()
{
    // The SVG when Qt SVG is installed, else the PNGs rendered from it (resources/icons), else
    // the same design painted here.
    static const QIcon icon = [] {
        QIcon fromFiles;
        if (QImageReader::supportedImageFormats().contains("svg"))
            fromFiles.addFile(QStringLiteral(":/hyperscope.svg"));
        for (int size : {16, 32, 48, 64, 128, 256}) {
            const QString file = QStringLiteral(":/icons/hyperscope-%1.png").arg(size);
            if (QFile::exists(file))
                fromFiles.addFile(file, QSize(size, size));
        }
        return fromFiles.isNull() ? paintedApplicationIcon() : fromFiles;
    }();
    return icon;
}

QIcon paintedApplicationIcon()
{
    static const QIcon icon = painted(
        [](QPainter &p) {
            // Rounded dark tile.
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0x1f, 0x3a, 0x5f));
            p.drawRoundedRect(QRectF(1, 1, 30, 30), 6, 6);
            // Three frames of a stream.
            const QColor frames[] = {QColor(0x6c, 0xc2, 0xff), QColor(0x9b, 0xe5, 0x8e),
                                     QColor(0xff, 0xc8, 0x57)};
            for (int i = 0; i < 3; ++i) {
                p.setBrush(frames[i]);
                p.drawRoundedRect(QRectF(5, 6 + i * 6.5, 13 - i * 3, 4.2), 1.5, 1.5);
            }
            // Magnifier.
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(QColor(0xff, 0xff, 0xff), 2.6));
            p.drawEllipse(QPointF(19.5, 17.5), 6.2, 6.2);
            p.setPen(QPen(QColor(0xff, 0xff, 0xff), 3.4, Qt::SolidLine, Qt::RoundCap));
            p.drawLine(QPointF(24.2, 22.2), QPointF(28, 26.5));
        },
        {16, 22, 24, 32, 48, 64, 128, 256});
    return icon;
}

QIcon warning()
{
    static const QIcon icon = painted([](QPainter &p) {
        QPainterPath path;
        path.moveTo(16, 3);
        path.lineTo(30, 28);
        path.lineTo(2, 28);
        path.closeSubpath();
        p.fillPath(path, QColor(0xe8, 0xa3, 0x17));
        p.setPen(QPen(Qt::black, 3.2, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(QPointF(16, 11), QPointF(16, 19));
        p.drawPoint(QPointF(16, 24));
    });
    return icon;
}

QIcon error()
{
    static const QIcon icon = painted([](QPainter &p) {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0xd3, 0x2f, 0x2f));
        p.drawEllipse(QRectF(2, 2, 28, 28));
        p.setPen(QPen(Qt::white, 3.6, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(QPointF(11, 11), QPointF(21, 21));
        p.drawLine(QPointF(21, 11), QPointF(11, 21));
    });
    return icon;
}

QIcon dot(const QColor &color)
{
    static QHash<QRgb, QIcon> cache;
    auto it = cache.find(color.rgba());
    if (it != cache.end())
        return *it;
    const QIcon icon = painted([color](QPainter &p) {
        p.setPen(QPen(color.darker(140), 1.5));
        p.setBrush(color);
        p.drawEllipse(QRectF(8, 8, 16, 16));
    });
    cache.insert(color.rgba(), icon);
    return icon;
}

QIcon outbound()
{
    static const QIcon icon = arrow(true, QColor(0x2e, 0x7d, 0x32));
    return icon;
}

QIcon inbound()
{
    static const QIcon icon = arrow(false, QColor(0x15, 0x65, 0xc0));
    return icon;
}

} // namespace hyperscope::icons
