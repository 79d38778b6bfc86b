#include "noise.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <limits>

namespace hyperscope {

namespace {

Error handshakeError(std::string message)
{
    return Error(ErrorCode::HandshakeFailed, std::move(message));
}

constexpr std::size_t HashLen = 64;
constexpr std::size_t DhLen = 32;
constexpr std::size_t HmacBlockLen = 128; // BLAKE2b's block size, per RFC 2104

enum class Token { E, S, EE, ES, SE };

struct MessagePattern
{
    std::size_t count;
    Token tokens[4];
    std::string_view text;

    std::span<const Token> tokenList() const { return {tokens, count}; }
};

constexpr MessagePattern XxMessages[] = {
    {1, {Token::E}, "e"},
    {4, {Token::E, Token::EE, Token::S, Token::ES}, "e, ee, s, es"},
    {2, {Token::S, Token::SE}, "s, se"},
};
constexpr MessagePattern NnMessages[] = {
    {1, {Token::E}, "e"},
    {2, {Token::E, Token::EE}, "e, ee"},
};

std::span<const MessagePattern> messagesOf(NoisePattern pattern)
{
    return pattern == NoisePattern::XX ? std::span<const MessagePattern>(XxMessages)
                                       : std::span<const MessagePattern>(NnMessages);
}

// Which of our keys and which of the peer's keys a DH token combines. The letters of a token
// name the initiator's key first, the responder's second.
struct DhRoles
{
    bool localStatic;
    bool remoteStatic;
};

DhRoles dhRoles(Token token, bool initiator)
{
    switch (token) {
    case Token::ES:
        return initiator ? DhRoles{false, true} : DhRoles{true, false};
    case Token::SE:
        return initiator ? DhRoles{true, false} : DhRoles{false, true};
    default:
        return {false, false};
    }
}

// HMAC-BLAKE2b per RFC 2104 (what the Noise spec's HMAC-HASH means), not BLAKE2b's keyed mode.
void hmac(ByteView key, std::initializer_list<ByteView> data, std::uint8_t (&out)[HashLen])
{
    std::uint8_t block[HmacBlockLen] = {};
    if (key.size() > HmacBlockLen)
        crypto_generichash(block, HashLen, key.data(), key.size(), nullptr, 0);
    else
        std::copy(key.begin(), key.end(), block);

    crypto_generichash_state state;
    std::uint8_t pad[HmacBlockLen];
    for (std::size_t i = 0; i < HmacBlockLen; ++i)
        pad[i] = block[i] ^ 0x36;
    crypto_generichash_init(&state, nullptr, 0, HashLen);
    crypto_generichash_update(&state, pad, sizeof pad);
    for (ByteView part : data)
        crypto_generichash_update(&state, part.data(), part.size());
    std::uint8_t inner[HashLen];
    crypto_generichash_final(&state, inner, sizeof inner);

    for (std::size_t i = 0; i < HmacBlockLen; ++i)
        pad[i] = block[i] ^ 0x5c;
    crypto_generichash_init(&state, nullptr, 0, HashLen);
    crypto_generichash_update(&state, pad, sizeof pad);
    crypto_generichash_update(&state, inner, sizeof inner);
    crypto_generichash_final(&state, out, HashLen);

    sodium_memzero(block, sizeof block);
    sodium_memzero(pad, sizeof pad);
    sodium_memzero(inner, sizeof inner);
    sodium_memzero(&state, sizeof state);
}

// Noise HKDF with two outputs.
void hkdf(ByteView chainingKey, ByteView inputKeyMaterial, std::uint8_t (&out1)[HashLen],
          std::uint8_t (&out2)[HashLen])
{
    std::uint8_t tempKey[HashLen];
    hmac(chainingKey, {inputKeyMaterial}, tempKey);
    const std::uint8_t one = 0x01, two = 0x02;
    hmac(tempKey, {ByteView(&one, 1)}, out1);
    hmac(tempKey, {ByteView(out1), ByteView(&two, 1)}, out2);
    sodium_memzero(tempKey, sizeof tempKey);
}

Key32 first32(const std::uint8_t (&bytes)[HashLen])
{
    Key32 key{};
    std::copy_n(bytes, key.size(), key.begin());
    return key;
}

std::array<std::uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> nonceBytes(std::uint64_t n)
{
    std::array<std::uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> bytes{};
    for (int i = 0; i < 8; ++i)
        bytes[4 + i] = static_cast<std::uint8_t>(n >> (8 * i));
    return bytes;
}

// MixHash(data): h = HASH(h || data).
void mixHashInto(Hash64 &h, ByteView data)
{
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, HashLen);
    crypto_generichash_update(&state, h.data(), h.size());
    crypto_generichash_update(&state, data.data(), data.size());
    crypto_generichash_final(&state, h.data(), h.size());
}

// Both protocol names are shorter than HASHLEN, so the initial h is the name zero-padded.
Hash64 initialHash(NoisePattern pattern)
{
    Hash64 h{};
    const std::string_view name = NoiseHandshake::protocolName(pattern);
    std::copy(name.begin(), name.end(), h.begin());
    return h;
}

NoiseStep::Kind stepKind(Token token)
{
    switch (token) {
    case Token::E:
        return NoiseStep::Kind::E;
    case Token::S:
        return NoiseStep::Kind::S;
    case Token::EE:
        return NoiseStep::Kind::EE;
    case Token::ES:
        return NoiseStep::Kind::ES;
    case Token::SE:
        return NoiseStep::Kind::SE;
    }
    return NoiseStep::Kind::E;
}

// 2^64-1 is reserved by the Noise spec; a counter that reached it may not be used.
constexpr std::uint64_t MaxNonce = std::numeric_limits<std::uint64_t>::max();

} // namespace

