// session-manager-plugin: the AWS CLI's positional contract, then one session.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/plugin_args.h"
#include "log/log.h"
#include "session/run.h"

namespace {

// A response passed in argv[1] carries the token: blank it in place so that
// /proc/<pid>/cmdline (ps, top) no longer shows it.
void scrub_argument(char* arg) { std::memset(arg, ' ', std::strlen(arg)); }

ssm::session::SessionSpec to_spec(const ssm::cli::SessionRequest& r) {
  ssm::session::SessionSpec spec;
  spec.session_id = r.session_id;
  spec.stream_url = r.stream_url;
  spec.token_value = r.token_value;
  spec.target = r.target;
  spec.client_version = SSM_PROTOCOL_VERSION;
  spec.legacy_cli = r.legacy_cli;
  ssm::session::apply_environment(spec);
  return spec;
}

}  // namespace

int main(int argc, char** argv) {
  ssm::log::configure_from_environment();
  const std::vector<std::string> args(argv + 1, argv + argc);
  const auto parsed = ssm::cli::parse_plugin_args(args, ssm::cli::Environment::process());
  using ssm::cli::Action;
  switch (parsed.action) {
    case Action::show_installed:
    case Action::unknown_operation:
    case Action::invalid_operation:
      std::cout << parsed.text << std::flush;
      return parsed.exit_code;
    case Action::show_version:
      std::cout << SSM_PROTOCOL_VERSION << "\n" << std::flush;
      return 0;
    case Action::usage_error:
      std::cerr << parsed.text << "\n";
      return parsed.exit_code;
    case Action::start_session:
      break;
  }
  const auto& request = parsed.request;
  if (!request.response_from_env) scrub_argument(argv[1]);
  SSM_LOG(info, "starting session " + request.session_id + " target=" + request.target + " region=" + request.region +
                    " profile=" + request.profile + " endpoint=" + request.ssm_endpoint +
                    (request.legacy_cli ? " (legacy CLI form)" : ""));
  const int status = ssm::session::run_session(to_spec(request));
  SSM_LOG(info, "session " + request.session_id + " ended with status " + std::to_string(status));
  return status;
}
