// The engine's channel table: every channel either side opened, found by discovery key, by our
// local id or by the remote's id.
//
// Records live in a vector of slots; the id tables hold slot indices, never pointers into another
// container. A record's address is stable from insertion to erase() (each slot owns its record),
// so the engine may hold a ChannelRecord & across calls that insert other channels, but must look
// it up again after anything that may erase it (a handler callback, a fatal error).
//
// The table keeps its indexes consistent and enforces its limits; what a refusal means (an error
// to the application, a fatal error for a hostile remote) is the engine's decision.
#pragma once

#include "bytes.h"
#include "sessioninfo.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace hyperscope {

/// Extension names on one scope: the stream, or one channel.
struct ExtensionScope
{
    std::vector<std::string> local;     ///< Sorted, unique.
    std::vector<std::string> announced; ///< What the remote last heard from us.
    std::vector<std::string> remote;    ///< The remote's latest names.
};

/// Everything the engine knows about one channel. localId and remoteId are owned by the table
/// (bindLocalId, releaseLocalId, bindRemoteId, unbindRemoteId): read them, never assign them.
struct ChannelRecord
{
    Key32 discoveryKey{};
    std::optional<Key32> key; ///< Known only when we opened the channel.
    std::optional<std::uint64_t> localId;
    std::optional<std::uint64_t> remoteId;
    std::optional<Key32> remoteCapability;
    bool remoteOpened = false;
    bool verified = false;
    bool established = false;
    ExtensionScope extensions;

    /// The application's snapshot of this channel.
    ChannelInfo info() const;
};

class ChannelTable
{
public:
    /// @p maxLocal: ids we may hold at once (limits::MaxLocalChannels); @p maxRemote: ids the
    /// remote may hold at once (limits::MaxRemoteChannels).
    ChannelTable(std::size_t maxLocal, std::size_t maxRemote);

    // --- Lookup ------------------------------------------------------------------------------

    ChannelRecord *find(const Key32 &discoveryKey);
    const ChannelRecord *find(const Key32 &discoveryKey) const;
    /// The channel holding our id @p localId, or null.
    ChannelRecord *byLocalId(std::uint64_t localId);
    /// The channel the remote's id @p remoteId names, or null.
    ChannelRecord *byRemoteId(std::uint64_t remoteId);

    bool empty() const { return m_byKey.empty(); }
    std::size_t size() const { return m_byKey.size(); }
    /// Calls @p visit(const ChannelRecord &) for every channel, in discovery-key order.
    template<typename Visit> void forEach(Visit &&visit) const
    {
        for (const auto &[discoveryKey, slot] : m_byKey)
            visit(*m_slots[slot]);
    }

    // --- Records -----------------------------------------------------------------------------

    /// The channel of @p discoveryKey, created (with no ids) when there was none.
    ChannelRecord &obtain(const Key32 &discoveryKey);
    /// Forgets the channel of @p discoveryKey and frees its ids. No-op when unknown.
    void erase(const Key32 &discoveryKey);
    /// Forgets everything.
    void clear();

    // --- Our ids -----------------------------------------------------------------------------

    /// The id the next bindLocalId() would take: the lowest free one, from 1 (0 is the stream).
    std::uint64_t lowestFreeLocalId() const;
    std::size_t localCount() const { return m_localCount; }
    bool localFull() const { return m_localCount >= m_maxLocal; }
    /// Gives @p channel (which has none) the lowest free id. Requires !localFull().
    std::uint64_t bindLocalId(ChannelRecord &channel);
    /// Frees @p channel's id (it has one); the id may be reused at once.
    void releaseLocalId(ChannelRecord &channel);

    // --- The remote's ids --------------------------------------------------------------------

    std::size_t remoteCount() const { return m_byRemoteId.size(); }
    bool remoteFull() const { return m_byRemoteId.size() >= m_maxRemote; }
    /// Records that the remote's id @p remoteId names @p channel. The id must be unbound, and
    /// the channel must have no remote id. Requires !remoteFull().
    void bindRemoteId(ChannelRecord &channel, std::uint64_t remoteId);
    /// Forgets @p channel's remote id (it has one).
    void unbindRemoteId(ChannelRecord &channel);

private:
    static constexpr std::size_t NoSlot = static_cast<std::size_t>(-1);
    struct KeyLess
    {
        bool operator()(const Key32 &a, const Key32 &b) const { return a < b; }
    };

    std::size_t slotOf(const Key32 &discoveryKey) const;

    std::size_t m_maxLocal;
    std::size_t m_maxRemote;
    std::vector<std::unique_ptr<ChannelRecord>> m_slots; ///< null = free slot.
    std::vector<std::size_t> m_freeSlots;
    std::map<Key32, std::size_t, KeyLess> m_byKey; ///< Discovery key -> slot; ordered for output.
    std::vector<std::size_t> m_byLocalId; ///< index = local id -> slot; NoSlot = free. 0 unused.
    std::size_t m_localCount = 0;
    std::unordered_map<std::uint64_t, std::size_t> m_byRemoteId; ///< remote id -> slot.
};

} // namespace hyperscope
