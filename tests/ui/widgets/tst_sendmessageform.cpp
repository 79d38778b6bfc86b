// SendMessageForm: any message type, from fields generated from the schema. tst_mainwindow sends
// a few filled-in forms through the window; here, the form on its own: the editors each type
// gets, every parsing rule and its error sentence (table-driven, no session needed), invalid
// fields marked and unmarked, and, on a real loopback pair, typing and clicking Send, the channel
// list, opening a channel from the form, raw frames and the end of the session.
#include "builders.h"
#include "inspectedpair.h"
#include "sendmessageform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

#include <memory>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// Two sessions over loopback; the accepted side records what it receives.
struct Pair : InspectedPair
{
    QStringList received; ///< Summaries of the messages the accepted side got.

    Pair()
    {
        onAccepted = [this](SessionDriver *driver) {
            QObject::connect(driver, &SessionDriver::messageReceived, driver,
                             [this](const ChannelInfo &, const Message &message) {
                                 received << QString::fromStdString(summarize(message));
                             });
        };
    }
};

/// Fills the form from "name=value" lines; "name_format=Text" switches a bytes field to text.
bool fill(SendMessageForm &form, const QStringList &fields)
{
    for (const QString &field : fields) {
        const qsizetype eq = field.indexOf(QLatin1Char('='));
        const QString name = field.left(eq);
        const QString value =
            field.mid(eq + 1).replace(QStringLiteral("\\n"), QStringLiteral("\n"));
        if (name.endsWith(QLatin1String("_format"))) {
            auto *combo = form.findChild<QComboBox *>(QStringLiteral("field_") + name);
            if (!combo)
                return false;
            combo->setCurrentIndex(combo->findText(value));
            continue;
        }
        if (!form.setFieldText(name, value))
            return false;
    }
    return true;
}

QString sessionLabelOf(const SendMessageForm &form)
{
    for (const QLabel *label : form.findChildren<QLabel *>()) {
        if (label->text().startsWith(QLatin1String("On session")) ||
            label->text().startsWith(QLatin1String("Session ")) ||
            label->text() == QLatin1String("No session selected"))
            return label->text();
    }
    return {};
}

} // namespace

class TestSendMessageForm : public QObject
{
    Q_OBJECT
private slots:
    void offersTheElevenTypesStartingWithWant();
    void editorsFollowTheSchema_data();
    void editorsFollowTheSchema();
    void buildsWhatTheFieldsSay_data();
    void buildsWhatTheFieldsSay();
    void explainsWhatIsWrong_data();
    void explainsWhatIsWrong();
    void bytesAreHexOrText();
    void marksTheInvalidFieldUntilItIsFixed();
    void withoutASessionNothingIsSent();
    void listsOnlyChannelsWeHaveOpen();
    void sendsWhatWasTyped();
    void asksForAChannelFirst();
    void opensAChannelFromTheForm();
    void saysWhenTheChannelIsAlreadyOpen_data();
    void saysWhenTheChannelIsAlreadyOpen();
    void bytesTakeTheSpellingsKeysTake();
    void rawFramesSkipTheRequiredFields();
    void endedSessionCannotSend();
};

void TestSendMessageForm::offersTheElevenTypesStartingWithWant()
{
    SendMessageForm form;
    QComboBox *types = form.typeCombo();
    QCOMPARE(types->count(), 11);
    const QStringList names{
        QStringLiteral("Open"),   QStringLiteral("Options"), QStringLiteral("Status"),
        QStringLiteral("Have"),   QStringLiteral("Unhave"),  QStringLiteral("Want"),
        QStringLiteral("Unwant"), QStringLiteral("Request"), QStringLiteral("Cancel"),
        QStringLiteral("Data"),   QStringLiteral("Close")};
    for (int i = 0; i < 11; ++i) {
        QCOMPARE(types->itemText(i), names.at(i));
        QCOMPARE(types->itemData(i).toInt(), i);
    }
    QCOMPARE(form.messageType(), MessageType::Want);
    // Choosing a type with the keyboard rebuilds the fields.
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    types->setFocus();
    QTest::keyClick(types, Qt::Key_Down);
    QCOMPARE(form.messageType(), MessageType::Unwant);
    QTest::keyClick(types, Qt::Key_Down);
    QCOMPARE(form.messageType(), MessageType::Request);
    QVERIFY(form.fieldEditor(QStringLiteral("index")));
    QVERIFY(!form.fieldEditor(QStringLiteral("start")));
}

