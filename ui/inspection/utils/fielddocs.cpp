#include "fielddocs.h"

#include <QCoreApplication>

namespace hyperscope::fielddocs {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("hyperscope::fielddocs", text);
}

FieldDoc field(const char *name, const char *type, const char *summary, const char *help = "")
{
    return {QString::fromLatin1(name), tr(type), tr(summary), tr(help)};
}

MessageDoc messageDoc(int wireType, const char *name, const char *summary, const char *help,
                      QList<FieldDoc> fields)
{
    return {wireType, QString::fromLatin1(name), tr(summary), tr(help), std::move(fields)};
}

// The range fields Have, Unhave, Want and Unwant share.
FieldDoc startField(const char *summary)
{
    return field("start", "uint64, required", summary);
}

QList<MessageDoc> buildMessages()
{
    QList<MessageDoc> docs;
    docs << messageDoc(
        0, "Open", "Opens a channel for one feed, named by its discovery key.",
        "<p>Each side sends Open on its own new channel id. The channel is established once both "
        "sides have opened the same <a href=\"glossary.html#discovery-key\">discovery key</a> "
        "and each has checked the other's <a href=\"glossary.html#capability\">capability</a>. "
        "An Open for a key the receiver has not opened waits for it: the receiver may open the "
        "key too, or refuse with Close.</p>"
        "<p>A wrong capability ends the whole session (\"capability mismatch\"). Without Noise "
        "there are no <a href=\"glossary.html#split-keys\">split keys</a> and no capability.</p>",
        {field("discoveryKey", "bytes (32), required",
               "BLAKE2b-256 of \"hypercore\" keyed with the feed key: names the feed without "
               "revealing its key."),
         field("capability", "bytes (32), optional",
               "Proof that the sender knows the feed key, bound to this connection's split keys.",
               "The sender computes BLAKE2b-256 keyed with its receive key over \"hypercore "
               "capability\" ‖ its send key ‖ the feed key. The receiver computes the same with "
               "its own keys swapped (its send key as the hash key, its receive key in the "
               "message) and compares in constant time.")});
    docs << messageDoc(
        1, "Options", "Announces the sender's extensions (and asks for acks) on a scope.",
        "<p>On channel 0 (when no channel has remote id 0) it is about the whole stream, "
        "otherwise about one channel. An <a href=\"message-extension.html\">Extension</a> "
        "message's id indexes the sender's latest list for that scope.</p>",
        {field("extensions", "string, repeated",
               "The sender's extension names for this scope, sorted bytewise: an Extension's id "
               "indexes this list."),
         field("ack", "bool, optional",
               "Asks the peer to acknowledge every Data it receives with a Have whose ack is "
               "set.")});
    docs << messageDoc(
        2, "Status", "Says whether the sender uploads and downloads on this channel.",
        "<p>A peer that stops downloading tells the other to stop sending; one that stops "
        "uploading tells it not to ask.</p>",
        {field("uploading", "bool, optional", "Whether the sender will serve blocks."),
         field("downloading", "bool, optional", "Whether the sender wants blocks.")});
    docs << messageDoc(
        3, "Have", "Tells which blocks of the feed the sender has.",
        "<p>Without a bitfield it covers <tt>start … start + length</tt>. With one, the "
        "bitfield (run-length encoded, bit <i>i</i> = block <tt>start + i</tt>) says block by "
        "block.</p>",
        {startField("The first block index the message is about."),
         field("length", "uint64, optional (default 1)", "How many blocks from start."),
         field("bitfield", "bytes, optional",
               "bitfield-rle of the blocks the sender has, starting at start.",
               "Chunks led by a varint h: if h & 1, a run of h >> 2 bytes (all 0xFF when h & 2, "
               "else 0x00); otherwise a literal of h >> 1 raw bytes. Bits are most significant "
               "first."),
         field("ack", "bool, optional",
               "This Have acknowledges a Data (the peer asked for acks in Options).")});
    docs << messageDoc(
        4, "Unhave", "Tells that the sender no longer has some blocks.",
        "<p>For example after clearing them from storage.</p>",
        {startField("The first block the sender no longer has."),
         field("length", "uint64, optional (default 1)", "How many blocks from start.")});
    docs << messageDoc(
        5, "Want", "Asks the peer to announce (with Have) the blocks it has in a range.",
        "<p>hypercore 9 answers only ranges whose start and length are multiples of 8192.</p>",
        {startField("The first block the sender wants to hear about."),
         field("length", "uint64, optional", "How many blocks; absent: all from start on.")});
    docs << messageDoc(6, "Unwant", "Withdraws an earlier Want.", "",
                       {startField("The first block of the withdrawn range."),
                        field("length", "uint64, optional", "How many blocks.")});
    docs << messageDoc(
        7, "Request", "Asks for one block (or its hash), answered with Data.",
        "<p>hypercore 9 destroys the stream when it cannot serve a Request.</p>",
        {field("index", "uint64, required", "The index of the block asked for."),
         field("bytes", "uint64, optional",
               "Ask for the block holding this byte offset instead (a seek)."),
         field("hash", "bool, optional", "Ask for the block's tree hash only, not its value."),
         field("nodes", "uint64, optional",
               "Digest of the proof nodes the requester already has (0: send a full proof).")});
    docs << messageDoc(8, "Cancel", "Cancels an earlier Request with the same fields.", "",
                       {field("index", "uint64, required", "The index of the cancelled block."),
                        field("bytes", "uint64, optional", "The byte offset, if it asked so."),
                        field("hash", "bool, optional", "Whether it asked for the hash only.")});
    docs << messageDoc(
        9, "Data", "One block of the feed with the Merkle proof that it belongs there.",
        "<p>The receiver climbs from the block's leaf hash with the proof <a "
        "href=\"message-node.html\">nodes</a> to the tree's roots and checks the writer's "
        "signature over them: the <a href=\"glossary.html#feed-key\">feed key</a> is the "
        "writer's Ed25519 public key.</p>",
        {field("index", "uint64, required", "The block's index in the feed."),
         field("value", "bytes, optional",
               "The block's bytes (absent when the Request asked for the hash only)."),
         field("nodes", "Node, repeated",
               "Merkle tree nodes proving the block: siblings bottom-up, then missing roots."),
         field("signature", "bytes (64), optional",
               "The writer's Ed25519 signature over the tree's roots and the feed's length.")});
    docs << messageDoc(
        10, "Close", "Closes the sender's side of a channel, or refuses one.",
        "<p>On the sender's own channel id it closes its side. Sent on a fresh id with a "
        "discovery key, it refuses a channel the sender never opened.</p>",
        {field("discoveryKey", "bytes (32), optional",
               "Only when refusing a channel the sender never opened: which one.")});
    docs << messageDoc(
        15, "Extension", "A message of an extension both peers registered by name.",
        "<p>Payload: <tt>varint(id) ‖ bytes</tt>. The id indexes the <b>sender's</b> sorted "
        "extension names from its last <a href=\"message-options.html\">Options</a> on that "
        "scope, so the two sides' ids for one name usually differ. The bytes are encrypted but "
        "not authenticated.</p>",
        {field("Extension id", "varint",
               "Index of the extension in the sender's announced, sorted names."),
         field("Extension payload", "bytes",
               "The extension's own bytes: the protocol does not interpret them.")});
    docs << messageDoc(
        MessageDoc::NoWireType, "Node", "One Merkle tree node of a Data proof.",
        "<p>Nodes are numbered as a flat tree: block <i>i</i> is node <tt>2i</tt>, parents sit "
        "between their children.</p>",
        {field("index", "uint64, required", "The node's flat-tree index."),
         field("hash", "bytes (32), required", "BLAKE2b-256 of the node (leaf or parent)."),
         field("size", "uint64, required", "Bytes of feed data under the node.")});
    docs << messageDoc(
        MessageDoc::NoWireType, "Handshake",
        "The three Noise XX messages that authenticate both peers and agree on keys.",
        "<p>Pattern <tt>Noise_XX_25519_ChaChaPoly_BLAKE2b</tt>, empty prologue; the dialer is "
        "the initiator. Message 1 (<tt>-&gt; e</tt>) sends the initiator's ephemeral key; "
        "message 2 (<tt>&lt;- e, ee, s, es</tt>) the responder's ephemeral and encrypted static "
        "key; message 3 (<tt>-&gt; s, se</tt>) the initiator's encrypted static key. Every "
        "message carries the sender's <a href=\"glossary.html#payload-nonce\">payload "
        "nonce</a>. Afterwards both sides <a href=\"glossary.html#split-keys\">split</a>.</p>",
        {field("Length", "varint", "Bytes of the Noise message that follows."),
         field("Ephemeral key (e)", "bytes (32)",
               "The sender's fresh X25519 public key for this handshake, sent in clear."),
         field("Static key (s)", "bytes (48)",
               "The sender's long-term X25519 public key, encrypted under the handshake's "
               "current key."),
         field("Ciphertext", "bytes (32)", "The static key, encrypted."),
         field("Tag (Poly1305)", "bytes (16)",
               "Authentication tag: it verifies only if both sides derived the same key."),
         field("Payload (NoisePayload)", "protobuf",
               "The sender's NoisePayload, encrypted once a key exists (in clear in message 1)."),
         field("nonce", "bytes (24), required",
               "The sender's 24 random bytes: the XSalsa20 nonce of its send direction.")});
    return docs;
}

