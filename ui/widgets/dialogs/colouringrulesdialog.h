// ColouringRulesDialog: View › Colouring Rules…, Wireshark's dialog of the same name.
//
// The rules in order (the first that matches a row colours it), each with a check box to enable
// it and drawn in its colour. Below the list: the selected rule's name, its filter expression
// (a FilterEdit that turns green or red as it is typed; plain words are no rule) and its colour,
// and buttons to add, remove, move up and down, and restore the defaults. OK stays disabled, and
// the dialog says which rule and column, while an enabled rule's expression does not compile.
// The dialog edits a copy: the caller reads rules() after exec() returns Accepted.
#pragma once

#include "colouringrules.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace hyperscope {

class FilterEdit;

class ColouringRulesDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ColouringRulesDialog(QWidget *parent = nullptr);

    void setRules(const QList<ColouringRule> &rules);
    QList<ColouringRule> rules() const { return m_rules; }

    /// Selects rule @p index for the editors below the list (-1: none).
    void setCurrentRule(int index);
    int currentRule() const;
    /// Appends a new rule (an example expression, a pale colour) and selects it.
    void addRule();
    /// Removes the selected rule.
    void removeRule();
    /// Moves the selected rule @p delta places (-1 up, +1 down).
    void moveRule(int delta);
    /// Sets the selected rule's colour (what the colour button's dialog does).
    void setRuleColour(const QColor &colour);
    void restoreDefaults();

    /// The first enabled rule whose expression does not compile, said as the dialog says it
    /// ("Rule “Big”: column 3: ..."), or empty.
    QString problem() const;

    QTreeWidget *ruleList() const { return m_list; }
    QLineEdit *nameEdit() const { return m_name; }
    FilterEdit *expressionEdit() const { return m_expression; }
    QPushButton *okButton() const { return m_ok; }

private:
    void rebuildList();
    void updateItem(int index);
    void loadEditors();
    void validate();

    QList<ColouringRule> m_rules;
    QTreeWidget *m_list;
    QLineEdit *m_name;
    FilterEdit *m_expression;
    QPushButton *m_colour;
    QPushButton *m_remove;
    QPushButton *m_up;
    QPushButton *m_down;
    QLabel *m_problem;
    QPushButton *m_ok;
    bool m_loading = false;
};

} // namespace hyperscope
