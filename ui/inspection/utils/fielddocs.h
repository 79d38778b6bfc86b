// fielddocs: what every message type and field of the wire protocol means, written once.
//
// One table serves three readers: the field tree's tooltips (one line per field), the help
// window's page of each message type (generated from the same table by messagePageHtml(), so the
// two never disagree) and the tests that check every wire type has a page. The names are the
// ones the dissectors give their nodes: schema field names ("discoveryKey"), the frame's own
// parts ("Length", "Header", "Channel", "Type") and the handshake's ("Ephemeral key (e)").
#pragma once

#include <QList>
#include <QString>

namespace hyperscope::fielddocs {

/// One field of a message, as the dissector names it.
struct FieldDoc
{
    QString name;    ///< "discoveryKey", "Length", "Ephemeral key (e)".
    QString type;    ///< "bytes, required", "uint64, optional (default 1)", "varint".
    QString summary; ///< One line, for a tooltip: what the field is.
    QString help;    ///< A paragraph for the help page (may be empty: the summary says it all).
};

/// One message type (or the handshake, or a message embedded in another, such as Data's Node).
struct MessageDoc
{
    /// The header's type field (0..10, 15), or one of the constants below.
    int wireType = NoWireType;
    QString name;    ///< "Open": the name the header's Type field shows.
    QString summary; ///< One line: what the message is for.
    QString help;    ///< Paragraphs (HTML allowed: <p>, <b>, <tt>, links to other pages).
    QList<FieldDoc> fields;

    static constexpr int NoWireType = -1; ///< The handshake, or an embedded message.
};

/// Every documented message, in wire-type order: Open … Close, Extension, then Node (embedded in
/// Data) and Handshake (the three Noise messages and their payload).
const QList<MessageDoc> &messages();
/// The parts every frame has (Frame, Length, Keepalive, Header, Channel, Type, Payload,
/// Malformed), documented once instead of in each message.
const QList<FieldDoc> &frameFields();

/// The message called @p name ("Open", "Handshake", "Node"; case-sensitive), or null.
const MessageDoc *message(const QString &name);
/// The message with header type @p wireType (0..10, 15), or null (11..14 are unassigned).
const MessageDoc *messageOfType(int wireType);

/// The one-line meaning of field @p field of message @p messageName, falling back to the frame's
/// own parts; empty when neither knows the name (an unknown field number).
QString fieldSummary(const QString &messageName, const QString &field);

/// The help page of @p messageName: "message-open.html" (relative to the help pages' folder).
QString pageName(const QString &messageName);
/// The message a page name produced by pageName() belongs to, or null.
const MessageDoc *messageOfPage(const QString &pageName);
/// The help page of @p doc, as Qt rich text: summary, help, a table of its fields, and links
/// back to the overview and the glossary.
QString messagePageHtml(const MessageDoc &doc);

} // namespace hyperscope::fielddocs