QList<FieldDoc> buildFrameFields()
{
    return {
        field("Frame", "varint(length) ‖ header ‖ payload", "One frame of the transport stream."),
        field("Length", "varint", "Bytes of the frame after this prefix (0: a keepalive)."),
        field("Keepalive", "one 0x00 byte",
              "An empty frame, sent when nothing else was sent for half the timeout."),
        field("Header", "varint", "channel << 4 | type: which channel and which message."),
        field("Channel", "from the header",
              "The sender's id for the channel (0: the stream itself)."),
        field("Type", "from the header", "The message type: 0..10, or 15 for Extension."),
        field("Payload", "bytes",
              "The body of an unassigned type (11..14), which the reference ignores."),
        field("Malformed", "", "Where the bytes stop making sense, and what is wrong."),
    };
}

QString htmlEscaped(const QString &text)
{
    return text.toHtmlEscaped();
}

} // namespace

const QList<MessageDoc> &messages()
{
    static const QList<MessageDoc> docs = buildMessages();
    return docs;
}

const QList<FieldDoc> &frameFields()
{
    static const QList<FieldDoc> fields = buildFrameFields();
    return fields;
}

const MessageDoc *message(const QString &name)
{
    for (const MessageDoc &doc : messages()) {
        if (doc.name == name)
            return &doc;
    }
    return nullptr;
}

