// Notices that the reader of a file descriptor (stdout) went away, without writing to it.
//
// `hyperscope-cli listen ... | head -3`: once head has exited, the next event written fails with
// EPIPE (EventPrinter reports that), but an idle session may print nothing for a long time. When
// the descriptor is a pipe, poll() reports POLLERR on its write end as soon as the read end is
// closed: a QSocketNotifier watches for that (Qt activates a read notifier on POLLERR), so the
// process learns at once that nobody reads it. Other kinds of descriptor (terminals, files,
// sockets) are left alone: a terminal that goes away sends SIGHUP, and for the rest a failed
// write is the signal.
#pragma once

#include <QObject>

class QSocketNotifier;

namespace hyperscope {

class OutputWatcher : public QObject
{
    Q_OBJECT
public:
    /// Starts watching @p fd (not owned: never closed here).
    explicit OutputWatcher(int fd, QObject *parent = nullptr);
    ~OutputWatcher() override;

    /// Whether @p fd's reader is known to be gone now (a pipe whose read end is closed).
    static bool isReaderGone(int fd);

signals:
    /// The reader went away. Emitted once.
    void readerGone();

private:
    void check();

    int m_fd;
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace hyperscope
