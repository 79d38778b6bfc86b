#include "filteredit.h"

#include "fieldcatalogue.h"

#include <QAction>
#include <QMenu>
#include <QRegularExpression>
#include <QStyle>

namespace hyperscope {

namespace {
// Wireshark's colours for the display filter bar: readable with black text on any theme.
const QColor ValidColour(0xaf, 0xff, 0xaf);
const QColor TextSearchColour(0xff, 0xff, 0xaf);
const QColor InvalidColour(0xff, 0xaf, 0xaf);

/// Whether @p text is written like an expression (and so is an error when it does not compile)
/// rather than like words to search for. The words and, or, not and in are English too: they
/// only count beside a field name ("index in 5", not "log in").
bool looksLikeExpression(const QString &text)
{
    static const QRegularExpression operators(
        QStringLiteral(R"(["{}()!&|<>~]|==|\b(contains|matches)\b)"),
        QRegularExpression::CaseInsensitiveOption);
    if (operators.match(text).hasMatch())
        return true;
    static const QRegularExpression word(QStringLiteral(R"([A-Za-z_][A-Za-z0-9_.]*)"));
    bool keyword = false;
    bool field = false;
    for (auto it = word.globalMatch(text); it.hasNext();) {
        const QString w = it.next().captured();
        const QString lower = w.toLower();
        if (lower == QLatin1String("and") || lower == QLatin1String("or") ||
            lower == QLatin1String("not") || lower == QLatin1String("in"))
            keyword = true;
        else if (filter::findField(w.toStdString()))
            field = true;
    }
    return keyword && field;
}
} // namespace

FilterEdit::FilterEdit(QWidget *parent)
    : QLineEdit(parent)
    , m_historyMenu(new QMenu(this))
{
    setObjectName(QStringLiteral("filterEdit"));
    setClearButtonEnabled(true);
    setPlaceholderText(tr("Apply a filter… (type == Request && index > 5)  Ctrl+F"));
    m_historyMenu->setObjectName(QStringLiteral("filterHistoryMenu"));
    QAction *recent = m_historyAction =
        addAction(style()->standardIcon(QStyle::SP_ArrowDown), QLineEdit::TrailingPosition);
    recent->setObjectName(QStringLiteral("filterHistory"));
    recent->setToolTip(tr("Recent filters"));
    // Filled as it opens: an entry's action never deletes the menu it is running from.
    connect(m_historyMenu, &QMenu::aboutToShow, this, &FilterEdit::fillHistoryMenu);
    connect(recent, &QAction::triggered, this, [this] {
        m_historyMenu->popup(mapToGlobal(rect().bottomRight()) -
                             QPoint(m_historyMenu->sizeHint().width(), 0));
    });
    connect(this, &QLineEdit::textChanged, this, &FilterEdit::revalidate);
    connect(this, &QLineEdit::returnPressed, this, [this] {
        if (m_state == State::Invalid || (m_state == State::TextSearch && !m_textSearchAllowed))
            return;
        addToHistory(text());
        emit applyRequested(text());
    });
    revalidate();
}

FilterEdit::State FilterEdit::classify(const QString &text, QString *error,
                                       std::optional<filter::Filter> *compiled)
{
    const QByteArray utf8 = text.trimmed().toUtf8();
    if (utf8.isEmpty()) {
        if (compiled)
            *compiled = filter::Filter();
        return State::Empty;
    }
    filter::FilterError failure;
    std::optional<filter::Filter> result = filter::Filter::compile(
        std::string_view(utf8.constData(), std::size_t(utf8.size())), failure);
    if (result) {
        if (compiled)
            *compiled = std::move(result);
        return State::Valid;
    }
    if (error)
        *error =
            tr("column %1: %2").arg(failure.column).arg(QString::fromStdString(failure.message));
    return looksLikeExpression(text) ? State::Invalid : State::TextSearch;
}

std::optional<filter::Filter> FilterEdit::compiled() const
{
    return m_compiled;
}

void FilterEdit::revalidate()
{
    QString error;
    std::optional<filter::Filter> compiled;
    State state = classify(text(), &error, &compiled);
    if (state == State::TextSearch && !m_textSearchAllowed)
        state = State::Invalid;
    m_compiled = std::move(compiled);

    QPalette colours = palette();
    colours.setColor(QPalette::Base, state == State::Valid        ? ValidColour
                                     : state == State::TextSearch ? TextSearchColour
                                     : state == State::Invalid    ? InvalidColour
                                                               : QPalette().color(QPalette::Base));
    colours.setColor(QPalette::Text,
                     state == State::Empty ? QPalette().color(QPalette::Text) : QColor(Qt::black));
    setPalette(colours);
    switch (state) {
    case State::Empty:
        setToolTip(tr("A filter expression, as in Wireshark: type == Request && index > 5, "
                      "value contains \"hello\", type in {Data, Have}, !(type == Keepalive)… "
                      "Plain words that are no field name search the Type, Summary and Note "
                      "columns instead (yellow). Enter applies; the session, channel, type and "
                      "direction choices below apply too."));
        break;
    case State::Valid:
        setToolTip(tr("A valid filter: Enter applies it"));
        break;
    case State::TextSearch:
        setToolTip(tr("Not a filter expression (%1): Enter searches the Type, Summary and Note "
                      "columns for the words")
                       .arg(error));
        break;
    case State::Invalid:
        setToolTip(tr("Invalid filter: %1").arg(error));
        break;
    }
    if (state != m_state || error != m_error) {
        m_state = state;
        m_error = state == State::Valid || state == State::Empty ? QString() : error;
        emit stateChanged(m_state, m_error);
    }
}

void FilterEdit::setHistoryShown(bool shown)
{
    m_historyAction->setVisible(shown);
}

void FilterEdit::setTextSearchAllowed(bool allowed)
{
    if (m_textSearchAllowed == allowed)
        return;
    m_textSearchAllowed = allowed;
    revalidate();
}

void FilterEdit::setHistory(const QStringList &history)
{
    m_history.clear();
    for (const QString &entry : history) {
        if (!entry.trimmed().isEmpty() && !m_history.contains(entry) &&
            m_history.size() < MaxHistory)
            m_history.append(entry);
    }
}

void FilterEdit::addToHistory(const QString &text)
{
    const QString entry = text.trimmed();
    if (entry.isEmpty())
        return;
    m_history.removeAll(entry);
    m_history.prepend(entry);
    while (m_history.size() > MaxHistory)
        m_history.removeLast();
}

void FilterEdit::applyHistoryEntry(int index)
{
    if (index < 0 || index >= m_history.size())
        return;
    const QString entry = m_history.at(index);
    setText(entry);
    if (m_state == State::Invalid)
        return;
    addToHistory(entry);
    emit applyRequested(entry);
}

void FilterEdit::fillHistoryMenu()
{
    m_historyMenu->clear();
    if (m_history.isEmpty()) {
        m_historyMenu->addAction(tr("No recent filters"))->setEnabled(false);
        return;
    }
    for (const QString &entry : std::as_const(m_history)) {
        // "&&" would be read as a mnemonic marker.
        QAction *action =
            m_historyMenu->addAction(QString(entry).replace(QLatin1Char('&'), QLatin1String("&&")));
        action->setData(entry);
        const int index = int(m_historyMenu->actions().size()) - 1;
        connect(action, &QAction::triggered, this, [this, index] { applyHistoryEntry(index); });
    }
}

} // namespace hyperscope
