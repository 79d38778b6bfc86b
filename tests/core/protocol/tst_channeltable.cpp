// ChannelTable: the engine's channels by discovery key, by our id and by the remote's id.
#include "channeltable.h"
#include "engine.h"

#include <QtTest>

using namespace hyperscope;

namespace {

Key32 dk(std::uint8_t fill)
{
    Key32 key;
    key.fill(fill);
    return key;
}

} // namespace

class TestChannelTable : public QObject
{
    Q_OBJECT

private slots:
    void startsEmpty()
    {
        ChannelTable table(8, 8);
        QVERIFY(table.empty());
        QCOMPARE(table.size(), std::size_t(0));
        QCOMPARE(table.lowestFreeLocalId(), std::uint64_t(1)); // 0 is the stream
        QCOMPARE(table.find(dk(1)), nullptr);
        QCOMPARE(table.byLocalId(0), nullptr);
        QCOMPARE(table.byLocalId(1), nullptr);
        QCOMPARE(table.byRemoteId(0), nullptr);
        QVERIFY(!table.localFull());
        QVERIFY(!table.remoteFull());
    }

    void obtainCreatesOnceAndKeepsAddresses()
    {
        ChannelTable table(8, 8);
        ChannelRecord &first = table.obtain(dk(1));
        QCOMPARE(first.discoveryKey, dk(1));
        QVERIFY(!first.localId && !first.remoteId);
        QCOMPARE(&table.obtain(dk(1)), &first);
        // Many more records: the first one stays where it is.
        for (std::uint8_t i = 2; i < 200; ++i)
            table.obtain(dk(i));
        QCOMPARE(table.find(dk(1)), &first);
        QCOMPARE(table.size(), std::size_t(199));
    }

    void localIdsAreLowestFreeFromOne()
    {
        ChannelTable table(8, 8);
        ChannelRecord &a = table.obtain(dk(1));
        ChannelRecord &b = table.obtain(dk(2));
        ChannelRecord &c = table.obtain(dk(3));
        QCOMPARE(table.bindLocalId(a), std::uint64_t(1));
        QCOMPARE(table.bindLocalId(b), std::uint64_t(2));
        QCOMPARE(table.bindLocalId(c), std::uint64_t(3));
        QCOMPARE(*b.localId, std::uint64_t(2));
        QCOMPARE(table.localCount(), std::size_t(3));
        QCOMPARE(table.lowestFreeLocalId(), std::uint64_t(4));
        QCOMPARE(table.byLocalId(1), &a);
        QCOMPARE(table.byLocalId(2), &b);
        QCOMPARE(table.byLocalId(3), &c);
        QCOMPARE(table.byLocalId(4), nullptr);
        QCOMPARE(table.byLocalId(0), nullptr);
    }

    void localIdsAreReusedAfterClose()
    {
        ChannelTable table(8, 8);
        ChannelRecord &a = table.obtain(dk(1));
        ChannelRecord &b = table.obtain(dk(2));
        ChannelRecord &c = table.obtain(dk(3));
        table.bindLocalId(a);
        table.bindLocalId(b);
        table.bindLocalId(c);

        // Releasing keeps the record (the remote may still have it open), frees the id.
        table.releaseLocalId(b);
        QVERIFY(!b.localId);
        QCOMPARE(table.find(dk(2)), &b);
        QCOMPARE(table.byLocalId(2), nullptr);
        QCOMPARE(table.localCount(), std::size_t(2));
        QCOMPARE(table.lowestFreeLocalId(), std::uint64_t(2));

        // Erasing frees the id too.
        table.erase(dk(1));
        QCOMPARE(table.find(dk(1)), nullptr);
        QCOMPARE(table.byLocalId(1), nullptr);
        QCOMPARE(table.localCount(), std::size_t(1));
        QCOMPARE(table.lowestFreeLocalId(), std::uint64_t(1));

        ChannelRecord &d = table.obtain(dk(4));
        QCOMPARE(table.bindLocalId(d), std::uint64_t(1));
        QCOMPARE(table.bindLocalId(b), std::uint64_t(2));
        QCOMPARE(table.lowestFreeLocalId(), std::uint64_t(4));
        QCOMPARE(table.byLocalId(1), &d);
        QCOMPARE(table.byLocalId(3), &c);
    }

