// hyperscope: the desktop inspector. Parses the command line and shows the main window; all the
// work happens in ui/ (MainWindow) and below.
#include "hyperscope_version.h"
#include "mainwindow.h"
#include "screenshotmode.h"
#include "sessionoptions.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QHostAddress>

#include <cstdio>

using namespace hyperscope;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "hyperscope: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("hyperscope"));
    QApplication::setApplicationName(QStringLiteral("hyperscope"));
    QApplication::setApplicationDisplayName(QStringLiteral("hyperscope"));
    QApplication::setApplicationVersion(QStringLiteral(HYPERSCOPE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral(HYPERSCOPE_APP_ID));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Inspector for the Hypercore wire protocol v9. Without arguments it starts "
                       "a demo: two built-in peers talking over loopback."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption listen(QStringLiteral("listen"),
                                    QStringLiteral("Listen for peers on PORT (or ADDRESS:PORT; "
                                                   "default address 127.0.0.1)."),
                                    QStringLiteral("PORT"));
    const QCommandLineOption connect(QStringLiteral("connect"),
                                     QStringLiteral("Connect to a peer (repeatable)."),
                                     QStringLiteral("HOST:PORT"));
    const QCommandLineOption key(QStringLiteral("key"),
                                 QStringLiteral("Open the channel of this feed key (64 hex digits) "
                                                "on every session (repeatable)."),
                                 QStringLiteral("HEX"));
    const QCommandLineOption noEncrypt(QStringLiteral("no-encrypt"),
                                       QStringLiteral("Plaintext transport after the handshake."));
    const QCommandLineOption noNoise(
        QStringLiteral("no-noise"), QStringLiteral("No handshake: plaintext from the first byte."));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Inactivity timeout in milliseconds (0: none; "
                                                    "default 20000)."),
                                     QStringLiteral("MS"));
    const QCommandLineOption open(QStringLiteral("open"),
                                  QStringLiteral("Load a saved capture file into the log "
                                                 "(repeatable; no demo then)."),
                                  QStringLiteral("FILE"));
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QStringLiteral("Start the built-in two-peer demo."));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Render the window to FILE (PNG) after a "
                                                       "few seconds, then exit."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption delay(QStringLiteral("screenshot-delay"),
                                   QStringLiteral("Seconds before --screenshot (default 4)."),
                                   QStringLiteral("SECONDS"), QStringLiteral("4"));
    const QCommandLineOption tab(QStringLiteral("tab"),
                                 QStringLiteral("Tab to show: messages, handshake, channels, "
                                                "extensions, flow."),
                                 QStringLiteral("NAME"));
    parser.addOptions(
        {listen, connect, key, noEncrypt, noNoise, timeout, open, demo, screenshot, delay, tab});
    parser.process(app);

    ConnectionOptions options;
    options.noise = !parser.isSet(noNoise);
    options.encrypted = options.noise && !parser.isSet(noEncrypt);
    if (parser.isSet(timeout)) {
        bool ok = false;
        options.timeoutMs = parser.value(timeout).toInt(&ok);
        if (!ok || options.timeoutMs < 0)
            return fail(QStringLiteral("--timeout: '%1' is not a number of milliseconds")
                            .arg(parser.value(timeout)));
    }
    for (const QString &hex : parser.values(key)) {
        QString error;
        const std::optional<Key32> parsed = parseKeyHex(hex, &error);
        if (!parsed)
            return fail(QStringLiteral("--key %1: %2").arg(hex, error));
        options.keys.append(*parsed);
    }
    QList<QPair<QString, quint16>> peers;
    for (const QString &peer : parser.values(connect)) {
        QString host;
        quint16 port = 0;
        QString error;
        if (!parseHostPort(peer, &host, &port, &error))
            return fail(QStringLiteral("--connect %1: %2").arg(peer, error));
        peers.append({host, port});
    }
    QHostAddress listenAddress(QHostAddress::LocalHost);
    quint16 listenPort = 0;
    if (parser.isSet(listen)) {
        const QString value = parser.value(listen);
        QString portText = value;
        if (value.contains(QLatin1Char(':'))) {
            QString host;
            QString error;
            if (!parseHostPort(value, &host, &listenPort, &error))
                return fail(QStringLiteral("--listen %1: %2").arg(value, error));
            listenAddress = QHostAddress(host);
        } else {
            bool ok = false;
            const uint port = value.toUInt(&ok);
            if (!ok || port > 65535)
                return fail(QStringLiteral("--listen: '%1' is not a port").arg(value));
            listenPort = quint16(port);
        }
    }
    const QStringList tabs = {QStringLiteral("messages"), QStringLiteral("handshake"),
                              QStringLiteral("channels"), QStringLiteral("extensions"),
                              QStringLiteral("flow")};
    const int tabIndex = parser.isSet(tab) ? int(tabs.indexOf(parser.value(tab).toLower())) : 0;
    if (tabIndex < 0)
        return fail(QStringLiteral("--tab: one of %1").arg(tabs.join(QStringLiteral(", "))));

    MainWindow window;
    const bool screenshotMode = parser.isSet(screenshot);
    if (screenshotMode)
        window.resize(1440, 900); // reproducible pictures, whatever the saved geometry
    window.show();

    if (parser.isSet(listen)) {
        QString error;
        if (!window.listen(listenAddress, listenPort, options, &error))
            return fail(error);
    }
    for (const auto &[host, port] : peers)
        window.connectToPeer(host, port, options);
    for (const QString &file : parser.values(open)) {
        QString error;
        if (!window.openLog(file, &error))
            return fail(QStringLiteral("--open: %1").arg(error));
    }
    const bool nothingElse = !parser.isSet(listen) && peers.isEmpty() && !parser.isSet(open);
    if (parser.isSet(demo) || nothingElse) {
        QString error;
        if (!window.startDemo(&error))
            return fail(error);
    }
    window.tabs()->setCurrentIndex(tabIndex);

    if (screenshotMode) {
        bool ok = false;
        const double seconds = parser.value(delay).toDouble(&ok);
        if (!ok || seconds < 0)
            return fail(QStringLiteral("--screenshot-delay: '%1' is not a number of seconds")
                            .arg(parser.value(delay)));
        scheduleScreenshot(window, parser.value(screenshot), int(seconds * 1000));
    }
    return app.exec();
}
