#include "colouringrulesdialog.h"

#include "filteredit.h"

#include <QColorDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace hyperscope {

namespace {
enum Column { NameColumn, FilterColumn };

QPushButton *button(const QString &text, const char *name, const QString &tip)
{
    auto *b = new QPushButton(text);
    b->setObjectName(QLatin1String(name));
    b->setToolTip(tip);
    return b;
}
} // namespace

ColouringRulesDialog::ColouringRulesDialog(QWidget *parent)
    : QDialog(parent)
    , m_list(new QTreeWidget)
    , m_name(new QLineEdit)
    , m_expression(new FilterEdit)
    , m_colour(button(tr("Colour…"), "ruleColour", tr("The background of the rows it matches")))
    , m_remove(button(tr("Remove"), "removeRule", tr("Remove the selected rule")))
    , m_up(button(tr("Up"), "moveRuleUp", tr("Earlier rules win")))
    , m_down(button(tr("Down"), "moveRuleDown", tr("Earlier rules win")))
    , m_problem(new QLabel)
{
    setObjectName(QStringLiteral("colouringRulesDialog"));
    setWindowTitle(tr("Colouring Rules"));

    auto *intro = new QLabel(tr("A row takes the colour of the first checked rule whose filter "
                                "it matches; rows no rule matches keep their usual tint."));
    intro->setWordWrap(true);

    m_list->setObjectName(QStringLiteral("colouringRulesList"));
    m_list->setColumnCount(2);
    m_list->setHeaderLabels({tr("Name"), tr("Filter")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->header()->setStretchLastSection(true);
    m_list->header()->resizeSection(NameColumn,
                                    fontMetrics().horizontalAdvance(QLatin1Char('0')) * 24);
    connect(m_list, &QTreeWidget::currentItemChanged, this, [this] { loadEditors(); });
    connect(m_list, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *item, int column) {
        if (m_loading || column != NameColumn)
            return;
        const int index = m_list->indexOfTopLevelItem(item);
        if (index < 0)
            return;
        m_rules[index].enabled = item->checkState(NameColumn) == Qt::Checked;
        validate();
    });

    m_name->setObjectName(QStringLiteral("ruleName"));
    connect(m_name, &QLineEdit::textEdited, this, [this](const QString &text) {
        const int index = currentRule();
        if (index < 0)
            return;
        m_rules[index].name = text;
        updateItem(index);
    });
    m_expression->setObjectName(QStringLiteral("ruleFilter"));
    m_expression->setTextSearchAllowed(false);
    m_expression->setHistoryShown(false);
    m_expression->setPlaceholderText(tr("A filter expression: type == Data && size > 1000"));
    connect(m_expression, &QLineEdit::textChanged, this, [this](const QString &text) {
        const int index = currentRule();
        if (m_loading || index < 0)
            return;
        m_rules[index].expression = text;
        updateItem(index);
        validate();
    });
    connect(m_colour, &QPushButton::clicked, this, [this] {
        const int index = currentRule();
        if (index < 0)
            return;
        const QColor colour = QColorDialog::getColor(
            m_rules.at(index).background, this, tr("Colour of “%1”").arg(m_rules.at(index).name));
        if (colour.isValid())
            setRuleColour(colour);
    });

    auto *editors = new QFormLayout;
    editors->addRow(tr("&Name:"), m_name);
    editors->addRow(tr("&Filter:"), m_expression);
    auto *colourRow = new QHBoxLayout;
    colourRow->addWidget(m_colour);
    colourRow->addStretch(1);
    editors->addRow(tr("Background:"), colourRow);

    auto *add = button(tr("Add"), "addRule", tr("Add a rule at the end"));
    connect(add, &QPushButton::clicked, this, &ColouringRulesDialog::addRule);
    connect(m_remove, &QPushButton::clicked, this, &ColouringRulesDialog::removeRule);
    connect(m_up, &QPushButton::clicked, this, [this] { moveRule(-1); });
    connect(m_down, &QPushButton::clicked, this, [this] { moveRule(+1); });
    auto *defaults = button(tr("Restore Defaults"), "restoreDefaults",
                            tr("Errors, failed capabilities, warnings and keepalives"));
    connect(defaults, &QPushButton::clicked, this, &ColouringRulesDialog::restoreDefaults);
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {add, m_remove, m_up, m_down})
        buttons->addWidget(b);
    buttons->addStretch(1);
    buttons->addWidget(defaults);

    m_problem->setObjectName(QStringLiteral("rulesProblem"));
    m_problem->setWordWrap(true);
    QPalette red = m_problem->palette();
    red.setColor(QPalette::WindowText, QColor(0xc0, 0x10, 0x10));
    m_problem->setPalette(red);

    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_ok = box->button(QDialogButtonBox::Ok);
    connect(box, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(box, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    layout->addLayout(editors);
    layout->addWidget(m_problem);
    layout->addWidget(box);
    resize(720, 480);
    loadEditors();
}

void ColouringRulesDialog::setRules(const QList<ColouringRule> &rules)
{
    m_rules = rules.mid(0, ColouringRules::MaxRules);
    rebuildList();
    setCurrentRule(m_rules.isEmpty() ? -1 : 0);
    validate();
}

void ColouringRulesDialog::rebuildList()
{
    m_loading = true;
    m_list->clear();
    for (int i = 0; i < m_rules.size(); ++i) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        updateItem(i);
    }
    m_loading = false;
}

void ColouringRulesDialog::updateItem(int index)
{
    QTreeWidgetItem *item = m_list->topLevelItem(index);
    if (!item)
        return;
    const bool loading = m_loading;
    m_loading = true; // itemChanged() is not an edit by the user
    const ColouringRule &rule = m_rules.at(index);
    item->setText(NameColumn, rule.name);
    item->setText(FilterColumn, rule.expression);
    item->setCheckState(NameColumn, rule.enabled ? Qt::Checked : Qt::Unchecked);
    const QString error = ColouringRules::errorOf(rule.expression);
    for (int column : {NameColumn, FilterColumn}) {
        item->setBackground(column, rule.background);
        // Rule colours are pale: dark text whatever the theme; red for a broken rule.
        item->setForeground(column, error.isEmpty() ? QColor(Qt::black) : QColor(0xc0, 0x10, 0x10));
    }
    item->setToolTip(FilterColumn, error.isEmpty() ? rule.expression : error);
    m_loading = loading;
}

int ColouringRulesDialog::currentRule() const
{
    return m_list->indexOfTopLevelItem(m_list->currentItem());
}

void ColouringRulesDialog::setCurrentRule(int index)
{
    m_list->setCurrentItem(m_list->topLevelItem(index));
    loadEditors();
}

void ColouringRulesDialog::loadEditors()
{
    const int index = currentRule();
    const bool has = index >= 0;
    // Restored, not cleared: this also runs while rebuildList() refills the list.
    const bool loading = m_loading;
    m_loading = true;
    m_name->setText(has ? m_rules.at(index).name : QString());
    m_expression->setText(has ? m_rules.at(index).expression : QString());
    m_loading = loading;
    for (QWidget *w : std::initializer_list<QWidget *>{m_name, m_expression, m_colour, m_remove})
        w->setEnabled(has);
    m_up->setEnabled(index > 0);
    m_down->setEnabled(has && index + 1 < m_rules.size());
    if (has) {
        QPixmap swatch(16, 16);
        swatch.fill(m_rules.at(index).background);
        m_colour->setIcon(swatch);
    } else {
        m_colour->setIcon({});
    }
}

void ColouringRulesDialog::addRule()
{
    if (m_rules.size() >= ColouringRules::MaxRules)
        return;
    m_rules.append({tr("New rule"), QStringLiteral("type == Data"), QColor(200, 230, 255), true});
    rebuildList();
    setCurrentRule(int(m_rules.size()) - 1);
    validate();
    m_expression->setFocus();
    m_expression->selectAll();
}

void ColouringRulesDialog::removeRule()
{
    const int index = currentRule();
    if (index < 0)
        return;
    m_rules.removeAt(index);
    rebuildList();
    setCurrentRule(qMin(index, int(m_rules.size()) - 1));
    validate();
}

void ColouringRulesDialog::moveRule(int delta)
{
    const int index = currentRule();
    const int to = index + delta;
    if (index < 0 || to < 0 || to >= m_rules.size())
        return;
    m_rules.move(index, to);
    rebuildList();
    setCurrentRule(to);
}

void ColouringRulesDialog::setRuleColour(const QColor &colour)
{
    const int index = currentRule();
    if (index < 0 || !colour.isValid())
        return;
    m_rules[index].background = colour;
    updateItem(index);
    loadEditors();
}

void ColouringRulesDialog::restoreDefaults()
{
    setRules(ColouringRules::defaults());
}

QString ColouringRulesDialog::problem() const
{
    for (const ColouringRule &rule : m_rules) {
        if (!rule.enabled)
            continue;
        if (rule.expression.trimmed().isEmpty())
            return tr("Rule “%1”: no filter").arg(rule.name);
        const QString error = ColouringRules::errorOf(rule.expression);
        if (!error.isEmpty())
            return tr("Rule “%1”: %2").arg(rule.name, error);
    }
    return {};
}

void ColouringRulesDialog::validate()
{
    const QString text = problem();
    m_problem->setText(text);
    m_ok->setEnabled(text.isEmpty());
}

} // namespace hyperscope
