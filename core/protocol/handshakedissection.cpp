#include "handshakedissection.h"

#include "messages.h"
#include "varint.h"

namespace hyperscope {

namespace {

constexpr std::size_t KeySize = 32;
constexpr std::size_t TagSize = 16;

std::string hexPreview(ByteView bytes)
{
    if (bytes.size() <= 32)
        return toHex(bytes);
    return toHex(bytes.first(32)) + "… (" + std::to_string(bytes.size()) + " bytes)";
}

DissectedField field(std::string name, std::string value, std::size_t offset, std::size_t length)
{
    return {std::move(name), std::move(value), offset, length, {}};
}

// Which cipher key encrypts a part of message @p index, from the Diffie-Hellman that made it,
// and the nonce counter it is used with (XX: messages 2 and 3 each carry two encrypted parts).
// A field of its own, without bytes: the key is not on the wire, the reader has to know it.
DissectedField keyNote(int index, bool payload, std::size_t offset)
{
    std::string text;
    if (index == 1)
        text = payload
                   ? "k from es = DH(initiator's ephemeral, responder's static), nonce n = 0"
                   : "k from ee = DH(initiator's ephemeral, responder's ephemeral), nonce n = 0";
    else
        text = payload ? "k from se = DH(initiator's static, responder's ephemeral), nonce n = 0"
                       : "k from es = DH(initiator's ephemeral, responder's static), nonce n = 1 "
                         "(n = 0 went to message 2's payload)";
    return field("Encrypted with", text + "; h as associated data", offset, 0);
}

// The NoisePayload of message 1 travels in clear: show its nonce field like the frame dissector
// shows protobuf fields.
void dissectClearPayload(DissectedField &node, ByteView payload, std::size_t base)
{
    WireReader reader(payload, base);
    WireField wireField;
    Error error;
    for (;;) {
        const WireReader::Status status = reader.next(wireField, error);
        if (status == WireReader::Status::End)
            return;
        if (status == WireReader::Status::Malformed) {
            node.children.push_back(field("Malformed", error.message, reader.offset(),
                                          base + payload.size() - reader.offset()));
            return;
        }
        if (wireField.number == 1 && wireField.wireType == 2)
            node.children.push_back(field("nonce",
                                          hexPreview(wireField.data) +
                                              " (the initiator's XSalsa20 nonce; message 3 "
                                              "carries it again, encrypted)",
                                          wireField.offset, wireField.size));
        else
            node.children.push_back(field("field " + std::to_string(wireField.number) +
                                              " (wire type " + std::to_string(wireField.wireType) +
                                              ")",
                                          {}, wireField.offset, wireField.size));
    }
}

} // namespace

DissectedField dissectHandshakeMessage(ByteView wire, int index)
{
    static const char *const tokens[] = {"-> e", "<- e, ee, s, es", "-> s, se"};
    DissectedField root;
    root.name = "Handshake message " + std::to_string(index + 1);
    root.value = std::string("Noise XX ") + tokens[index < 0 || index > 2 ? 0 : index];
    root.offset = 0;
    root.length = wire.size();

    const varint::Decoded length = varint::decode(wire);
    if (length.status != varint::Status::Ok) {
        root.children.push_back(field("Malformed", "invalid length prefix", 0, wire.size()));
        return root;
    }
    root.children.push_back(field("Length", std::to_string(length.value), 0, length.size));
    std::size_t pos = length.size;
    const std::size_t end = wire.size();
    auto take = [&](std::size_t size) {
        const std::size_t n = std::min(size, end - pos);
        const std::size_t start = pos;
        pos += n;
        return std::pair{start, n};
    };

    if (index == 0 || index == 1) {
        const auto [offset, size] = take(KeySize);
        root.children.push_back(
            field("Ephemeral key (e)", hexPreview(wire.subspan(offset, size)), offset, size));
    }
    if (index == 1 || index == 2) {
        const auto [offset, size] = take(KeySize + TagSize);
        DissectedField s =
            field("Static key (s)", "encrypted: 32-byte key + 16-byte tag", offset, size);
        s.children.push_back(keyNote(index, false, offset)); // index is 1 or 2 here
        if (size == KeySize + TagSize) {
            s.children.push_back(
                field("Ciphertext", hexPreview(wire.subspan(offset, KeySize)), offset, KeySize));
            s.children.push_back(field("Tag (Poly1305)",
                                       toHex(wire.subspan(offset + KeySize, TagSize)),
                                       offset + KeySize, TagSize));
        }
        root.children.push_back(std::move(s));
    }
    if (pos < end) {
        const std::size_t offset = pos;
        const std::size_t size = end - pos;
        if (index == 0) {
            DissectedField payload =
                field("Payload (NoisePayload)", "in clear: no key yet", offset, size);
            dissectClearPayload(payload, wire.subspan(offset, size), offset);
            root.children.push_back(std::move(payload));
        } else {
            DissectedField payload =
                field("Payload (NoisePayload)",
                      "encrypted: " + std::to_string(size >= TagSize ? size - TagSize : 0) +
                          " bytes + 16-byte tag",
                      offset, size);
            if (index == 1 || index == 2)
                payload.children.push_back(keyNote(index, true, offset));
            if (size >= TagSize) {
                payload.children.push_back(field("Ciphertext",
                                                 hexPreview(wire.subspan(offset, size - TagSize)),
                                                 offset, size - TagSize));
                payload.children.push_back(
                    field("Tag (Poly1305)", toHex(wire.subspan(offset + size - TagSize, TagSize)),
                          offset + size - TagSize, TagSize));
            }
            root.children.push_back(std::move(payload));
        }
    }
    return root;
}

DissectedField noteField(const std::string &name, const std::string &text)
{
    return {name, text, 0, 0, {}};
}

} // namespace hyperscope
