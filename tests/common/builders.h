// Test fixtures: keys, hex, messages, frames and FrameTraces built the way every test needs them.
// Only core/protocol and Qt Core: usable from every test, core or inspector.
#pragma once

#include "bytes.h"
#include "crypto.h"
#include "framer.h"
#include "messages.h"
#include "trace.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hyperscope::test {

/// A key whose 32 bytes all are @p fill: distinct keys that read well in a failure (0x11, 0x22).
inline Key32 keyOf(std::uint8_t fill)
{
    Key32 key;
    key.fill(fill);
    return key;
}

/// The bytes of hex text written in a test or a vector. Bad hex is a broken test, not a failure
/// of the code under test: it aborts.
inline Bytes hex(std::string_view text)
{
    const auto bytes = fromHex(text);
    if (!bytes)
        qFatal("bad hex in test data: %.*s", int(text.size()), text.data());
    return *bytes;
}

inline Bytes hex(const char *text)
{
    return hex(std::string_view(text));
}

inline Bytes hex(const QString &text)
{
    return hex(text.toStdString());
}

/// The 32-byte key written as hex; aborts on anything else, like hex().
inline Key32 key32(std::string_view text)
{
    const auto key = key32FromHex(text);
    if (!key)
        qFatal("not a 32-byte hex key in test data: %.*s", int(text.size()), text.data());
    return *key;
}

/// @p bytes as lower-case hex, the way the CLI's events and the vectors write them.
inline QString hexOf(ByteView bytes)
{
    return QString::fromStdString(toHex(bytes));
}

/// The hex discovery key of the feed key @p key.
inline QString discoveryKeyHex(const Key32 &key)
{
    return hexOf(crypto::discoveryKey(key));
}

/// The hex discovery key of the feed key written as @p keyHex.
inline QString discoveryKeyHex(const QString &keyHex)
{
    return discoveryKeyHex(key32(keyHex.toStdString()));
}

/// For QCOMPARE: QByteArray prints its bytes when a comparison fails, a std::vector does not.
inline QByteArray toQByteArray(ByteView bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
}

/// The protobuf payload of @p message (no frame header).
inline Bytes encode(const Message &message)
{
    Bytes out;
    appendMessage(out, message);
    return out;
}

/// A whole frame (length, header, payload) of type @p type on channel @p channel carrying
/// @p payload as is: for frames no Message encodes (an unassigned type, a malformed payload).
inline Bytes frameOf(std::uint64_t channel, std::uint8_t type, ByteView payload)
{
    Bytes frame;
    appendFrame(frame, channel, type, payload);
    return frame;
}

/// A whole frame (length, header, payload) carrying @p message on channel @p channel.
inline Bytes frameOf(std::uint64_t channel, const Message &message)
{
    return frameOf(channel, static_cast<std::uint8_t>(messageType(message)), encode(message));
}

/// A Want of the blocks from @p start (no length).
inline Message wantOf(std::uint64_t start)
{
    Message message(std::in_place_type<schema::Want>);
    std::get<schema::Want>(message).set_start(start);
    return message;
}

/// A Have of the blocks from @p start (no length, no bitfield).
inline Message haveOf(std::uint64_t start)
{
    Message message(std::in_place_type<schema::Have>);
    std::get<schema::Have>(message).set_start(start);
    return message;
}

/// A FrameTrace of an unencrypted frame: wire bytes are the plain bytes. The trace points into
/// @p plain and @p message, which the caller keeps alive while the trace is used.
inline FrameTrace traceOf(const Bytes &plain, Direction direction, const Message *message,
                          std::uint64_t channel = 1, std::uint8_t type = 5,
                          std::optional<Key32> discoveryKey = std::nullopt)
{
    FrameTrace t;
    t.direction = direction;
    t.plain = plain;
    t.wire = plain;
    t.channel = channel;
    t.type = type;
    t.message = message;
    t.discoveryKey = discoveryKey;
    t.keepAlive = plain.size() == 1 && plain[0] == 0;
    return t;
}

/// A ChannelTrace of @p event on the channel of discovery key @p discoveryKey with the given ids;
/// @p established also marks the remote verified.
inline ChannelTrace channelTraceOf(ChannelEvent event, const Key32 &discoveryKey,
                                   std::optional<std::uint64_t> localId,
                                   std::optional<std::uint64_t> remoteId, bool established = false)
{
    ChannelTrace t;
    t.event = event;
    t.channel.discoveryKey = discoveryKey;
    t.channel.localId = localId;
    t.channel.remoteId = remoteId;
    t.channel.remoteVerified = established;
    t.channel.established = established;
    return t;
}

/// One message of every type Options..Data, most fields set (a bitfield with a zero byte, Data
/// with a node and a signature). Close is left out: it would close the channel.
inline std::vector<Message> everyMessage()
{
    std::vector<Message> messages;
    schema::Options options;
    options.add_extensions("x");
    options.add_extensions("y");
    options.set_ack(true);
    messages.emplace_back(options);
    schema::Status status;
    status.set_uploading(true);
    status.set_downloading(false);
    messages.emplace_back(status);
    schema::Have have;
    have.set_start(1);
    have.set_length(10);
    have.set_bitfield(std::string("\x01\x02\x00\xff", 4));
    have.set_ack(true);
    messages.emplace_back(have);
    schema::Unhave unhave;
    unhave.set_start(2);
    unhave.set_length(3);
    messages.emplace_back(unhave);
    schema::Want want;
    want.set_start(0);
    messages.emplace_back(want);
    schema::Unwant unwant;
    unwant.set_start(5);
    unwant.set_length(6);
    messages.emplace_back(unwant);
    schema::Request request;
    request.set_index(7);
    request.set_bytes(8);
    request.set_hash(true);
    request.set_nodes(9);
    messages.emplace_back(request);
    schema::Cancel cancel;
    cancel.set_index(7);
    cancel.set_bytes(8);
    cancel.set_hash(false);
    messages.emplace_back(cancel);
    schema::Data data;
    data.set_index(4);
    data.set_value("hello");
    auto *node = data.add_nodes();
    node->set_index(1);
    node->set_hash(std::string(32, '\xab'));
    node->set_size(3);
    data.set_signature(std::string(64, '\x5a'));
    messages.emplace_back(data);
    return messages;
}

} // namespace hyperscope::test
