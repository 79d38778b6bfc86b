#include "outputwatcher.h"

#include <QSocketNotifier>

#include <poll.h>
#include <sys/stat.h>

namespace hyperscope {

OutputWatcher::OutputWatcher(int fd, QObject *parent)
    : QObject(parent)
    , m_fd(fd)
{
    struct stat info = {};
    // Only a pipe: its write end is never readable, so the notifier fires for POLLERR alone. On a
    // terminal or a socket it would fire for every byte the other side sends and spin.
    if (::fstat(fd, &info) != 0 || !S_ISFIFO(info.st_mode))
        return;
    m_notifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &OutputWatcher::check);
}

OutputWatcher::~OutputWatcher() = default;

bool OutputWatcher::isReaderGone(int fd)
{
    pollfd entry = {fd, POLLOUT, 0};
    if (::poll(&entry, 1, 0) != 1)
        return false;
    return (entry.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
}

void OutputWatcher::check()
{
    if (!isReaderGone(m_fd))
        return;
    m_notifier->setEnabled(false);
    emit readerGone();
}

} // namespace hyperscope
