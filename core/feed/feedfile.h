// A file served as a hypercore 9 feed: its bytes cut into blocks and signed (FeedBuilder), with
// the checks and error lines that `hyperscope-cli --serve FILE` and Session › Serve a File… share.
#pragma once

#include "feedbuilder.h"

#include <cstddef>
#include <string>
#include <variant>

namespace hyperscope::feed {

/// The largest block a served feed uses: hypercore 9 refuses messages over 8 MiB.
constexpr std::size_t MaxServedBlockSize = 8 * 1024 * 1024;

/// Reads the file at @p path (UTF-8, as the platform's file names are on Linux) and builds its
/// feed in blocks of @p blockSize, signed by @p keyPair. Returns the feed, or one line saying why
/// it cannot be served:
///  - "the block size must be 1 to 8388608 bytes" (@p blockSize is 0 or over MaxServedBlockSize);
///  - "cannot read PATH: No such file or directory" (the system's reason: a directory, no
///    permission, a read error);
///  - "PATH is empty: a feed needs at least one block".
std::variant<FeedBuilder, std::string>
loadServedFile(const std::string &path, std::size_t blockSize, const SigningKeyPair &keyPair);

} // namespace hyperscope::feed