    void remoteIdsAreTheRemotesChoice()
    {
        ChannelTable table(8, 8);
        ChannelRecord &a = table.obtain(dk(1));
        ChannelRecord &b = table.obtain(dk(2));
        table.bindRemoteId(a, 0);
        table.bindRemoteId(b, 1000);
        QCOMPARE(*a.remoteId, std::uint64_t(0));
        QCOMPARE(table.byRemoteId(0), &a);
        QCOMPARE(table.byRemoteId(1000), &b);
        QCOMPARE(table.byRemoteId(1), nullptr);
        QCOMPARE(table.remoteCount(), std::size_t(2));
        // Remote ids do not take local ids.
        QCOMPARE(table.lowestFreeLocalId(), std::uint64_t(1));
        QCOMPARE(table.localCount(), std::size_t(0));

        table.unbindRemoteId(a);
        QVERIFY(!a.remoteId);
        QCOMPARE(table.byRemoteId(0), nullptr);
        QCOMPARE(table.find(dk(1)), &a);
        QCOMPARE(table.remoteCount(), std::size_t(1));

        // The remote may reuse an id for another channel once it is free.
        table.bindRemoteId(a, 1001);
        table.erase(dk(2));
        QCOMPARE(table.byRemoteId(1000), nullptr);
        QCOMPARE(table.remoteCount(), std::size_t(1));
        ChannelRecord &c = table.obtain(dk(3));
        table.bindRemoteId(c, 1000);
        QCOMPARE(table.byRemoteId(1000), &c);
        QCOMPARE(table.byRemoteId(1001), &a);
    }

    void lookupByEachKeyFindsTheSameRecord()
    {
        ChannelTable table(8, 8);
        ChannelRecord &a = table.obtain(dk(7));
        table.bindLocalId(a);
        table.bindRemoteId(a, 5);
        QCOMPARE(table.find(dk(7)), &a);
        QCOMPARE(table.byLocalId(*a.localId), &a);
        QCOMPARE(table.byRemoteId(5), &a);
        const ChannelTable &constTable = table;
        QCOMPARE(constTable.find(dk(7)), &a);

        const ChannelInfo info = a.info();
        QCOMPARE(info.discoveryKey, dk(7));
        QCOMPARE(info.localId, std::optional<std::uint64_t>(1));
        QCOMPARE(info.remoteId, std::optional<std::uint64_t>(5));

        table.erase(dk(7));
        QVERIFY(table.empty());
        QCOMPARE(table.byLocalId(1), nullptr);
        QCOMPARE(table.byRemoteId(5), nullptr);
        QCOMPARE(table.remoteCount(), std::size_t(0));
        table.erase(dk(7)); // unknown: no-op
    }

    void forEachIsInDiscoveryKeyOrder()
    {
        ChannelTable table(8, 8);
        for (std::uint8_t fill : {9, 3, 200, 1, 50})
            table.obtain(dk(fill));
        table.erase(dk(50));
        std::vector<std::uint8_t> seen;
        table.forEach(
            [&seen](const ChannelRecord &channel) { seen.push_back(channel.discoveryKey[0]); });
        QCOMPARE(seen, (std::vector<std::uint8_t>{1, 3, 9, 200}));
    }

    void limits()
    {
        ChannelTable table(3, 2);
        for (std::uint8_t i = 1; i <= 3; ++i) {
            QVERIFY(!table.localFull());
            table.bindLocalId(table.obtain(dk(i)));
        }
        QVERIFY(table.localFull());
        QCOMPARE(table.localCount(), std::size_t(3));
        table.releaseLocalId(*table.find(dk(2)));
        QVERIFY(!table.localFull());
        QCOMPARE(table.bindLocalId(table.obtain(dk(4))), std::uint64_t(2));
        QVERIFY(table.localFull());

        table.bindRemoteId(*table.find(dk(1)), 10);
        QVERIFY(!table.remoteFull());
        table.bindRemoteId(*table.find(dk(3)), 11);
        QVERIFY(table.remoteFull());
        table.unbindRemoteId(*table.find(dk(3)));
        QVERIFY(!table.remoteFull());
    }

    void engineLimitsAreTheTablesDefaults()
    {
        // The engine builds its table with these; they are documented in docs/robustness.md.
        QCOMPARE(limits::MaxLocalChannels, std::size_t(4096));
        QCOMPARE(limits::MaxRemoteChannels, std::size_t(4096));
        ChannelTable table(limits::MaxLocalChannels, limits::MaxRemoteChannels);
        for (std::size_t i = 0; i < limits::MaxLocalChannels; ++i) {
            Key32 key{};
            key[0] = std::uint8_t(i);
            key[1] = std::uint8_t(i >> 8);
            QCOMPARE(table.bindLocalId(table.obtain(key)), std::uint64_t(i + 1));
        }
        QVERIFY(table.localFull());
    }

    void clearForgetsEverything()
    {
        ChannelTable table(8, 8);
        ChannelRecord &a = table.obtain(dk(1));
        table.bindLocalId(a);
        table.bindRemoteId(a, 3);
        table.clear();
        QVERIFY(table.empty());
        QCOMPARE(table.localCount(), std::size_t(0));
        QCOMPARE(table.remoteCount(), std::size_t(0));
        QCOMPARE(table.lowestFreeLocalId(), std::uint64_t(1));
        QCOMPARE(table.byRemoteId(3), nullptr);
        ChannelRecord &b = table.obtain(dk(2));
        QCOMPARE(table.bindLocalId(b), std::uint64_t(1));
    }
};

QTEST_GUILESS_MAIN(TestChannelTable)
#include "tst_channeltable.moc"