void TestSendMessageForm::editorsFollowTheSchema_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QStringList>("lineEdits");
    QTest::addColumn<QStringList>("boolCombos");
    QTest::addColumn<QStringList>("bytesFields");
    QTest::addColumn<QStringList>("textEdits");

    QTest::newRow("Want") << int(MessageType::Want)
                          << QStringList{QStringLiteral("start"), QStringLiteral("length")}
                          << QStringList{} << QStringList{} << QStringList{};
    QTest::newRow("Have") << int(MessageType::Have)
                          << QStringList{QStringLiteral("start"), QStringLiteral("length"),
                                         QStringLiteral("bitfield")}
                          << QStringList{QStringLiteral("ack")}
                          << QStringList{QStringLiteral("bitfield")} << QStringList{};
    QTest::newRow("Status") << int(MessageType::Status) << QStringList{}
                            << QStringList{QStringLiteral("uploading"),
                                           QStringLiteral("downloading")}
                            << QStringList{} << QStringList{};
    QTest::newRow("Options") << int(MessageType::Options)
                             << QStringList{QStringLiteral("extensions")}
                             << QStringList{QStringLiteral("ack")} << QStringList{}
                             << QStringList{};
    QTest::newRow("Data") << int(MessageType::Data)
                          << QStringList{QStringLiteral("index"), QStringLiteral("value"),
                                         QStringLiteral("signature")}
                          << QStringList{}
                          << QStringList{QStringLiteral("value"), QStringLiteral("signature")}
                          << QStringList{QStringLiteral("nodes")};
    QTest::newRow("Close") << int(MessageType::Close) << QStringList{QStringLiteral("discoveryKey")}
                           << QStringList{} << QStringList{QStringLiteral("discoveryKey")}
                           << QStringList{};
}

void TestSendMessageForm::editorsFollowTheSchema()
{
    QFETCH(int, type);
    QFETCH(QStringList, lineEdits);
    QFETCH(QStringList, boolCombos);
    QFETCH(QStringList, bytesFields);
    QFETCH(QStringList, textEdits);

    SendMessageForm form;
    form.setMessageType(MessageType(type));
    QCOMPARE(form.sendButton()->text(), QStringLiteral("Send"));
    for (const QString &name : lineEdits) {
        auto *edit = qobject_cast<QLineEdit *>(form.fieldEditor(name));
        QVERIFY2(edit, qPrintable(name));
        QVERIFY(edit->isEnabled());
    }
    for (const QString &name : boolCombos) {
        auto *combo = qobject_cast<QComboBox *>(form.fieldEditor(name));
        QVERIFY2(combo, qPrintable(name));
        // proto2 keeps presence: "not set" is a third choice.
        QCOMPARE(combo->count(), 3);
        QCOMPARE(combo->itemText(0), QStringLiteral("not set"));
        QCOMPARE(combo->itemText(1), QStringLiteral("false"));
        QCOMPARE(combo->itemText(2), QStringLiteral("true"));
    }
    for (const QString &name : bytesFields) {
        auto *format = form.findChild<QComboBox *>(QStringLiteral("field_%1_format").arg(name));
        QVERIFY2(format, qPrintable(name));
        QCOMPARE(format->itemText(0), QStringLiteral("Hex"));
        QCOMPARE(format->itemText(1), QStringLiteral("Text"));
        auto *edit = qobject_cast<QLineEdit *>(form.fieldEditor(name));
        QVERIFY(edit->placeholderText().endsWith(QStringLiteral(", hex")));
        format->setCurrentIndex(1);
        QVERIFY(edit->placeholderText().endsWith(QStringLiteral(", UTF-8 text")));
    }
    for (const QString &name : textEdits)
        QVERIFY2(qobject_cast<QPlainTextEdit *>(form.fieldEditor(name)), qPrintable(name));
    // Required fields say so in their placeholder; defaults are shown.
    if (type == int(MessageType::Have)) {
        QCOMPARE(
            qobject_cast<QLineEdit *>(form.fieldEditor(QStringLiteral("start")))->placeholderText(),
            QStringLiteral("required"));
        QCOMPARE(qobject_cast<QLineEdit *>(form.fieldEditor(QStringLiteral("length")))
                     ->placeholderText(),
                 QStringLiteral("optional, default 1"));
    }
}

