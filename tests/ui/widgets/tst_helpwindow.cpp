// HelpWindow and the F1 context help (issue 11, "Teaching"): every page loads, every message type
// has its page, every link between pages resolves (page and anchor), Back / Forward / the contents
// list navigate, and in the real main window F1 with a field selected opens that field's message
// type's page, and the overview otherwise. The annotator MainWindow installs explains an Open's
// capability in the field tree of a live session.
#include "dissector.h"
#include "fielddocs.h"
#include "fieldtreemodel.h"
#include "guisettings.h"
#include "helpdialogs.h"
#include "helpwindow.h"
#include "logpane.h"
#include "mainwindow.h"
#include "mainwindowactions.h"
#include "messagelogmodel.h"
#include "vectors.h"

#include <QAction>
#include <QRegularExpression>
#include <QTest>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

/// Every href of @p html.
QStringList linksOf(const QString &html)
{
    static const QRegularExpression href(QStringLiteral("href=\"([^\"]*)\""));
    QStringList links;
    for (auto it = href.globalMatch(html); it.hasNext();)
        links << it.next().captured(1);
    return links;
}

/// The frame of the reference's first vector of message @p name.
QByteArray vectorFrame(const QString &name)
{
    for (const QJsonValue &value : wireVectorFrames()) {
        const QJsonObject f = value.toObject();
        if (f.value(QStringLiteral("name")).toString() == name)
            return QByteArray::fromHex(f.value(QStringLiteral("frame")).toString().toLatin1());
    }
    return {};
}

/// The index of the field named @p name anywhere in @p model, or invalid.
QModelIndex findField(const QAbstractItemModel &model, const QString &name,
                      const QModelIndex &parent = {})
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (index.data().toString() == name)
            return index;
        if (const QModelIndex found = findField(model, name, index); found.isValid())
            return found;
    }
    return {};
}

} // namespace

class TestHelpWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void everyPageLoads_data();
    void everyPageLoads();
    void everyMessageTypeHasAPage_data();
    void everyMessageTypeHasAPage();
    void everyLinkResolves();
    void backForwardAndContents();
    void unknownPageShowsTheOverview();
    void feedPageIsInTheContentsAndLinked();
    void f1OpensTheSelectedFieldsMessagePage();
    void helpWindowIsOneAndNonModal();
};

void TestHelpWindow::initTestCase()
{
    useCleanTestSettings(QStringLiteral("tst_helpwindow"));
}

void TestHelpWindow::everyPageLoads_data()
{
    QTest::addColumn<QString>("page");
    for (const QString &page : HelpWindow::pages())
        QTest::newRow(qPrintable(page)) << page;
}

void TestHelpWindow::everyPageLoads()
{
    QFETCH(QString, page);
    HelpWindow window;
    QVERIFY(!HelpWindow::pageHtml(page).isEmpty());
    QVERIFY(window.showPage(page));
    QCOMPARE(window.currentPage(), page);
    const QString text = window.browser()->toPlainText();
    QVERIFY2(text.size() > 200, qPrintable(text));
    // The contents list follows the page shown.
    QVERIFY(window.contents()->currentItem());
    QCOMPARE(window.contents()->currentItem()->data(0, Qt::UserRole + 1).toString(), page);
}

void TestHelpWindow::everyMessageTypeHasAPage_data()
{
    QTest::addColumn<int>("type");
    for (int type = 0; type <= 10; ++type)
        QTest::addRow("type %d", type) << type;
    QTest::newRow("type 15") << 15;
}

void TestHelpWindow::everyMessageTypeHasAPage()
{
    QFETCH(int, type);
    const fielddocs::MessageDoc *doc = fielddocs::messageOfType(type);
    QVERIFY(doc);
    const QString page = fielddocs::pageName(doc->name);
    QVERIFY(HelpWindow::pages().contains(page));
    HelpWindow window;
    QVERIFY(window.showPage(page));
    const QString text = window.browser()->toPlainText();
    QVERIFY(text.contains(doc->name));
    for (const fielddocs::FieldDoc &field : doc->fields)
        QVERIFY2(text.contains(field.name), qPrintable(field.name));
    // The overview's message table links to it.
    QVERIFY(linksOf(HelpWindow::pageHtml(HelpWindow::homePage())).contains(page));
}

