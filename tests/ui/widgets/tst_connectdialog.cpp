// ConnectDialog: what it accepts, what it refuses and says, and the ConnectionOptions it hands
// back. The parsing itself is sessionoptions.h's (tst_sessionoptions); this checks the dialog
// uses it for every field and shows its messages.
#include "connectdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>

using namespace hyperscope;

namespace {

const QString KeyHex =
    QStringLiteral("215b1a0c9f3e4d5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c");
const QString OtherKeyHex = QString(64, u'e');

/// The dialog's fields, found as a person (or a GUI test) finds them.
struct Fields
{
    explicit Fields(ConnectDialog &dialog)
        : address(dialog.findChild<QComboBox *>(QStringLiteral("address")))
        , port(dialog.findChild<QSpinBox *>(QStringLiteral("port")))
        , noise(dialog.findChild<QCheckBox *>(QStringLiteral("noise")))
        , encrypted(dialog.findChild<QCheckBox *>(QStringLiteral("encrypted")))
        , timeout(dialog.findChild<QSpinBox *>(QStringLiteral("timeout")))
        , keys(dialog.findChild<QPlainTextEdit *>(QStringLiteral("keys")))
        , error(dialog.findChild<QLabel *>(QStringLiteral("error")))
        , ok(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok))
    {}

    bool complete(bool listen) const
    {
        return address && (port != nullptr) == listen && noise && encrypted && timeout && keys &&
               error && ok;
    }

    QComboBox *address;
    QSpinBox *port;
    QCheckBox *noise;
    QCheckBox *encrypted;
    QSpinBox *timeout;
    QPlainTextEdit *keys;
    QLabel *error;
    QPushButton *ok;
};

} // namespace

class TestConnectDialog : public QObject
{
    Q_OBJECT
private slots:
    void connectAcceptsValidInput_data();
    void connectAcceptsValidInput();
    void connectRefusesInvalidInput_data();
    void connectRefusesInvalidInput();
    void listenAcceptsAddresses_data();
    void listenAcceptsAddresses();
    void listenRefusesNames();
    void relayTakesAnUpstreamAndFeedKeys();
    void noiseOffTurnsEncryptionOff();
    void showsGivenOptions();
    void errorGoesOnceFixed();
    void randomKeysAreValid();
};

void TestConnectDialog::connectAcceptsValidInput_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("keys");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<int>("keyCount");
    QTest::newRow("ipv4, no keys") << "127.0.0.1:4000"
                                   << ""
                                   << "127.0.0.1" << 4000 << 0;
    QTest::newRow("name") << " peer.example:65535 "
                          << ""
                          << "peer.example" << 65535 << 0;
    QTest::newRow("ipv6") << "[::1]:4001"
                          << ""
                          << "::1" << 4001 << 0;
    QTest::newRow("keys, blank lines between")
        << "h:1"
        << "\n" + KeyHex + "\n\n  \n" + OtherKeyHex.toUpper() + "\n"
        << "h" << 1 << 2;
    QTest::newRow("spaced and colon keys")
        << "h:2"
        << "21 5b 1a 0c 9f 3e 4d 5a 6b 7c 8d 9e 0f 1a 2b 3c 4d 5e 6f 70 81 92 a3 b4 c5 d6 "
           "e7 f8 09 1a 2b 3c\n21:5b:1a:0c:9f:3e:4d:5a:6b:7c:8d:9e:0f:1a:2b:3c:4d:5e:6f:"
           "70:81:92:a3:b4:c5:d6:e7:f8:09:1a:2b:3c"
        << "h" << 2 << 2;
}

