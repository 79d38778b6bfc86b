#include "mainwindowactions.h"

#include "hexpane.h"
#include "icons.h"
#include "mainwindow.h"
#include "messagelogmodel.h"

#include <QAction>
#include <QActionGroup>
#include <QMenuBar>
#include <QStyle>
#include <QToolBar>
#include <QWidget>

namespace hyperscope {

MainWindowActions MainWindowActions::create(QWidget *window)
{
    MainWindowActions a;
    auto add = [&a, window](const char *name, const QString &text, const QKeySequence &shortcut,
                            const QString &tip) {
        auto *action = new QAction(text, window);
        action->setObjectName(QLatin1String(name));
        if (!shortcut.isEmpty())
            action->setShortcut(shortcut);
        action->setStatusTip(tip);
        action->setToolTip(
            shortcut.isEmpty()
                ? tip
                : QStringLiteral("%1 (%2)").arg(tip, shortcut.toString(QKeySequence::NativeText)));
        a.m_named.append(action);
        return action;
    };
    auto icon = [window](QStyle::StandardPixmap pixmap) {
        return window->style()->standardIcon(pixmap);
    };
    using K = QKeySequence;

    a.connect = add("connect", MainWindow::tr("&Connect…"), K(Qt::CTRL | Qt::Key_N),
                    MainWindow::tr("Connect to a peer"));
    a.connect->setIcon(icon(QStyle::SP_DriveNetIcon));
    a.listen = add("listen", MainWindow::tr("&Listen…"), K(Qt::CTRL | Qt::Key_L),
                   MainWindow::tr("Listen for peers on a port"));
    a.listen->setIcon(icon(QStyle::SP_ComputerIcon));
    a.relay = add("relay", MainWindow::tr("&Relay…"), K(Qt::CTRL | Qt::Key_R),
                  MainWindow::tr("Stand between two peers: listen for a client, dial the "
                                 "upstream, show both legs decrypted"));
    a.relay->setIcon(icon(QStyle::SP_ArrowRight));
    a.stopListening = add("stopListening", MainWindow::tr("Stop &Listening"), {},
                          MainWindow::tr("Stop accepting new peers"));
    a.disconnect = add("disconnect", MainWindow::tr("&Disconnect"), K(Qt::CTRL | Qt::Key_D),
                       MainWindow::tr("End the current session"));
    a.disconnect->setIcon(icon(QStyle::SP_BrowserStop));
    a.remove =
        add("remove", MainWindow::tr("&Remove Session"), K(Qt::CTRL | Qt::SHIFT | Qt::Key_Delete),
            MainWindow::tr("Remove the current session from the list (its log lines stay)"));
    a.screenshot =
        add("screenshot", MainWindow::tr("Save &Screenshot…"), K(Qt::CTRL | Qt::SHIFT | Qt::Key_S),
            MainWindow::tr("Save a picture of the window"));
    a.openLog = add("openLog", MainWindow::tr("&Open Log…"), K(Qt::CTRL | Qt::Key_O),
                    MainWindow::tr("Load a saved capture file into the log"));
    a.openLog->setIcon(icon(QStyle::SP_DialogOpenButton));
    a.saveLog = add("saveLog", MainWindow::tr("&Save Log As…"), K(Qt::CTRL | Qt::Key_S),
                    MainWindow::tr("Save every row of the log to a capture file"));
    a.saveLog->setIcon(icon(QStyle::SP_DialogSaveButton));
    a.saveShownLog = add("saveShownLog", MainWindow::tr("Save S&hown Rows As…"), {},
                         MainWindow::tr("Save only the rows the log's filter shows to a capture "
                                        "file"));
    a.revealSecrets = add("revealSecrets", MainWindow::tr("Reveal Secret &Keys…"), {},
                          MainWindow::tr("Show the current session's static secret key and "
                                         "transport keys (asks first)"));
    a.serveFile = add("serveFile", MainWindow::tr("Ser&ve a File…"), {},
                      MainWindow::tr("Serve a file as a signed hypercore 9 feed on every live "
                                     "session, as hyperscope-cli --serve does"));
    a.quit = add("quit", MainWindow::tr("&Quit"), K::Quit, MainWindow::tr("Quit hyperscope"));

    a.ping = add("ping", MainWindow::tr("&Ping"), K(Qt::CTRL | Qt::Key_P),
                 MainWindow::tr("Send a keepalive now"));
    a.ping->setIcon(icon(QStyle::SP_BrowserReload));
    a.openChannel =
        add("openChannel", MainWindow::tr("&Open Channel…"), K(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
            MainWindow::tr("Open a channel by feed key"));
    a.sendMessage = add("sendMessage", MainWindow::tr("&Send Message…"), K(Qt::CTRL | Qt::Key_M),
                        MainWindow::tr("Show the send form"));
    a.extensions = add("extensions", MainWindow::tr("&Extensions…"), K(Qt::CTRL | Qt::Key_E),
                       MainWindow::tr("Register and use extensions"));

    a.demo = add("demo", MainWindow::tr("Start &Demo"), K(Qt::CTRL | Qt::SHIFT | Qt::Key_D),
                 MainWindow::tr("Two built-in peers talking over loopback"));
    a.demo->setIcon(icon(QStyle::SP_MediaPlay));
    a.stopDemo = add("stopDemo", MainWindow::tr("S&top Demo"), {},
                     MainWindow::tr("End the demo's sessions"));
    a.stopDemo->setIcon(icon(QStyle::SP_MediaStop));

    a.find = add("find", MainWindow::tr("&Filter Messages"), K::Find,
                 MainWindow::tr("Filter the message log"));
    a.clearLog = add("clearLog", MainWindow::tr("C&lear Log"), K(Qt::CTRL | Qt::SHIFT | Qt::Key_K),
                     MainWindow::tr("Remove every line of the message log"));
    a.clearLog->setIcon(icon(QStyle::SP_DialogResetButton));
    a.keepAlives = add("keepAlives", MainWindow::tr("Show &Keepalives"), K(Qt::CTRL | Qt::Key_K),
                       MainWindow::tr("Show empty keepalive frames"));
    a.keepAlives->setCheckable(true);
    a.keepAlives->setChecked(true);
    a.autoScroll = add("autoScroll", MainWindow::tr("&Auto-scroll"),
                       K(Qt::CTRL | Qt::SHIFT | Qt::Key_A), MainWindow::tr("Follow new messages"));
    a.autoScroll->setCheckable(true);
    a.autoScroll->setChecked(true);

    a.help = add("help", MainWindow::tr("&Protocol Overview"), K::HelpContents,
                 MainWindow::tr("What the Hypercore wire protocol does, briefly"));
    a.about =
        add("about", MainWindow::tr("&About hyperscope"), {}, MainWindow::tr("About hyperscope"));
    a.aboutQt = add("aboutQt", MainWindow::tr("About &Qt"), {}, MainWindow::tr("About Qt"));

    a.expertInfo =
        add("expertInfo", MainWindow::tr("&Expert Information…"), K(Qt::CTRL | Qt::ALT | Qt::Key_I),
            MainWindow::tr("The log's warnings and errors, grouped by kind"));
    a.expertInfo->setIcon(icons::warning());
    a.nextProblem =
        add("nextProblem", MainWindow::tr("&Next Problem"), K(Qt::CTRL | Qt::Key_Period),
            MainWindow::tr("Select the next warning or error the log shows"));
    a.previousProblem =
        add("previousProblem", MainWindow::tr("&Previous Problem"), K(Qt::CTRL | Qt::Key_Comma),
            MainWindow::tr("Select the previous warning or error the log shows"));
    a.statistics = add(
        "statistics", MainWindow::tr("&Summary and Messages…"), K(Qt::CTRL | Qt::ALT | Qt::Key_S),
        MainWindow::tr("Messages and bytes per session, channel and type, in and out"));
    a.ioGraph = add("ioGraph", MainWindow::tr("&I/O Graph…"), K(Qt::CTRL | Qt::ALT | Qt::Key_G),
                    MainWindow::tr("Messages and bytes per second, in and out, over a session"));

    const QString tabNames[] = {MainWindow::tr("&Messages"), MainWindow::tr("&Handshake"),
                                MainWindow::tr("&Channels"), MainWindow::tr("&Extensions"),
                                MainWindow::tr("&Flow"),     MainWindow::tr("F&eed")};
    static_assert(std::size(tabNames) == MainWindow::TabCount);
    for (int i = 0; i < MainWindow::TabCount; ++i) {
        auto *tab = new QAction(tabNames[i], window);
        tab->setShortcut(K(Qt::ALT | Qt::Key(Qt::Key_1 + i)));
        a.tabs.append(tab);
    }

    // Indexed by HexPane::Mode.
    auto *bytesGroup = new QActionGroup(window);
    for (const QString &text : {MainWindow::tr("&Decrypted Frame"), MainWindow::tr("On the &Wire"),
                                MainWindow::tr("&Both")}) {
        QAction *mode = bytesGroup->addAction(text);
        mode->setCheckable(true);
        a.bytesModes.append(mode);
    }
    a.bytesModes[int(HexPane::Mode::Decrypted)]->setChecked(true);

    // The message log: go to a row, and how its Time column counts.
    a.goToRow = add("goToRow", MainWindow::tr("&Go to Row…"), K(Qt::CTRL | Qt::Key_G),
                    MainWindow::tr("Select a row of the message log by its number"));
    auto *timeGroup = new QActionGroup(window);
    const char *const timeNames[] = {"timeSinceSessionStart", "timeSincePrevious", "timeWallClock"};
    const QString timeTexts[] = {MainWindow::tr("Seconds Since &Session Start"),
                                 MainWindow::tr("Seconds Since &Previous Shown Row"),
                                 MainWindow::tr("&Wall-Clock Time (hh:mm:ss.zzz)")};
    static_assert(std::size(timeNames) == MessageLogModel::TimeFormatCount);
    for (int i = 0; i < MessageLogModel::TimeFormatCount; ++i) {
        QAction *format = add(timeNames[i], timeTexts[i], {},
                              MainWindow::tr("How the message log's Time column counts"));
        format->setCheckable(true);
        timeGroup->addAction(format);
        a.timeFormats.append(format);
    }
    a.timeFormats[int(MessageLogModel::TimeFormat::SinceSessionStart)]->setChecked(true);

    a.colouringRules = add("colouringRules", MainWindow::tr("Colouring &Rules…"), {},
                           MainWindow::tr("Colour the log's rows by filter expressions"));

    // Intercept (issue 12): checkable; on holds what the Intercepted dock's expression matches.
    a.intercept = add("intercept", MainWindow::tr("&Intercept…"), K(Qt::CTRL | Qt::Key_I),
                      MainWindow::tr("Hold the messages that match an expression until you "
                                     "forward, edit or drop them"));
    a.intercept->setIconText(MainWindow::tr("Intercept"));
    a.intercept->setIcon(icon(QStyle::SP_MediaPause));
    a.intercept->setCheckable(true);
    return a;
}

QAction *MainWindowActions::byName(QStringView name) const
{
    for (QAction *action : m_named) {
        if (action->objectName() == name)
            return action;
    }
    return nullptr;
}

void MainWindowActions::fillMenuBar(QMenuBar *bar, QMenu *recent,
                                    const QList<QAction *> &panels) const
{
    QMenu *file = bar->addMenu(MainWindow::tr("&File"));
    file->addAction(connect);
    file->addMenu(recent);
    file->addActions({listen, relay, stopListening});
    file->addSeparator();
    file->addActions({disconnect, remove});
    file->addSeparator();
    file->addActions({openLog, saveLog, saveShownLog});
    file->addSeparator();
    file->addAction(screenshot);
    file->addSeparator();
    file->addAction(quit);

    QMenu *view = bar->addMenu(MainWindow::tr("&View"));
    view->addActions(tabs);
    view->addSeparator();
    view->addActions({find, keepAlives, autoScroll, clearLog});
    view->addMenu(MainWindow::tr("&Bytes"))->addActions(bytesModes);
    view->addMenu(MainWindow::tr("&Time Display Format"))->addActions(timeFormats);
    view->addAction(goToRow);
    view->addAction(colouringRules);
    view->addSeparator();
    view->addActions(panels);

    QMenu *session = bar->addMenu(MainWindow::tr("&Session"));
    session->addActions({openChannel, sendMessage, extensions, ping, revealSecrets});
    session->addAction(serveFile);
    session->addSeparator();
    session->addAction(intercept);
    session->addSeparator();
    session->addAction(disconnect);

    bar->addMenu(MainWindow::tr("&Demo"))->addActions({demo, stopDemo});

    QMenu *analyze = bar->addMenu(MainWindow::tr("&Analyze"));
    analyze->addAction(expertInfo);
    analyze->addSeparator();
    analyze->addActions({nextProblem, previousProblem});
    bar->addMenu(MainWindow::tr("S&tatistics"))->addActions({statistics, ioGraph});

    QMenu *helpMenu = bar->addMenu(MainWindow::tr("&Help"));
    helpMenu->addAction(help);
    helpMenu->addSeparator();
    helpMenu->addActions({about, aboutQt});
}

void MainWindowActions::fillToolBar(QToolBar *bar) const
{
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setIconSize(QSize(16, 16));
    bar->addActions({connect, listen, relay, disconnect});
    bar->addSeparator();
    bar->addActions({demo, stopDemo});
    bar->addSeparator();
    bar->addActions({ping, clearLog});
    bar->addSeparator();
    bar->addActions({keepAlives, autoScroll});
    bar->addSeparator();
    bar->addAction(intercept);
}

} // namespace hyperscope
