// Tests core/protocol/handshakedissection.cpp on the reference's three handshake messages
// (tests/vectors/hypercore-wire.json): every token's field with its byte range, the key each
// encrypted part was encrypted with (a field without bytes), and message 1's nonce in clear.
#include "handshakedissection.h"
#include "vectors.h"

#include <QtTest>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// The wire bytes (varint prefix + message) of handshake message @p index of the reference
/// session; message 3 may share its chunk with transport bytes, so cut at its length.
Bytes referenceMessage(int index)
{
    const QJsonObject wire = wireVectors()["session"].toObject()["wire"].toObject();
    const QJsonArray initiator = wire["initiator"].toArray();
    const QJsonArray responder = wire["responder"].toArray();
    Bytes chunk = hex(index == 0 ? initiator[0] : index == 1 ? responder[0] : initiator[1]);
    const std::size_t length = chunk[0]; // < 128: a one-byte varint
    chunk.resize(1 + length);
    return chunk;
}

QString describe(const DissectedField &node)
{
    return QString::fromStdString(node.name) + "@" + QString::number(node.offset) + "+" +
           QString::number(node.length);
}

const DissectedField *child(const DissectedField &node, const std::string &name)
{
    for (const DissectedField &c : node.children) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

} // namespace

class TestHandshakeDissection : public QObject
{
    Q_OBJECT

private slots:
    void laysOutEveryToken_data()
    {
        QTest::addColumn<int>("index");
        QTest::addColumn<QStringList>("fields");
        QTest::addColumn<QString>("staticKey"); // "Encrypted with" of s; empty: no s
        QTest::addColumn<QString>("payloadKey");
        QTest::newRow("message 1")
            << 0
            << QStringList{"Length@0+1", "Ephemeral key (e)@1+32", "Payload (NoisePayload)@33+26"}
            << QString() << QString();
        QTest::newRow("message 2")
            << 1
            << QStringList{"Length@0+1", "Ephemeral key (e)@1+32", "Static key (s)@33+48",
                           "Payload (NoisePayload)@81+42"}
            << "k from ee = DH(initiator's ephemeral, responder's ephemeral), nonce n = 0"
            << "k from es = DH(initiator's ephemeral, responder's static), nonce n = 0";
        QTest::newRow("message 3")
            << 2 << QStringList{"Length@0+1", "Static key (s)@1+48", "Payload (NoisePayload)@49+42"}
            << "k from es = DH(initiator's ephemeral, responder's static), nonce n = 1"
            << "k from se = DH(initiator's static, responder's ephemeral), nonce n = 0";
    }

    void laysOutEveryToken()
    {
        QFETCH(int, index);
        QFETCH(QStringList, fields);
        QFETCH(QString, staticKey);
        QFETCH(QString, payloadKey);
        const Bytes wire = referenceMessage(index);
        const DissectedField root = dissectHandshakeMessage(wire, index);
        QCOMPARE(root.length, wire.size());
        QStringList shown;
        for (const DissectedField &c : root.children)
            shown << describe(c);
        QCOMPARE(shown, fields);

        const auto keyOf = [](const DissectedField *part) {
            const DissectedField *note = part ? child(*part, "Encrypted with") : nullptr;
            if (!note)
                return QString();
            if (note->length != 0)
                return QString("has bytes");
            return QString::fromStdString(note->value);
        };
        const DissectedField *s = child(root, "Static key (s)");
        QCOMPARE(keyOf(s).section(';', 0, 0).section(" (", 0, 0), staticKey);
        const DissectedField *payload = child(root, "Payload (NoisePayload)");
        QVERIFY(payload);
        QCOMPARE(keyOf(payload).section(';', 0, 0), payloadKey);
        if (s)
            QVERIFY(keyOf(s).endsWith("h as associated data"));
    }

    void showsMessageOnesNonceInClear()
    {
        const QString nonce =
            wireVectors()["session"].toObject()["initiator"].toObject()["payloadNonce"].toString();
        const DissectedField root = dissectHandshakeMessage(referenceMessage(0), 0);
        const DissectedField *payload = child(root, "Payload (NoisePayload)");
        QVERIFY(payload);
        const DissectedField *field = child(*payload, "nonce");
        QVERIFY(field);
        QCOMPARE(field->length, std::size_t(26)); // tag, length, 24 bytes
        const QString value = QString::fromStdString(field->value);
        QVERIFY2(value.startsWith(nonce), qPrintable(value)); // in full, not "…"
        QVERIFY(value.contains("message 3 carries it again"));
    }
};

QTEST_APPLESS_MAIN(TestHandshakeDissection)
#include "tst_handshakedissection.moc"
