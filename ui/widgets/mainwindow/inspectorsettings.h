// InspectorSettings: what the inspector remembers between runs (QSettings), as plain values.
//
// The window's geometry and dock layout, the log pane's columns, the recent connections, the
// options of the last connect/listen dialog and whether keepalives are shown. MainWindow loads
// them once when built and saves them when closed; nothing here touches a widget.
#pragma once

#include "sessionoptions.h"

#include <QByteArray>
#include <QPair>
#include <QStringList>
#include <QVariantList>

#include <optional>

namespace hyperscope {

struct InspectorSettings
{
    /// How many recent connections are kept.
    static constexpr int MaxRecent = 10;

    QByteArray windowGeometry; ///< QWidget::saveGeometry(); empty the first time.
    QByteArray windowState;    ///< QMainWindow::saveState(): docks and toolbar.
    QByteArray logPaneState;   ///< LogPane::saveState().
    /// "host:port" entries ("[::1]:4000" for IPv6), newest first.
    QStringList recentConnections;
    /// The options the connect and listen dialogs start with; keys are never remembered.
    ConnectionOptions lastOptions;
    quint16 lastListenPort = 4000;
    bool showKeepAlives = true;
    /// The log's "Keep problems" switch (off: a filter hides warnings and errors too).
    bool alwaysShowProblems = false;
    /// The log's Time column: a MessageLogModel::TimeFormat, as int (0: since session start).
    int timeFormat = 0;
    /// Ask Save / Discard / Cancel when quitting with unsaved log rows ("Don't ask again" clears
    /// it).
    bool askToSaveOnQuit = true;

    // The log's filter bar and colouring rules (issue 12).
    QStringList filterHistory; ///< Recent filters applied, newest first.
    /// The saved filter buttons: (label, expression), in order.
    QList<QPair<QString, QString>> savedFilters;
    /// The colouring rules as ColouringRules::toVariant() writes them; nullopt when they were
    /// never saved (the defaults apply). An empty list is "no rules".
    std::optional<QVariantList> colouringRules;

    /// The settings of QSettings' default location, defaults where a value is missing.
    static InspectorSettings load();
    void save() const;

    /// Puts @p hostPort first in recentConnections (once), dropping the oldest beyond MaxRecent.
    void addRecent(const QString &hostPort);
};

} // namespace hyperscope