// ---------------------------------------------------------------------------------------------

NoiseCipherState::NoiseCipherState(const Key32 &key)
{
    initializeKey(key);
}

NoiseCipherState::~NoiseCipherState()
{
    sodium_memzero(m_key.data(), m_key.size());
}

void NoiseCipherState::initializeKey(const Key32 &key)
{
    m_key = key;
    m_nonce = 0;
    m_hasKey = true;
}

void NoiseCipherState::clear()
{
    sodium_memzero(m_key.data(), m_key.size());
    m_nonce = 0;
    m_hasKey = false;
}

Error NoiseCipherState::encryptWithAd(ByteView ad, ByteView plaintext, Bytes &out)
{
    if (!m_hasKey) {
        out.insert(out.end(), plaintext.begin(), plaintext.end());
        return {};
    }
    if (m_nonce == MaxNonce)
        return handshakeError("nonce exhausted");
    crypto::ensureInitialized();
    const std::size_t start = out.size();
    out.resize(start + plaintext.size() + TagSize);
    const auto nonce = nonceBytes(m_nonce);
    unsigned long long written = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(out.data() + start, &written, plaintext.data(),
                                              plaintext.size(), ad.data(), ad.size(), nullptr,
                                              nonce.data(), m_key.data());
    ++m_nonce;
    return {};
}

Error NoiseCipherState::decryptWithAd(ByteView ad, ByteView ciphertext, Bytes &out)
{
    if (!m_hasKey) {
        out.insert(out.end(), ciphertext.begin(), ciphertext.end());
        return {};
    }
    if (ciphertext.size() < TagSize)
        return handshakeError("ciphertext too short: " + std::to_string(ciphertext.size()) +
                              " bytes, need at least " + std::to_string(TagSize));
    if (m_nonce == MaxNonce)
        return handshakeError("nonce exhausted");
    crypto::ensureInitialized();
    const std::size_t start = out.size();
    out.resize(start + ciphertext.size() - TagSize);
    const auto nonce = nonceBytes(m_nonce);
    unsigned long long written = 0;
    if (crypto_aead_chacha20poly1305_ietf_decrypt(out.data() + start, &written, nullptr,
                                                  ciphertext.data(), ciphertext.size(), ad.data(),
                                                  ad.size(), nonce.data(), m_key.data()) != 0) {
        out.resize(start);
        return handshakeError("MAC check failed");
    }
    ++m_nonce;
    return {};
}

// ---------------------------------------------------------------------------------------------

NoiseHandshake::NoiseHandshake(bool initiator, const crypto::KeyPair &staticKeys,
                               const crypto::KeyPair &ephemeralKeys, ByteView prologue,
                               NoisePattern pattern)
    : m_initiator(initiator)
    , m_pattern(pattern)
    , m_static(staticKeys)
    , m_ephemeral(ephemeralKeys)
{
    crypto::ensureInitialized();
    m_h = initialHash(pattern);
    m_ck = m_h;
    mixHash(prologue);
}

NoiseHandshake::~NoiseHandshake()
{
    crypto::wipe(m_ck);
    crypto::wipe(m_static.secretKey);
    crypto::wipe(m_ephemeral.secretKey);
    crypto::wipe(m_split.tx);
    crypto::wipe(m_split.rx);
    // m_cipher wipes its own key.
}