void TestSendMessageForm::buildsWhatTheFieldsSay_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QStringList>("fields");
    QTest::addColumn<bool>("incomplete");
    QTest::addColumn<QString>("summary");

    QTest::newRow("Want, hex start")
        << int(MessageType::Want) << QStringList{QStringLiteral("start=0X1f")} << false
        << QStringLiteral("Want start=31 length=∞");
    QTest::newRow("largest uint64")
        << int(MessageType::Want)
        << QStringList{QStringLiteral("start= 18446744073709551615 "), QStringLiteral("length=0")}
        << false << QStringLiteral("Want start=18446744073709551615 length=0");
    QTest::newRow("Unhave keeps the default length")
        << int(MessageType::Unhave) << QStringList{QStringLiteral("start=4")} << false
        << QStringLiteral("Unhave start=4 length=1");
    QTest::newRow("Status, nothing set")
        << int(MessageType::Status) << QStringList{} << false << QStringLiteral("Status");
    QTest::newRow("Status, one set")
        << int(MessageType::Status) << QStringList{QStringLiteral("downloading=false")} << false
        << QStringLiteral("Status downloading=false");
    QTest::newRow("Options, names trimmed, empties dropped")
        << int(MessageType::Options)
        << QStringList{QStringLiteral("extensions= b, a ,,c "), QStringLiteral("ack=true")} << false
        << QStringLiteral("Options extensions=[b,a,c] ack=true");
    QTest::newRow("Request, hash false is sent")
        << int(MessageType::Request)
        << QStringList{QStringLiteral("index=1"), QStringLiteral("hash=false")} << false
        << QStringLiteral("Request index=1 hash=false");
    QTest::newRow("Cancel with bytes")
        << int(MessageType::Cancel)
        << QStringList{QStringLiteral("index=2"), QStringLiteral("bytes=4096")} << false
        << QStringLiteral("Cancel index=2 bytes=4096");
    QTest::newRow("Data, blank node lines skipped")
        << int(MessageType::Data)
        << QStringList{QStringLiteral("index=3"),
                       QStringLiteral("nodes=\\n4 ") + QString(64, u'a') +
                           QStringLiteral(" 10\\n\\n5,") + QString(64, u'b') +
                           QStringLiteral(",20\\n"),
                       QStringLiteral("signature=00ff")}
        << false << QStringLiteral("Data index=3 nodes=2 signature");
    QTest::newRow("Close without a key")
        << int(MessageType::Close) << QStringList{} << false << QStringLiteral("Close");
    QTest::newRow("raw: a required field may be missing")
        << int(MessageType::Want) << QStringList{QStringLiteral("length=2")} << true
        << QStringLiteral("Want start=0 length=2");
}

