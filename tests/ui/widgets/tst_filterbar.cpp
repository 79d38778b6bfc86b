// The log's filter bar with the filter language (issue 12): the bar turns green, yellow (plain
// words: a text search) or red with the error as it is typed; Enter applies it and keeps it in the
// recent filters; an invalid expression changes nothing; saved filter buttons; Apply as Filter
// and Prepare as Filter from the field tree build the field's expression and show its rows;
// colouring rules paint the rows they match and the dialog validates them; the real MainWindow
// takes --filter's text (valid or not) and keeps filters and rules in its settings.
#include "builders.h"
#include "colouringrules.h"
#include "colouringrulesdialog.h"
#include "fieldtreemodel.h"
#include "filteredit.h"
#include "guisettings.h"
#include "logpane.h"
#include "mainwindow.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "messages.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolBar>
#include <QTreeView>
#include <QTreeWidget>

using namespace hyperscope;
using namespace hyperscope::test;

namespace {

const Key32 Feed = keyOf(0x6b);

void appendData(MessageLogModel &log, std::uint64_t index, const std::string &value)
{
    Message m(std::in_place_type<schema::Data>);
    std::get<schema::Data>(m).set_index(index);
    std::get<schema::Data>(m).set_value(value);
    const Bytes frame = frameOf(1, m);
    log.appendFrame(
        1, traceOf(frame, Direction::Inbound, &m, 1, std::uint8_t(MessageType::Data), Feed),
        MessageLogModel::WireStorage::SameAsPlain);
}

void appendRequest(MessageLogModel &log, std::uint64_t index)
{
    Message m(std::in_place_type<schema::Request>);
    std::get<schema::Request>(m).set_index(index);
    const Bytes frame = frameOf(1, m);
    log.appendFrame(
        1, traceOf(frame, Direction::Outbound, &m, 1, std::uint8_t(MessageType::Request), Feed),
        MessageLogModel::WireStorage::SameAsPlain);
}

/// Requests 0..9 then Data 0..9 ("value 0" ... "value 9"), flushed.
void fillLog(MessageLogModel &log)
{
    for (std::uint64_t i = 0; i < 10; ++i)
        appendRequest(log, i);
    for (std::uint64_t i = 0; i < 10; ++i)
        appendData(log, i, "value " + std::to_string(i));
    log.flush();
}

/// The rows the pane shows, as "Request 3" (fillLog()'s rows 0..9 are Requests, 10..19 Data).
QStringList shownRows(const LogPane &pane)
{
    QStringList rows;
    const MessageLogFilterModel *filter = pane.filterModel();
    for (int i = 0; i < filter->rowCount(); ++i) {
        const int row = filter->mapToSource(filter->index(i, 0)).row();
        rows.append(row < 10 ? QStringLiteral("Request %1").arg(row)
                             : QStringLiteral("Data %1").arg(row - 10));
    }
    return rows;
}

/// The field tree's node named @p name (depth first), or an invalid index.
QModelIndex findField(const QAbstractItemModel *model, const QString &name,
                      const QModelIndex &parent = {})
{
    for (int row = 0; row < model->rowCount(parent); ++row) {
        const QModelIndex index = model->index(row, 0, parent);
        if (index.data().toString() == name)
            return index;
        const QModelIndex inner = findField(model, name, index);
        if (inner.isValid())
            return inner;
    }
    return {};
}

/// The action named @p name anywhere in @p menu and its submenus.
QAction *findAction(QMenu *menu, const QString &name)
{
    for (QAction *action : menu->actions()) {
        if (action->objectName() == name)
            return action;
        if (action->menu()) {
            if (QAction *inner = findAction(action->menu(), name))
                return inner;
        }
    }
    return nullptr;
}

} // namespace

class TestFilterBar : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void barStateFollowsTyping_data();
    void barStateFollowsTyping();
    void enterAppliesExpression();
    void invalidExpressionChangesNothing();
    void plainWordsSearchText();
    void historyKeepsAppliedFilters();
    void savedFilterButtons();
    void applyAsFilterFromField_data();
    void applyAsFilterFromField();
    void applyAsFilterOnANote();
    void applyAsFilterFromARow();
    void prepareAsFilterOnlyWritesTheBar();
    void combinesWithCurrentFilter();
    void colouringRulesPaintMatchingRows();
    void defaultColouringRules();
    void colouringRulesDialogValidates();
    void colouringRulesSurviveSettings();
    void mainWindowTakesFilterText();
    void mainWindowKeepsFiltersInSettings();
};

