#include "session/kind_factory.h"

#include "session/basic_port_session.h"
#include "session/mux_port_session.h"
#include "session/stream_session.h"

namespace ssm::session {

std::unique_ptr<SessionKind> LocalKindFactory::make(const channel::SessionType& type, const KindContext& context,
                                                    channel::DataChannel& channel, KindEvents& events,
                                                    ShellControl& control) {
  if (type.kind != channel::SessionKind::port)
    return std::make_unique<ShellSession>(executor_, channel, events, control,
                                          ShellOptions{.interactive = type.name != "NonInteractiveCommands"});
  wire::PortParameters port;
  (void)wire::parse(type.properties.is_object() ? type.properties.dump() : std::string("{}"), port);
  // No `type`: standard-stream forwarding over stdin/stdout (SSH ProxyCommand).
  if (port.type != "LocalPortForwarding")
    return std::make_unique<StreamSession>(executor_, channel, events, StreamOptions{.end_on_input_eof = true});
  PortSessionConfig config{context.session_id, port, context.local_host, context.agent_version, context.listener};
  // Agents after 3.0.196.0 speak smux; older ones forward one connection at a time.
  if (channel::version_greater(context.agent_version, channel::kMuxAfter))
    return std::make_unique<MuxPortSession>(executor_, channel, events, std::move(config));
  return std::make_unique<BasicPortSession>(executor_, channel, events, std::move(config));
}

}  // namespace ssm::session
