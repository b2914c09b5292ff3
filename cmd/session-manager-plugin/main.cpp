// session-manager-plugin: the AWS CLI's positional contract (lib/cli), then one session
// (lib/session); or a standalone subcommand (start-session, shell, port-forward, ssh-proxy),
// which calls StartSession itself (lib/standalone). Texts and exit statuses: protocol.md
// §1.6, design.md "Output and exit codes".
#include <cstring>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "aws/service_endpoints.h"
#include "base/environment.h"
#include "cli/plugin_args.h"
#include "cli/standalone_args.h"
#include "log/log.h"
#include "log/redact.h"
#include "session/run.h"
#include "standalone/run_standalone.h"

namespace {

// A response passed in argv[1] carries the token: blank it in place so that
// /proc/<pid>/cmdline (ps, top) no longer shows it while the session runs. The parsed copy
// lives on in the request.
void scrub_argument(char* argument) { std::memset(argument, ' ', std::strlen(argument)); }

void log_request(const ssm::cli::SessionRequest& r) {
  // Everything but the token (and the stream URL, whose query may be a presigned signature).
  SSM_LOG(info, "starting session " + r.session_id + " target=" + r.target + " document=" + r.document_name +
                    " region=" + r.region + " profile=" + r.profile + " endpoint=" + r.ssm_endpoint +
                    " response_from_env=" + (r.response_from_env ? "true" : "false") +
                    (r.legacy_cli ? " (legacy 4-argument CLI form)" : ""));
}

// The one call that runs a session; returns the process exit status.
int run_session(const ssm::cli::SessionRequest& request, const ssm::base::GetEnv& env) {
  ssm::session::SessionSpec spec;
  spec.session_id = request.session_id;
  spec.stream_url = request.stream_url;
  spec.token_value = request.token_value;
  spec.target = request.target;
  spec.document_name = request.document_name;
  spec.client_version = SSM_PROTOCOL_VERSION;
  spec.legacy_cli = request.legacy_cli;
  spec.region = request.region;
  spec.profile = request.profile;
  spec.ssm_endpoint = ssm::aws::ssm_endpoint_argument(request.ssm_endpoint, request.target);
  spec.terminate_on_failure = !request.response_from_env;
  ssm::session::apply_environment(spec, env);
  // Opt-in: a port forward the AWS CLI started outlives its session (lib/standalone).
  if (env("SSM_PLUGIN_RESTART_SESSIONS").value_or("") == "1") return ssm::standalone::run_restarting(std::move(spec), request);
  return ssm::session::run_session(std::move(spec));
}

// A standalone command line (see is_standalone_command_line; the AWS CLI never passes one).
int run_standalone_command(const std::vector<std::string>& args) {
  const ssm::cli::StandaloneParse parsed = ssm::cli::parse_standalone_args(args);
  if (!parsed.command) {
    std::cout << parsed.out << std::flush;
    if (!parsed.error.empty()) std::cerr << parsed.error << '\n' << std::flush;
    return parsed.exit_code;
  }
  // -v: diagnostics on stderr, as well as in SSM_PLUGIN_LOG_FILE when that is set.
  if (parsed.command->verbose) ssm::log::also_to_stderr(ssm::log::Level::debug);
  return ssm::standalone::run_standalone(*parsed.command);
}

}  // namespace

int main(int argc, char** argv) {
  const ssm::base::Environment env = ssm::base::Environment::process();
  ssm::log::configure_from_environment(env.get);
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (ssm::cli::is_standalone_command_line(args)) return run_standalone_command(args);
  const ssm::cli::ParsedArgs parsed = ssm::cli::parse_plugin_args(args, env);

  using ssm::cli::Action;
  switch (parsed.action) {
    case Action::show_installed:
    case Action::invalid_operation:
      std::cout << parsed.text << std::flush;
      return parsed.exit_code;
    case Action::unknown_operation:
      // The reference echoes argv[1]; a response passed with too few arguments would show
      // its token there, so secrets are masked.
      std::cout << ssm::log::redact(parsed.text) << std::flush;
      return parsed.exit_code;
    case Action::show_version:
      std::cout << SSM_PROTOCOL_VERSION << '\n' << std::flush;
      return parsed.exit_code;
    case Action::usage_error:
      std::cerr << parsed.text << '\n' << std::flush;
      return parsed.exit_code;
    case Action::start_session:
      break;
  }

  const ssm::cli::SessionRequest& request = parsed.request;
  if (!request.response_from_env) scrub_argument(argv[1]);
  log_request(request);
  const int status = run_session(request, env.get);
  SSM_LOG(info, "session " + request.session_id + " ended with exit status " + std::to_string(status));
  return status;
}
