// hyperscope-cli: a headless Hypercore wire protocol v9 peer speaking JSON lines (see cliapp.h).
#include "cliapp.h"
#include "clioptions.h"

#include <QCoreApplication>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    // A closed stdin, stdout or stderr would be handed to the next descriptor we open (Qt's
    // wake-up pipe, a socket), and commands would be read from it or events written into it.
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
        if (::fcntl(fd, F_GETFD) == -1)
            ::open("/dev/null", O_RDWR); // takes the lowest free descriptor: this one
    }
    // A reader that goes away must not kill us mid-line: writes to a closed stdout just fail.
    std::signal(SIGPIPE, SIG_IGN);
    // Headless: Qt's own event dispatcher, not its glib integration, which nothing here needs.
    // glib's costs a wake-up write (and its poll bookkeeping) for every posted event and socket
    // notifier change: per connection that is 4x the writes and about 10 % more CPU (see
    // docs/benchmarks.md, handshakes). Whoever sets QT_NO_GLIB themselves gets their choice.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);

    auto parsed = hyperscope::parseCliArguments(app.arguments());
    if (const auto *exit = std::get_if<hyperscope::CliExit>(&parsed)) {
        std::fputs(exit->text.toLocal8Bit().constData(), exit->exitCode == 0 ? stdout : stderr);
        return exit->exitCode;
    }
    hyperscope::CliApp cli(std::get<hyperscope::CliOptions>(std::move(parsed)));
    QObject::connect(&cli, &hyperscope::CliApp::finished, &app, &QCoreApplication::exit,
                     Qt::QueuedConnection);
    if (!cli.start())
        return 1;
    return app.exec();
}
