#include "channel/client_handshake.h"

#include <charconv>
#include <vector>

namespace ssm::channel {
namespace {

constexpr int kSuccess = static_cast<int>(wire::ActionStatus::success);
constexpr int kFailed = static_cast<int>(wire::ActionStatus::failed);
constexpr int kUnsupported = static_cast<int>(wire::ActionStatus::unsupported);

std::optional<std::vector<long long>> parse_version(std::string_view v) {
  std::vector<long long> parts;
  if (v.empty()) return std::nullopt;
  while (true) {
    const auto dot = v.find('.');
    const std::string_view part = v.substr(0, dot);
    long long n = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size()) return std::nullopt;
    parts.push_back(n);
    if (dot == std::string_view::npos) break;
    v.remove_prefix(dot + 1);
  }
  return parts;
}

}  // namespace

bool version_greater(std::string_view agent, std::string_view threshold) {
  const auto a = parse_version(agent), t = parse_version(threshold);
  if (!a || !t || a->size() != t->size()) return false;
  return *a > *t;  // lexicographic over integers
}

wire::HandshakeResponse ClientHandshake::on_request(const wire::HandshakeRequest& request) {
  agent_version_ = request.agent_version;
  wire::HandshakeResponse response;
  response.client_version = config_.client_version;
  for (const auto& action : request.requested_client_actions) {
    wire::ProcessedClientAction processed;
    if (action.action_type == wire::action_type::session_type) {
      processed = session_type_action(action.action_parameters);
    } else if (action.action_type == wire::action_type::kms_encryption) {
      processed = kms_action();
    } else {
      // The reference puts the code in ActionResult and leaves ActionStatus 0 (quirk Q8);
      // we send the documented status instead.
      processed = {action.action_type, kUnsupported, nullptr, "Unsupported action " + action.action_type};
    }
    if (!processed.error.empty()) response.errors.push_back(processed.error);
    response.processed_client_actions.push_back(std::move(processed));
  }
  return response;
}

wire::ProcessedClientAction ClientHandshake::session_type_action(const wire::Json& parameters) {
  wire::SessionTypeRequest request;
  if (auto err = wire::parse(parameters, request))
    return {std::string(wire::action_type::session_type), kFailed, nullptr,
            "Failed to process action SessionType: " + err.message()};
  const std::string& name = request.session_type;
  SessionKind kind;
  if (name == "Standard_Stream" || name == "InteractiveCommands" || name == "NonInteractiveCommands") {
    kind = SessionKind::standard_stream;
  } else if (name == "Port") {
    kind = SessionKind::port;
  } else {
    return {std::string(wire::action_type::session_type), kFailed, nullptr,
            "Failed to process action SessionType: Unknown session type " + name};
  }
  session_type_ = SessionType{name, kind, request.properties};
  return {std::string(wire::action_type::session_type), kSuccess, nullptr, ""};
}

wire::ProcessedClientAction ClientHandshake::kms_action() {
  const std::string type(wire::action_type::kms_encryption);
  if (config_.legacy_cli) {
    refusal_ =
        "Installed version of CLI does not support Session Manager encryption feature. Please upgrade to the "
        "latest version of your CLI (e.g., AWS CLI).";
    return {type, kFailed, nullptr, refusal_};
  }
  refusal_ = "the agent requires KMS session encryption, which this client does not support yet";
  return {type, kUnsupported, nullptr, "Unsupported action " + type};
}

}  // namespace ssm::channel
