// The one parser for what a person types to start a session, shared by hyperscope-cli's command
// line, the inspector's command line and its Connect/Listen dialog:
//
//   HOST:PORT         a peer: a host name, an IPv4 address or a bracketed IPv6 address
//                     ("example.org:4000", "127.0.0.1:4000", "[::1]:4000"); port 1..65535
//   listen address    an IP address ("0.0.0.0", "::1", "[::1]"; "localhost" is 127.0.0.1),
//                     optionally with ":PORT" (0..65535, 0 picks a free port)
//   feed key          64 hex digits (32 bytes); spaces and colons between digits are ignored
//                     ("21 5b 1a ...", "21:5b:1a:..."), as is a leading "0x"
//   session options   --key, --extension, --allow-key, --timeout, --no-encrypt, --no-noise
//                     (SessionCommandLine), collected in ConnectionOptions, which alone makes the
//                     EngineOptions
//
// Errors follow one convention: a function returns false or nullopt and, when @p error is not
// null, sets it to "what: why" naming the part at fault ("port '0': out of range; use 1 to
// 65535"). Qt Core and Network only.
#pragma once

#include "engine.h"

#include <QCommandLineOption>
#include <QFlags>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

class QCommandLineParser;

namespace hyperscope {

/// What the person chose for a session (dialog, command line, recent list).
struct ConnectionOptions
{
    bool noise = true;
    /// Only meaningful with noise: engineOptions() never encrypts without a handshake.
    bool encrypted = true;
    /// Inactivity timeout in milliseconds; 0 disables timeout and keepalives.
    int timeoutMs = int(limits::DefaultTimeout.count());
    /// Feed keys to open as soon as the session starts.
    QList<Key32> keys;
    /// Stream-level extension names to register on every session (hyperscope-cli).
    QStringList extensions;
    /// Remote static public keys accepted in the handshake; empty accepts any (hyperscope-cli).
    QList<Key32> allowedKeys;

    EngineOptions engineOptions(bool initiator) const
    {
        return makeEngineOptions(initiator, noise, encrypted, Millis(timeoutMs));
    }

    /// The one place that turns the person's choices into engine options: encryption needs the
    /// handshake, so it is off whenever Noise is.
    static EngineOptions makeEngineOptions(bool initiator, bool noise, bool encrypted,
                                           Millis timeout);
};

/// A peer to dial.
struct HostPort
{
    QString host; ///< A name, an IPv4 address or an IPv6 address (without brackets).
    quint16 port = 0;
};

/// An address and port to listen on.
struct ListenAddress
{
    QHostAddress address{QHostAddress::LocalHost};
    quint16 port = 0; ///< 0 picks a free port.
};

/// Parses a port number, decimal digits only: 1..65535, or 0..65535 with @p allowZero.
/// Errors: "port 'x': not a number; use 1 to 65535".
std::optional<quint16> parsePort(const QString &text, bool allowZero, QString *error = nullptr);

/// Parses "HOST:PORT" (surrounding spaces ignored). IPv6 addresses must be bracketed
/// ("[::1]:4000"), so that "::1:80" is refused rather than guessed at.
std::optional<HostPort> parseHostPort(const QString &text, QString *error = nullptr);

/// The same, with the result in @p host and @p port (both left alone on failure).
bool parseHostPort(const QString &text, QString *host, quint16 *port, QString *error = nullptr);

/// Parses an IP address to listen on: IPv4, IPv6 with or without brackets, or "localhost"
/// (127.0.0.1). Host names are refused: a listener binds to an address, not a name.
std::optional<QHostAddress> parseListenHost(const QString &text, QString *error = nullptr);

/// Parses "PORT", "ADDRESS:PORT" or "[IPV6]:PORT" (the inspector's --listen); the address
/// defaults to 127.0.0.1, port 0 picks a free one.
std::optional<ListenAddress> parseListenAddress(const QString &text, QString *error = nullptr);

/// Parses a 32-byte feed key written as 64 hex digits, either case. Spaces (any white space) and
/// colons anywhere are ignored, and so is a leading "0x". Errors name the fault:
/// "key: 'x' is not a hex digit (position 3); use 0-9 and a-f",
/// "key: has 10 hex digits; a key is 32 bytes, 64 hex digits", "Enter a key: ..." when empty.
std::optional<Key32> parseKeyHex(const QString &text, QString *error = nullptr);

/// Parses an inactivity timeout in milliseconds, 0 (none) to INT_MAX.
std::optional<int> parseTimeoutMs(const QString &text, QString *error = nullptr);

/// Checks an extension name: 1 to limits::MaxExtensionNameSize bytes of UTF-8.
bool isValidExtensionName(const QString &name, QString *error = nullptr);

/// A fresh random 32-byte key.
Key32 randomKey();

/// The session options of a command line, shared by hyperscope-cli and hyperscope so that both
/// spell, check and explain them the same way:
///
///   --key HEX (repeatable)      ConnectionOptions::keys
///   --extension NAME (rep.)     ConnectionOptions::extensions
///   --allow-key HEX (rep.)      ConnectionOptions::allowedKeys; needs the handshake
///   --timeout MS                ConnectionOptions::timeoutMs
///   --no-encrypt, --no-noise    ConnectionOptions::encrypted, ConnectionOptions::noise
///
/// Errors name the option and the value: "--key must be 64 hex digits, got 'abcd'".
class SessionCommandLine
{
public:
    enum class Option {
        Keys = 0x1,
        Extensions = 0x2,
        AllowedKeys = 0x4,
        Timeout = 0x8,
        Encryption = 0x10, ///< --no-encrypt and --no-noise
    };
    Q_DECLARE_FLAGS(Options, Option)

    explicit SessionCommandLine(Options options);

    /// Adds the chosen options (with help text) to @p parser.
    void addTo(QCommandLineParser &parser) const;

    /// Reads the options from @p parser, which has parsed the arguments.
    std::optional<ConnectionOptions> read(const QCommandLineParser &parser,
                                          QString *error = nullptr) const;

private:
    Options m_options;
    QCommandLineOption m_key;
    QCommandLineOption m_extension;
    QCommandLineOption m_allowKey;
    QCommandLineOption m_timeout;
    QCommandLineOption m_noEncrypt;
    QCommandLineOption m_noNoise;
};

} // namespace hyperscope

Q_DECLARE_OPERATORS_FOR_FLAGS(hyperscope::SessionCommandLine::Options)
