// Dissection of the rows of the log that are not transport frames: the three Noise handshake
// messages (laid out by their XX tokens) and notes (warnings, errors, events). Same tree shape as
// dissectFrame(), so the detail pane and the hex view treat every row alike.
#pragma once

#include "dissector.h"

#include <string>

namespace hyperscope {

/// Dissects handshake message @p index (0..2) of Noise XX as it was on the wire:
/// varint(length) || noise message. Message 1 carries its NoisePayload in clear, so its nonce is
/// shown; later payloads and the static keys are encrypted and shown as such, each with a field
/// without bytes ("Encrypted with") naming the key: which Diffie-Hellman token made it, and the
/// nonce counter it was used with.
DissectedField dissectHandshakeMessage(ByteView wire, int index);

/// A one-node tree for a note line (no bytes).
DissectedField noteField(const std::string &name, const std::string &text);

} // namespace hyperscope