const MessageDoc *messageOfType(int wireType)
{
    if (wireType == MessageDoc::NoWireType)
        return nullptr;
    for (const MessageDoc &doc : messages()) {
        if (doc.wireType == wireType)
            return &doc;
    }
    return nullptr;
}

QString fieldSummary(const QString &messageName, const QString &fieldName)
{
    if (const MessageDoc *doc = message(messageName)) {
        for (const FieldDoc &f : doc->fields) {
            if (f.name == fieldName)
                return f.summary;
        }
    }
    for (const FieldDoc &f : frameFields()) {
        if (f.name == fieldName)
            return f.summary;
    }
    return {};
}

QString pageName(const QString &messageName)
{
    return QStringLiteral("message-%1.html").arg(messageName.toLower());
}

const MessageDoc *messageOfPage(const QString &page)
{
    for (const MessageDoc &doc : messages()) {
        if (pageName(doc.name) == page)
            return &doc;
    }
    return nullptr;
}

QString messagePageHtml(const MessageDoc &doc)
{
    QString html;
    html += doc.wireType == MessageDoc::NoWireType
                ? QStringLiteral("<h2>%1</h2>").arg(htmlEscaped(doc.name))
                : QStringLiteral("<h2>%1 <small>(type %2)</small></h2>")
                      .arg(htmlEscaped(doc.name))
                      .arg(doc.wireType);
    html += QStringLiteral("<p><b>%1</b></p>").arg(htmlEscaped(doc.summary));
    html += doc.help;
    html += QStringLiteral("<h3>%1</h3>").arg(tr("Fields"));
    html += QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"4\">"
                           "<tr><th>%1</th><th>%2</th><th>%3</th></tr>")
                .arg(tr("Field"), tr("Type"), tr("Meaning"));
    for (const FieldDoc &f : doc.fields) {
        QString meaning = htmlEscaped(f.summary);
        if (!f.help.isEmpty())
            meaning += QStringLiteral("<br>") + htmlEscaped(f.help);
        html += QStringLiteral("<tr><td><tt>%1</tt></td><td>%2</td><td>%3</td></tr>")
                    .arg(htmlEscaped(f.name), htmlEscaped(f.type), meaning);
    }
    html += QStringLiteral("</table>");
    if (doc.wireType != MessageDoc::NoWireType) {
        html += QStringLiteral("<p>%1</p>")
                    .arg(tr("Every frame also has a <a href=\"protocol.html#frames\">length "
                            "and a header</a> (channel and type)."));
    }
    html += QStringLiteral("<p><a href=\"protocol.html\">%1</a> · <a "
                           "href=\"glossary.html\">%2</a></p>")
                .arg(tr("Protocol overview"), tr("Glossary"));
    return html;
}

} // namespace hyperscope::fielddocs