void TestFilterBar::initTestCase()
{
    useCleanTestSettings(QStringLiteral("tst_filterbar"));
}

void TestFilterBar::barStateFollowsTyping_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<FilterEdit::State>("state");
    QTest::addColumn<QString>("error"); // a part of errorText()
    QTest::addColumn<QColor>("base");

    const QColor green(0xaf, 0xff, 0xaf);
    const QColor red(0xff, 0xaf, 0xaf);
    const QColor yellow(0xff, 0xff, 0xaf);
    QTest::newRow("empty") << QString() << FilterEdit::State::Empty << QString() << QColor();
    QTest::newRow("valid") << "type == Request && index > 5" << FilterEdit::State::Valid
                           << QString() << green;
    QTest::newRow("set") << "type in {Request, Data}" << FilterEdit::State::Valid << QString()
                         << green;
    QTest::newRow("typo") << "indx > 5" << FilterEdit::State::Invalid
                          << "column 1: unknown field 'indx' (did you mean 'index'?)" << red;
    QTest::newRow("unfinished") << "type ==" << FilterEdit::State::Invalid << "column 8" << red;
    QTest::newRow("unclosed") << "(index == 1" << FilterEdit::State::Invalid << "column" << red;
    QTest::newRow("word") << "zzzz" << FilterEdit::State::TextSearch << "unknown field" << yellow;
    QTest::newRow("words") << "start=3 end" << FilterEdit::State::TextSearch << "column" << yellow;
    QTest::newRow("english") << "log in and out" << FilterEdit::State::TextSearch << "column"
                             << yellow;
    QTest::newRow("keyword by a field")
        << "index in 5" << FilterEdit::State::Invalid << "column 10" << red;
    QTest::newRow("word operator")
        << "value contains" << FilterEdit::State::Invalid << "column" << red;
}

void TestFilterBar::barStateFollowsTyping()
{
    QFETCH(QString, text);
    QFETCH(FilterEdit::State, state);
    QFETCH(QString, error);
    QFETCH(QColor, base);

    MessageLogModel log;
    LogPane pane(&log);
    FilterEdit *edit = pane.filterEdit();
    QCOMPARE(pane.textFilterEdit(), edit);
    QTest::keyClicks(edit, text); // character by character, as typed
    QCOMPARE(edit->state(), state);
    QVERIFY2(edit->errorText().contains(error), qPrintable(edit->errorText()));
    if (base.isValid())
        QCOMPARE(edit->palette().color(QPalette::Base), base);
    if (state == FilterEdit::State::Invalid) {
        QVERIFY(edit->toolTip().contains(error));
        QVERIFY(pane.filterErrorLabel()->text().contains(error));
        QCOMPARE(pane.filterError(), edit->errorText());
    } else {
        QVERIFY(pane.filterErrorLabel()->text().isEmpty());
    }
}

void TestFilterBar::enterAppliesExpression()
{
    MessageLogModel log;
    fillLog(log);
    LogPane pane(&log);
    QTest::keyClicks(pane.filterEdit(), QStringLiteral("type == Request && index > 6"));
    QTest::keyClick(pane.filterEdit(), Qt::Key_Return);
    QCOMPARE(shownRows(pane), QStringList({"Request 7", "Request 8", "Request 9"}));
    QVERIFY(pane.countLabel()->text().contains(QStringLiteral("3 of 20")));
    // The count says what is in force: the expression and the shortcuts, together.
    QVERIFY(pane.countLabel()->toolTip().contains(
        QStringLiteral("Filter: type == Request && index > 6")));
    pane.findChild<QComboBox *>(QStringLiteral("logDirectionFilter"))->setCurrentIndex(1);
    QVERIFY(pane.countLabel()->toolTip().contains(QStringLiteral("Direction: Received only")));
    QCOMPARE(pane.filterModel()->rowCount(), 0); // the Requests were sent
    pane.findChild<QComboBox *>(QStringLiteral("logDirectionFilter"))->setCurrentIndex(0);

    pane.filterEdit()->clear();
    QTest::keyClick(pane.filterEdit(), Qt::Key_Return);
    QCOMPARE(pane.filterModel()->rowCount(), 20);
}

