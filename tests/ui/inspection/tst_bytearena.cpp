// ByteArena: the append-only store of the log's frame bytes. Items share 4 MiB chunks, large
// items get a chunk of their own, views stay valid while the arena grows, and slots that do not
// describe stored bytes read as empty rather than out of bounds.
#include "bytearena.h"

#include <QTest>

#include <vector>

using namespace hyperscope;

namespace {

Bytes patterned(std::size_t size, std::uint8_t seed)
{
    Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = std::uint8_t(seed + i * 7);
    return bytes;
}

bool sameBytes(ByteView a, ByteView b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

} // namespace

class TestByteArena : public QObject
{
    Q_OBJECT
private slots:
    void emptyItemTakesNoStorage();
    void storesAndReturnsTheSameBytes_data();
    void storesAndReturnsTheSameBytes();
    void smallItemsShareOneChunk();
    void largeItemGetsAChunkOfItsOwn();
    void startsANewChunkWhenTheCurrentOneIsFull();
    void viewsStayValidWhileTheArenaGrows();
    void rejectsSlotsThatDescribeNoStoredBytes_data();
    void rejectsSlotsThatDescribeNoStoredBytes();
    void clearFreesEverything();
};

void TestByteArena::emptyItemTakesNoStorage()
{
    ByteArena arena;
    const ByteArena::Slot slot = arena.append({});
    QCOMPARE(slot.size, 0u);
    QVERIFY(arena.view(slot).empty());
    QCOMPARE(arena.capacity(), std::size_t(0));
    QCOMPARE(arena.used(), std::size_t(0));
}

void TestByteArena::storesAndReturnsTheSameBytes_data()
{
    QTest::addColumn<qulonglong>("size");
    QTest::newRow("one byte") << qulonglong(1);
    QTest::newRow("a frame") << qulonglong(300);
    QTest::newRow("largest shared item") << qulonglong(ByteArena::ChunkSize / 4);
    QTest::newRow("smallest own-chunk item") << qulonglong(ByteArena::ChunkSize / 4 + 1);
    QTest::newRow("8 MiB frame") << qulonglong(8 * 1024 * 1024);
}

void TestByteArena::storesAndReturnsTheSameBytes()
{
    QFETCH(qulonglong, size);
    ByteArena arena;
    const Bytes bytes = patterned(std::size_t(size), 3);
    const ByteArena::Slot slot = arena.append(bytes);
    QCOMPARE(qulonglong(slot.size), size);
    QVERIFY(sameBytes(arena.view(slot), bytes));
    QCOMPARE(arena.used(), std::size_t(size));
    QVERIFY(arena.capacity() >= arena.used());
}

void TestByteArena::smallItemsShareOneChunk()
{
    ByteArena arena;
    const Bytes a = patterned(100, 1);
    const Bytes b = patterned(50, 2);
    const ByteArena::Slot first = arena.append(a);
    const ByteArena::Slot second = arena.append(b);
    QCOMPARE(first.chunk, second.chunk);
    QCOMPARE(first.offset, 0u);
    QCOMPARE(second.offset, 100u); // packed right after the first
    QCOMPARE(arena.capacity(), ByteArena::ChunkSize);
    QCOMPARE(arena.used(), std::size_t(150));
    QVERIFY(sameBytes(arena.view(first), a));
    QVERIFY(sameBytes(arena.view(second), b));
}

void TestByteArena::largeItemGetsAChunkOfItsOwn()
{
    ByteArena arena;
    const Bytes small = patterned(10, 1);
    const Bytes large = patterned(ByteArena::ChunkSize / 2, 2);
    const ByteArena::Slot first = arena.append(small);
    const ByteArena::Slot big = arena.append(large);
    const ByteArena::Slot after = arena.append(small);
    QVERIFY(big.chunk != first.chunk);
    QCOMPARE(big.offset, 0u);
    // The large item's chunk is exactly its size, and the shared chunk goes on being filled.
    QCOMPARE(arena.capacity(), ByteArena::ChunkSize + large.size());
    QCOMPARE(after.chunk, first.chunk);
    QCOMPARE(after.offset, 10u);
    QVERIFY(sameBytes(arena.view(big), large));
    QVERIFY(sameBytes(arena.view(after), small));
}

void TestByteArena::startsANewChunkWhenTheCurrentOneIsFull()
{
    ByteArena arena;
    // Four items of a quarter chunk fill the first chunk exactly; the fifth needs another.
    std::vector<ByteArena::Slot> stored;
    for (int i = 0; i < 5; ++i)
        stored.push_back(arena.append(patterned(ByteArena::ChunkSize / 4, std::uint8_t(i))));
    for (int i = 0; i < 4; ++i)
        QCOMPARE(stored[std::size_t(i)].chunk, stored[0].chunk);
    QVERIFY(stored[4].chunk != stored[0].chunk);
    QCOMPARE(stored[4].offset, 0u);
    QCOMPARE(arena.capacity(), 2 * ByteArena::ChunkSize);
    for (int i = 0; i < 5; ++i)
        QVERIFY(sameBytes(arena.view(stored[std::size_t(i)]),
                          patterned(ByteArena::ChunkSize / 4, std::uint8_t(i))));
}

void TestByteArena::viewsStayValidWhileTheArenaGrows()
{
    ByteArena arena;
    const Bytes first = patterned(64, 9);
    const ByteView early = arena.view(arena.append(first));
    const std::uint8_t *address = early.data();
    for (int i = 0; i < 3000; ++i)
        arena.append(patterned(4096, std::uint8_t(i)));
    QVERIFY(arena.capacity() > ByteArena::ChunkSize); // several chunks were added
    // Chunks are never reallocated: the first view still points at the same, intact bytes.
    QCOMPARE(early.data(), address);
    QVERIFY(sameBytes(early, first));
}

void TestByteArena::rejectsSlotsThatDescribeNoStoredBytes_data()
{
    QTest::addColumn<quint32>("chunk");
    QTest::addColumn<quint32>("offset");
    QTest::addColumn<quint32>("size");
    QTest::newRow("unknown chunk") << 7u << 0u << 4u;
    QTest::newRow("beyond what the chunk holds") << 0u << 0u << 11u;
    QTest::newRow("offset past the end") << 0u << 8u << 4u;
    QTest::newRow("size zero") << 0u << 0u << 0u;
}

void TestByteArena::rejectsSlotsThatDescribeNoStoredBytes()
{
    QFETCH(quint32, chunk);
    QFETCH(quint32, offset);
    QFETCH(quint32, size);
    ByteArena arena;
    arena.append(patterned(10, 0));
    QVERIFY(arena.view({chunk, offset, size}).empty());
}

void TestByteArena::clearFreesEverything()
{
    ByteArena arena;
    const ByteArena::Slot slot = arena.append(patterned(100, 0));
    arena.append(patterned(ByteArena::ChunkSize, 1));
    arena.clear();
    QCOMPARE(arena.capacity(), std::size_t(0));
    QCOMPARE(arena.used(), std::size_t(0));
    QVERIFY(arena.view(slot).empty()); // old slots read as nothing
    // The arena is usable again, from a fresh chunk.
    const Bytes again = patterned(5, 4);
    const ByteArena::Slot fresh = arena.append(again);
    QCOMPARE(fresh.chunk, 0u);
    QCOMPARE(fresh.offset, 0u);
    QVERIFY(sameBytes(arena.view(fresh), again));
}

QTEST_APPLESS_MAIN(TestByteArena)
#include "tst_bytearena.moc"
