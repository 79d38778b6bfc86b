// hyperscope-cli's command line:
//
//   hyperscope-cli listen [--host ADDR] --port PORT [--once] [options]
//   hyperscope-cli connect HOST:PORT [options]
//   hyperscope-cli relay [--host ADDR] --port PORT --upstream HOST:PORT [--once] [options]
//   hyperscope-cli read CAPTURE [--filter EXPR] [--trace]
//   hyperscope-cli replay CAPTURE --connect HOST:PORT [--session N] [--key HEX]... [--fast]
//
// options: --key HEX (repeatable), --extension NAME (repeatable), --allow-key HEX (repeatable),
// --timeout MS, --no-encrypt, --no-noise, --trace (relay: --key, --timeout, --no-encrypt,
// --no-noise,
// --trace; the relay announces no extensions and accepts any peer). See cliUsage() for the text
// shown by --help. The session options and the HOST:PORT, address and key forms are those of
// sessionoptions.h, shared with the inspector.
//
// --serve FILE [--block-size N] [--feed-secret HEX] (listen, connect): servefeed.h.
//
// --no-verify (every mode): message events carry no Data verdicts (feedevents.h).
//
// --filter EXPR applies to every mode: the language is core/filter/filter.h's.
// --capture FILE (listen, connect, relay, replay) writes a "hyperscope-capture" file at exit
// (capturerecorder.h); read and replay take one (capturereader.h).
#pragma once

#include "bytes.h"
#include "engine.h"
#include "filter.h"
#include "merkle.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace hyperscope {

struct CliOptions
{
    /// Read: print a capture's events and exit. Replay: dial like Connect, then send what one
    /// session of a capture sent.
    enum class Mode { Listen, Connect, Relay, Read, Replay };

    Mode mode = Mode::Listen;
    /// listen, relay: the address to bind (an IP address); connect: the host to dial (name or
    /// address).
    QString host = QStringLiteral("127.0.0.1");
    /// listen, relay: 0 picks a free port; connect: 1..65535.
    quint16 port = 0;
    /// relay only: where every relayed connection is dialed to (the server leg).
    QString upstreamHost;
    quint16 upstreamPort = 0;
    /// listen, relay: stop accepting after the first connection and exit when it ends.
    bool once = false;
    /// Feed keys to open as soon as each session can (after the handshake; with --no-noise at
    /// once). relay: the feed keys the relay may forward (more with the "key" command).
    std::vector<Key32> keys;
    /// Stream-level extension names registered on every session.
    std::vector<std::string> extensions;
    /// Remote static public keys accepted in the handshake; empty accepts any. A session whose
    /// peer presents another key ends with RemoteKeyRejected (an "error" event, then "end").
    std::vector<Key32> allowedKeys;
    Millis timeout = limits::DefaultTimeout;
    bool encrypted = true;
    bool noise = true;
    /// Print a "frame" event for every frame in and out.
    bool trace = false;
    /// --filter EXPR: only the message, frame, extension and warning events that match are
    /// printed (lifecycle events always are). Empty: all of them.
    filter::Filter filter;
    /// --intercept EXPR: messages that match are held until a resume or drop command (empty:
    /// nothing is held; the "intercept" command changes it at runtime).
    filter::Filter intercept;

    /// listen, connect, relay, replay: --capture FILE, where the sessions are recorded (empty:
    /// nowhere).
    QString captureOutput;
    /// read, replay: the capture file to read.
    QString captureInput;
    /// replay --session N: the session of the capture whose sent messages are replayed (unset:
    /// the first session that sent any).
    std::optional<int> replaySession;
    /// replay --fast: send without the capture's spacing.
    bool replayFast = false;
    /// listen, connect: --serve FILE, the file served as a hypercore 9 feed on every session
    /// (servefeed.h); empty: nothing is served.
    QString serveFile;
    /// --block-size N: the served feed's block size, 1 .. 8 MiB (default 64 KiB).
    std::size_t blockSize = 64 * 1024;
    /// --feed-secret HEX: the served feed's signing key; unset: a fresh one per run.
    std::optional<feed::SigningKeyPair> feedKeyPair;

    /// --no-verify: false turns the feed layer's Data verification off (no "verified",
    /// "verdict", "verifiedBy" or "verifyError" on message events; "blocks" stay). For a
    /// receiver or relay that only needs the messages, and to measure what verifying costs.
    bool verify = true;

    /// The engine options every session of this process uses.
    EngineOptions engineOptions() const;
};

/// What to do instead of running: print @c text (to stdout when @c exitCode is 0, as for --help
/// and --version; to stderr otherwise) and exit with @c exitCode (2 for bad arguments).
struct CliExit
{
    int exitCode = 0;
    QString text;
};

/// Parses @p arguments (as QCoreApplication::arguments(): the program name first). Pure: prints
/// nothing and exits nothing.
std::variant<CliOptions, CliExit> parseCliArguments(const QStringList &arguments);

/// The --help text.
QString cliUsage();

/// The --version text: "hyperscope-cli 0.1.0" and a newline.
QString cliVersion();

} // namespace hyperscope
