#include "sessionoptions.h"

#include "crypto.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <algorithm>
#include <climits>

namespace hyperscope {

namespace {

// The inspector shows these messages; the context groups them for a translator.
QString tr(const char *text)
{
    return QCoreApplication::translate("hyperscope", text);
}

/// Sets @p error (when wanted) and gives the empty result: `return fail(error, ...);`.
std::nullopt_t fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

constexpr QLatin1StringView HostPortExample("127.0.0.1:4000");
constexpr QLatin1StringView Ipv6Example("[::1]:4000");

bool isHexDigit(QChar c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

/// Separators people paste keys with: "21 5b 1a ..." (hexdump), "21:5b:1a:..." (fingerprints).
bool isKeySeparator(QChar c)
{
    return c.isSpace() || c == u':';
}

/// Letters, digits, '.', '-' and '_': enough for DNS names, IPv4 addresses and IDNs, and it keeps
/// out what is surely a typo (spaces, '/', '@', brackets).
bool isHostName(const QString &host)
{
    for (const QChar c : host) {
        if (!c.isLetterOrNumber() && c != u'.' && c != u'-' && c != u'_')
            return false;
    }
    return !host.isEmpty();
}

} // namespace

EngineOptions ConnectionOptions::makeEngineOptions(bool initiator, bool noise, bool encrypted,
                                                   Millis timeout)
{
    EngineOptions options;
    options.initiator = initiator;
    options.noise = noise;
    options.encrypted = noise && encrypted;
    options.timeout = timeout;
    return options;
}

std::optional<quint16> parsePort(const QString &text, bool allowZero, QString *error)
{
    const QString range = allowZero ? QStringLiteral("0 to 65535") : QStringLiteral("1 to 65535");
    const QString digits = text.trimmed();
    if (digits.isEmpty())
        return fail(error, tr("port: missing; use a number from %1").arg(range));
    for (const QChar c : digits) {
        if (c < u'0' || c > u'9')
            return fail(error, tr("port '%1': not a number; use %2").arg(digits, range));
    }
    bool ok = false;
    const uint value = digits.toUInt(&ok, 10); // !ok: more digits than a uint holds
    if (!ok || value > 65535 || (value == 0 && !allowZero))
        return fail(error, tr("port '%1': out of range; use %2").arg(digits, range));
    return quint16(value);
}

std::optional<HostPort> parseHostPort(const QString &text, QString *error)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return fail(error, tr("address: empty; write HOST:PORT, e.g. %1").arg(HostPortExample));
    HostPort result;
    QString portText;
    if (t.startsWith(u'[')) {
        const qsizetype close = t.indexOf(u']');
        if (close < 0) {
            return fail(error, tr("'%1': the IPv6 address has no closing ']'; write "
                                  "[ADDRESS]:PORT, e.g. %2")
                                   .arg(t, Ipv6Example));
        }
        result.host = t.mid(1, close - 1);
        if (t.mid(close + 1, 1) != QLatin1String(":")) {
            return fail(error, tr("'%1': no port after the IPv6 address; write [ADDRESS]:PORT, "
                                  "e.g. %2")
                                   .arg(t, Ipv6Example));
        }
        portText = t.mid(close + 2);
        QHostAddress address;
        if (!address.setAddress(result.host) ||
            address.protocol() != QAbstractSocket::IPv6Protocol) {
            return fail(error, tr("host '%1': not an IPv6 address; brackets hold IPv6 addresses "
                                  "only")
                                   .arg(result.host));
        }
    } else {
        const qsizetype colon = t.lastIndexOf(u':');
        if (colon < 0) {
            return fail(error,
                        tr("'%1': no port; write HOST:PORT, e.g. %2").arg(t, HostPortExample));
        }
        result.host = t.left(colon);
        portText = t.mid(colon + 1);
        if (result.host.contains(u':')) {
            return fail(error,
                        tr("'%1': an IPv6 address needs brackets, e.g. %2").arg(t, Ipv6Example));
        }
        if (result.host.isEmpty()) {
            return fail(error, tr("'%1': no host before the port; write HOST:PORT, e.g. %2")
                                   .arg(t, HostPortExample));
        }
        if (!isHostName(result.host))
            return fail(error, tr("host '%1': not a host name or IP address").arg(result.host));
    }
    const std::optional<quint16> port = parsePort(portText, false, error);
    if (!port)
        return std::nullopt;
    result.port = *port;
    return result;
}

bool parseHostPort(const QString &text, QString *host, quint16 *port, QString *error)
{
    const std::optional<HostPort> parsed = parseHostPort(text, error);
    if (!parsed)
        return false;
    if (host)
        *host = parsed->host;
    if (port)
        *port = parsed->port;
    return true;
}

std::optional<QHostAddress> parseListenHost(const QString &text, QString *error)
{
    const QString t = text.trimmed();
    if (t.isEmpty()) {
        return fail(error,
                    tr("address: empty; use an IP address such as 127.0.0.1, 0.0.0.0 or ::1"));
    }
    if (t.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return QHostAddress(QHostAddress::LocalHost);
    const bool bracketed = t.startsWith(u'[') && t.endsWith(u']');
    QHostAddress address;
    if (!address.setAddress(bracketed ? t.mid(1, t.size() - 2) : t) ||
        (bracketed && address.protocol() != QAbstractSocket::IPv6Protocol)) {
        return fail(error, tr("address '%1': not an IP address; a listener binds to an address "
                              "such as 127.0.0.1, 0.0.0.0 or ::1")
                               .arg(t));
    }
    return address;
}

std::optional<ListenAddress> parseListenAddress(const QString &text, QString *error)
{
    const QString t = text.trimmed();
    ListenAddress result;
    QString portText = t;
    if (t.contains(u':') || t.contains(u'[')) {
        qsizetype colon = -1;
        if (t.startsWith(u'[')) {
            colon = t.indexOf(QLatin1String("]:"));
            if (colon >= 0)
                ++colon;
        } else {
            colon = t.lastIndexOf(u':');
            if (t.left(colon).contains(u':')) {
                return fail(error,
                            tr("'%1': an IPv6 address needs brackets, e.g. [::]:4000").arg(t));
            }
        }
        if (colon < 0) {
            return fail(error, tr("'%1': no port after the IPv6 address; write [ADDRESS]:PORT, "
                                  "e.g. [::]:4000")
                                   .arg(t));
        }
        const std::optional<QHostAddress> address = parseListenHost(t.left(colon), error);
        if (!address)
            return std::nullopt;
        result.address = *address;
        portText = t.mid(colon + 1);
    } else if (!t.isEmpty() &&
               !std::all_of(t.begin(), t.end(), [](QChar c) { return c.isDigit(); })) {
        return fail(error, tr("'%1': not a port; write PORT or ADDRESS:PORT, e.g. 4000 or "
                              "0.0.0.0:4000")
                               .arg(t));
    }
    const std::optional<quint16> port = parsePort(portText, true, error);
    if (!port)
        return std::nullopt;
    result.port = *port;
    return result;
}

std::optional<Key32> parseKeyHex(const QString &text, QString *error)
{
    qsizetype i = 0;
    while (i < text.size() && isKeySeparator(text.at(i)))
        ++i;
    if (text.mid(i, 2).compare(QLatin1String("0x"), Qt::CaseInsensitive) == 0)
        i += 2;
    std::string digits;
    digits.reserve(64);
    for (; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (isKeySeparator(c))
            continue;
        if (!isHexDigit(c)) {
            const QString bad =
                c.isHighSurrogate() && i + 1 < text.size() ? text.mid(i, 2) : QString(c);
            return fail(error, tr("key: '%1' is not a hex digit (position %2); a key is written "
                                  "with 0-9 and a-f")
                                   .arg(bad)
                                   .arg(i + 1));
        }
        digits += char(c.unicode());
    }
    if (digits.empty())
        return fail(error, tr("Enter a key: 64 hex digits (32 bytes)"));
    if (digits.size() != 64) {
        return fail(
            error,
            tr("key: has %1 hex digits; a key is 32 bytes, 64 hex digits").arg(digits.size()));
    }
    return key32FromHex(digits);
}

std::optional<int> parseTimeoutMs(const QString &text, QString *error)
{
    bool ok = false;
    const qlonglong ms = text.trimmed().toLongLong(&ok, 10);
    if (!ok || ms < 0 || ms > INT_MAX) {
        return fail(error, tr("timeout '%1': not a number of milliseconds from 0 (none) to %2")
                               .arg(text)
                               .arg(INT_MAX));
    }
    return int(ms);
}

bool isValidExtensionName(const QString &name, QString *error)
{
    const qsizetype bytes = name.toUtf8().size();
    if (bytes == 0 || std::size_t(bytes) > limits::MaxExtensionNameSize) {
        fail(error, tr("extension name '%1': has %2 bytes; a name has 1 to %3")
                        .arg(name)
                        .arg(bytes)
                        .arg(limits::MaxExtensionNameSize));
        return false;
    }
    return true;
}

Key32 randomKey()
{
    Key32 key;
    crypto::randomBytes(key);
    return key;
}

SessionCommandLine::SessionCommandLine(Options options)
    : m_options(options)
    , m_key(QStringLiteral("key"),
            QStringLiteral("Open the channel of this feed key (64 hex digits) on every session "
                           "(repeatable)."),
            QStringLiteral("HEX"))
    , m_extension(QStringLiteral("extension"),
                  QStringLiteral("Register this stream-level extension on every session "
                                 "(repeatable)."),
                  QStringLiteral("NAME"))
    , m_allowKey(QStringLiteral("allow-key"),
                 QStringLiteral("Accept only peers whose static public key (64 hex digits) is "
                                "one of these (repeatable)."),
                 QStringLiteral("HEX"))
    , m_timeout(QStringLiteral("timeout"),
                QStringLiteral("Inactivity timeout in milliseconds (0: none; default %1).")
                    .arg(limits::DefaultTimeout.count()),
                QStringLiteral("MS"))
    , m_noEncrypt(QStringLiteral("no-encrypt"),
                  QStringLiteral("Plaintext transport after the handshake."))
    , m_noNoise(QStringLiteral("no-noise"),
                QStringLiteral("No handshake: plaintext from the first byte."))
{}

void SessionCommandLine::addTo(QCommandLineParser &parser) const
{
    if (m_options & Option::Keys)
        parser.addOption(m_key);
    if (m_options & Option::Extensions)
        parser.addOption(m_extension);
    if (m_options & Option::AllowedKeys)
        parser.addOption(m_allowKey);
    if (m_options & Option::Encryption)
        parser.addOptions({m_noEncrypt, m_noNoise});
    if (m_options & Option::Timeout)
        parser.addOption(m_timeout);
}

std::optional<ConnectionOptions> SessionCommandLine::read(const QCommandLineParser &parser,
                                                          QString *error) const
{
    // The messages name the option and repeat the value, which is what someone looking at a
    // command line needs; hyperscope-cli's tests and scripts rely on their exact wording.
    ConnectionOptions options;
    if (m_options & Option::Keys) {
        for (const QString &value : parser.values(m_key)) {
            const std::optional<Key32> key = parseKeyHex(value);
            if (!key)
                return fail(error,
                            QStringLiteral("--key must be 64 hex digits, got '%1'").arg(value));
            options.keys.append(*key);
        }
    }
    if (m_options & Option::Extensions) {
        for (const QString &value : parser.values(m_extension)) {
            if (!isValidExtensionName(value)) {
                return fail(error, QStringLiteral("--extension needs a name of 1 to %1 bytes")
                                       .arg(limits::MaxExtensionNameSize));
            }
            options.extensions.append(value);
        }
    }
    const bool noise = !((m_options & Option::Encryption) && parser.isSet(m_noNoise));
    if (m_options & Option::AllowedKeys) {
        for (const QString &value : parser.values(m_allowKey)) {
            const std::optional<Key32> key = parseKeyHex(value);
            if (!key) {
                return fail(
                    error,
                    QStringLiteral("--allow-key must be 64 hex digits, got '%1'").arg(value));
            }
            options.allowedKeys.append(*key);
        }
        if (!options.allowedKeys.isEmpty() && !noise) {
            return fail(error,
                        QStringLiteral("--allow-key needs the handshake: not with --no-noise"));
        }
    }
    if ((m_options & Option::Timeout) && parser.isSet(m_timeout)) {
        const std::optional<int> ms = parseTimeoutMs(parser.value(m_timeout));
        if (!ms) {
            return fail(error,
                        QStringLiteral("--timeout must be a number of milliseconds, got '%1'")
                            .arg(parser.value(m_timeout)));
        }
        options.timeoutMs = *ms;
    }
    options.noise = noise;
    options.encrypted = noise && !((m_options & Option::Encryption) && parser.isSet(m_noEncrypt));
    return options;
}

} // namespace hyperscope
