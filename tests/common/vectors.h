// Test fixtures: the reference's vectors in tests/vectors/ (recorded from the npm package),
// read from disk on every call.
#pragma once

#include "builders.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace hyperscope::test {

/// tests/vectors/@p name as a JSON object. A missing or malformed file aborts: every test that
/// reads vectors would fail anyway, and this names the file.
inline QJsonObject loadVectors(const QString &name)
{
    QFile file(QStringLiteral(HYPERSCOPE_VECTORS_DIR "/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(file.fileName()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("%s is not a JSON object: %s", qPrintable(file.fileName()),
               qPrintable(error.errorString()));
    return document.object();
}

/// hypercore-wire.json: the reference's frames, crypto values and whole session.
inline QJsonObject wireVectors()
{
    return loadVectors(QStringLiteral("hypercore-wire.json"));
}

/// hypercore-wire.json's "frames": one object per message type, with its JSON and frame bytes.
inline QJsonArray wireVectorFrames()
{
    return wireVectors().value(QStringLiteral("frames")).toArray();
}

/// noise-xx-blake2b.json's "vectors": Cacophony handshakes with fixed ephemerals.
inline QJsonArray noiseVectors()
{
    return loadVectors(QStringLiteral("noise-xx-blake2b.json"))
        .value(QStringLiteral("vectors"))
        .toArray();
}

/// The bytes of a hex string in a vector; aborts on bad hex (see hex()).
inline Bytes hex(const QJsonValue &value)
{
    return hex(value.toString());
}

/// A 32-byte value of a vector; aborts when it is not exactly that.
inline Key32 key32(const QJsonValue &value)
{
    return key32(value.toString().toStdString());
}

} // namespace hyperscope::test
