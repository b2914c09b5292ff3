// lib/cli — owns the command-line contracts: the AWS CLI's positional arguments
// (protocol.md §1.1–1.2, protocol-updates.md §1) turned into a session request. Pure: the
// environment is reached through an interface, nothing is printed.
//
// Deliberate deviations from the reference, documented in the README: every error is one
// line for stderr with exit status 2 (the reference prints to stdout and exits 0, or panics
// with 2); the unknown-operation and "Invalid Operation" texts keep the reference's wording
// for stdout but exit 2 too, since they mean bad arguments.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "wire/payloads.h"

namespace ssm::cli {

struct Environment {
  std::function<std::optional<std::string>(const std::string&)> get;
  std::function<void(const std::string&)> unset;

  static Environment process();  // the real environment
};

struct SessionRequest {
  std::string session_id;
  std::string stream_url;
  std::string token_value;  // never printed or logged
  std::string region;
  std::string operation;
  std::string profile;
  std::string target;
  std::string document_name;
  wire::Json parameters;  // the StartSession request JSON (argv[5]), kept for later use
  std::string ssm_endpoint;
  bool legacy_cli = false;         // exactly the 4-argument form: KMS encryption is refused
  bool response_from_env = false;  // argv[1] named an AWS_SSM_START_SESSION_RESPONSE* variable
};

enum class Action {
  show_installed,     // no arguments
  show_version,       // --version
  unknown_operation,  // 1 or 2 arguments that are not --version
  invalid_operation,  // operation other than StartSession
  start_session,
  usage_error,
};

struct ParsedArgs {
  Action action = Action::usage_error;
  SessionRequest request;  // for start_session
  std::string text;        // what to print: stdout for the reference's texts, stderr for errors
  int exit_code = 0;
};

inline constexpr std::string_view kResponseEnvPrefix = "AWS_SSM_START_SESSION_RESPONSE";

// `args` excludes argv[0].
ParsedArgs parse_plugin_args(std::span<const std::string> args, const Environment& env);

std::string installed_text();
std::string unknown_operation_text(std::string_view arg);

}  // namespace ssm::cli
