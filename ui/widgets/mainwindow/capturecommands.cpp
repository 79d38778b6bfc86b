#include "capturecommands.h"

#include "capturefile.h"
#include "logpane.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "sessionmanager.h"
#include "statusline.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>

namespace hyperscope {

CaptureCommands::CaptureCommands(MessageLogModel *log, LogPane *logPane, SessionManager *sessions,
                                 QWidget *window)
    : QObject(window)
    , m_log(log)
    , m_logPane(logPane)
    , m_sessions(sessions)
    , m_window(window)
{}

bool CaptureCommands::save(const QString &path, bool shownOnly, QString *error)
{
    m_log->flush();
    QList<int> rows;
    if (shownOnly) {
        const MessageLogFilterModel *filter = m_logPane->filterModel();
        rows.reserve(filter->rowCount());
        for (int row = 0; row < filter->rowCount(); ++row)
            rows.append(filter->mapToSource(filter->index(row, 0)).row());
    } else {
        rows.reserve(m_log->rowCount());
        for (int row = 0; row < m_log->rowCount(); ++row)
            rows.append(row);
    }
    QString saveError;
    // With what the rows cannot tell (keys, handshake hash, feed keys), so that the file opens as
    // sessions that show every tab as it was.
    if (!capture::save(path, *m_log, rows, &saveError, m_sessions->captureInfo())) {
        if (error)
            *error = saveError;
        return false;
    }
    emit saved(int(rows.size()));
    emit statusMessage(tr("Saved %1 rows to %2").arg(rows.size()).arg(QFileInfo(path).fileName()),
                       6000);
    return true;
}

bool CaptureCommands::open(const QString &path, QString *error)
{
    QString loadError;
    const std::optional<capture::Capture> file = capture::load(path, &loadError);
    if (!file) {
        if (error)
            *error = loadError;
        emit statusMessage(loadError, StatusLine::ErrorMs);
        return false;
    }
    m_log->flush(); // live rows that came first stay first
    const QString name = QFileInfo(path).fileName();
    // The file's sessions become read-only sessions of their own ("name #1"), listed in the
    // sidebar and shown by every tab; the log model announces them to the session filter and the
    // flow graph like any other session.
    m_sessions->openCapture(*file, name);
    emit loaded(int(file->rows.size()));
    emit opened();
    emit statusMessage(tr("Loaded %1 rows from %2 (read-only)").arg(file->rows.size()).arg(name),
                       6000);
    return true;
}

void CaptureCommands::saveInteractive(bool shownOnly)
{
    m_log->flush();
    if (m_log->rowCount() == 0) {
        QMessageBox::information(m_window, tr("Save Log"),
                                 tr("The log is empty: nothing to save."));
        return;
    }
    const QString path =
        QFileDialog::getSaveFileName(m_window, shownOnly ? tr("Save Shown Rows") : tr("Save Log"),
                                     QStringLiteral("hyperscope-capture.jsonl"),
                                     tr("hyperscope captures (*.jsonl);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !save(path, shownOnly, &error))
        QMessageBox::warning(m_window, tr("Save Log"), error);
}

void CaptureCommands::openInteractive()
{
    const QString path = QFileDialog::getOpenFileName(
        m_window, tr("Open Log"), {}, tr("hyperscope captures (*.jsonl);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !open(path, &error))
        QMessageBox::warning(m_window, tr("Open Log"), error);
}

} // namespace hyperscope
