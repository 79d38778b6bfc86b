// The engine's one closed set of errors, and how failures are reported across the code base.
//
// Error convention
// ----------------
// core/protocol and core/session (the library): a failure is an Error, the closed value below,
// never a bare string. A call that only succeeds or fails returns Error (ok() on success). A call
// that yields something returns it (a value, std::optional<T>, a status enum) and reports the
// failure through a trailing `Error &error` out-parameter, which it leaves alone on success
// (FrameDecoder::next, decodeMessage). Callers branch on the code (isFatal(), a given ErrorCode),
// never on the text; the human sentence is Error::message, "what: why", saying where (a stream
// offset, a channel) when it can, and toString() prefixes the code's stable name for logs. The
// few `std::string &` overloads left in messages.h exist for callers outside core that only
// show the sentence; new code uses the Error form. Trace records (trace.h) carry sentences as
// data, not as failures.
//
// The Qt side (ui/, core/cli, and core/session's setup helpers that fail before any session
// exists: SessionServer::listen, the option and JSON parsers) reports to a person, in Qt types:
//   bool f(..., QString *error = nullptr);              // false on failure
//   std::optional<T> f(..., QString *error = nullptr);  // nullopt on failure
// with the message "what: why" ("cannot listen on 127.0.0.1:80: permission denied") written only
// when error is not null. Where the two meet, a library Error becomes a QString through its
// message (or toString()), never the other way round.
#pragma once

#include <string>
#include <string_view>

namespace hyperscope {

/// What went wrong. Codes above the "fatal line" end the session; the others are answers to an
/// application call that was refused (the session goes on unchanged).
///
/// "Need more bytes" is never an error: partial input simply leaves the engine waiting.
enum class ErrorCode {
    None = 0,

    // --- Refused calls (not fatal) -------------------------------------------------------------
    InvalidArgument,   ///< A parameter was malformed (wrong key size, empty name, ...).
    InvalidState,      ///< The call does not fit the session's state (e.g. send before handshake).
    UnknownChannel,    ///< No channel with that discovery key is open locally.
    UnknownExtension,  ///< No extension of that name is registered on that scope.
    TooManyChannels,   ///< The local channel table is full (MaxChannels).
    TooManyExtensions, ///< The local extension list is full (MaxExtensions).

    // --- Fatal: the session ends ---------------------------------------------------------------
    FatalLine,           ///< Not an error: every code after this one is fatal.
    HandshakeFailed,     ///< A Noise message did not decrypt or parse.
    BadHandshakePayload, ///< The remote's NoisePayload was missing or did not parse.
    RemoteKeyRejected,   ///< The application refused the remote static key.
    FrameTooLarge,       ///< A frame length exceeded MaxFrameSize.
    InvalidVarint,       ///< A varint was longer than 10 bytes or overflowed 64 bits.
    InvalidMessage,      ///< A frame's protobuf did not parse or missed a required field.
    CapabilityMismatch,  ///< The remote's channel capability did not prove the key.
    RemoteLimitExceeded, ///< The remote opened more channels / announced more names than allowed.
    OutputOverflow, ///< The peer is not reading: queued output passed MaxQueuedOutput (a driver's).
    ConnectionLost, ///< The transport closed mid-handshake or mid-frame.
    Timeout,        ///< Nothing was received for the session timeout.
    Destroyed,      ///< The application destroyed the session with a reason.
};

/// An error value: a code and a human-readable message saying what was wrong and where.
struct Error
{
    ErrorCode code = ErrorCode::None;
    std::string message;

    Error() = default;
    Error(ErrorCode c, std::string m)
        : code(c)
        , message(std::move(m))
    {}

    bool ok() const { return code == ErrorCode::None; }
    explicit operator bool() const { return code != ErrorCode::None; }
    bool isFatal() const { return code > ErrorCode::FatalLine; }
    /// "capability-mismatch: capability mismatch for channel 6b7e…"; just the name without a
    /// message ("none" for a default Error).
    std::string toString() const;
};

/// A short stable name for @p code ("capability-mismatch"), for logs and JSON.
std::string_view errorCodeName(ErrorCode code);

} // namespace hyperscope
