#include "error.h"

namespace hyperscope {

std::string_view errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::None:
        return "none";
    case ErrorCode::InvalidArgument:
        return "invalid-argument";
    case ErrorCode::InvalidState:
        return "invalid-state";
    case ErrorCode::UnknownChannel:
        return "unknown-channel";
    case ErrorCode::UnknownExtension:
        return "unknown-extension";
    case ErrorCode::TooManyChannels:
        return "too-many-channels";
    case ErrorCode::TooManyExtensions:
        return "too-many-extensions";
    case ErrorCode::FatalLine:
        return "fatal-line";
    case ErrorCode::HandshakeFailed:
        return "handshake-failed";
    case ErrorCode::BadHandshakePayload:
        return "bad-handshake-payload";
    case ErrorCode::RemoteKeyRejected:
        return "remote-key-rejected";
    case ErrorCode::FrameTooLarge:
        return "frame-too-large";
    case ErrorCode::InvalidVarint:
        return "invalid-varint";
    case ErrorCode::InvalidMessage:
        return "invalid-message";
    case ErrorCode::CapabilityMismatch:
        return "capability-mismatch";
    case ErrorCode::RemoteLimitExceeded:
        return "remote-limit-exceeded";
    case ErrorCode::OutputOverflow:
        return "output-overflow";
    case ErrorCode::ConnectionLost:
        return "connection-lost";
    case ErrorCode::Timeout:
        return "timeout";
    case ErrorCode::Destroyed:
        return "destroyed";
    }
    return "unknown";
}

std::string Error::toString() const
{
    std::string text(errorCodeName(code));
    if (!message.empty())
        text += ": " + message;
    return text;
}

} // namespace hyperscope