void TestSendMessageForm::buildsWhatTheFieldsSay()
{
    QFETCH(int, type);
    QFETCH(QStringList, fields);
    QFETCH(bool, incomplete);
    QFETCH(QString, summary);

    SendMessageForm form;
    form.setMessageType(MessageType(type));
    QVERIFY(fill(form, fields));
    QString error = QStringLiteral("stale");
    const std::optional<Message> message = form.buildMessage(&error, incomplete);
    QVERIFY2(message, qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(QString::fromStdString(summarize(*message)), summary);
    QCOMPARE(messageType(*message), MessageType(type));
}

void TestSendMessageForm::explainsWhatIsWrong_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QStringList>("fields");
    QTest::addColumn<QString>("error");

    QTest::newRow("uint64 overflow")
        << int(MessageType::Want) << QStringList{QStringLiteral("start=18446744073709551616")}
        << QStringLiteral("start: '18446744073709551616' is not a whole number from 0 to "
                          "18446744073709551615.");
    QTest::newRow("explicit plus sign")
        << int(MessageType::Want) << QStringList{QStringLiteral("start=+5")}
        << QStringLiteral("start: '+5' is not a whole number from 0 to 18446744073709551615.");
    QTest::newRow("bad hex number")
        << int(MessageType::Want) << QStringList{QStringLiteral("start=0xfg")}
        << QStringLiteral("start: '0xfg' is not a whole number");
    QTest::newRow("optional field wrong too")
        << int(MessageType::Want)
        << QStringList{QStringLiteral("start=1"), QStringLiteral("length=two")}
        << QStringLiteral("length: 'two' is not a whole number");
    QTest::newRow("odd hex digits")
        << int(MessageType::Have)
        << QStringList{QStringLiteral("start=1"), QStringLiteral("bitfield=abc")}
        << QStringLiteral("bitfield: hex needs an even number of digits (two per byte); got 3.");
    QTest::newRow("not a hex digit")
        << int(MessageType::Have)
        << QStringList{QStringLiteral("start=1"), QStringLiteral("bitfield=0a zz")}
        << QStringLiteral("bitfield: 'z' at position 3 is not a hex digit (or switch the field "
                          "to Text).");
    QTest::newRow("required number missing")
        << int(MessageType::Data) << QStringList{} << QStringLiteral("index is required for Data.");
    QTest::newRow("node with two values")
        << int(MessageType::Data)
        << QStringList{QStringLiteral("index=1"), QStringLiteral("nodes=1 aa")}
        << QStringLiteral("nodes, line 1: expected 'index hash size' (3 values), got 2.");
    QTest::newRow("node hash not hex")
        << int(MessageType::Data)
        << QStringList{QStringLiteral("index=1"), QStringLiteral("nodes=1 aa 2\\n2 zz 3")}
        << QStringLiteral("nodes, line 2 (hash): 'z' at position 1 is not a hex digit");
    QTest::newRow("node size not a number")
        << int(MessageType::Data)
        << QStringList{QStringLiteral("index=1"), QStringLiteral("nodes=1 aa -3")}
        << QStringLiteral("nodes, line 1 (size): '-3' is not a whole number");
    QTest::newRow("required bytes missing (raw Open only)")
        << int(MessageType::Open) << QStringList{QStringLiteral("capability=00")}
        << QStringLiteral("discoveryKey is required for Open.");
}

void TestSendMessageForm::explainsWhatIsWrong()
{
    QFETCH(int, type);
    QFETCH(QStringList, fields);
    QFETCH(QString, error);

    SendMessageForm form;
    if (MessageType(type) == MessageType::Open)
        form.setRawFrame(true); // the protobuf form of Open exists only for raw frames
    form.setMessageType(MessageType(type));
    QVERIFY(fill(form, fields));
    QString text;
    QVERIFY(!form.buildMessage(&text));
    QVERIFY2(text.startsWith(error), qPrintable(text));
}

void TestSendMessageForm::bytesAreHexOrText()
{
    SendMessageForm form;
    form.setMessageType(MessageType::Data);
    QVERIFY(fill(form, {QStringLiteral("index=0"), QStringLiteral("value=de:ad be ef")}));
    std::optional<Message> message = form.buildMessage(nullptr);
    QVERIFY(message);
    QCOMPARE(std::get<schema::Data>(*message).value(), std::string("\xde\xad\xbe\xef"));
    // As text, the same characters are sent as UTF-8, hex digits or not.
    QVERIFY(fill(form, {QStringLiteral("value_format=Text"), QStringLiteral("value=de:ad é")}));
    message = form.buildMessage(nullptr);
    QVERIFY(message);
    QCOMPARE(std::get<schema::Data>(*message).value(), std::string("de:ad \xc3\xa9"));
}

