#include "linereader.h"

#include <QSocketNotifier>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace hyperscope {

namespace {

/// Bytes taken per notification: one read() of at most this many never blocks once poll() said
/// the descriptor is readable.
constexpr std::size_t ReadChunk = 64 * 1024;

} // namespace

LineReader::LineReader(int fd, QObject *parent)
    : QObject(parent)
    , m_fd(fd)
{
    if (::fcntl(fd, F_GETFD) == -1) {
        // No such descriptor (the parent closed stdin): nothing will ever come.
        QMetaObject::invokeMethod(this, &LineReader::finish, Qt::QueuedConnection);
        return;
    }
    m_notifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &LineReader::readAvailable);
}

LineReader::~LineReader() = default;

void LineReader::readAvailable()
{
    const qsizetype start = m_buffer.size();
    m_buffer.resize(start + qsizetype(ReadChunk));
    ssize_t n;
    do {
        n = ::read(m_fd, m_buffer.data() + start, ReadChunk);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        m_buffer.resize(start);
        return;
    }
    m_buffer.resize(start + std::max<qsizetype>(n, 0));
    emitLines();
    if (n <= 0) {
        // EOF (or an error, which is as final): the last line may lack its newline.
        if (!m_buffer.isEmpty() && !m_skipping)
            emit lineRead(m_buffer.endsWith('\r') ? m_buffer.chopped(1) : m_buffer);
        m_buffer.clear();
        finish();
    }
}

void LineReader::emitLines()
{
    qsizetype from = 0;
    for (;;) {
        const qsizetype newline = m_buffer.indexOf('\n', from);
        if (newline < 0)
            break;
        if (m_skipping) {
            m_skipping = false;
        } else {
            const qsizetype end =
                newline > from && m_buffer.at(newline - 1) == '\r' ? newline - 1 : newline;
            emit lineRead(m_buffer.mid(from, end - from));
        }
        from = newline + 1;
    }
    m_buffer.remove(0, from);
    if (m_buffer.size() > MaxLineBytes) {
        m_buffer.clear();
        if (!m_skipping) {
            m_skipping = true;
            emit overlongLine();
        }
    }
}

void LineReader::finish()
{
    if (m_atEnd)
        return;
    m_atEnd = true;
    if (m_notifier)
        m_notifier->setEnabled(false);
    emit finished();
}

} // namespace hyperscope
