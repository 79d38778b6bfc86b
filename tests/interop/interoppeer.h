// The processes of the interop tests, all JsonProcesses (tests/common/jsonprocess.h) that differ
// only in how they are started: hyperscope-cli (HYPERSCOPE_CLI_PATH; in tst_relayinterop the
// relay under test), the reference peer tests/interop/refpeer/refpeer.js, which takes the same
// arguments and speaks the same JSON lines, and the hypercore 9 scripts of tests/interop/hypercore.
// The npm packages they need are installed into the build tree by install-reference.sh
// (HYPERSCOPE_REFPEER_DIR, HYPERSCOPE_HYPERCORE_DIR; hyperscope_add_npm_test() sets all three).
#pragma once

#include "jsonprocess.h"

#include <memory>

namespace hyperscope::test {

/// One end of an interop conversation: hyperscope-cli or the reference peer, started with the
/// arguments both understand ("listen", "--port", "0", "--key", HEX, ...).
class InteropPeer : public JsonProcess
{
public:
    enum class Kind { Hyperscope, Reference };

    InteropPeer(Kind kind, const QString &name)
        : JsonProcess(name)
        , m_kind(kind)
    {}

    Kind kind() const { return m_kind; }

    using JsonProcess::start;
    /// Starts hyperscope-cli or `node refpeer.js` with @p arguments.
    bool start(const QStringList &arguments)
    {
        if (m_kind == Kind::Hyperscope)
            return start(cliPath(), arguments);
        return startNode(QStringLiteral(HYPERSCOPE_REFPEER_DIR "/refpeer.js"), arguments);
    }

private:
    Kind m_kind;
};

/// Starts @p script of tests/interop/hypercore (feed-source.js, feed-clone.js, ...) with
/// @p arguments; @p name is for transcripts.
inline std::unique_ptr<JsonProcess> startHypercoreScript(const QString &name, const QString &script,
                                                         const QStringList &arguments)
{
    auto process = std::make_unique<JsonProcess>(name);
    process->startNode(QStringLiteral(HYPERSCOPE_HYPERCORE_DIR "/") + script, arguments);
    return process;
}

} // namespace hyperscope::test
