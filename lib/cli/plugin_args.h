// lib/cli — owns the command-line contracts. This file: the AWS CLI's positional arguments
// (protocol.md §1.1–1.2, protocol-updates.md §1) turned into a session request. Pure: the
// environment is reached through base::Environment, nothing is printed.
//
//   argc  argv[1..]                                         action
//   1     (none)                                            show_installed, exit 0
//   2     --version (exactly)                               show_version, exit 0
//   2, 3  anything else                                     unknown_operation
//   ≥4    argv[3] != "StartSession"                         invalid_operation
//   4     response region StartSession                      start_session, legacy_cli = true
//   5     ... profile                                       start_session
//   6     ... parameters-JSON (string "Target" required)    start_session
//   7     ... ssm-endpoint-URL                              start_session (current AWS CLI)
//   ≥8    as 7, the rest is ignored
// argv[1] is the StartSession response JSON, or, when it starts with
// AWS_SSM_START_SESSION_RESPONSE, the name of an environment variable holding it; the
// variable is read and then unset whatever happens next, so the token does not outlive its
// hand-over.
//
// Deliberate deviations from the reference (design.md "Output and exit codes"):
//  - Every error (unparsable or incomplete response, missing variable, StreamUrl not ws:// or
//    wss://, argv[5] not JSON or without a string Target) is one line for stderr, starting
//    "Cannot perform start session: ", with exit status 2. The reference prints to stdout and
//    exits 0, or panics with exit 2 (missing fields, bad argv[5]).
//  - A missing environment variable is reported as such (the reference parses "" as JSON).
//  - The unknown-operation and "Invalid Operation" texts keep the reference's wording on
//    stdout, but exit 2: they mean bad arguments.
//  - Empty SessionId and TokenValue are refused (the reference would fail later, remotely).
// Error texts say what is wrong, never quote the input: the response carries the token.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/environment.h"
#include "wire/payloads.h"

namespace ssm::cli {

inline constexpr std::string_view kResponseEnvPrefix = "AWS_SSM_START_SESSION_RESPONSE";
inline constexpr std::string_view kStartSessionOperation = "StartSession";
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;

struct SessionRequest {
  // From the StartSession response (argv[1] or the variable it names); keys case-insensitive.
  std::string session_id;
  std::string stream_url;   // ws:// or wss://, used verbatim
  std::string token_value;  // never printed or logged
  // argv[2], argv[4], argv[6]; empty when absent.
  std::string region;
  std::string profile;
  std::string ssm_endpoint;
  // From the StartSession request parameters (argv[5]); empty when absent.
  std::string target;
  std::string document_name;  // optional; a non-string value is ignored
  wire::Json parameters = wire::Json::object();  // its "Parameters" object, kept raw for later
  bool legacy_cli = false;         // exactly the 4-argument form: KMS encryption is refused
  bool response_from_env = false;  // argv[1] named an AWS_SSM_START_SESSION_RESPONSE* variable
};

enum class Action {
  show_installed,     // no arguments
  show_version,       // --version
  unknown_operation,  // one or two arguments other than --version
  invalid_operation,  // argv[3] other than StartSession
  start_session,
  usage_error,
};

struct ParsedArgs {
  Action action = Action::usage_error;
  SessionRequest request;  // start_session only
  // show_installed, unknown_operation, invalid_operation: the exact stdout text.
  // usage_error: one line for stderr, without its newline. Otherwise empty.
  std::string text;
  int exit_code = kExitOk;
};

// `args` is argv[1..argc-1]. Reads (and unsets) at most the one variable argv[1] names.
ParsedArgs parse_plugin_args(std::span<const std::string> args, const base::Environment& env);

// Reads SessionId, StreamUrl and TokenValue of a StartSession response into `out`; returns
// why it is unusable (one line, never quoting the text), or "" when it is fine.
std::string read_start_session_response(std::string_view json, SessionRequest& out);

// The reference's stdout texts (protocol.md §1.6).
std::string installed_text();
std::string unknown_operation_text(std::string_view first_argument);
std::string_view invalid_operation_text();

}  // namespace ssm::cli