void TestConnectDialog::connectAcceptsValidInput()
{
    QFETCH(QString, address);
    QFETCH(QString, keys);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(int, keyCount);
    ConnectDialog dialog(ConnectDialog::Mode::Connect);
    Fields fields(dialog);
    QVERIFY(fields.complete(false));
    dialog.show();
    fields.address->lineEdit()->setText(address);
    fields.keys->setPlainText(keys);
    fields.timeout->setValue(1500);
    QVERIFY(fields.ok->isEnabled());
    QTest::mouseClick(fields.ok, Qt::LeftButton);
    QVERIFY2(!dialog.isVisible(), qPrintable(fields.error->text()));
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(dialog.host(), host);
    QCOMPARE(int(dialog.port()), port);
    const ConnectionOptions options = dialog.options();
    QCOMPARE(options.keys.size(), keyCount);
    for (const Key32 &key : options.keys)
        QVERIFY(key == *parseKeyHex(KeyHex) || key == *parseKeyHex(OtherKeyHex));
    QVERIFY(options.noise && options.encrypted);
    QCOMPARE(options.timeoutMs, 1500);
    QVERIFY(dialog.errorText().isEmpty());
}

void TestConnectDialog::connectRefusesInvalidInput_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("keys");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty address") << ""
                                   << ""
                                   << "address: empty; write HOST:PORT, e.g. 127.0.0.1:4000";
    QTest::newRow("no port") << "127.0.0.1"
                             << ""
                             << "'127.0.0.1': no port; write HOST:PORT, e.g. 127.0.0.1:4000";
    QTest::newRow("port 0") << "h:0"
                            << ""
                            << "port '0': out of range; use 1 to 65535";
    QTest::newRow("bare ipv6") << "::1:80"
                               << ""
                               << "'::1:80': an IPv6 address needs brackets, e.g. [::1]:4000";
    QTest::newRow("short key, real line number")
        << "h:1" << KeyHex + "\n\n00112233"
        << "Open channels, line 3: key: has 8 hex digits; a key is 32 bytes, 64 hex digits";
    QTest::newRow("bad digit")
        << "h:1"
        << "zz"
        << "Open channels, line 1: key: 'z' is not a hex digit (position 1); a key is written "
           "with 0-9 and a-f";
    // Two faults: the keys are checked first, and one message is shown.
    QTest::newRow("key and address") << "nope"
                                     << "1"
                                     << "Open channels, line 1: key: has 1 hex digits; a key is "
                                        "32 bytes, 64 hex digits";
}

void TestConnectDialog::connectRefusesInvalidInput()
{
    QFETCH(QString, address);
    QFETCH(QString, keys);
    QFETCH(QString, message);
    ConnectDialog dialog(ConnectDialog::Mode::Connect);
    Fields fields(dialog);
    QVERIFY(fields.complete(false));
    dialog.show();
    fields.address->lineEdit()->setText(address);
    fields.keys->setPlainText(keys);
    QTest::mouseClick(fields.ok, Qt::LeftButton);
    QVERIFY(dialog.isVisible()); // refused: still open for a correction
    QCOMPARE(fields.error->text(), message);
    QCOMPARE(dialog.errorText(), message);
    QVERIFY(dialog.host().isEmpty());
    QCOMPARE(dialog.port(), 0);
    // validate() says the same without showing anything.
    QString error;
    QVERIFY(!dialog.validate(&error));
    QCOMPARE(error, message);
    QVERIFY(!dialog.validate());
}

void TestConnectDialog::listenAcceptsAddresses_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("host");
    QTest::newRow("loopback") << "127.0.0.1" << 4000 << "127.0.0.1";
    QTest::newRow("any ipv4") << "0.0.0.0" << 0 << "0.0.0.0";
    QTest::newRow("ipv6") << "::1" << 65535 << "::1";
    QTest::newRow("bracketed ipv6") << "[::]" << 1 << "::";
    QTest::newRow("localhost becomes an address") << "localhost" << 4000 << "127.0.0.1";
}

