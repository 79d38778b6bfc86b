// Test fixture: loopback TCP ports. Needs Qt Network (hyperscope::session and everything above
// it link it), so core/protocol tests never include it.
#pragma once

#include <QHostAddress>
#include <QTcpServer>

namespace hyperscope::test {

/// A loopback port nothing listens on: bound, then released. 0 when no port could be bound, which
/// the caller checks (QVERIFY(port != 0)).
inline quint16 closedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

} // namespace hyperscope::test
