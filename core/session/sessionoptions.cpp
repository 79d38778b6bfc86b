#include "sessionoptions.h"

#include "crypto.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace hyperscope {

std::optional<Key32> parseKeyHex(const QString &text, QString *error)
{
    auto fail = [error](const QString &message) -> std::optional<Key32> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    QString hex = text.trimmed();
    hex.remove(QRegularExpression(QStringLiteral("[\\s:]")));
    if (hex.startsWith(QLatin1String("0x"), Qt::CaseInsensitive))
        hex = hex.mid(2);
    if (hex.isEmpty())
        return fail(
            QCoreApplication::translate("hyperscope", "Enter a key: 64 hex digits (32 bytes)."));
    static const QRegularExpression nonHex(QStringLiteral("[^0-9a-fA-F]"));
    const QRegularExpressionMatch bad = nonHex.match(hex);
    if (bad.hasMatch())
        return fail(QCoreApplication::translate("hyperscope",
                                                "'%1' is not a hex digit (position %2): a key is "
                                                "written with 0-9 and a-f only.")
                        .arg(bad.captured(0))
                        .arg(bad.capturedStart() + 1));
    if (hex.size() != 64)
        return fail(QCoreApplication::translate("hyperscope",
                                                "The key has %1 hex digits; a key is 32 bytes, "
                                                "64 hex digits.")
                        .arg(hex.size()));
    const std::optional<Key32> key = key32FromHex(hex.toStdString());
    if (!key)
        return fail(QCoreApplication::translate("hyperscope", "The key is not valid hex."));
    return key;
}

bool parseHostPort(const QString &text, QString *host, quint16 *port, QString *error)
{
    const QString t = text.trimmed();
    QString h;
    QString p;
    if (t.startsWith(QLatin1Char('['))) {
        const qsizetype close = t.indexOf(QLatin1String("]:"));
        if (close < 0) {
            *error = QCoreApplication::translate("hyperscope",
                                                 "Write an IPv6 address as [address]:port.");
            return false;
        }
        h = t.mid(1, close - 1);
        p = t.mid(close + 2);
    } else {
        const qsizetype colon = t.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0) {
            *error = QCoreApplication::translate(
                "hyperscope", "Write the peer as host:port, e.g. 127.0.0.1:4000.");
            return false;
        }
        h = t.left(colon);
        p = t.mid(colon + 1);
    }
    bool ok = false;
    const uint value = p.toUInt(&ok);
    if (!ok || value == 0 || value > 65535) {
        *error = QCoreApplication::translate("hyperscope",
                                             "'%1' is not a port: use a number from 1 to 65535.")
                     .arg(p);
        return false;
    }
    *host = h;
    *port = quint16(value);
    return true;
}

Key32 randomKey()
{
    Key32 key;
    crypto::randomBytes(key);
    return key;
}

} // namespace hyperscope
