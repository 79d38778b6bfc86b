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
        return fail(QCoreApplication::translate("hyperscope", "Enter a key: 64 hex digits (32 bytes)."));
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

Key32 randomKey()
{
    Key32 key;
    crypto::randomBytes(key);
    return key;
}

} // namespace hyperscope