void TestFilterBar::invalidExpressionChangesNothing()
{
    MessageLogModel log;
    fillLog(log);
    LogPane pane(&log);
    QVERIFY(pane.setFilterText(QStringLiteral("value contains \"value 3\"")));
    QCOMPARE(shownRows(pane), QStringList({"Data 3"}));
    // Red, with the column, and the rows stay as they were (also after the live-filter delay).
    QVERIFY(!pane.setFilterText(QStringLiteral("value contains \"value 3\" &&")));
    QCOMPARE(pane.filterEdit()->state(), FilterEdit::State::Invalid);
    QVERIFY(pane.filterError().startsWith(QStringLiteral("column ")));
    QTest::qWait(300);
    QCOMPARE(shownRows(pane), QStringList({"Data 3"}));
    QCOMPARE(pane.filterHistory(), QStringList({"value contains \"value 3\""}));
}

void TestFilterBar::plainWordsSearchText()
{
    MessageLogModel log;
    fillLog(log);
    LogPane pane(&log);
    QVERIFY(pane.setFilterText(QStringLiteral("Request")));
    QCOMPARE(pane.filterEdit()->state(), FilterEdit::State::TextSearch);
    QCOMPARE(pane.filterModel()->rowCount(), 10);
    QVERIFY(pane.filterModel()->expression().isEmpty());
    // An expression after it replaces the text search.
    QVERIFY(pane.setFilterText(QStringLiteral("type == Data")));
    QVERIFY(pane.filterModel()->textFilter().isEmpty());
    QCOMPARE(pane.filterModel()->rowCount(), 10);
    QVERIFY(shownRows(pane).first().startsWith(QStringLiteral("Data")));
}

void TestFilterBar::historyKeepsAppliedFilters()
{
    MessageLogModel log;
    fillLog(log);
    LogPane pane(&log);
    pane.setFilterText(QStringLiteral("index == 1"));
    pane.setFilterText(QStringLiteral("index == 2"));
    pane.setFilterText(QStringLiteral("index == 1")); // moves to the front, once
    QCOMPARE(pane.filterHistory(), QStringList({"index == 1", "index == 2"}));
    pane.filterEdit()->applyHistoryEntry(1);
    QCOMPARE(pane.filterEdit()->text(), QStringLiteral("index == 2"));
    QCOMPARE(shownRows(pane), QStringList({"Request 2", "Data 2"}));
    QCOMPARE(pane.filterHistory(), QStringList({"index == 2", "index == 1"}));

    // Restored from the settings: capped, blank and repeated entries dropped.
    QStringList many;
    for (int i = 0; i < 30; ++i)
        many << QStringLiteral("index == %1").arg(i) << QString();
    pane.setFilterHistory(many);
    QCOMPARE(pane.filterHistory().size(), FilterEdit::MaxHistory);
    // The drop-down lists them, "&&" shown as it is typed.
    pane.setFilterHistory({QStringLiteral("type == Data && index > 1")});
    emit pane.filterEdit()->historyMenu()->aboutToShow();
    const QList<QAction *> entries = pane.filterEdit()->historyMenu()->actions();
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first()->data().toString(), QStringLiteral("type == Data && index > 1"));
    entries.first()->trigger();
    QCOMPARE(pane.filterModel()->rowCount(), 8);
}

void TestFilterBar::savedFilterButtons()
{
    MessageLogModel log;
    fillLog(log);
    LogPane pane(&log);
    QSignalSpy changed(&pane, &LogPane::savedFiltersChanged);
    pane.addSavedFilter(QStringLiteral("Late data"), QStringLiteral("type == Data && index >= 8"));
    pane.addSavedFilter(QStringLiteral("Requests"), QStringLiteral("type == Request"));
    QCOMPARE(changed.count(), 2);
    auto *bar = qobject_cast<QToolBar *>(pane.savedFilterBar());
    QVERIFY(bar);
    QStringList texts;
    for (QAction *action : bar->actions())
        texts << action->text();
    QCOMPARE(texts, QStringList({"+", "Late data", "Requests"}));

    bar->actions().at(1)->trigger();
    QCOMPARE(pane.filterEdit()->text(), QStringLiteral("type == Data && index >= 8"));
    QCOMPARE(shownRows(pane), QStringList({"Data 8", "Data 9"}));

    // The same name replaces; removing through the button's context menu.
    pane.addSavedFilter(QStringLiteral("Requests"), QStringLiteral("type == Request && index < 2"));
    QCOMPARE(pane.savedFilters().size(), 2);
    QCOMPARE(pane.savedFilters().at(1).expression, QStringLiteral("type == Request && index < 2"));
    QWidget *button = bar->widgetForAction(bar->actions().at(1));
    QVERIFY(button);
    // Its context menu's Remove.
    auto *remove = button->findChild<QAction *>(QStringLiteral("removeSavedFilter"));
    QVERIFY(remove);
    QCOMPARE(button->contextMenuPolicy(), Qt::CustomContextMenu);
    remove->trigger();
    QTRY_COMPARE(pane.savedFilters().size(), 1);
    QCOMPARE(pane.savedFilters().first().name, QStringLiteral("Requests"));
}

