#include "cli/plugin_args.h"

#include <initializer_list>
#include <optional>

#include "base/text.h"
#include "wire/errors.h"
#include "wire/json_fields.h"

namespace ssm::cli {
namespace {

// What is wrong with an input, in words; nullopt when nothing is.
using Problem = std::optional<std::string>;

constexpr std::string_view kResponseSubject = "the StartSession response";
constexpr std::string_view kParametersSubject = "the StartSession request (argument 5)";

ParsedArgs usage_error(std::string problem) {
  return {Action::usage_error, {}, "Cannot perform start session: " + std::move(problem), kExitUsage};
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::string joined;
  for (std::string_view part : parts) joined += part;
  return joined;
}

// Names we echo keep the error on one line.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

// Why `text` is not usable as a JSON object. Never quotes the text (nor the parser's excerpt
// of it): the response holds the token.
std::string json_object_problem(std::string_view text, std::string_view subject) {
  if (text.size() > wire::kMaxJsonPayload) return join({subject, " is too large"});
  if (!wire::Json::accept(text.begin(), text.end())) return join({subject, " is not valid JSON"});
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') return join({subject, " nests too deeply"});
  return join({subject, " is not a JSON object"});
}

std::string field_problem(const wire::ParseError& error, std::string_view subject) {
  if (error.code == wire::WireError::missing_field) return join({subject, " has no ", error.field});
  if (error.code == wire::WireError::wrong_field_type) return join({subject, "'s ", error.field, " is not a string"});
  return join({subject, " is not usable"});
}

Problem read_response(std::string_view text, SessionRequest& r) {
  wire::JsonFields response(text);
  if (response.error()) return json_object_problem(text, kResponseSubject);
  // Unknown keys (ResponseMetadata from older CLIs) are ignored, as Go's decoder does.
  response.string("SessionId", r.session_id);
  response.string("StreamUrl", r.stream_url);
  response.string("TokenValue", r.token_value);
  if (response.error()) return field_problem(response.error(), kResponseSubject);
  if (r.session_id.empty()) return join({kResponseSubject, " has an empty SessionId"});
  if (r.stream_url.empty()) return join({kResponseSubject, " has an empty StreamUrl"});
  // URL schemes are case-insensitive (RFC 3986 §3.1); the transport accepts WSS:// too.
  if (!base::istarts_with(r.stream_url, "ws://") && !base::istarts_with(r.stream_url, "wss://"))
    return join({kResponseSubject, "'s StreamUrl is not a ws:// or wss:// URL"});
  if (r.token_value.empty()) return join({kResponseSubject, " has an empty TokenValue"});
  return std::nullopt;
}

// Only Target matters to the session (protocol.md §1.1); DocumentName and Parameters are
// kept when they have the expected type and otherwise ignored, as the reference ignores them.
Problem read_parameters(std::string_view text, SessionRequest& r) {
  wire::JsonFields request(text);
  if (request.error()) return json_object_problem(text, kParametersSubject);
  request.string("Target", r.target);
  if (request.error()) return field_problem(request.error(), kParametersSubject);
  if (const wire::Json* document = request.find("DocumentName"); document && document->is_string())
    r.document_name = document->get<std::string>();
  if (const wire::Json* parameters = request.find("Parameters"); parameters && parameters->is_object())
    r.parameters = *parameters;
  return std::nullopt;
}

}  // namespace

std::string read_start_session_response(std::string_view json, SessionRequest& out) {
  return read_response(json, out).value_or(std::string());
}

std::string installed_text() {
  return "\nThe Session Manager plugin was installed successfully. Use the AWS CLI to start a session.\n\n";
}

std::string unknown_operation_text(std::string_view first_argument) {
  // The space after the first period is the reference's.
  return join({"\nUnknown operation ", first_argument, ". \nUse session-manager-plugin --version to check the version.\n\n"});
}

std::string_view invalid_operation_text() { return "Invalid Operation"; }

ParsedArgs parse_plugin_args(std::span<const std::string> args, const base::Environment& env) {
  if (args.empty()) return {Action::show_installed, {}, installed_text(), kExitOk};
  if (args.size() == 1 && args[0] == "--version") return {Action::show_version, {}, {}, kExitOk};
  if (args.size() < 3) return {Action::unknown_operation, {}, unknown_operation_text(args[0]), kExitUsage};

  // The hand-off first, as in the reference: the variable is gone whatever happens next.
  const std::string& first = args[0];
  const bool response_from_env = first.starts_with(kResponseEnvPrefix);  // case-sensitive, as Go
  std::optional<std::string> response = first;
  if (response_from_env) {
    response = env.get(first);
    if (response) env.unset(first);
  }

  if (args[2] != kStartSessionOperation)
    return {Action::invalid_operation, {}, std::string(invalid_operation_text()), kExitUsage};
  if (!response) return usage_error(join({"environment variable ", printable(first), " is not set"}));

  SessionRequest r;
  r.response_from_env = response_from_env;
  r.legacy_cli = args.size() == 3;
  r.region = args[1];
  if (args.size() > 3) r.profile = args[3];
  if (args.size() > 5) r.ssm_endpoint = args[5];
  if (Problem problem = read_response(*response, r)) return usage_error(std::move(*problem));
  if (args.size() > 4)
    if (Problem problem = read_parameters(args[4], r)) return usage_error(std::move(*problem));
  return {Action::start_session, std::move(r), {}, kExitOk};
}

}  // namespace ssm::cli
