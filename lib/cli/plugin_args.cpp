#include "cli/plugin_args.h"

#include <cstdlib>

#include "wire/json_fields.h"

namespace ssm::cli {
namespace {

constexpr int kExitUsage = 2;

ParsedArgs error(std::string message) {
  return {Action::usage_error, {}, "Cannot perform start session: " + std::move(message), kExitUsage};
}

// What went wrong in a JSON text, in words that never quote the text (it holds the token).
std::string describe(const wire::ParseError& e, std::string_view what) {
  switch (static_cast<wire::WireError>(e.code.value())) {
    case wire::WireError::invalid_json: return std::string(what) + " is not a valid JSON object";
    case wire::WireError::missing_field: return std::string(what) + " has no " + e.field;
    case wire::WireError::wrong_field_type: return std::string(what) + " field " + e.field + " is not a string";
    default: return std::string(what) + " is invalid (" + e.message() + ")";
  }
}

}  // namespace

Environment Environment::process() {
  return {[](const std::string& name) -> std::optional<std::string> {
            const char* v = std::getenv(name.c_str());
            return v ? std::optional<std::string>(v) : std::nullopt;
          },
          [](const std::string& name) { ::unsetenv(name.c_str()); }};
}

std::string installed_text() {
  return "\nThe Session Manager plugin was installed successfully. Use the AWS CLI to start a session.\n\n";
}

std::string unknown_operation_text(std::string_view arg) {
  return "\nUnknown operation " + std::string(arg) + ". \nUse session-manager-plugin --version to check the version.\n\n";
}

ParsedArgs parse_plugin_args(std::span<const std::string> args, const Environment& env) {
  if (args.empty()) return {Action::show_installed, {}, installed_text(), 0};
  if (args.size() == 1 && args[0] == "--version") return {Action::show_version, {}, {}, 0};
  if (args.size() < 3) return {Action::unknown_operation, {}, unknown_operation_text(args[0]), kExitUsage};

  SessionRequest r;
  r.region = args[1];
  r.operation = args[2];
  r.legacy_cli = args.size() == 3;
  if (args.size() > 3) r.profile = args[3];
  if (args.size() > 5) r.ssm_endpoint = args[5];
  if (r.operation != "StartSession") return {Action::invalid_operation, {}, "Invalid Operation", kExitUsage};

  // argv[1]: the response itself, or the name of the variable that holds it.
  std::string response_text = args[0];
  if (std::string_view(args[0]).substr(0, kResponseEnvPrefix.size()) == kResponseEnvPrefix) {
    auto value = env.get(args[0]);
    if (!value) return error("environment variable " + args[0] + " is not set");
    env.unset(args[0]);  // the token should not outlive its hand-over
    response_text = std::move(*value);
    r.response_from_env = true;
  }

  wire::JsonFields response(response_text);
  response.string("SessionId", r.session_id);
  response.string("StreamUrl", r.stream_url);
  response.string("TokenValue", r.token_value);
  if (response.error()) return error(describe(response.error(), "the StartSession response"));
  if (r.session_id.empty()) return error("the StartSession response has an empty SessionId");
  if (r.stream_url.rfind("wss://", 0) != 0 && r.stream_url.rfind("ws://", 0) != 0)
    return error("the StartSession response's StreamUrl is not a ws:// or wss:// URL");
  if (r.token_value.empty()) return error("the StartSession response has an empty TokenValue");

  if (args.size() > 4) {
    wire::JsonFields parameters(args[4]);
    parameters.string("Target", r.target);
    parameters.string("DocumentName", r.document_name, /*required=*/false);
    if (parameters.error()) return error(describe(parameters.error(), "the StartSession parameters"));
    r.parameters = parameters.value();
  }
  return {Action::start_session, std::move(r), {}, 0};
}

}  // namespace ssm::cli
