// Tests the inspector's (hyperscope's) command line as a process: --version and --help answer
// without a display, as a packager's or a headless CI's smoke test runs them.
#include "hyperscope_version.h"

#include <QProcess>
#include <QtTest>

namespace {

constexpr int Wait = 20000;

} // namespace

class tst_GuiCommandLine : public QObject
{
    Q_OBJECT

private slots:
    void answersWithoutDisplay_data();
    void answersWithoutDisplay();
};

void tst_GuiCommandLine::answersWithoutDisplay_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("output");
    const QByteArray version("hyperscope " HYPERSCOPE_VERSION "\n");
    QTest::newRow("--version") << QStringList{"--version"} << version;
    QTest::newRow("-v") << QStringList{"-v"} << version;
    QTest::newRow("--help") << QStringList{"--help"} << QByteArray("Usage: ");
    QTest::newRow("-h") << QStringList{"-h"} << QByteArray("Usage: ");
    // With an option for QApplication the arguments take the usual way, as before.
    QTest::newRow("-platform offscreen --version")
        << QStringList{"-platform", "offscreen", "--version"} << version;
}

void tst_GuiCommandLine::answersWithoutDisplay()
{
#ifndef HYPERSCOPE_GUI_PATH
    QSKIP("the inspector is not built (HYPERSCOPE_BUILD_GUI=OFF)");
#else
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, output);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
        environment.remove(QString::fromLatin1(name));
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(HYPERSCOPE_GUI_PATH), arguments);
    QVERIFY(process.waitForFinished(Wait));
    const QByteArray err = process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(process.exitCode() == 0, err.constData());
    const QByteArray out = process.readAllStandardOutput();
    QVERIFY2(out.startsWith(output), out.constData());
    if (output.startsWith("Usage")) {
        // The whole option list, session options included (shared with hyperscope-cli).
        QVERIFY2(out.contains("hyperscope [options]\n"), out.constData());
        for (const char *option : {"--listen <PORT>", "--connect <HOST:PORT>", "--key <HEX>",
                                   "--no-encrypt", "--no-noise", "--timeout <MS>", "--version"})
            QVERIFY2(out.contains(option), option);
    }
#endif
}

QTEST_GUILESS_MAIN(tst_GuiCommandLine)
#include "tst_guicommandline.moc"