void TestFilterBar::applyAsFilterFromField_data()
{
    QTest::addColumn<int>("row");       // source row selected
    QTest::addColumn<QString>("field"); // field tree node
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QStringList>("rows");

    QTest::newRow("index") << 15 << "index"
                           << "applySelected"
                           << "index == 5" << QStringList({"Request 5", "Data 5"});
    QTest::newRow("not index") << 15 << "index"
                               << "applyNotSelected"
                               << "!(index == 5)" << QStringList();
    // "value 4" in hex.
    QTest::newRow("value") << 14 << "value"
                           << "applySelected"
                           << "value == 76:61:6c:75:65:20:34" << QStringList({"Data 4"});
    QTest::newRow("type") << 3 << "Type"
                          << "applySelected"
                          << "type == Request" << QStringList();
    QTest::newRow("channel") << 3 << "Channel"
                             << "applySelected"
                             << "channel == 1" << QStringList();
}

void TestFilterBar::applyAsFilterFromField()
{
    QFETCH(int, row);
    QFETCH(QString, field);
    QFETCH(QString, action);
    QFETCH(QString, expression);
    QFETCH(QStringList, rows);

    MessageLogModel log;
    fillLog(log);
    LogPane pane(&log);
    QVERIFY(pane.selectSourceRow(row));
    const QModelIndex node = findField(pane.fieldModel(), field);
    QVERIFY2(node.isValid(), qPrintable(field));
    QCOMPARE(pane.filterExpressionFor(node),
             QString(expression).remove(QLatin1String("!(")).remove(QLatin1Char(')')));
    std::unique_ptr<QMenu> menu(pane.createFieldMenu(node));
    QAction *apply = findAction(menu.get(), action);
    QVERIFY(apply);
    QVERIFY(apply->isEnabled());
    apply->trigger();
    QCOMPARE(pane.filterEdit()->text(), expression);
    QCOMPARE(pane.filterEdit()->state(), FilterEdit::State::Valid);
    if (!rows.isEmpty())
        QCOMPARE(shownRows(pane), rows);
    else if (action == QLatin1String("applyNotSelected"))
        QCOMPARE(pane.filterModel()->rowCount(), 18);
    else
        QCOMPARE(pane.filterModel()->rowCount(), field == QLatin1String("Type") ? 10 : 20);
}

void TestFilterBar::applyAsFilterOnANote()
{
    MessageLogModel log;
    fillLog(log);
    log.appendNote(1, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                   QStringLiteral("odd \"quoted\" text"));
    log.appendNote(1, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                   QStringLiteral("another"));
    log.flush();
    LogPane pane(&log);
    QVERIFY(pane.selectSourceRow(20));
    const QModelIndex root = pane.fieldModel()->index(0, 0);
    QCOMPARE(pane.filterExpressionFor(root),
             QStringLiteral("warning == \"odd \\\"quoted\\\" text\""));
    std::unique_ptr<QMenu> menu(pane.createFieldMenu(root));
    findAction(menu.get(), QStringLiteral("applySelected"))->trigger();
    QCOMPARE(pane.filterEdit()->state(), FilterEdit::State::Valid);
    QCOMPARE(pane.filterModel()->rowCount(), 1);
    QCOMPARE(pane.filterModel()->mapToSource(pane.filterModel()->index(0, 0)).row(), 20);

    // A handshake message or an event has no field to filter on: the submenus are off.
    log.appendNote(1, MessageLogModel::Kind::Event, Direction::Inbound, 0,
                   QStringLiteral("Connected"));
    log.flush();
    pane.setFilterText({});
    QVERIFY(pane.selectSourceRow(22));
    menu.reset(pane.createFieldMenu(pane.fieldModel()->index(0, 0)));
    QVERIFY(!menu->findChild<QMenu *>(QStringLiteral("applyAsFilter"))->isEnabled());
}

