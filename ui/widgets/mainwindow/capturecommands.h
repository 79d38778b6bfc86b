// CaptureCommands: File › Open Log and Save Log, from a path or through a file dialog.
//
// Saving writes the shared log (every row, or the rows its filter shows) to a capture file
// (capturefile.h), with what the sessions' rows cannot tell (SessionManager::captureInfo()).
// Opening makes a file's sessions read-only sessions of the SessionManager
// (SessionManager::openCapture()): numbered within the file, apart from the live sessions. The
// interactive variants ask for the path and explain failures in a message box; every outcome is
// also reported through statusMessage() for the status bar.
#pragma once

#include <QObject>
#include <QString>

class QWidget;

namespace hyperscope {

class LogPane;
class MessageLogModel;
class SessionManager;

class CaptureCommands : public QObject
{
    Q_OBJECT
public:
    /// None of the pointers is owned; @p window parents the dialogs (and this object).
    CaptureCommands(MessageLogModel *log, LogPane *logPane, SessionManager *sessions,
                    QWidget *window);

    /// Writes the log to @p path as a capture file: every row, or only the rows the log's filter
    /// shows when @p shownOnly. Returns false with @p error ("name: what went wrong").
    bool save(const QString &path, bool shownOnly, QString *error = nullptr);
    /// Opens capture file @p path: its sessions become read-only sessions named after the file
    /// ("capture.jsonl #1 127.0.0.1:4000"), their rows are appended to the log, and the first
    /// becomes current. Nothing is loaded when the file has any problem: returns false with
    /// @p error ("capture.jsonl: line 3: ...").
    bool open(const QString &path, QString *error = nullptr);

    /// Asks for a path (nothing to do when the log is empty) and saves; failures in a box.
    void saveInteractive(bool shownOnly);
    /// Asks for a file and opens it; failures in a box.
    void openInteractive();

signals:
    void statusMessage(const QString &text, int timeoutMs);
    /// Rows of a file were appended to the log.
    void opened();
    /// @p rows rows were written to a capture file (save() succeeded).
    void saved(int rows);
    /// @p rows rows of a capture file were appended to the log (emitted before opened()).
    void loaded(int rows);

private:
    MessageLogModel *m_log;
    LogPane *m_logPane;
    SessionManager *m_sessions;
    QWidget *m_window;
};

} // namespace hyperscope
