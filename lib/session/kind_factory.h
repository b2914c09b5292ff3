// lib/session — which session kind runs a session, from the session type the handshake
// named (or the shell an agent without a handshake runs): a shell or command on the terminal,
// stdin/stdout bridging (ssh ProxyCommand), or a local listener (smux for agents after
// 3.0.196.0, one connection at a time before). An interface, so that the coordinator's unit
// tests run scripted kinds instead of the terminal and sockets.
#pragma once

#include <memory>
#include <string>

#include "channel/client_handshake.h"
#include "session/local_listener.h"
#include "session/session_kind.h"
#include "session/shell_session.h"

namespace ssm::session {

// Documents that always run a shell or a command on a pty. The agent runs no handshake for
// them unless KMS is on (agent-side.md §2.1), so the shell starts as soon as the channel is
// open rather than waiting for a session type: a command that waits for input before it
// prints anything (`head -n 2` fed from a file) would otherwise wait forever.
inline bool is_shell_document(const std::string& name) {
  return name.empty() || name == "SSM-SessionManagerRunShell" || name == "AWS-StartInteractiveCommand";
}

struct KindContext {
  std::string session_id;
  std::string local_host;     // listeners bind here (SSM_PLUGIN_LOCAL_HOST)
  std::string agent_version;  // gates smux
  ListenerSetup listener;     // SessionSpec::listener
};

class KindFactory {
 public:
  virtual ~KindFactory() = default;
  virtual std::unique_ptr<SessionKind> make(const channel::SessionType& type, const KindContext& context,
                                            channel::DataChannel& channel, KindEvents& events,
                                            ShellControl& control) = 0;
};

// The real kinds, on the process's terminal, stdin/stdout and sockets.
class LocalKindFactory final : public KindFactory {
 public:
  explicit LocalKindFactory(boost::asio::any_io_executor ex) : executor_(ex) {}
  std::unique_ptr<SessionKind> make(const channel::SessionType& type, const KindContext& context,
                                    channel::DataChannel& channel, KindEvents& events, ShellControl& control) override;

 private:
  boost::asio::any_io_executor executor_;
};

}  // namespace ssm::session