std::string_view NoiseHandshake::protocolName(NoisePattern pattern)
{
    return pattern == NoisePattern::XX ? "Noise_XX_25519_ChaChaPoly_BLAKE2b"
                                       : "Noise_NN_25519_ChaChaPoly_BLAKE2b";
}

int NoiseHandshake::messageCount(NoisePattern pattern)
{
    return static_cast<int>(messagesOf(pattern).size());
}

std::string_view NoiseHandshake::messageTokens(NoisePattern pattern, int index)
{
    const auto messages = messagesOf(pattern);
    if (index < 0 || index >= static_cast<int>(messages.size()))
        return {};
    return messages[index].text;
}

NoiseHandshake::Action NoiseHandshake::nextAction() const
{
    switch (m_state) {
    case State::Failed:
        return Action::Failed;
    case State::Complete:
        return Action::Split;
    case State::Running:
        break;
    }
    return isMyTurnToWrite() ? Action::WriteMessage : Action::ReadMessage;
}

bool NoiseHandshake::isMyTurnToWrite() const
{
    // The initiator writes the even-numbered messages.
    return (m_messageIndex % 2 == 0) == m_initiator;
}

crypto::SplitKeys NoiseHandshake::split() const
{
    return m_state == State::Complete ? m_split : crypto::SplitKeys{};
}

Error NoiseHandshake::fail(std::string message)
{
    // A failed handshake is never resumed, so its secrets are of no further use.
    m_state = State::Failed;
    crypto::wipe(m_ck);
    m_cipher.clear();
    crypto::wipe(m_static.secretKey);
    crypto::wipe(m_ephemeral.secretKey);
    return handshakeError(std::move(message));
}

void NoiseHandshake::mixHash(ByteView data)
{
    mixHashInto(m_h, data);
}

void NoiseHandshake::mixKey(ByteView inputKeyMaterial)
{
    std::uint8_t ck[HashLen], tempK[HashLen];
    hkdf(m_ck, inputKeyMaterial, ck, tempK);
    std::copy_n(ck, HashLen, m_ck.begin());
    Key32 key = first32(tempK);
    m_cipher.initializeKey(key);
    crypto::wipe(key);
    sodium_memzero(ck, sizeof ck);
    sodium_memzero(tempK, sizeof tempK);
}

Error NoiseHandshake::encryptAndHash(ByteView plaintext, Bytes &out)
{
    const std::size_t start = out.size();
    if (Error error = m_cipher.encryptWithAd(m_h, plaintext, out))
        return error;
    mixHash(ByteView(out).subspan(start));
    return {};
}

Error NoiseHandshake::decryptAndHash(ByteView ciphertext, Bytes &out)
{
    if (Error error = m_cipher.decryptWithAd(m_h, ciphertext, out))
        return error;
    mixHash(ciphertext);
    return {};
}

Error NoiseHandshake::mixDh(const Key32 &localSecret, const std::optional<Key32> &remotePublic)
{
    if (!remotePublic)
        return handshakeError("remote key missing for DH");
    std::uint8_t shared[DhLen];
    // crypto_scalarmult fails when the result is all zeros: the remote key was a low-order point
    // chosen to force a known shared secret.
    if (crypto_scalarmult(shared, localSecret.data(), remotePublic->data()) != 0 ||
        sodium_is_zero(shared, sizeof shared)) {
        sodium_memzero(shared, sizeof shared);
        return handshakeError("invalid DH result (low-order point)");
    }
    mixKey(ByteView(shared, sizeof shared));
    sodium_memzero(shared, sizeof shared);
    return {};
}

void NoiseHandshake::advance()
{
    ++m_messageIndex;
    if (m_messageIndex < messageCount(m_pattern))
        return;
    std::uint8_t k1[HashLen], k2[HashLen];
    hkdf(m_ck, {}, k1, k2);
    m_split = m_initiator ? crypto::SplitKeys{first32(k1), first32(k2)}
                          : crypto::SplitKeys{first32(k2), first32(k1)};
    if (m_stepLog) {
        NoiseStep step{.kind = NoiseStep::Kind::Split, .k = first32(k1), .k2 = first32(k2)};
        recordStep(step);
        m_stepLog->back().message = m_messageIndex - 1; // the last message, already counted
    }
    sodium_memzero(k1, sizeof k1);
    sodium_memzero(k2, sizeof k2);
    // Split() is the end of the handshake: the chaining key and secret keys are no longer needed.
    crypto::wipe(m_ck);
    m_cipher.clear();
    crypto::wipe(m_static.secretKey);
    crypto::wipe(m_ephemeral.secretKey);
    m_state = State::Complete;
}

