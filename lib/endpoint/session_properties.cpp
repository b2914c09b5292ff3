#include "endpoint/session_properties.h"

namespace ssm::endpoint {
namespace {

constexpr std::string_view kPortForwardingPrefix = "AWS-StartPortForwardingSession";  // ...ToRemoteHost too

bool is_port_forwarding(const std::string& document) { return document.rfind(kPortForwardingPrefix, 0) == 0; }

}  // namespace

std::string first_parameter(const wire::Json& parameters, const char* name) {
  if (!parameters.is_object()) return {};
  auto it = parameters.find(name);
  if (it == parameters.end()) return {};
  if (it->is_array() && !it->empty() && (*it)[0].is_string()) return (*it)[0].get<std::string>();
  if (it->is_string()) return it->get<std::string>();
  return {};
}

bool document_exists(const std::string& document, const wire::Json& parameters) {
  static constexpr std::string_view kKnown[] = {"SSM-SessionManagerRunShell", "AWS-StartSSHSession",
                                                "AWS-StartInteractiveCommand", "AWS-StartNonInteractiveCommand"};
  if (document.empty() || is_port_forwarding(document)) return true;
  for (std::string_view known : kKnown)
    if (document == known) return true;
  return !first_parameter(parameters, "portNumber").empty();  // a custom port-forwarding document
}

std::string session_type_for(const std::string& document, const wire::Json& parameters) {
  if (document == "AWS-StartSSHSession" || is_port_forwarding(document)) return "Port";
  if (document == "AWS-StartInteractiveCommand") return "InteractiveCommands";
  if (document == "AWS-StartNonInteractiveCommand") return "NonInteractiveCommands";
  // An unknown document: a port number says it forwards a port.
  if (!first_parameter(parameters, "portNumber").empty()) return "Port";
  return "Standard_Stream";
}

wire::Json port_properties(const std::string& document, const wire::Json& parameters) {
  wire::Json p = wire::Json::object();
  const std::string port = first_parameter(parameters, "portNumber");
  if (is_port_forwarding(document)) {
    const std::string local = first_parameter(parameters, "localPortNumber");
    p["localPortNumber"] = local.empty() ? "0" : local;
    p["portNumber"] = port;
    p["type"] = "LocalPortForwarding";
    const std::string host = first_parameter(parameters, "host");
    if (!host.empty()) p["host"] = host;
    // A Unix-socket listener on the client (documents that declare these properties).
    for (const char* name : {"localUnixSocket", "localConnectionType"}) {
      const std::string value = first_parameter(parameters, name);
      if (!value.empty()) p[name] = value;
    }
  } else {
    // AWS-StartSSHSession's default port.
    p["portNumber"] = port.empty() ? "22" : port;
  }
  return p;
}

}  // namespace ssm::endpoint
