// Test fixtures: settings a test can write without touching the user's. Qt Core only, but named
// for the inspector's tests, the ones that read and write QSettings (recent connections, keys).
#pragma once

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QString>

namespace hyperscope::test {

/// Call from initTestCase(): QSettings and QStandardPaths go to the test locations
/// (~/.qttest/...), under an organisation and application of their own, and start empty, so
/// that nothing from an earlier run (recent connections, keys, window state) leaks in.
inline void useCleanTestSettings(const QString &applicationName)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("hyperscope-tests"));
    QCoreApplication::setApplicationName(applicationName);
    QSettings().clear();
}

} // namespace hyperscope::test
