#include "quitprompt.h"

#include "messagelogmodel.h"

#include <QCheckBox>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>

#include <algorithm>

namespace hyperscope {

UnsavedRows::UnsavedRows(MessageLogModel *log, QObject *parent)
    : QObject(parent)
    , m_log(log)
{
    connect(log, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { m_count += last - first + 1; });
    // Cleared: the rows are gone, and with them what there was to save.
    connect(log, &QAbstractItemModel::modelReset, this, [this] { m_count = m_log->rowCount(); });
    connect(log, &QAbstractItemModel::rowsRemoved, this,
            [this] { m_count = std::min(m_count, m_log->rowCount()); });
}

void UnsavedRows::markSaved(int rows)
{
    if (rows >= m_log->rowCount())
        m_count = 0;
}

void UnsavedRows::markLoaded(int rows)
{
    m_count = std::max(0, m_count - rows);
}

QuitAnswer askToSaveBeforeQuit(QWidget *parent, int unsavedRows)
{
    QMessageBox box(parent);
    box.setObjectName(QStringLiteral("quitPrompt"));
    box.setIcon(QMessageBox::Warning);
    box.setWindowTitle(QObject::tr("Quit"));
    box.setText(QObject::tr("The log has %1 unsaved rows.").arg(QLocale().toString(unsavedRows)));
    box.setInformativeText(QObject::tr("Save them as a capture file before quitting? Discarded "
                                       "rows cannot be recovered."));
    QPushButton *save = box.addButton(QMessageBox::Save);
    QPushButton *discard = box.addButton(QMessageBox::Discard);
    QPushButton *cancel = box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(save);
    box.setEscapeButton(cancel);
    auto *dontAsk = new QCheckBox(QObject::tr("Don't ask again"));
    dontAsk->setObjectName(QStringLiteral("dontAskAgain"));
    dontAsk->setToolTip(QObject::tr("From now on, quit without asking (after this Save, if you "
                                    "chose Save); kept in the settings"));
    box.setCheckBox(dontAsk);
    box.exec();

    QuitAnswer answer;
    if (box.clickedButton() == save)
        answer.choice = QuitAnswer::Save;
    else if (box.clickedButton() == discard)
        answer.choice = QuitAnswer::Discard;
    answer.dontAskAgain = answer.choice != QuitAnswer::Cancel && dontAsk->isChecked();
    return answer;
}

} // namespace hyperscope
