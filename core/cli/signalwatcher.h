// Turns SIGINT and SIGTERM into a Qt signal, delivered by the event loop.
//
// A POSIX signal handler may only do async-signal-safe work, so it writes the signal number to a
// socketpair (the self-pipe trick); a QSocketNotifier on the other end emits signalReceived() in
// the main thread, where shutting sessions down is safe.
#pragma once

#include <QObject>

class QSocketNotifier;

namespace hyperscope {

class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    /// Installs handlers for SIGINT and SIGTERM. One instance per process.
    explicit SignalWatcher(QObject *parent = nullptr);
    /// Restores the default handlers.
    ~SignalWatcher() override;

    static QString signalName(int signal);

signals:
    void signalReceived(int signal);

private:
    void readSignals();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace hyperscope
