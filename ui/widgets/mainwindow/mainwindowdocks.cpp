#include "mainwindowdocks.h"

#include "mainwindow.h"
#include "mainwindowactions.h"
#include "sendmessageform.h"
#include "sessionlistmodel.h"
#include "sessionsidebar.h"

#include <QAction>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace hyperscope {

MainWindowDocks MainWindowDocks::create(QMainWindow *window, SessionListModel *sessions,
                                        const MainWindowActions &actions)
{
    MainWindowDocks docks;
    docks.sidebar = new SessionSidebar;
    docks.sidebar->setModel(sessions);
    auto *sidebarBox = new QWidget;
    auto *sidebarLayout = new QVBoxLayout(sidebarBox);
    sidebarLayout->setContentsMargins(4, 4, 4, 4);
    sidebarLayout->addWidget(docks.sidebar, 1);
    auto *buttons = new QHBoxLayout;
    for (QAction *action : {actions.connect, actions.listen, actions.disconnect}) {
        auto *button =
            new QPushButton(action->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")));
        button->setToolTip(action->toolTip());
        QObject::connect(button, &QPushButton::clicked, action, &QAction::trigger);
        QObject::connect(action, &QAction::changed, button,
                         [button, action] { button->setEnabled(action->isEnabled()); });
        buttons->addWidget(button);
    }
    sidebarLayout->addLayout(buttons);
    docks.sessions = new QDockWidget(MainWindow::tr("Sessions"), window);
    docks.sessions->setObjectName(QStringLiteral("sessionsDock"));
    docks.sessions->setWidget(sidebarBox);
    docks.sessions->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
    window->addDockWidget(Qt::LeftDockWidgetArea, docks.sessions);

    docks.sendForm = new SendMessageForm;
    docks.sendForm->setObjectName(QStringLiteral("sendForm"));
    auto *sendScroll = new QScrollArea;
    sendScroll->setWidget(docks.sendForm);
    sendScroll->setWidgetResizable(true);
    sendScroll->setFrameShape(QFrame::NoFrame);
    docks.send = new QDockWidget(MainWindow::tr("Send Message"), window);
    docks.send->setObjectName(QStringLiteral("sendDock"));
    docks.send->setWidget(sendScroll);
    docks.send->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                            QDockWidget::DockWidgetFloatable);
    // Sessions above the send form, both in the left column: the log gets the full width.
    window->addDockWidget(Qt::LeftDockWidgetArea, docks.send);
    window->splitDockWidget(docks.sessions, docks.send, Qt::Vertical);
    window->resizeDocks({docks.sessions}, {330}, Qt::Horizontal);
    window->resizeDocks({docks.sessions, docks.send}, {330, 420}, Qt::Vertical);
    return docks;
}

} // namespace hyperscope
