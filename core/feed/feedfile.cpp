#include "feedfile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace hyperscope::feed {

std::variant<FeedBuilder, std::string>
loadServedFile(const std::string &path, std::size_t blockSize, const SigningKeyPair &keyPair)
{
    if (blockSize == 0 || blockSize > MaxServedBlockSize)
        return "the block size must be 1 to " + std::to_string(MaxServedBlockSize) + " bytes";
    const auto cannotRead = [&path](int error) {
        return "cannot read " + path + ": " + std::strerror(error);
    };
    errno = 0;
    const std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(std::fopen(path.c_str(), "rb"),
                                                                &std::fclose);
    if (!file)
        return cannotRead(errno);
    // Read in chunks rather than trusting a size: a pipe or /proc file reports none.
    Bytes bytes;
    std::uint8_t chunk[64 * 1024];
    for (;;) {
        const std::size_t read = std::fread(chunk, 1, sizeof chunk, file.get());
        bytes.insert(bytes.end(), chunk, chunk + read);
        if (read < sizeof chunk)
            break;
    }
    // A directory opens but fails to read (EISDIR).
    if (std::ferror(file.get()))
        return cannotRead(errno != 0 ? errno : EIO);
    if (bytes.empty())
        return path + " is empty: a feed needs at least one block";
    return FeedBuilder::fromBytes(bytes, blockSize, keyPair);
}

} // namespace hyperscope::feed
