// The commands hyperscope-cli reads on stdin, one JSON object per line, and their parser.
//
//   {"cmd":"open","key":HEX}                                   open (or accept) a channel
//   {"cmd":"send","key":HEX,"type":"Want","message":{...}}      send Options .. Close on a channel
//   {"cmd":"register","name":N}                                 register a stream extension
//   {"cmd":"register","name":N,"key":HEX}                       ... or a channel extension
//   {"cmd":"extension","name":N,"payload":HEX[,"key":HEX]}      send an extension message
//   {"cmd":"close","key":HEX}                                   close (or refuse) a channel
//   {"cmd":"frame","channel":N,"type":T,"payload":HEX}          send a raw frame (debugging)
//   {"cmd":"ping"}                                              send a keepalive now
//   {"cmd":"key","key":HEX}                                     relay: add a feed key (releases
//                                                               the Opens held for it)
//   {"cmd":"resume","id":ID}                                    intercept: deliver or forward
//                                                               the held message ID
//   {"cmd":"resume","id":ID,"message":{...}}                    ... or this message instead: the
//                                                               whole message, same type ("type"
//                                                               may name it: checked)
//   {"cmd":"drop","id":ID}                                      intercept: discard it
//   {"cmd":"intercept","filter":EXPR}                           change the intercept expression
//                                                               ("": off, release all in order)
//   {"cmd":"quit"}                                              end every session and exit 0
//
// In relay mode send, extension, close, frame and ping take "leg":"client"|"server": the message
// goes into that leg only, to that leg's peer as if the relay had sent it (nothing is forwarded
// for it). send, extension, close and frame need a leg there; ping without one pings both legs.
//
// "frame" writes varint(length) || header || payload exactly as given, on local channel id N
// (the sender's id), type T a number 0..15 or a name ("Want"): the way to show how a peer reacts
// to frames a well-behaved engine never sends. Wherever "key" selects a channel, "discoveryKey" may
// be given instead (never both). Every command but quit takes an optional "session" (default: the
// latest session still alive).
//
// parseCommand() is a pure function of one line: no session, no I/O. It is strict (unknown fields
// are errors) so that a typo is reported instead of silently doing something else.
#pragma once

#include "bytes.h"
#include "filter.h"
#include "messages.h"
#include "relay.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <string>

namespace hyperscope {

struct Command
{
    enum class Kind {
        Open,
        Send,
        Register,
        Extension,
        Close,
        Frame,
        Ping,
        Quit,
        Key,
        Resume,
        Drop,
        Intercept
    };

    Kind kind = Kind::Ping;
    /// The session the command is for; empty means the latest session still alive.
    std::optional<int> session;
    /// The leg of a relayed session the command acts on ("leg"); empty when not given.
    std::optional<RelayLeg> leg;
    /// open, key: the feed key. Also set for the other commands when they named the channel by key.
    std::optional<Key32> key;
    /// The channel the command acts on (computed from `key` when that was given). send and close
    /// always have one; register and extension act on the stream when it is empty; open has the
    /// key's discovery key.
    std::optional<Key32> discoveryKey;
    /// send: the message, complete (required fields present).
    std::optional<Message> message;
    /// register, extension: the extension name.
    std::string name;
    /// extension, frame: the bytes to send.
    Bytes payload;
    /// frame: the local channel id and the frame type.
    std::uint64_t channel = 0;
    std::uint8_t frameType = 0;
    /// resume, drop: the id of the held message (from its "intercepted" event). Ids are unique in
    /// the process, so these commands need no "session".
    std::uint64_t interceptId = 0;
    /// resume: the edited message as given; its type is the held message's, so it is read
    /// (messageFromJson) when the command runs. Empty: resume the original.
    std::optional<QJsonObject> editedMessage;
    /// resume: the "type" given with the edited message, if any (must be the held message's).
    std::optional<MessageType> editedType;
    /// intercept: the new expression, compiled (empty filter: intercept off).
    std::optional<filter::Filter> interceptFilter;
};

/// The command name as written in JSON ("open", "send", ...).
QString commandName(Command::Kind kind);

/// Parses one line (without its newline). On error returns nullopt and sets @p error to a
/// one-line explanation without line number, e.g. "unknown command 'opne'",
/// "key must be 64 hex digits", "Want: missing required field 'start'"; never empty.
std::optional<Command> parseCommand(const QByteArray &line, QString *error = nullptr);

} // namespace hyperscope
