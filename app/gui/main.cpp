// hyperscope: the desktop inspector. Parses the command line and shows the main window; all the
// work happens in ui/ (MainWindow) and below.
#include "hyperscope_version.h"
#include "interceptcommands.h"
#include "logpane.h"
#include "mainwindow.h"
#include "screenshotmode.h"
#include "sessionoptions.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>

using namespace hyperscope;

namespace {

/// A command line that cannot be understood (a malformed option value): said on stderr, exit 2,
/// no window. What goes wrong with a well-formed request (a file that does not load, a port in
/// use) is shown in the window instead: see the errors list in main().
int fail(const QString &message)
{
    std::fprintf(stderr, "hyperscope: %s\n", qPrintable(message));
    return 2;
}

/// The inspector's command line; the session options (--key, --no-encrypt, --no-noise,
/// --timeout) and the HOST:PORT and address forms are sessionoptions.h's, shared with
/// hyperscope-cli.
struct CommandLine
{
    CommandLine()
    {
        parser.setApplicationDescription(QStringLiteral(
            "Inspector for the Hypercore wire protocol v9. Without arguments it starts "
            "a demo: two built-in peers talking over loopback."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions({listen, connect, relay, upstream});
        session.addTo(parser);
        parser.addOptions({open, demo, screenshot, delay, screenshotSize, tab});
        parser.addOption(filter);
        parser.addOption(intercept);
    }

    QCommandLineParser parser;
    const SessionCommandLine session{SessionCommandLine::Option::Keys |
                                     SessionCommandLine::Option::Encryption |
                                     SessionCommandLine::Option::Timeout};
    const QCommandLineOption listen{QStringLiteral("listen"),
                                    QStringLiteral("Listen for peers on PORT (or ADDRESS:PORT; "
                                                   "default address 127.0.0.1)."),
                                    QStringLiteral("PORT")};
    const QCommandLineOption connect{QStringLiteral("connect"),
                                     QStringLiteral("Connect to a peer (repeatable)."),
                                     QStringLiteral("HOST:PORT")};
    const QCommandLineOption relay{
        QStringLiteral("relay"),
        QStringLiteral("Relay: listen on PORT (or ADDRESS:PORT) and relay every client to "
                       "--upstream, showing both legs decrypted; --key gives the feed keys it "
                       "may forward."),
        QStringLiteral("PORT")};
    const QCommandLineOption upstream{QStringLiteral("upstream"),
                                      QStringLiteral("The peer --relay forwards to."),
                                      QStringLiteral("HOST:PORT")};
    const QCommandLineOption open{QStringLiteral("open"),
                                  QStringLiteral("Load a saved capture file into the log "
                                                 "(repeatable; no demo then)."),
                                  QStringLiteral("FILE")};
    const QCommandLineOption demo{QStringLiteral("demo"),
                                  QStringLiteral("Start the built-in two-peer demo.")};
    const QCommandLineOption screenshot{QStringLiteral("screenshot"),
                                        QStringLiteral("Render the window to FILE (PNG) after a "
                                                       "few seconds, then exit."),
                                        QStringLiteral("FILE")};
    const QCommandLineOption delay{QStringLiteral("screenshot-delay"),
                                   QStringLiteral("Seconds before --screenshot (default 4)."),
                                   QStringLiteral("SECONDS"), QStringLiteral("4")};
    const QCommandLineOption screenshotSize{
        QStringLiteral("screenshot-size"),
        QStringLiteral("Window size for --screenshot, WIDTHxHEIGHT (default 1440x900)."),
        QStringLiteral("WxH"), QStringLiteral("1440x900")};
    const QCommandLineOption tab{QStringLiteral("tab"),
                                 QStringLiteral("Tab to show: messages, handshake, channels, "
                                                "extensions, flow, feed."),
                                 QStringLiteral("NAME")};
    /// The log's filter (issue 12). Not checked here: an invalid expression opens the window
    /// with the filter bar red and its error shown, where it can be corrected.
    const QCommandLineOption filter{QStringLiteral("filter"),
                                    QStringLiteral("Filter the log with EXPR, as typed in the "
                                                   "filter bar (type == Request && index > 5)."),
                                    QStringLiteral("EXPR")};
    /// Intercept (issue 12): on from the start, before any session, so that nothing that matches
    /// slips through. An invalid expression opens the window with the error shown (the
    /// Intercepted dock red, the start-up errors) and intercept off.
    const QCommandLineOption intercept{
        QStringLiteral("intercept"),
        QStringLiteral("Hold the messages that match EXPR (type == Request) until they are "
                       "forwarded or dropped in the Intercepted dock."),
        QStringLiteral("EXPR")};
};

/// Whether the arguments ask for --help or --version (as QCommandLineParser spells them).
bool asksForHelpOrVersion(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "--") == 0)
            break;
        for (const char *flag : {"-h", "--help", "-?", "-v", "--version"}) {
            if (qstrcmp(argv[i], flag) == 0)
                return true;
        }
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setOrganizationName(QStringLiteral("hyperscope"));
    QCoreApplication::setApplicationName(QStringLiteral("hyperscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HYPERSCOPE_VERSION));

    // --help and --version are answered from a QCoreApplication: a QApplication needs a display
    // (or QT_QPA_PLATFORM), and asking a program for its version should not.
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication app(argc, argv);
        CommandLine commandLine;
        // parse(), not process(): the options only QApplication knows (-platform, -style) are
        // errors here, and such command lines take the usual way below.
        if (commandLine.parser.parse(QCoreApplication::arguments())) {
            if (commandLine.parser.isSet(QStringLiteral("version")))
                commandLine.parser.showVersion(); // exits
            if (commandLine.parser.isSet(QStringLiteral("help")))
                commandLine.parser.showHelp(); // exits
        }
        // Still here: "--version" was the value of another option ("--open --version").
    }

    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(QStringLiteral("hyperscope"));
    QApplication::setDesktopFileName(QStringLiteral(HYPERSCOPE_APP_ID));

    CommandLine commandLine;
    const QCommandLineParser &parser = commandLine.parser;
    commandLine.parser.process(app);

    QString error;
    const std::optional<ConnectionOptions> sessionOptions =
        commandLine.session.read(parser, &error);
    if (!sessionOptions)
        return fail(error);
    const ConnectionOptions &options = *sessionOptions;
    QList<HostPort> peers;
    for (const QString &peer : parser.values(commandLine.connect)) {
        const std::optional<HostPort> hostPort = parseHostPort(peer, &error);
        if (!hostPort)
            return fail(QStringLiteral("--connect: %1").arg(error));
        peers.append(*hostPort);
    }
    ListenAddress listenAddress;
    if (parser.isSet(commandLine.listen)) {
        const QString value = parser.value(commandLine.listen);
        const std::optional<ListenAddress> parsed = parseListenAddress(value, &error);
        if (!parsed)
            return fail(QStringLiteral("--listen: %1").arg(error));
        listenAddress = *parsed;
    }
    ListenAddress relayAddress;
    HostPort upstream;
    if (parser.isSet(commandLine.relay) != parser.isSet(commandLine.upstream))
        return fail(parser.isSet(commandLine.relay)
                        ? QStringLiteral("--relay needs --upstream HOST:PORT: the peer to relay to")
                        : QStringLiteral("--upstream needs --relay PORT: where clients connect"));
    if (parser.isSet(commandLine.relay)) {
        const std::optional<ListenAddress> parsed =
            parseListenAddress(parser.value(commandLine.relay), &error);
        if (!parsed)
            return fail(QStringLiteral("--relay: %1").arg(error));
        relayAddress = *parsed;
        const std::optional<HostPort> parsedUpstream =
            parseHostPort(parser.value(commandLine.upstream), &error);
        if (!parsedUpstream)
            return fail(QStringLiteral("--upstream: %1").arg(error));
        upstream = *parsedUpstream;
    }
    const QStringList tabs = {QStringLiteral("messages"), QStringLiteral("handshake"),
                              QStringLiteral("channels"), QStringLiteral("extensions"),
                              QStringLiteral("flow"),     QStringLiteral("feed")};
    const int tabIndex = parser.isSet(commandLine.tab)
                             ? int(tabs.indexOf(parser.value(commandLine.tab).toLower()))
                             : 0;
    if (tabIndex < 0)
        return fail(QStringLiteral("--tab: one of %1").arg(tabs.join(QStringLiteral(", "))));
    const bool screenshotMode = parser.isSet(commandLine.screenshot);
    bool delayOk = false;
    const double delaySeconds = parser.value(commandLine.delay).toDouble(&delayOk);
    if (!delayOk || delaySeconds < 0)
        return fail(QStringLiteral("--screenshot-delay: '%1' is not a number of seconds")
                        .arg(parser.value(commandLine.delay)));
    const std::optional<QSize> screenshotSize =
        parseScreenshotSize(parser.value(commandLine.screenshotSize), &error);
    if (!screenshotSize)
        return fail(QStringLiteral("--screenshot-size: %1").arg(error));

    MainWindow window;
    if (screenshotMode)
        window.resize(*screenshotSize); // reproducible pictures, whatever the saved geometry
    window.show();

    // From here on the command line made sense: what fails now (a port in use, a capture that
    // does not load) is shown in the window, which stays open so that the person can go on.
    QStringList errors;
    if (parser.isSet(commandLine.intercept)) {
        const QString why = window.intercept()->startIntercept(parser.value(commandLine.intercept));
        if (!why.isEmpty())
            errors << QStringLiteral("--intercept: %1").arg(why);
    }
    if (parser.isSet(commandLine.listen)) {
        if (!window.listen(listenAddress.address, listenAddress.port, options, &error))
            errors << QStringLiteral("--listen: %1").arg(error);
    }
    if (parser.isSet(commandLine.relay)) {
        if (!window.relay(relayAddress.address, relayAddress.port, upstream.host, upstream.port,
                          options, &error))
            errors << QStringLiteral("--relay: %1").arg(error);
    }
    for (const HostPort &peer : std::as_const(peers))
        window.connectToPeer(peer.host, peer.port, options);
    for (const QString &file : parser.values(commandLine.open)) {
        if (!window.openLog(file, &error))
            errors << QStringLiteral("--open: %1").arg(error);
    }
    const bool nothingElse = !parser.isSet(commandLine.listen) &&
                             !parser.isSet(commandLine.relay) && peers.isEmpty() &&
                             !parser.isSet(commandLine.open);
    if (parser.isSet(commandLine.demo) || nothingElse) {
        if (!window.startDemo(&error))
            errors << QStringLiteral("demo: %1").arg(error);
    }
    window.tabs()->setCurrentIndex(tabIndex);
    if (parser.isSet(commandLine.filter))
        window.logPane()->setFilterText(parser.value(commandLine.filter));
    if (!errors.isEmpty()) {
        for (const QString &line : std::as_const(errors)) // for scripts and terminals too
            std::fprintf(stderr, "hyperscope: %s\n", qPrintable(line));
        window.showStartupErrors(errors);
    }

    if (screenshotMode)
        scheduleScreenshot(window, parser.value(commandLine.screenshot), int(delaySeconds * 1000));
    return app.exec();
}
