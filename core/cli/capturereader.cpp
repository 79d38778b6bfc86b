#include "capturereader.h"

#include "varint.h"

#include <QFile>

namespace hyperscope {

std::optional<CapturedFrame> splitFrame(const QByteArray &plain)
{
    const ByteView bytes(reinterpret_cast<const std::uint8_t *>(plain.constData()),
                         std::size_t(plain.size()));
    const varint::Decoded length = varint::decode(bytes);
    if (length.status != varint::Status::Ok || length.value == 0 ||
        length.value != bytes.size() - length.size)
        return std::nullopt;
    const ByteView body = bytes.subspan(length.size);
    const varint::Decoded header = varint::decode(body);
    if (header.status != varint::Status::Ok)
        return std::nullopt;
    return CapturedFrame{header.value >> 4, quint8(header.value & 0xf), body.subspan(header.size)};
}

QString legName(const CaptureRow &row)
{
    switch (row.leg) {
    case CaptureRow::Leg::Client:
        return QStringLiteral("client");
    case CaptureRow::Leg::Server:
        return QStringLiteral("server");
    case CaptureRow::Leg::None:
        break;
    }
    return {};
}

std::optional<CaptureContents> readCapture(QIODevice &in, QString *error)
{
    CaptureContents capture;
    const std::optional<capture::FormatHeader> header =
        capture::readRows(in, error, capture::Limits{},
                          [&capture](CaptureRow &&row) { capture.rows.push_back(std::move(row)); });
    if (!header)
        return std::nullopt;
    capture.generator = header->generator;
    capture.sessions = header->sessionInfo;
    return capture;
}

std::optional<CaptureContents> loadCapture(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QString why;
    std::optional<CaptureContents> capture = readCapture(file, &why);
    if (!capture && error)
        *error = QStringLiteral("%1: %2").arg(path, why);
    return capture;
}

} // namespace hyperscope
