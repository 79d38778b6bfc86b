// ConnectionOptions: what the person chose for a session (dialog, command line, recent list).
#pragma once

#include "engine.h"

#include <QList>
#include <QString>

namespace hyperscope {

struct ConnectionOptions
{
    bool noise = true;
    bool encrypted = true;
    /// Inactivity timeout in milliseconds; 0 disables timeout and keepalives.
    int timeoutMs = int(limits::DefaultTimeout.count());
    /// Feed keys to open as soon as the session starts.
    QList<Key32> keys;

    EngineOptions engineOptions(bool initiator) const
    {
        EngineOptions options;
        options.initiator = initiator;
        options.noise = noise;
        options.encrypted = noise && encrypted;
        options.timeout = Millis(timeoutMs);
        return options;
    }
};

/// Parses a 64-digit hex feed key; on failure returns nullopt and sets @p error to a sentence
/// saying what is wrong ("the key has 10 hex digits; a key is 32 bytes, 64 hex digits").
std::optional<Key32> parseKeyHex(const QString &text, QString *error);

/// Splits "host:port" ("[::1]:4000" for IPv6). Returns false with @p error on bad input.
bool parseHostPort(const QString &text, QString *host, quint16 *port, QString *error);

/// A fresh random 32-byte key.
Key32 randomKey();

} // namespace hyperscope
