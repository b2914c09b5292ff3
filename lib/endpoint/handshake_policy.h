// lib/endpoint — which handshake the emulated agent runs for a session (agent-side.md §2.1),
// given its session type and the agent the endpoint plays (--shell-handshake, --handshake,
// a KMS key).
#pragma once

#include <string>

#include "endpoint/config.h"

namespace ssm::endpoint {

enum class SessionHandshake {
  none,          // the target starts at once; its first output tells the client the type
  session_type,  // HandshakeRequest with the SessionType action only
  kms,           // SessionType and KMSEncryption, then the encryption challenge
};

SessionHandshake handshake_for(const std::string& session_type, const EndpointConfig& config);

}  // namespace ssm::endpoint