void TestHelpWindow::everyLinkResolves()
{
    int checked = 0;
    for (const QString &page : HelpWindow::pages()) {
        for (const QString &link : linksOf(HelpWindow::pageHtml(page))) {
            if (link.startsWith(QLatin1String("https://")))
                continue; // the one external link (the Noise specification) opens a browser
            const QString target = link.section(QLatin1Char('#'), 0, 0);
            const QString anchor = link.section(QLatin1Char('#'), 1);
            const QString targetPage = target.isEmpty() ? page : target;
            const QString where = page + QStringLiteral(" → ") + link;
            QVERIFY2(HelpWindow::pages().contains(targetPage), qPrintable(where));
            if (!anchor.isEmpty()) {
                QVERIFY2(HelpWindow::pageHtml(targetPage)
                             .contains(QStringLiteral("name=\"%1\"").arg(anchor)),
                         qPrintable(where));
            }
            ++checked;
        }
    }
    QVERIFY(checked > 50);
}

void TestHelpWindow::backForwardAndContents()
{
    HelpWindow window;
    window.resize(1024, 640);
    window.show();
    QCOMPARE(window.currentPage(), HelpWindow::homePage());
    QVERIFY(!window.backButton()->isEnabled());

    // Follow a link the way a click does: relative to the page shown.
    window.browser()->setSource(
        window.browser()->source().resolved(QUrl(QStringLiteral("glossary.html#capability"))));
    QCOMPARE(window.currentPage(), QStringLiteral("glossary.html#capability"));
    QVERIFY(window.browser()->toPlainText().contains(QStringLiteral("Capability")));
    QVERIFY(window.backButton()->isEnabled());

    // The contents list opens a message page.
    QTreeWidgetItem *open = nullptr;
    for (QTreeWidgetItemIterator it(window.contents()); *it; ++it) {
        if ((*it)->data(0, Qt::UserRole + 1).toString() == QLatin1String("message-open.html"))
            open = *it;
    }
    QVERIFY(open);
    emit window.contents()->itemActivated(open, 0);
    QCOMPARE(window.currentPage(), QStringLiteral("message-open.html"));

    QTest::mouseClick(window.backButton(), Qt::LeftButton);
    QCOMPARE(window.currentPage(), QStringLiteral("glossary.html#capability"));
    QVERIFY(window.forwardButton()->isEnabled());
    QTest::mouseClick(window.backButton(), Qt::LeftButton);
    QCOMPARE(window.currentPage(), HelpWindow::homePage());
    QTest::mouseClick(window.forwardButton(), Qt::LeftButton);
    QTest::mouseClick(window.forwardButton(), Qt::LeftButton);
    QCOMPARE(window.currentPage(), QStringLiteral("message-open.html"));
}

void TestHelpWindow::unknownPageShowsTheOverview()
{
    HelpWindow window;
    QVERIFY(!window.showPage(QStringLiteral("message-nonsense.html")));
    QCOMPARE(window.currentPage(), HelpWindow::homePage());
    QVERIFY(!window.showPage(QStringLiteral("../secret.html")));
    QVERIFY(HelpWindow::pageHtml(QStringLiteral("../protocol.html")).isEmpty());
}