void TestConnectDialog::listenAcceptsAddresses()
{
    QFETCH(QString, address);
    QFETCH(int, port);
    QFETCH(QString, host);
    ConnectDialog dialog(ConnectDialog::Mode::Listen);
    Fields fields(dialog);
    QVERIFY(fields.complete(true));
    QCOMPARE(fields.address->currentText(), QStringLiteral("127.0.0.1")); // the default
    dialog.show();
    fields.address->setEditText(address);
    dialog.setPort(quint16(port));
    fields.noise->setChecked(false);
    QTest::mouseClick(fields.ok, Qt::LeftButton);
    QVERIFY2(!dialog.isVisible(), qPrintable(fields.error->text()));
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(dialog.host(), host);
    QVERIFY(!QHostAddress(dialog.host()).isNull()); // MainWindow listens on QHostAddress(host())
    QCOMPARE(int(dialog.port()), port);
    QVERIFY(!dialog.options().noise && !dialog.options().encrypted);
}

void TestConnectDialog::listenRefusesNames()
{
    ConnectDialog dialog(ConnectDialog::Mode::Listen);
    Fields fields(dialog);
    dialog.show();
    fields.address->setEditText(QStringLiteral("example.org"));
    QTest::mouseClick(fields.ok, Qt::LeftButton);
    QVERIFY(dialog.isVisible());
    QCOMPARE(fields.error->text(),
             QStringLiteral("address 'example.org': not an IP address; a listener binds to an "
                            "address such as 127.0.0.1, 0.0.0.0 or ::1"));
    fields.address->setEditText(QString());
    QTest::mouseClick(fields.ok, Qt::LeftButton);
    QCOMPARE(fields.error->text(),
             QStringLiteral("address: empty; use an IP address such as 127.0.0.1, 0.0.0.0 or ::1"));
}

