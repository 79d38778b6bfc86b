#include "inspectorsettings.h"

#include <QSettings>

namespace hyperscope {

namespace {
// The keys, as earlier versions wrote them.
constexpr auto GeometryKey = QLatin1StringView("window/geometry");
constexpr auto StateKey = QLatin1StringView("window/state");
constexpr auto LogPaneKey = QLatin1StringView("window/logPane");
constexpr auto RecentKey = QLatin1StringView("recent/connections");
constexpr auto NoiseKey = QLatin1StringView("connect/noise");
constexpr auto EncryptedKey = QLatin1StringView("connect/encrypted");
constexpr auto TimeoutKey = QLatin1StringView("connect/timeoutMs");
constexpr auto ListenPortKey = QLatin1StringView("listen/port");
constexpr auto KeepAlivesKey = QLatin1StringView("view/keepAlives");
constexpr auto ProblemsKey = QLatin1StringView("view/alwaysShowProblems");
constexpr auto TimeFormatKey = QLatin1StringView("view/timeFormat");
constexpr auto AskToSaveOnQuitKey = QLatin1StringView("quit/askToSave");
constexpr auto FilterHistoryKey = QLatin1StringView("filter/history");
constexpr auto SavedFiltersKey = QLatin1StringView("filter/saved");
constexpr auto ColouringRulesKey = QLatin1StringView("view/colouringRules");
} // namespace

InspectorSettings InspectorSettings::load()
{
    const QSettings settings;
    InspectorSettings s;
    s.windowGeometry = settings.value(GeometryKey).toByteArray();
    s.windowState = settings.value(StateKey).toByteArray();
    s.logPaneState = settings.value(LogPaneKey).toByteArray();
    s.recentConnections = settings.value(RecentKey).toStringList();
    s.lastOptions.noise = settings.value(NoiseKey, true).toBool();
    s.lastOptions.encrypted = settings.value(EncryptedKey, true).toBool();
    s.lastOptions.timeoutMs = settings.value(TimeoutKey, s.lastOptions.timeoutMs).toInt();
    s.lastListenPort = quint16(settings.value(ListenPortKey, s.lastListenPort).toUInt());
    s.showKeepAlives = settings.value(KeepAlivesKey, true).toBool();
    s.alwaysShowProblems = settings.value(ProblemsKey, false).toBool();
    s.timeFormat = settings.value(TimeFormatKey, 0).toInt();
    s.askToSaveOnQuit = settings.value(AskToSaveOnQuitKey, true).toBool();
    s.filterHistory = settings.value(FilterHistoryKey).toStringList();
    for (const QVariant &entry : settings.value(SavedFiltersKey).toList()) {
        const QStringList pair = entry.toStringList();
        if (pair.size() == 2)
            s.savedFilters.append({pair.at(0), pair.at(1)});
    }
    if (settings.contains(ColouringRulesKey))
        s.colouringRules = settings.value(ColouringRulesKey).toList();
    return s;
}

void InspectorSettings::save() const
{
    QSettings settings;
    settings.setValue(GeometryKey, windowGeometry);
    settings.setValue(StateKey, windowState);
    settings.setValue(LogPaneKey, logPaneState);
    settings.setValue(RecentKey, recentConnections);
    settings.setValue(NoiseKey, lastOptions.noise);
    settings.setValue(EncryptedKey, lastOptions.encrypted);
    settings.setValue(TimeoutKey, lastOptions.timeoutMs);
    settings.setValue(ListenPortKey, lastListenPort);
    settings.setValue(KeepAlivesKey, showKeepAlives);
    settings.setValue(ProblemsKey, alwaysShowProblems);
    settings.setValue(TimeFormatKey, timeFormat);
    settings.setValue(AskToSaveOnQuitKey, askToSaveOnQuit);
    settings.setValue(FilterHistoryKey, filterHistory);
    QVariantList saved;
    for (const auto &[name, expression] : savedFilters)
        saved.append(QStringList{name, expression});
    settings.setValue(SavedFiltersKey, saved);
    if (colouringRules)
        settings.setValue(ColouringRulesKey, *colouringRules);
}

void InspectorSettings::addRecent(const QString &hostPort)
{
    recentConnections.removeAll(hostPort);
    recentConnections.prepend(hostPort);
    while (recentConnections.size() > MaxRecent)
        recentConnections.removeLast();
}

} // namespace hyperscope