void TestFilterBar::applyAsFilterFromARow()
{
    MessageLogModel log;
    fillLog(log);
    LogPane pane(&log);
    std::unique_ptr<QMenu> menu(pane.createRowMenu(3));
    QAction *type = findAction(menu.get(), QStringLiteral("rowFilterType"));
    QVERIFY(type);
    type->trigger();
    QCOMPARE(pane.filterEdit()->text(), QStringLiteral("type == Request"));
    QCOMPARE(pane.filterModel()->rowCount(), 10);
    findAction(menu.get(), QStringLiteral("rowFilterDirection"))->trigger();
    QCOMPARE(pane.filterEdit()->text(), QStringLiteral("dir == out"));
    QCOMPARE(pane.filterModel()->rowCount(), 10);
    findAction(menu.get(), QStringLiteral("rowFilterSession"))->trigger();
    QCOMPARE(pane.filterEdit()->text(), QStringLiteral("session == 1"));
    QCOMPARE(pane.filterModel()->rowCount(), 20);
    QAction *key = findAction(menu.get(), QStringLiteral("rowFilterDiscoveryKey"));
    QVERIFY(key);
    key->trigger();
    QCOMPARE(pane.filterEdit()->text(),
             QStringLiteral("dk == ") + QString::fromStdString(toHex(Feed)));
    QCOMPARE(pane.filterEdit()->state(), FilterEdit::State::Valid);
    QCOMPARE(pane.filterModel()->rowCount(), 20);
    QVERIFY(!findAction(menu.get(), QStringLiteral("rowFilterLeg"))); // not a relayed session
}

void TestFilterBar::prepareAsFilterOnlyWritesTheBar()
{
    MessageLogModel log;
    fillLog(log);
    LogPane pane(&log);
    QVERIFY(pane.selectSourceRow(12));
    const QModelIndex node = findField(pane.fieldModel(), QStringLiteral("index"));
    std::unique_ptr<QMenu> menu(pane.createFieldMenu(node));
    // Nothing to combine with yet: the …and / …or entries are off.
    QVERIFY(!findAction(menu.get(), QStringLiteral("prepareAndSelected"))->isEnabled());
    findAction(menu.get(), QStringLiteral("prepareSelected"))->trigger();
    QCOMPARE(pane.filterEdit()->text(), QStringLiteral("index == 2"));
    QCOMPARE(pane.filterModel()->rowCount(), 20); // not applied yet
    QTest::keyClick(pane.filterEdit(), Qt::Key_Return);
    QCOMPARE(shownRows(pane), QStringList({"Request 2", "Data 2"}));
}

void TestFilterBar::combinesWithCurrentFilter()
{
    MessageLogModel log;
    fillLog(log);
    LogPane pane(&log);
    QVERIFY(pane.setFilterText(QStringLiteral("type == Data")));
    QVERIFY(pane.selectSourceRow(13));
    const QModelIndex node = findField(pane.fieldModel(), QStringLiteral("index"));
    std::unique_ptr<QMenu> menu(pane.createFieldMenu(node));
    findAction(menu.get(), QStringLiteral("applyAndNotSelected"))->trigger();
    QCOMPARE(pane.filterEdit()->text(), QStringLiteral("(type == Data) && !(index == 3)"));
    QCOMPARE(pane.filterModel()->rowCount(), 9);

    menu.reset(pane.createFieldMenu(findField(pane.fieldModel(), QStringLiteral("index"))));
    QCOMPARE(pane.combineFilter(QStringLiteral("index == 1"), LogPane::Combine::OrSelected),
             QStringLiteral("((type == Data) && !(index == 3)) || index == 1"));
    // Plain words are replaced, not combined.
    pane.setFilterText(QStringLiteral("Request"));
    QCOMPARE(pane.combineFilter(QStringLiteral("index == 1"), LogPane::Combine::AndSelected),
             QStringLiteral("index == 1"));
}

