// Reads lines from a file descriptor (stdin) inside the event loop, without blocking it.
//
// A QSocketNotifier watches the descriptor; each notification reads once (which cannot block) and
// emits the complete lines. Works for pipes, terminals, regular files and /dev/null (poll() reports
// those readable, and read() then returns the data or EOF). A descriptor that is closed or invalid
// counts as an immediate EOF.
#pragma once

#include <QByteArray>
#include <QObject>

class QSocketNotifier;

namespace hyperscope {

class LineReader : public QObject
{
    Q_OBJECT
public:
    /// The longest line kept; a longer one is dropped up to its newline and reported with
    /// overlongLine(). Big enough for an 8 MiB Data value in hex inside a JSON command.
    static constexpr qint64 MaxLineBytes = 64 * 1024 * 1024;

    /// Starts watching @p fd (not owned: never closed here).
    explicit LineReader(int fd, QObject *parent = nullptr);
    ~LineReader() override;

    bool atEnd() const { return m_atEnd; }

signals:
    /// One line, without its "\n" (and without a "\r" before it). The last line of the input is
    /// delivered even when it has no newline.
    void lineRead(const QByteArray &line);
    /// A line longer than MaxLineBytes was skipped.
    void overlongLine();
    /// EOF or a read error: no more lines will come. Emitted once.
    void finished();

private:
    void readAvailable();
    void emitLines();
    void finish();

    int m_fd;
    QSocketNotifier *m_notifier = nullptr;
    QByteArray m_buffer;
    bool m_skipping = false; ///< Dropping the rest of an overlong line.
    bool m_atEnd = false;
};

} // namespace hyperscope