void TestHelpWindow::feedPageIsInTheContentsAndLinked()
{
    // Issue 13, teaching: "How a block is proven" is a page of its own, in the contents, linked
    // from the overview and the glossary, whose feed-layer terms link back to its sections.
    const QString page = QStringLiteral("feed.html");
    QVERIFY(HelpWindow::pages().contains(page));
    HelpWindow window;
    QTreeWidgetItem *entry = nullptr;
    for (QTreeWidgetItemIterator it(window.contents()); *it; ++it) {
        if ((*it)->data(0, Qt::UserRole + 1).toString() == page)
            entry = *it;
    }
    QVERIFY(entry);
    QCOMPARE(entry->text(0), QStringLiteral("How a block is proven"));
    emit window.contents()->itemActivated(entry, 0);
    QCOMPARE(window.currentPage(), page);
    const QString text = window.browser()->toPlainText();
    // The demo's own numbers: 15 blocks, block 5 is node 10, the four roots, the bitfield.
    for (const char *fact : {"15 blocks", "block 5 is node 10", "node 10 + node 8 → node 9",
                             "07 02 fe", "8192", "u64(length)", "Explain This Proof"})
        QVERIFY2(text.contains(QString::fromUtf8(fact)), fact);
    QVERIFY(linksOf(HelpWindow::pageHtml(HelpWindow::homePage())).contains(page));
    const QString glossary = HelpWindow::pageHtml(QStringLiteral("glossary.html"));
    for (const char *term : {"merkle-tree", "flat-tree", "root", "proof", "bitfield"}) {
        QVERIFY2(glossary.contains(QStringLiteral("name=\"%1\"").arg(QLatin1String(term))), term);
        QVERIFY2(HelpWindow::pageHtml(page).contains(
                     QStringLiteral("glossary.html#%1").arg(QLatin1String(term))),
                 term);
    }
    // A link into a section of it resolves to that section.
    window.browser()->setSource(
        window.browser()->source().resolved(QUrl(QStringLiteral("glossary.html#root"))));
    window.browser()->setSource(
        window.browser()->source().resolved(QUrl(QStringLiteral("feed.html#roots"))));
    QCOMPARE(window.currentPage(), QStringLiteral("feed.html#roots"));
}

void TestHelpWindow::f1OpensTheSelectedFieldsMessagePage()
{
    MainWindow window;
    window.resize(1024, 640);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    LogPane *pane = window.logPane();
    QTreeView *fields = pane->fieldView();

    // Without a selected field, F1 opens the overview.
    QTest::keyClick(&window, Qt::Key_F1);
    auto *help = window.findChild<HelpWindow *>();
    QVERIFY(help);
    QVERIFY(help->isVisible());
    QVERIFY(help->isWindow());
    QCOMPARE(help->currentPage(), HelpWindow::homePage());

    // A Data frame's field tree, its "signature" field selected and focused: F1 opens Data.
    const QByteArray data = vectorFrame(QStringLiteral("Data"));
    QVERIFY(!data.isEmpty());
    pane->fieldModel()->setTree(dissectFrame(
        {reinterpret_cast<const std::uint8_t *>(data.constData()), std::size_t(data.size())}));
    fields->expandAll();
    const QModelIndex index = findField(*pane->fieldModel(), QStringLiteral("index"));
    QVERIFY(index.isValid());
    QVERIFY(index.data(Qt::ToolTipRole).toString().endsWith(QStringLiteral("F1 for help on Data")));
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    fields->setFocus();
    fields->setCurrentIndex(index);
    QVERIFY(fields->hasFocus());
    QTest::keyClick(fields, Qt::Key_F1);
    QCOMPARE(window.findChildren<HelpWindow *>().size(), 1);
    QCOMPARE(help->currentPage(), QStringLiteral("message-data.html"));

    // An Open's fields lead to Open's page.
    const QByteArray open = vectorFrame(QStringLiteral("Open"));
    pane->fieldModel()->setTree(dissectFrame(
        {reinterpret_cast<const std::uint8_t *>(open.constData()), std::size_t(open.size())}));
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    fields->setFocus();
    fields->setCurrentIndex(findField(*pane->fieldModel(), QStringLiteral("discoveryKey")));
    window.actions().help->trigger();
    QCOMPARE(help->currentPage(), QStringLiteral("message-open.html"));
}

void TestHelpWindow::helpWindowIsOneAndNonModal()
{
    QWidget parent;
    HelpWindow *first = help::showHelp(&parent, QStringLiteral("glossary.html"));
    HelpWindow *again = help::showHelp(&parent, QStringLiteral("message-have.html"));
    QCOMPARE(again, first);
    QCOMPARE(first->currentPage(), QStringLiteral("message-have.html"));
    QVERIFY(!first->isModal());
    QCOMPARE(first->windowModality(), Qt::NonModal);
    QCOMPARE(first->parent(), &parent); // closes with its main window
}

QTEST_MAIN(TestHelpWindow)
#include "tst_helpwindow.moc"
