// hyperscope-cli's --capture FILE: records what its sessions do as a "hyperscope-capture" file,
// the JSON Lines format the inspector's File › Open Log reads, through the format's one writer
// (core/session/captureformat.h: rowLine(), headerLine()).
//
// The header announces how many rows follow, so the rows are kept in memory (as the JSON lines
// they will be written as) and the file is written once, atomically (QSaveFile), by save() when
// the process exits: a process killed with SIGKILL leaves no capture. Rows beyond the format's
// caps (2 000 000 rows, 1 GiB of bytes) are not recorded; droppedRows() says how many.
//
// What is recorded, per session: handshake rows (each Noise message as on the socket), frame
// and keepalive rows (plain bytes, and the wire bytes when the transport is encrypted), warning
// rows (the engine's tolerated violations, the relay's warnings) and error rows (how a session
// failed). The header describes each session: label, peer, origin ("dialed", "accepted",
// "relayed"), role, mode, Noise keys, handshake hash and nonces, the feed keys of the channels
// it opened (what `hyperscope-cli replay` needs) and how it ended. No secret key is written.
#pragma once

#include "captureformat.h"
#include "sessioninfo.h"
#include "trace.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QMap>
#include <QString>

#include <optional>
#include <vector>

namespace hyperscope {

class CaptureRecorder
{
public:
    /// Rows are recorded from now on; their times ("t") count from this moment.
    explicit CaptureRecorder(QString path);

    QString path() const { return m_path; }

    /// Checks that the file can be written (creates and discards a temporary file next to it), so
    /// that a bad path is reported before anything starts rather than at exit.
    bool checkWritable(QString *error) const;

    // --- What the header says about a session -------------------------------------------------
    /// @p origin: "dialed", "accepted" or "relayed".
    void sessionStarted(int session, const QString &origin, std::optional<bool> initiator,
                        bool noise, bool encrypted);
    /// On a relayed session, @p leg "server" is about the upstream leg (its "serverLeg" entry,
    /// as the inspector writes it); anything else about the session itself (its client leg).
    void setPeer(int session, const QString &peer, const QString &leg = {});
    void handshakeCompleted(int session, const HandshakeInfo &info, const QString &leg = {});
    /// A channel the session opened with feed key @p key.
    void channelKey(int session, const Key32 &discoveryKey, const Key32 &key);
    /// @p reason empty: the session (or its server @p leg) ended cleanly. A relayed session ends
    /// with the reason of its failing leg, if one failed.
    void sessionEnded(int session, const QString &reason, const QString &leg = {});

    // --- Rows ---------------------------------------------------------------------------------
    /// @p leg: "client" or "server" on a relay leg, empty otherwise. @p encrypted: the session's
    /// transport is encrypted (the wire bytes are then recorded too).
    void frame(int session, const QString &leg, bool encrypted, const FrameTrace &frame);
    void handshake(int session, const QString &leg, const HandshakeTrace &step);
    /// @p kind: Warning, Error or Event.
    void note(int session, const QString &leg, capture::FormatRow::Kind kind, Direction direction,
              const QString &text);

    qint64 rowCount() const { return qint64(m_rows.size()); }
    qint64 droppedRows() const { return m_droppedRows; }

    /// Writes the file (header and every row recorded so far). False with @p error when it
    /// cannot be written.
    bool save(QString *error) const;

private:
    /// @p row stamped with the time now, appended as its line (or counted as dropped).
    void addRow(capture::FormatRow &row);

    QString m_path;
    QElapsedTimer m_clock;
    /// What the header says about each session: only public values (never a transport key).
    QMap<int, capture::SessionInfo> m_sessions;
    /// The server legs of relayed sessions, joined to their session's entry by save().
    QMap<int, capture::SessionInfo> m_serverLegs;
    std::vector<QByteArray> m_rows; ///< JSON lines, without their newline.
    qint64 m_rowBytes = 0;          ///< bytes the rows hold, as the reader counts them
    qint64 m_droppedRows = 0;
};

} // namespace hyperscope