void TestConnectDialog::relayTakesAnUpstreamAndFeedKeys()
{
    // File › Relay…: where clients connect (address, port), where they are relayed to, and the
    // feed keys the relay may forward, all through sessionoptions.h's parsers.
    ConnectDialog dialog(ConnectDialog::Mode::Relay);
    Fields fields(dialog);
    QVERIFY(fields.complete(true));
    auto *upstream = dialog.findChild<QComboBox *>(QStringLiteral("upstream"));
    QVERIFY(upstream && upstream->lineEdit());
    QCOMPARE(fields.ok->text(), QStringLiteral("Relay"));
    dialog.show();
    dialog.setPort(0);

    // No upstream: refused, naming the field.
    QTest::mouseClick(fields.ok, Qt::LeftButton);
    QVERIFY(dialog.isVisible());
    QVERIFY2(fields.error->text().startsWith(QStringLiteral("Upstream: ")),
             qPrintable(fields.error->text()));
    upstream->lineEdit()->setText(QStringLiteral("example.org"));
    QTest::mouseClick(fields.ok, Qt::LeftButton);
    QVERIFY(dialog.isVisible());
    QVERIFY2(fields.error->text().startsWith(QStringLiteral("Upstream: 'example.org'")),
             qPrintable(fields.error->text()));
    // A bad key names its line under the relay's name for them.
    upstream->lineEdit()->setText(QStringLiteral("[::1]:4000"));
    fields.keys->setPlainText(KeyHex + QStringLiteral("\nxyz"));
    QTest::mouseClick(fields.ok, Qt::LeftButton);
    QVERIFY(dialog.isVisible());
    QVERIFY2(fields.error->text().startsWith(QStringLiteral("Feed keys, line 2: ")),
             qPrintable(fields.error->text()));

    fields.keys->setPlainText(KeyHex);
    QTest::mouseClick(fields.ok, Qt::LeftButton);
    QVERIFY2(!dialog.isVisible(), qPrintable(fields.error->text()));
    QCOMPARE(dialog.host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(int(dialog.port()), 0);
    QCOMPARE(dialog.upstream().host, QStringLiteral("::1"));
    QCOMPARE(int(dialog.upstream().port), 4000);
    QCOMPARE(dialog.options().keys, QList<Key32>{*parseKeyHex(KeyHex)});
}

void TestConnectDialog::noiseOffTurnsEncryptionOff()
{
    ConnectDialog dialog(ConnectDialog::Mode::Connect);
    Fields fields(dialog);
    dialog.setAddress(QStringLiteral("h:1"));
    QVERIFY(fields.encrypted->isEnabled() && fields.encrypted->isChecked());
    fields.noise->setChecked(false);
    QVERIFY(!fields.encrypted->isEnabled());
    QVERIFY(dialog.validate());
    QVERIFY(!dialog.options().noise);
    QVERIFY(!dialog.options().encrypted); // even though its box is still ticked
    QVERIFY(!dialog.options().engineOptions(true).encrypted);

    fields.noise->setChecked(true);
    fields.encrypted->setChecked(false);
    QVERIFY(dialog.validate());
    QVERIFY(dialog.options().noise && !dialog.options().encrypted);
}

void TestConnectDialog::showsGivenOptions()
{
    ConnectionOptions given;
    given.noise = true;
    given.encrypted = false;
    given.timeoutMs = 0;
    given.keys = {*parseKeyHex(KeyHex), *parseKeyHex(OtherKeyHex)};
    ConnectDialog dialog(ConnectDialog::Mode::Connect);
    Fields fields(dialog);
    dialog.setOptions(given);
    dialog.setRecent({QStringLiteral("[::1]:9"), QStringLiteral("h:8")});
    QCOMPARE(fields.address->currentText(), QStringLiteral("[::1]:9")); // the newest
    QCOMPARE(fields.keys->toPlainText(), KeyHex + u'\n' + OtherKeyHex);
    QVERIFY(dialog.validate());
    QCOMPARE(dialog.host(), QStringLiteral("::1"));
    QCOMPARE(dialog.port(), 9);
    const ConnectionOptions options = dialog.options();
    QCOMPARE(options.noise, given.noise);
    QCOMPARE(options.encrypted, given.encrypted);
    QCOMPARE(options.timeoutMs, given.timeoutMs);
    QVERIFY(options.keys == given.keys);
}

void TestConnectDialog::errorGoesOnceFixed()
{
    ConnectDialog dialog(ConnectDialog::Mode::Connect);
    Fields fields(dialog);
    dialog.show();
    fields.address->lineEdit()->setText(QStringLiteral("h:http"));
    QTest::mouseClick(fields.ok, Qt::LeftButton);
    QCOMPARE(dialog.errorText(), QStringLiteral("port 'http': not a number; use 1 to 65535"));
    fields.address->lineEdit()->setText(QStringLiteral("h:80"));
    QTest::mouseClick(fields.ok, Qt::LeftButton);
    QVERIFY(!dialog.isVisible());
    QVERIFY(dialog.errorText().isEmpty());
    QCOMPARE(dialog.host(), QStringLiteral("h"));
    QCOMPARE(dialog.port(), 80);
}

void TestConnectDialog::randomKeysAreValid()
{
    ConnectDialog dialog(ConnectDialog::Mode::Connect);
    Fields fields(dialog);
    dialog.setAddress(QStringLiteral("h:1"));
    QPushButton *random = nullptr;
    for (QPushButton *button : dialog.findChildren<QPushButton *>()) {
        if (button->text() == QLatin1String("Add Random Key"))
            random = button;
    }
    QVERIFY(random);
    QTest::mouseClick(random, Qt::LeftButton);
    QTest::mouseClick(random, Qt::LeftButton);
    QCOMPARE(fields.keys->toPlainText().split(u'\n').size(), 2);
    QVERIFY(dialog.validate());
    QCOMPARE(dialog.options().keys.size(), 2);
    QVERIFY(dialog.options().keys[0] != dialog.options().keys[1]);
}

QTEST_MAIN(TestConnectDialog)
#include "tst_connectdialog.moc"
