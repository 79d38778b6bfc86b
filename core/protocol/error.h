// The engine's one closed set of errors.
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
};

/// A short stable name for @p code ("capability-mismatch"), for logs and JSON.
std::string_view errorCodeName(ErrorCode code);

} // namespace hyperscope
