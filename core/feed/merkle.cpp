#include "merkle.h"

#include "crypto.h"

#include <sodium.h>

namespace hyperscope::feed {

namespace {

void putU64(std::uint8_t *out, std::uint64_t value)
{
    for (int i = 7; i >= 0; --i) {
        out[i] = std::uint8_t(value);
        value >>= 8;
    }
}

} // namespace

Hash32 leafHash(ByteView value)
{
    crypto::ensureInitialized();
    std::uint8_t header[9] = {0x00};
    putU64(header + 1, value.size());
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, 32);
    crypto_generichash_update(&state, header, sizeof header);
    crypto_generichash_update(&state, value.data(), value.size());
    Hash32 out{};
    crypto_generichash_final(&state, out.data(), out.size());
    return out;
}

TreeNode leafNode(std::uint64_t block, ByteView value)
{
    return {2 * block, leafHash(value), value.size()};
}

Hash32 parentHash(const TreeNode &left, const TreeNode &right)
{
    crypto::ensureInitialized();
    std::uint8_t input[1 + 8 + 32 + 32] = {0x01};
    putU64(input + 1, left.size + right.size);
    std::copy(left.hash.begin(), left.hash.end(), input + 9);
    std::copy(right.hash.begin(), right.hash.end(), input + 41);
    Hash32 out{};
    crypto_generichash(out.data(), out.size(), input, sizeof input, nullptr, 0);
    return out;
}

TreeNode parentNode(const TreeNode &a, const TreeNode &b)
{
    const TreeNode &left = a.index < b.index ? a : b;
    const TreeNode &right = a.index < b.index ? b : a;
    return {(left.index + right.index) / 2, parentHash(left, right), left.size + right.size};
}

Hash32 treeHash(std::span<const TreeNode> roots)
{
    crypto::ensureInitialized();
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, 32);
    const std::uint8_t type = 0x02;
    crypto_generichash_update(&state, &type, 1);
    for (const TreeNode &root : roots) {
        std::uint8_t numbers[16];
        putU64(numbers, root.index);
        putU64(numbers + 8, root.size);
        crypto_generichash_update(&state, root.hash.data(), root.hash.size());
        crypto_generichash_update(&state, numbers, sizeof numbers);
    }
    Hash32 out{};
    crypto_generichash_final(&state, out.data(), out.size());
    return out;
}

std::array<std::uint8_t, 40> signable(const Hash32 &treeHash, std::uint64_t length)
{
    std::array<std::uint8_t, 40> out{};
    std::copy(treeHash.begin(), treeHash.end(), out.begin());
    putU64(out.data() + 32, length);
    return out;
}

SigningKeyPair generateSigningKeyPair()
{
    crypto::ensureInitialized();
    SigningKeyPair pair;
    crypto_sign_keypair(pair.publicKey.data(), pair.secretKey.data());
    return pair;
}

SigningKeyPair signingKeyPairFromSeed(const Key32 &seed)
{
    crypto::ensureInitialized();
    SigningKeyPair pair;
    crypto_sign_seed_keypair(pair.publicKey.data(), pair.secretKey.data(), seed.data());
    return pair;
}

Signature sign(ByteView message, const SigningKeyPair &keyPair)
{
    crypto::ensureInitialized();
    Signature out{};
    crypto_sign_detached(out.data(), nullptr, message.data(), message.size(),
                         keyPair.secretKey.data());
    return out;
}

bool verifySignature(ByteView message, ByteView signature, const Key32 &publicKey)
{
    crypto::ensureInitialized();
    if (signature.size() != crypto_sign_BYTES)
        return false;
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                       publicKey.data()) == 0;
}

} // namespace hyperscope::feed