void TestFilterBar::colouringRulesPaintMatchingRows()
{
    MessageLogModel log;
    fillLog(log);
    LogPane pane(&log);
    const QColor blue(40, 90, 250);
    pane.colouringRules()->setRules(
        {{QStringLiteral("late"), QStringLiteral("type == Data && index >= 8"), blue, true},
         {QStringLiteral("off"), QStringLiteral("type == Request"), QColor(Qt::green), false},
         {QStringLiteral("broken"), QStringLiteral("type =="), QColor(Qt::red), true}});
    for (int row = 0; row < log.rowCount(); ++row)
        QCOMPARE(pane.colouringRules()->colourFor(row), row >= 18 ? blue : QColor());

    // Painted: the pixels of row "Data 8" are the rule's colour, those of "Data 7" are not.
    pane.resize(1024, 640);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QTableView *view = pane.logView();
    const auto pixelOf = [view](int sourceRow) {
        view->scrollTo(view->model()->index(sourceRow, 0));
        const QImage image = view->viewport()->grab().toImage();
        // The Summary column's right end: background, no text.
        const QRect cell = view->visualRect(view->model()->index(sourceRow, 8));
        return image.pixelColor(cell.right() - 4, cell.center().y());
    };
    view->clearSelection();
    view->selectionModel()->setCurrentIndex({}, QItemSelectionModel::Clear);
    QCOMPARE(pixelOf(18), blue);
    QVERIFY(pixelOf(17) != blue);
}

void TestFilterBar::defaultColouringRules()
{
    MessageLogModel log;
    fillLog(log);
    log.appendNote(1, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                   QStringLiteral("capability mismatch for channel 6b6b"));
    log.appendNote(1, MessageLogModel::Kind::Warning, Direction::Inbound, 0,
                   QStringLiteral("unknown message type 12"));
    log.appendNote(1, MessageLogModel::Kind::Error, Direction::Inbound, 0,
                   QStringLiteral("frame too long"));
    const Bytes keepAlive{0};
    log.appendFrame(1, traceOf(keepAlive, Direction::Outbound, nullptr, 0, 0),
                    MessageLogModel::WireStorage::SameAsPlain);
    log.flush();
    ColouringRules rules(&log);
    QCOMPARE(rules.rules(), ColouringRules::defaults());
    const QStringList names = {QStringLiteral("Capability failed"), QStringLiteral("Errors"),
                               QStringLiteral("Warnings"), QStringLiteral("Keepalives")};
    for (int i = 0; i < names.size(); ++i)
        QCOMPARE(rules.rules().at(i).name, names.at(i));
    QCOMPARE(rules.ruleFor(5), -1); // a Request
    QCOMPARE(rules.ruleFor(20), 0); // capability mismatch
    QCOMPARE(rules.ruleFor(21), 2); // another warning
    QCOMPARE(rules.ruleFor(22), 1); // an error
    QCOMPARE(rules.ruleFor(23), 3); // a keepalive
    for (const ColouringRule &rule : rules.rules())
        QVERIFY2(ColouringRules::errorOf(rule.expression).isEmpty(), qPrintable(rule.expression));
    // Cleared log: nothing cached survives.
    log.clear();
    QCOMPARE(rules.ruleFor(20), -1);
}

void TestFilterBar::colouringRulesDialogValidates()
{
    ColouringRulesDialog dialog;
    dialog.setRules(ColouringRules::defaults());
    QCOMPARE(dialog.ruleList()->topLevelItemCount(), 4);
    QVERIFY(dialog.okButton()->isEnabled());

    dialog.addRule();
    QCOMPARE(dialog.currentRule(), 4);
    dialog.nameEdit()->clear();
    QTest::keyClicks(dialog.nameEdit(), QStringLiteral("Big"));
    dialog.expressionEdit()->clear();
    QTest::keyClicks(dialog.expressionEdit(), QStringLiteral("size > 1OO"));
    QCOMPARE(dialog.expressionEdit()->state(), FilterEdit::State::Invalid);
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.problem().startsWith(QStringLiteral("Rule “Big”: column ")),
             qPrintable(dialog.problem()));
    // Plain words are no rule: red here, not a text search.
    dialog.expressionEdit()->setText(QStringLiteral("keepalive"));
    QCOMPARE(dialog.expressionEdit()->state(), FilterEdit::State::Invalid);
    // Disabled, a broken rule does not block OK.
    dialog.ruleList()->topLevelItem(4)->setCheckState(0, Qt::Unchecked);
    QVERIFY(dialog.okButton()->isEnabled());
    dialog.ruleList()->topLevelItem(4)->setCheckState(0, Qt::Checked);
    QVERIFY(!dialog.okButton()->isEnabled());
    dialog.expressionEdit()->setText(QStringLiteral("size > 100"));
    QCOMPARE(dialog.expressionEdit()->state(), FilterEdit::State::Valid);
    QVERIFY(dialog.okButton()->isEnabled());
    dialog.setRuleColour(QColor(1, 2, 3));

    dialog.moveRule(-1);
    dialog.moveRule(-1);
    QCOMPARE(dialog.currentRule(), 2);
    const QList<ColouringRule> rules = dialog.rules();
    QCOMPARE(rules.size(), 5);
    QCOMPARE(rules.at(2), (ColouringRule{QStringLiteral("Big"), QStringLiteral("size > 100"),
                                         QColor(1, 2, 3), true}));
    QCOMPARE(dialog.ruleList()->topLevelItem(2)->text(1), QStringLiteral("size > 100"));
    dialog.setCurrentRule(0);
    dialog.removeRule();
    QCOMPARE(dialog.rules().size(), 4);
    QCOMPARE(dialog.rules().at(1).name, QStringLiteral("Big"));
    dialog.restoreDefaults();
    QCOMPARE(dialog.rules(), ColouringRules::defaults());
}

