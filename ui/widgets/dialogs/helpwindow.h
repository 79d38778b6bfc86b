// HelpWindow: the inspector's help, a non-modal window over bundled pages.
//
// A contents list on the left (overview, the feed layer's "How a block is proven", glossary, one
// page per message type), a QTextBrowser on the right with Back, Forward and Home. The overview,
// the feed page and the glossary are HTML resources (resources/help/); the message pages are
// generated from fielddocs when the browser asks for them, so the help and the field tree's
// tooltips say the same thing. Links between pages are relative ("glossary.html#capability",
// "message-open.html").
#pragma once

#include <QTextBrowser>
#include <QWidget>

class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace hyperscope {

/// The browser of the help window: serves the generated message pages, the rest from qrc:/help/.
class HelpBrowser : public QTextBrowser
{
    Q_OBJECT
public:
    explicit HelpBrowser(QWidget *parent = nullptr);
    QVariant loadResource(int type, const QUrl &name) override;
};

class HelpWindow : public QWidget
{
    Q_OBJECT
public:
    /// A top-level window (Qt::Window) owned by @p parent, so it closes with the main window.
    explicit HelpWindow(QWidget *parent = nullptr);

    /// The overview's page name.
    static QString homePage();
    /// Every page, as names relative to the help folder: the overview, the feed page, the
    /// glossary, then each fielddocs message's page.
    static QStringList pages();
    /// The URL the browser uses for @p page ("glossary.html#capability" → qrc:/help/...).
    static QUrl pageUrl(const QString &page);
    /// The HTML of @p page (without its anchor), or an empty string when there is no such page.
    static QString pageHtml(const QString &page);

    /// Shows @p page ("message-open.html", "glossary.html#capability"); the overview when empty
    /// or unknown. Returns whether @p page was known.
    bool showPage(const QString &page);
    /// The page shown, with its anchor if any ("glossary.html#capability").
    QString currentPage() const;

    HelpBrowser *browser() const { return m_browser; }
    QTreeWidget *contents() const { return m_contents; }
    QToolButton *backButton() const { return m_back; }
    QToolButton *forwardButton() const { return m_forward; }

private:
    /// Marks @p source's page in the contents list (sourceChanged: source() may still be old).
    void selectContentsEntry(const QUrl &source);

    QTreeWidget *m_contents;
    HelpBrowser *m_browser;
    QToolButton *m_back;
    QToolButton *m_forward;
    QToolButton *m_home;
};

} // namespace hyperscope
