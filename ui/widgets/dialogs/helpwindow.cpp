#include "helpwindow.h"

#include "fielddocs.h"

#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QSplitter>
#include <QStyle>
#include <QToolButton>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QVBoxLayout>

namespace hyperscope {

namespace {
const QString ResourceFolder = QStringLiteral(":/help/");
const QString UrlFolder = QStringLiteral("qrc:/help/");
constexpr int PageRole = Qt::UserRole + 1;

QString pageOfUrl(const QUrl &url)
{
    return url.fileName();
}
} // namespace

HelpBrowser::HelpBrowser(QWidget *parent)
    : QTextBrowser(parent)
{
    setOpenExternalLinks(true);
}

QVariant HelpBrowser::loadResource(int type, const QUrl &name)
{
    if (type == QTextDocument::HtmlResource) {
        const QString html = HelpWindow::pageHtml(pageOfUrl(name));
        if (!html.isEmpty())
            return html;
    }
    return QTextBrowser::loadResource(type, name);
}

HelpWindow::HelpWindow(QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_contents(new QTreeWidget)
    , m_browser(new HelpBrowser)
    , m_back(new QToolButton)
    , m_forward(new QToolButton)
    , m_home(new QToolButton)
{
    setObjectName(QStringLiteral("helpWindow"));
    setWindowTitle(tr("hyperscope help"));
    m_contents->setObjectName(QStringLiteral("helpContents"));
    m_browser->setObjectName(QStringLiteral("helpBrowser"));

    m_back->setIcon(style()->standardIcon(QStyle::SP_ArrowBack));
    m_back->setToolTip(tr("Back (Alt+Left)"));
    m_back->setShortcut(QKeySequence::Back);
    m_forward->setIcon(style()->standardIcon(QStyle::SP_ArrowForward));
    m_forward->setToolTip(tr("Forward (Alt+Right)"));
    m_forward->setShortcut(QKeySequence::Forward);
    m_home->setIcon(style()->standardIcon(QStyle::SP_DirHomeIcon));
    m_home->setText(tr("Overview"));
    m_home->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_home->setToolTip(tr("Protocol overview"));
    m_back->setEnabled(false);
    m_forward->setEnabled(false);

    // Contents: the overview and glossary, then the messages in wire-type order.
    m_contents->setHeaderHidden(true);
    m_contents->setRootIsDecorated(true);
    auto addEntry = [this](QTreeWidgetItem *parent, const QString &title, const QString &page) {
        auto *item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(m_contents);
        item->setText(0, title);
        item->setData(0, PageRole, page);
        return item;
    };
    addEntry(nullptr, tr("Protocol overview"), homePage());
    addEntry(nullptr, tr("How a block is proven"), QStringLiteral("feed.html"))
        ->setToolTip(0, tr("Merkle tree, flat-tree numbering, proofs, signatures, Have "
                           "bitfields and Wants, with the demo's numbers"));
    addEntry(nullptr, tr("Glossary"), QStringLiteral("glossary.html"));
    QTreeWidgetItem *messages = addEntry(nullptr, tr("Messages"), QString());
    for (const fielddocs::MessageDoc &doc : fielddocs::messages()) {
        const QString title = doc.wireType == fielddocs::MessageDoc::NoWireType
                                  ? doc.name
                                  : tr("%1 (%2)").arg(doc.name).arg(doc.wireType);
        QTreeWidgetItem *item = addEntry(messages, title, fielddocs::pageName(doc.name));
        item->setToolTip(0, doc.summary);
    }
    m_contents->expandAll();

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_back);
    bar->addWidget(m_forward);
    bar->addWidget(m_home);
    bar->addStretch();

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(bar);
    rightLayout->addWidget(m_browser, 1);

    auto *splitter = new QSplitter;
    splitter->addWidget(m_contents);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({220, 680});
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
    resize(920, 640);

    connect(m_back, &QToolButton::clicked, m_browser, &QTextBrowser::backward);
    connect(m_forward, &QToolButton::clicked, m_browser, &QTextBrowser::forward);
    connect(m_home, &QToolButton::clicked, this, [this] { showPage(homePage()); });
    connect(m_browser, &QTextBrowser::backwardAvailable, m_back, &QToolButton::setEnabled);
    connect(m_browser, &QTextBrowser::forwardAvailable, m_forward, &QToolButton::setEnabled);
    connect(m_browser, &QTextBrowser::sourceChanged, this, &HelpWindow::selectContentsEntry);
    connect(m_contents, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const QString page = item->data(0, PageRole).toString();
        if (!page.isEmpty() && page != pageOfUrl(m_browser->source()))
            showPage(page);
    });
    connect(m_contents, &QTreeWidget::itemClicked, m_contents, &QTreeWidget::itemActivated);
    showPage(homePage());
}

QString HelpWindow::homePage()
{
    return QStringLiteral("protocol.html");
}

QStringList HelpWindow::pages()
{
    QStringList names{homePage(), QStringLiteral("feed.html"), QStringLiteral("glossary.html")};
    for (const fielddocs::MessageDoc &doc : fielddocs::messages())
        names << fielddocs::pageName(doc.name);
    return names;
}

QUrl HelpWindow::pageUrl(const QString &page)
{
    return QUrl(UrlFolder + page);
}

QString HelpWindow::pageHtml(const QString &page)
{
    const QString name = page.section(QLatin1Char('#'), 0, 0);
    if (const fielddocs::MessageDoc *doc = fielddocs::messageOfPage(name))
        return fielddocs::messagePageHtml(*doc);
    if (name.isEmpty() || name.contains(QLatin1Char('/')))
        return {};
    QFile file(ResourceFolder + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

bool HelpWindow::showPage(const QString &page)
{
    const bool known = !page.isEmpty() && !pageHtml(page).isEmpty();
    m_browser->setSource(pageUrl(known ? page : homePage()));
    return known;
}

QString HelpWindow::currentPage() const
{
    const QUrl url = m_browser->source();
    return url.hasFragment() ? url.fileName() + QLatin1Char('#') + url.fragment() : url.fileName();
}

void HelpWindow::selectContentsEntry(const QUrl &source)
{
    const QString page = pageOfUrl(source);
    for (QTreeWidgetItemIterator it(m_contents); *it; ++it) {
        if ((*it)->data(0, PageRole).toString() == page) {
            const QSignalBlocker blocker(m_contents);
            m_contents->setCurrentItem(*it);
            return;
        }
    }
}

} // namespace hyperscope
