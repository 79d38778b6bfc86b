// tests/vectors/feed.json (made by tests/vectors/make-feed-vectors.js from a real hypercore 9
// feed) and small converters, shared by the tests of core/feed.
#pragma once

#include "merkle.h"
#include "vectors.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace feedtest {

using namespace hyperscope;
using namespace hyperscope::feed;

inline QJsonObject feedVectors()
{
    static const QJsonObject vectors = hyperscope::test::loadVectors(QStringLiteral("feed.json"));
    return vectors;
}

inline Bytes hexBytes(const QJsonValue &value)
{
    return fromHex(value.toString().toStdString()).value_or(Bytes{});
}

inline Hash32 hexHash(const QJsonValue &value)
{
    Hash32 out{};
    const Bytes bytes = hexBytes(value);
    if (bytes.size() == out.size())
        std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

inline std::uint64_t u64(const QJsonValue &value)
{
    return std::uint64_t(value.toInteger());
}

inline TreeNode treeNode(const QJsonValue &value)
{
    const QJsonObject node = value.toObject();
    return {u64(node["index"]), hexHash(node["hash"]), u64(node["size"])};
}

inline Key32 feedKey()
{
    return *key32FromHex(feedVectors()["feed"].toObject()["key"].toString().toStdString());
}

} // namespace feedtest
