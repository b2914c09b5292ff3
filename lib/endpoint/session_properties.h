// lib/endpoint — what the agent announces in its HandshakeRequest for a session, derived from
// the StartSession document and parameters as the real documents do (agent-side.md §2.2):
// the session type and a Port session's properties (whether it hand-shakes:
// handshake_policy.h).
#pragma once

#include <string>

#include "wire/payloads.h"

namespace ssm::endpoint {

// "Port", "InteractiveCommands", "NonInteractiveCommands" or "Standard_Stream".
std::string session_type_for(const std::string& document, const wire::Json& parameters);
// Whether StartSession may name this document: "" (the default shell), the AWS documents the
// endpoint plays, and, standing for a customer's own port-forwarding document, any name
// whose parameters carry a portNumber. Others get InvalidDocument, as from the service.
bool document_exists(const std::string& document, const wire::Json& parameters);

// The Properties of the SessionType action of a Port session, all values strings:
// {"portNumber"} for AWS-StartSSHSession and custom documents, {"localPortNumber",
// "portNumber", "type":"LocalPortForwarding"[, "host"]} for AWS-StartPortForwardingSession*.
wire::Json port_properties(const std::string& document, const wire::Json& parameters);

// The first value of a StartSession parameter (parameters are lists of strings:
// {"portNumber": ["22"]}); a bare string is taken as is; "" when absent.
std::string first_parameter(const wire::Json& parameters, const char* name);

}  // namespace ssm::endpoint
