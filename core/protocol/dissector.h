// Wireshark-style dissection of one plaintext frame: a tree of named fields, each carrying the
// exact byte range it was decoded from, so that the inspector can highlight a field's bytes in
// the hex view and the CLI can print an annotated dump.
#pragma once

#include "bytes.h"

#include <cstddef>
#include <string>
#include <vector>

namespace hyperscope {

/// One node of a dissection tree. @c offset and @c length locate the node's bytes within the
/// frame given to dissectFrame(); a child's range always lies within its parent's.
struct DissectedField
{
    std::string name;  ///< "Frame", "Length", "Header", a schema field name ("start"), ...
    std::string value; ///< Display text of the value (UTF-8); may be empty.
    std::size_t offset = 0;
    std::size_t length = 0;
    std::vector<DissectedField> children;
};

/// Dissects @p frameBytes, one frame as returned in Frame::bytes (length prefix included).
///
/// The root is "Frame" (all bytes; value: a one-line summary). Its children, in byte order:
///  - "Length": the length varint (value: L in decimal);
///  - for a keepalive (L == 0) only "Keepalive" instead of "Length";
///  - "Header": the header varint (value "channel 1, Want"), children "Channel" and "Type", both
///    covering the whole header varint (they share its bytes);
///  - types 0..10: one node per protobuf field in wire order, covering tag + value. Known fields
///    are named after the schema (FieldDescriptor::name(), e.g. "discoveryKey") and formatted by
///    their declared type: integers in decimal, bools as true/false, bytes as lower-case hex cut
///    with "…" after 32 bytes plus the byte count (or, when they read as text, at least 4
///    printable ASCII characters, tabs or line breaks: quoted, cut after 64 characters, plus the
///    count), strings quoted. Data.nodes entries get their
///    own children (index, hash, size). Unknown fields, or known ones with an unexpected wire
///    type, are named "field N (wire type W)";
///  - type 15: "Extension id" (varint) and "Extension payload" (hex);
///  - types 11..14: "Payload" (hex);
///  - wherever the bytes stop making sense: "Malformed", value = what is wrong, covering the rest
///    of the enclosing range. A frame shorter than its length prefix announces, or followed by
///    extra bytes, also gets a "Malformed" node.
///
/// Safe on any input (it runs on hostile bytes): never reads out of range, never throws.
DissectedField dissectFrame(ByteView frameBytes);

} // namespace hyperscope
