// lib/channel — the client's half of the session handshake (protocol.md §6): answers the
// agent's HandshakeRequest action by action, learns the session type and the agent version,
// and falls back to a shell session for agents that send no handshake (§6.6). Pure logic.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "wire/payloads.h"

namespace ssm::channel {

enum class SessionKind { standard_stream, port };

struct SessionType {
  std::string name;  // as the agent sent it: Standard_Stream, InteractiveCommands, ...
  SessionKind kind = SessionKind::standard_stream;
  wire::Json properties;  // only Port sessions read it
};

struct HandshakeConfig {
  std::string client_version;
  // The 4-argument legacy CLI form: encryption must be refused (protocol.md §6.3).
  bool legacy_cli = false;
};

// §6.7: true when `agent` is strictly greater than `threshold`; false when either is not a
// dotted list of integers or their lengths differ.
bool version_greater(std::string_view agent, std::string_view threshold);

// Agent-version gates (protocol.md §6.7, §12).
inline constexpr std::string_view kTerminateFlagAfter = "2.3.722.0";
inline constexpr std::string_view kMuxAfter = "3.0.196.0";
inline constexpr std::string_view kSmuxKeepAliveOffAfter = "3.1.1511.0";

class ClientHandshake {
 public:
  explicit ClientHandshake(HandshakeConfig config) : config_(std::move(config)) {}

  wire::HandshakeResponse on_request(const wire::HandshakeRequest& request);

  // The agent's first data message when no handshake happened: a shell (§6.6).
  void assume_shell() { session_type_ = SessionType{"Standard_Stream", SessionKind::standard_stream, nullptr}; }

  const std::optional<SessionType>& session_type() const { return session_type_; }
  const std::string& agent_version() const { return agent_version_; }
  // Set when the agent asked for something this client refused (e.g. KMS encryption before
  // the AWS integration exists): the session cannot go on.
  const std::string& refusal() const { return refusal_; }

 private:
  wire::ProcessedClientAction session_type_action(const wire::Json& parameters);
  wire::ProcessedClientAction kms_action();

  HandshakeConfig config_;
  std::optional<SessionType> session_type_;
  std::string agent_version_;
  std::string refusal_;
};

}  // namespace ssm::channel
