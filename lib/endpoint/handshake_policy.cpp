#include "endpoint/handshake_policy.h"

namespace ssm::endpoint {

SessionHandshake handshake_for(const std::string& session_type, const EndpointConfig& config) {
  const bool kms_key = !config.agent_kms_key_id().empty();
  // The agent's plugins that require a handshake whatever the session preferences say.
  const bool required = session_type == "Port" || session_type == "NonInteractiveCommands";
  if (required) {
    if (kms_key) return SessionHandshake::kms;
    return config.predates_handshake ? SessionHandshake::none : SessionHandshake::session_type;
  }
  // Standard_Stream and InteractiveCommands.
  switch (config.shell_handshake) {
    case ShellHandshake::never:
      return SessionHandshake::none;
    case ShellHandshake::kms:
      return kms_key ? SessionHandshake::kms : SessionHandshake::none;
    case ShellHandshake::always:
      return kms_key ? SessionHandshake::kms : SessionHandshake::session_type;
  }
  return SessionHandshake::none;
}

}  // namespace ssm::endpoint