void TestSendMessageForm::marksTheInvalidFieldUntilItIsFixed()
{
    SendMessageForm form;
    form.setMessageType(MessageType::Want);
    QWidget *start = form.fieldEditor(QStringLiteral("start"));
    QVERIFY(fill(form, {QStringLiteral("start=x")}));
    QVERIFY(!form.buildMessage(nullptr));
    QVERIFY(start->styleSheet().contains(QStringLiteral("#c62828")));
    QVERIFY(fill(form, {QStringLiteral("start=1")}));
    QVERIFY(form.buildMessage(nullptr));
    QVERIFY(start->styleSheet().isEmpty());
}

void TestSendMessageForm::withoutASessionNothingIsSent()
{
    SendMessageForm form;
    QCOMPARE(form.session(), nullptr);
    QVERIFY(!form.sendButton()->isEnabled());
    QCOMPARE(sessionLabelOf(form), QStringLiteral("No session selected"));
    QVERIFY(!form.channel());
    QSignalSpy sent(&form, &SendMessageForm::sent);
    QVERIFY(!form.send());
    QCOMPARE(form.statusText(), QStringLiteral("No session selected."));
    QVERIFY(form.statusLabel()->property("error").toBool());
    QCOMPARE(sent.count(), 0);
}

void TestSendMessageForm::listsOnlyChannelsWeHaveOpen()
{
    Pair pair;
    QVERIFY(pair.open());
    SendMessageForm form;
    form.setSession(pair.dialer.get());
    QCOMPARE(form.channelCombo()->count(), 0);
    QCOMPARE(form.channelCombo()->placeholderText(), QStringLiteral("no open channel"));
    // A channel only the remote opened cannot carry our messages: not listed.
    const Key32 theirs = keyOf(0x21);
    QCOMPARE(pair.accepted->openChannel(theirs), QString());
    QTRY_COMPARE(pair.dialer->channels()->rowCount(), 1);
    QCOMPARE(form.channelCombo()->count(), 0);
    QVERIFY(!form.setChannel(crypto::discoveryKey(theirs)));

    const Key32 feed = keyOf(0x11);
    const Key32 dk = crypto::discoveryKey(feed);
    QVERIFY(pair.establish(feed));
    QTRY_COMPARE(form.channelCombo()->count(), 1);
    QTRY_COMPARE(form.channelCombo()->itemText(0),
                 QStringLiteral("1 · %1… (established)").arg(shortKeyHex(dk)));
    QVERIFY(form.setChannel(dk));
    QCOMPARE(form.channel(), std::optional<Key32>(dk));
    // Closing our side takes it off the list.
    QCOMPARE(pair.dialer->closeChannel(dk), QString());
    QTRY_COMPARE(form.channelCombo()->count(), 0);
    QCOMPARE(form.channelCombo()->placeholderText(), QStringLiteral("no open channel"));
    QVERIFY(!form.channel());
}

void TestSendMessageForm::sendsWhatWasTyped()
{
    Pair pair;
    QVERIFY(pair.open());
    const Key32 feed = keyOf(0x11);
    QVERIFY(pair.establish(feed));
    SendMessageForm form;
    form.setSession(pair.dialer.get());
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    QCOMPARE(sessionLabelOf(form), QStringLiteral("On session ") + pair.dialer->label());
    QVERIFY(form.sendButton()->isEnabled());
    QSignalSpy sent(&form, &SendMessageForm::sent);
    QTest::keyClicks(form.fieldEditor(QStringLiteral("start")), QStringLiteral("5"));
    QTest::keyClicks(form.fieldEditor(QStringLiteral("length")), QStringLiteral("3"));
    QTest::mouseClick(form.sendButton(), Qt::LeftButton);
    const QString expected =
        QStringLiteral("Sent Want start=5 length=3 on ") + form.channelCombo()->currentText();
    QCOMPARE(form.statusText(), expected);
    QVERIFY(!form.statusLabel()->property("error").toBool());
    QCOMPARE(sent.count(), 1);
    QCOMPARE(sent.first().at(0).toString(), expected);
    QTRY_COMPARE(pair.received, QStringList{QStringLiteral("Want start=5 length=3")});
}