void TestFilterBar::colouringRulesSurviveSettings()
{
    QList<ColouringRule> rules = ColouringRules::defaults();
    rules[1].enabled = false;
    rules.append({QStringLiteral("Odd \"name\""), QStringLiteral("index in {1, 3}"),
                  QColor(10, 20, 30), true});
    QCOMPARE(ColouringRules::fromVariant(ColouringRules::toVariant(rules)), rules);
    // Hostile settings: no filter, a bad colour, not a map.
    const QVariantList junk = {QVariantMap{{QStringLiteral("name"), QStringLiteral("x")}},
                               QVariantMap{{QStringLiteral("filter"), QStringLiteral("error")},
                                           {QStringLiteral("colour"), QStringLiteral("#zz")}},
                               QStringLiteral("nonsense")};
    const QList<ColouringRule> read = ColouringRules::fromVariant(junk);
    QCOMPARE(read.size(), 1);
    QCOMPARE(read.first().expression, QStringLiteral("error"));
    QVERIFY(read.first().background.isValid());
}

void TestFilterBar::mainWindowTakesFilterText()
{
    // What main.cpp does with --filter EXPR.
    MainWindow window;
    window.show();
    LogPane *pane = window.logPane();
    QVERIFY(!pane->setFilterText(QStringLiteral("type == Request && indx > 5")));
    QCOMPARE(pane->filterEdit()->text(), QStringLiteral("type == Request && indx > 5"));
    QCOMPARE(pane->filterEdit()->state(), FilterEdit::State::Invalid);
    QCOMPARE(pane->filterError(),
             QStringLiteral("column 20: unknown field 'indx' (did you mean 'index'?)"));
    QVERIFY(pane->filterErrorLabel()->isVisibleTo(&window));
    QVERIFY(pane->filterErrorLabel()->width() > 100);
    QVERIFY(pane->filterErrorLabel()->text().contains(QStringLiteral("column 20")));

    QVERIFY(pane->setFilterText(QStringLiteral("type == Request && index > 5")));
    QCOMPARE(pane->filterEdit()->state(), FilterEdit::State::Valid);
    QVERIFY(!pane->filterModel()->expression().isEmpty());
    QVERIFY(pane->filterErrorLabel()->text().isEmpty());
    QVERIFY(!pane->filterErrorLabel()->isVisibleTo(&window));
    QVERIFY(window.actions().byName(u"colouringRules"));
}

void TestFilterBar::mainWindowKeepsFiltersInSettings()
{
    const QList<ColouringRule> rules = {
        {QStringLiteral("only"), QStringLiteral("type == Data"), QColor(9, 9, 9), true}};
    {
        MainWindow window;
        window.show();
        window.logPane()->setFilterText(QStringLiteral("index == 3"));
        window.logPane()->addSavedFilter(QStringLiteral("Data"), QStringLiteral("type == Data"));
        window.logPane()->colouringRules()->setRules(rules);
        window.close();
    }
    MainWindow window;
    QCOMPARE(window.logPane()->filterHistory(), QStringList({"index == 3"}));
    QCOMPARE(
        window.logPane()->savedFilters(),
        QList<LogPane::SavedFilter>({{QStringLiteral("Data"), QStringLiteral("type == Data")}}));
    QCOMPARE(window.logPane()->colouringRules()->rules(), rules);
}

QTEST_MAIN(TestFilterBar)
#include "tst_filterbar.moc"