void NoiseHandshake::recordStep(NoiseStep step)
{
    step.message = m_messageIndex;
    step.recordedByInitiator = m_initiator;
    step.h = m_h;
    step.ck = m_ck;
    m_stepLog->push_back(step);
}

void NoiseHandshake::recordDh(NoiseStep::Kind kind, bool localStatic, bool remoteStatic)
{
    // Only called after a successful DH, so the remote key it used is known.
    const Key32 &local = localStatic ? m_static.publicKey : m_ephemeral.publicKey;
    const Key32 remote = (remoteStatic ? m_remoteStatic : m_remoteEphemeral).value_or(Key32{});
    NoiseStep step{.kind = kind,
                   .initiatorKey = m_initiator ? local : remote,
                   .responderKey = m_initiator ? remote : local,
                   .k = m_cipher.key()};
    recordStep(step);
}

std::vector<NoiseStep> NoiseHandshake::publicOpeningSteps(NoisePattern pattern, ByteView prologue,
                                                          const Key32 &initiatorEphemeral,
                                                          ByteView firstPayload,
                                                          bool recordedByInitiator)
{
    crypto::ensureInitialized();
    std::vector<NoiseStep> steps;
    Hash64 h = initialHash(pattern);
    const Hash64 ck = h; // no DH happens before message 2, so ck stays the initial h
    const auto add = [&](NoiseStep step, int message) {
        step.message = message;
        step.recordedByInitiator = recordedByInitiator;
        step.h = h;
        step.ck = ck;
        steps.push_back(step);
    };
    add({.kind = NoiseStep::Kind::Initialize}, -1);
    mixHashInto(h, prologue);
    add({.kind = NoiseStep::Kind::Prologue, .mixedSize = prologue.size()}, -1);
    mixHashInto(h, initiatorEphemeral);
    add({.kind = NoiseStep::Kind::E, .publicKey = initiatorEphemeral, .mixedSize = DhLen}, 0);
    mixHashInto(h, firstPayload);
    add({.kind = NoiseStep::Kind::Payload, .mixedSize = firstPayload.size()}, 0);
    return steps;
}

void NoiseHandshake::wipeSteps(std::vector<NoiseStep> &steps)
{
    for (NoiseStep &step : steps) {
        crypto::wipe(step.ck);
        if (step.k)
            crypto::wipe(*step.k);
        if (step.k2)
            crypto::wipe(*step.k2);
    }
    steps.clear();
}

std::size_t NoiseHandshake::minimumMessageSize(int index) const
{
    bool hasKey = m_cipher.hasKey();
    std::size_t size = 0;
    for (Token token : messagesOf(m_pattern)[index].tokenList()) {
        switch (token) {
        case Token::E:
            size += DhLen;
            break;
        case Token::S:
            size += DhLen + (hasKey ? NoiseCipherState::TagSize : 0);
            break;
        case Token::EE:
        case Token::ES:
        case Token::SE:
            hasKey = true;
            break;
        }
    }
    return size + (hasKey ? NoiseCipherState::TagSize : 0);
}

Error NoiseHandshake::writeMessage(ByteView payload, Bytes &out)
{
    switch (m_state) {
    case State::Failed:
        return handshakeError("handshake has already failed");
    case State::Complete:
        return fail("handshake is already complete: nothing more to write");
    case State::Running:
        break;
    }
    if (!isMyTurnToWrite())
        return fail("not this side's turn to write: expecting to read message " +
                    std::to_string(m_messageIndex));

    const std::size_t size = minimumMessageSize(m_messageIndex) + payload.size();
    if (size > MaxMessageSize)
        return fail("message would be " + std::to_string(size) + " bytes, more than the maximum " +
                    std::to_string(MaxMessageSize));

    const std::size_t start = out.size();
    out.reserve(start + size);
    const auto abort = [&](Error error) {
        out.resize(start);
        return fail(std::move(error.message));
    };

    for (Token token : messagesOf(m_pattern)[m_messageIndex].tokenList()) {
        Error error;
        switch (token) {
        case Token::E:
            out.insert(out.end(), m_ephemeral.publicKey.begin(), m_ephemeral.publicKey.end());
            mixHash(m_ephemeral.publicKey);
            if (m_stepLog)
                recordStep({.kind = NoiseStep::Kind::E,
                            .publicKey = m_ephemeral.publicKey,
                            .mixedSize = DhLen});
            break;
        case Token::S: {
            const std::size_t before = out.size();
            const bool encrypted = m_cipher.hasKey();
            const std::uint64_t nonce = m_cipher.nonce();
            error = encryptAndHash(m_static.publicKey, out);
            if (m_stepLog && !error)
                recordStep({.kind = NoiseStep::Kind::S,
                            .publicKey = m_static.publicKey,
                            .mixedSize = out.size() - before,
                            .encrypted = encrypted,
                            .nonce = nonce});
            break;
        }
        case Token::EE:
        case Token::ES:
        case Token::SE: {
            const DhRoles roles = dhRoles(token, m_initiator);
            error = mixDh(roles.localStatic ? m_static.secretKey : m_ephemeral.secretKey,
                          roles.remoteStatic ? m_remoteStatic : m_remoteEphemeral);
            if (m_stepLog && !error)
                recordDh(stepKind(token), roles.localStatic, roles.remoteStatic);
            break;
        }
        }
        if (error)
            return abort(std::move(error));
    }
    const std::size_t payloadStart = out.size();
    const bool payloadEncrypted = m_cipher.hasKey();
    const std::uint64_t payloadNonce = m_cipher.nonce();
    if (Error error = encryptAndHash(payload, out))
        return abort(std::move(error));
    if (m_stepLog)
        recordStep({.kind = NoiseStep::Kind::Payload,
                    .mixedSize = out.size() - payloadStart,
                    .encrypted = payloadEncrypted,
                    .nonce = payloadNonce});

    advance();
    return {};
}

