#include "channeltable.h"

#include <cassert>

namespace hyperscope {

ChannelInfo ChannelRecord::info() const
{
    ChannelInfo info;
    info.discoveryKey = discoveryKey;
    info.key = key;
    info.localId = localId;
    info.remoteId = remoteId;
    info.remoteVerified = verified;
    info.established = established;
    return info;
}

ChannelTable::ChannelTable(std::size_t maxLocal, std::size_t maxRemote)
    : m_maxLocal(maxLocal)
    , m_maxRemote(maxRemote)
{
    m_byLocalId.push_back(NoSlot); // id 0 is the stream itself
}

std::size_t ChannelTable::slotOf(const Key32 &discoveryKey) const
{
    const auto it = m_byKey.find(discoveryKey);
    return it == m_byKey.end() ? NoSlot : it->second;
}

ChannelRecord *ChannelTable::find(const Key32 &discoveryKey)
{
    const std::size_t slot = slotOf(discoveryKey);
    return slot == NoSlot ? nullptr : m_slots[slot].get();
}

const ChannelRecord *ChannelTable::find(const Key32 &discoveryKey) const
{
    const std::size_t slot = slotOf(discoveryKey);
    return slot == NoSlot ? nullptr : m_slots[slot].get();
}

ChannelRecord *ChannelTable::byLocalId(std::uint64_t localId)
{
    if (localId >= m_byLocalId.size() || m_byLocalId[localId] == NoSlot)
        return nullptr;
    return m_slots[m_byLocalId[localId]].get();
}

ChannelRecord *ChannelTable::byRemoteId(std::uint64_t remoteId)
{
    const auto it = m_byRemoteId.find(remoteId);
    return it == m_byRemoteId.end() ? nullptr : m_slots[it->second].get();
}

ChannelRecord &ChannelTable::obtain(const Key32 &discoveryKey)
{
    if (ChannelRecord *existing = find(discoveryKey))
        return *existing;
    std::size_t slot;
    if (m_freeSlots.empty()) {
        slot = m_slots.size();
        m_slots.emplace_back();
    } else {
        slot = m_freeSlots.back();
        m_freeSlots.pop_back();
    }
    m_slots[slot] = std::make_unique<ChannelRecord>();
    m_slots[slot]->discoveryKey = discoveryKey;
    m_byKey.emplace(discoveryKey, slot);
    return *m_slots[slot];
}

void ChannelTable::erase(const Key32 &discoveryKey)
{
    const auto it = m_byKey.find(discoveryKey);
    if (it == m_byKey.end())
        return;
    const std::size_t slot = it->second;
    ChannelRecord &channel = *m_slots[slot];
    if (channel.localId)
        releaseLocalId(channel);
    if (channel.remoteId)
        unbindRemoteId(channel);
    m_byKey.erase(it);
    m_slots[slot].reset();
    m_freeSlots.push_back(slot);
}

void ChannelTable::clear()
{
    m_slots.clear();
    m_freeSlots.clear();
    m_byKey.clear();
    m_byLocalId.assign(1, NoSlot);
    m_localCount = 0;
    m_byRemoteId.clear();
}

std::uint64_t ChannelTable::lowestFreeLocalId() const
{
    for (std::size_t id = 1; id < m_byLocalId.size(); ++id) {
        if (m_byLocalId[id] == NoSlot)
            return id;
    }
    return m_byLocalId.size();
}

std::uint64_t ChannelTable::bindLocalId(ChannelRecord &channel)
{
    assert(!channel.localId && !localFull());
    const std::uint64_t id = lowestFreeLocalId();
    if (id == m_byLocalId.size())
        m_byLocalId.push_back(NoSlot);
    m_byLocalId[id] = slotOf(channel.discoveryKey);
    ++m_localCount;
    channel.localId = id;
    return id;
}

void ChannelTable::releaseLocalId(ChannelRecord &channel)
{
    assert(channel.localId);
    m_byLocalId[*channel.localId] = NoSlot;
    --m_localCount;
    channel.localId.reset();
}

void ChannelTable::bindRemoteId(ChannelRecord &channel, std::uint64_t remoteId)
{
    assert(!channel.remoteId && !m_byRemoteId.count(remoteId) && !remoteFull());
    m_byRemoteId[remoteId] = slotOf(channel.discoveryKey);
    channel.remoteId = remoteId;
}

void ChannelTable::unbindRemoteId(ChannelRecord &channel)
{
    assert(channel.remoteId);
    m_byRemoteId.erase(*channel.remoteId);
    channel.remoteId.reset();
}

} // namespace hyperscope