void TestSendMessageForm::asksForAChannelFirst()
{
    Pair pair;
    QVERIFY(pair.open());
    SendMessageForm form;
    form.setSession(pair.dialer.get());
    QVERIFY(fill(form, {QStringLiteral("start=1")}));
    QVERIFY(!form.send());
    QCOMPARE(form.statusText(),
             QStringLiteral("Choose a channel: open one first (Channels tab, or Open here)."));
    QVERIFY(form.statusLabel()->property("error").toBool());
}

void TestSendMessageForm::opensAChannelFromTheForm()
{
    Pair pair;
    QVERIFY(pair.open());
    SendMessageForm form;
    form.setSession(pair.dialer.get());
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    form.setMessageType(MessageType::Open);
    QCOMPARE(form.sendButton()->text(), QStringLiteral("Open Channel"));
    QVERIFY(!form.channelCombo()->isVisible());
    auto *key = qobject_cast<QLineEdit *>(form.fieldEditor(QStringLiteral("key")));
    QVERIFY(key);

    // A bad key is explained and marked.
    QTest::keyClicks(key, QStringLiteral("0011"));
    QTest::mouseClick(form.sendButton(), Qt::LeftButton);
    QVERIFY(form.statusLabel()->property("error").toBool());
    QVERIFY2(form.statusText().contains(QStringLiteral("has 4 hex digits")),
             qPrintable(form.statusText()));
    QVERIFY(key->styleSheet().contains(QStringLiteral("#c62828")));
    QCOMPARE(pair.dialer->channels()->rowCount(), 0);

    // "Random" fills in a fresh key, which opens.
    QPushButton *random = nullptr;
    for (QPushButton *button : form.findChildren<QPushButton *>()) {
        if (button->text() == QLatin1String("Random"))
            random = button;
    }
    QVERIFY(random);
    QTest::mouseClick(random, Qt::LeftButton);
    QCOMPARE(key->text().size(), 64);
    const std::string hex = key->text().toStdString();
    Key32 feed{};
    for (std::size_t i = 0; i < 32; ++i)
        feed[i] = std::uint8_t(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    QSignalSpy sent(&form, &SendMessageForm::sent);
    QTest::mouseClick(form.sendButton(), Qt::LeftButton);
    QCOMPARE(form.statusText(), QStringLiteral("Opened the channel (Open sent)."));
    QVERIFY(key->styleSheet().isEmpty());
    QCOMPARE(sent.count(), 1);
    QCOMPARE(
        sent.first().at(0).toString(),
        QStringLiteral("Open for discovery key %1…").arg(shortKeyHex(crypto::discoveryKey(feed))));
    QCOMPARE(pair.dialer->channels()->rowCount(), 1);
    QCOMPARE(pair.dialer->channels()->row(0).key, std::optional<Key32>(feed));
    // Our channel is listed as soon as it is open on our side.
    QTRY_COMPARE(form.channelCombo()->count(), 1);
}

void TestSendMessageForm::saysWhenTheChannelIsAlreadyOpen_data()
{
    QTest::addColumn<QString>("typed");
    const QString hex = QString::fromStdString(toHex(keyOf(0x11)));
    QStringList pairs;
    for (int i = 0; i < 64; i += 2)
        pairs.append(hex.mid(i, 2));
    QTest::newRow("as printed") << hex;
    QTest::newRow("with spaces") << pairs.join(QLatin1Char(' '));
    QTest::newRow("with colons, upper case") << pairs.join(QLatin1Char(':')).toUpper();
    QTest::newRow("0x and a trailing space") << QStringLiteral("0x") + hex + QLatin1Char(' ');
}

void TestSendMessageForm::saysWhenTheChannelIsAlreadyOpen()
{
    // Issue 11, item 3: the same key again, pasted in another spelling and Enter pressed, used
    // to say in green that an Open was sent; the engine sends nothing for an open channel.
    QFETCH(QString, typed);
    Pair pair;
    QVERIFY(pair.open());
    const Key32 feed = keyOf(0x11);
    QVERIFY(pair.establish(feed));
    SendMessageForm form;
    form.setSession(pair.dialer.get());
    form.setMessageType(MessageType::Open);
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    auto *key = qobject_cast<QLineEdit *>(form.fieldEditor(QStringLiteral("key")));
    QVERIFY(key);
    QSignalSpy sent(&form, &SendMessageForm::sent);
    const quint64 framesBefore = pair.dialer->framesSent();
    key->setFocus();
    QTest::keyClicks(key, typed);
    QTest::keyClick(key, Qt::Key_Return);
    const quint64 localId = *pair.dialer->channels()->row(0).localId;
    QCOMPARE(
        form.statusText(),
        QStringLiteral("Channel already open as local id %1 (discovery key %2…): nothing sent.")
            .arg(localId)
            .arg(shortKeyHex(crypto::discoveryKey(feed))));
    QVERIFY(!form.statusLabel()->property("error").toBool());
    QCOMPARE(form.statusLabel()->property("tone").toString(), QStringLiteral("neutral"));
    // Neutral: the window's text colour, neither the success green nor the error red.
    QCOMPARE(form.statusLabel()->palette().color(QPalette::WindowText),
             form.palette().color(QPalette::WindowText));
    QVERIFY(key->styleSheet().isEmpty()); // the key was fine
    QCOMPARE(sent.count(), 0);
    QTest::qWait(50);
    QCOMPARE(pair.dialer->framesSent(), framesBefore);
    QCOMPARE(pair.dialer->channels()->rowCount(), 1);
}

void TestSendMessageForm::bytesTakeTheSpellingsKeysTake()
{
    SendMessageForm form;
    form.setMessageType(MessageType::Have);
    QVERIFY(form.setFieldText(QStringLiteral("start"), QStringLiteral("1")));
    QVERIFY(form.setFieldText(QStringLiteral("bitfield"), QStringLiteral("0x01 02:03\t04")));
    QString error;
    const std::optional<Message> spelt = form.buildMessage(&error);
    QVERIFY2(spelt, qPrintable(error));
    QVERIFY(form.setFieldText(QStringLiteral("bitfield"), QStringLiteral("01020304")));
    const std::optional<Message> plain = form.buildMessage(&error);
    QVERIFY2(plain, qPrintable(error));
    Bytes speltBytes, plainBytes;
    appendMessage(speltBytes, *spelt);
    appendMessage(plainBytes, *plain);
    QCOMPARE(speltBytes, plainBytes);
}

void TestSendMessageForm::rawFramesSkipTheRequiredFields()
{
    Pair pair;
    QVERIFY(pair.open());
    SendMessageForm form;
    form.setSession(pair.dialer.get());
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    auto *rawChannel = form.findChild<QSpinBox *>(QStringLiteral("sendRawChannel"));
    QVERIFY(!rawChannel->isEnabled());
    QTest::mouseClick(form.findChild<QCheckBox *>(QStringLiteral("sendRaw")), Qt::LeftButton);
    QVERIFY(rawChannel->isEnabled());
    QVERIFY(!form.channelCombo()->isVisibleTo(&form));
    rawChannel->setValue(7);
    form.setMessageType(MessageType::Want);
    QVERIFY(fill(form, {QStringLiteral("length=2")})); // no start: fine for a raw frame
    QSignalSpy sent(&form, &SendMessageForm::sent);
    QVERIFY(form.send());
    QCOMPARE(form.statusText(), QStringLiteral("Sent raw Want start=0 length=2 on channel id 7"));
    QCOMPARE(sent.count(), 1);
}

void TestSendMessageForm::endedSessionCannotSend()
{
    Pair pair;
    QVERIFY(pair.open());
    SendMessageForm form;
    form.setSession(pair.dialer.get());
    QVERIFY(form.sendButton()->isEnabled());
    pair.dialer->disconnectFromPeer();
    QTRY_VERIFY(!form.sendButton()->isEnabled());
    QCOMPARE(sessionLabelOf(form),
             QStringLiteral("Session %1 has ended").arg(pair.dialer->label()));
    // A form given an ended session starts disabled.
    SendMessageForm late;
    late.setSession(pair.dialer.get());
    QVERIFY(!late.sendButton()->isEnabled());
}

QTEST_MAIN(TestSendMessageForm)
#include "tst_sendmessageform.moc"