Error NoiseHandshake::readMessage(ByteView message, Bytes &payload)
{
    payload.clear();
    switch (m_state) {
    case State::Failed:
        return handshakeError("handshake has already failed");
    case State::Complete:
        return fail("handshake is already complete: nothing more to read");
    case State::Running:
        break;
    }
    if (isMyTurnToWrite())
        return fail("not this side's turn to read: expecting to write message " +
                    std::to_string(m_messageIndex));
    if (message.size() > MaxMessageSize)
        return fail("message too large: " + std::to_string(message.size()) +
                    " bytes, more than the maximum " + std::to_string(MaxMessageSize));
    if (const std::size_t minimum = minimumMessageSize(m_messageIndex); message.size() < minimum)
        return fail("message too short: " + std::to_string(message.size()) +
                    " bytes, need at least " + std::to_string(minimum));

    ByteView rest = message;
    for (Token token : messagesOf(m_pattern)[m_messageIndex].tokenList()) {
        Error error;
        switch (token) {
        case Token::E: {
            Key32 re{};
            std::copy_n(rest.begin(), re.size(), re.begin());
            m_remoteEphemeral = re;
            mixHash(rest.first(DhLen));
            rest = rest.subspan(DhLen);
            if (m_stepLog)
                recordStep({.kind = NoiseStep::Kind::E, .publicKey = re, .mixedSize = DhLen});
            break;
        }
        case Token::S: {
            const std::size_t length = DhLen + (m_cipher.hasKey() ? NoiseCipherState::TagSize : 0);
            const bool encrypted = m_cipher.hasKey();
            const std::uint64_t nonce = m_cipher.nonce();
            Bytes rs;
            if (decryptAndHash(rest.first(length), rs))
                return fail("MAC check failed on static key");
            Key32 key{};
            std::copy_n(rs.begin(), key.size(), key.begin());
            m_remoteStatic = key;
            rest = rest.subspan(length);
            if (m_stepLog)
                recordStep({.kind = NoiseStep::Kind::S,
                            .publicKey = key,
                            .mixedSize = length,
                            .encrypted = encrypted,
                            .nonce = nonce});
            break;
        }
        case Token::EE:
        case Token::ES:
        case Token::SE: {
            const DhRoles roles = dhRoles(token, m_initiator);
            error = mixDh(roles.localStatic ? m_static.secretKey : m_ephemeral.secretKey,
                          roles.remoteStatic ? m_remoteStatic : m_remoteEphemeral);
            if (m_stepLog && !error)
                recordDh(stepKind(token), roles.localStatic, roles.remoteStatic);
            break;
        }
        }
        if (error)
            return fail(std::move(error.message));
    }
    const bool payloadEncrypted = m_cipher.hasKey();
    const std::uint64_t payloadNonce = m_cipher.nonce();
    if (decryptAndHash(rest, payload)) {
        payload.clear();
        return fail("MAC check failed on payload");
    }
    if (m_stepLog)
        recordStep({.kind = NoiseStep::Kind::Payload,
                    .mixedSize = rest.size(),
                    .encrypted = payloadEncrypted,
                    .nonce = payloadNonce});

    advance();
    return {};
}

} // namespace hyperscope
