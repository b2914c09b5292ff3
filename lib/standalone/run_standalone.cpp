#include "standalone/run_standalone.h"

#include <algorithm>
#include <csignal>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "base/environment.h"
#include "log/log.h"
#include "session/console.h"
#include "session/run.h"
#include "standalone/choose_target.h"
#include "standalone/dynamic_forward.h"
#include "standalone/list_nodes.h"
#include "standalone/standalone_session.h"

namespace ssm::standalone {

namespace {

// The AWS CLI exits 253 (v2) when no region can be found; ours is a usage problem.
constexpr int kExitNoRegion = 2;

session::SessionSpec base_spec(const cli::StandaloneCommand& c, const std::string& region) {
  session::SessionSpec spec;
  spec.client_version = SSM_PROTOCOL_VERSION;
  spec.region = region;
  spec.profile = c.profile;
  spec.ssm_endpoint = c.endpoint_url;
  spec.quiet = c.quiet;
  session::apply_environment(spec, base::Environment::process().get);
  return spec;
}

}  // namespace

int run_standalone(const cli::StandaloneCommand& given) {
  cli::StandaloneCommand command = given;
  const std::string region = aws::resolve_region(command.region, command.profile, base::Environment::process().get);
  if (region.empty()) {
    session::print_err(
        "session-manager-plugin: no AWS Region: use --region, AWS_REGION or a profile's region\n");
    return kExitNoRegion;
  }
  const session::SessionSpec base = base_spec(command, region);

  boost::asio::io_context io(1);
  auto credentials = std::make_shared<aws::CredentialProvider>(
      io.get_executor(),
      aws::CredentialOptions{.profile = command.profile, .ca_bundle = base.ca_bundle, .region = region});
  const aws::SsmClient ssm(io.get_executor(), aws::ServiceSettings{region, base.ssm_endpoint, base.ca_bundle}, credentials);
  if (command.subcommand == cli::Subcommand::list) return run_list(io, command, ssm);
  // Names become IDs before anything else happens (the credentials found stay cached).
  const TargetChoice target = choose_target(io, command, ssm);
  if (target.node_id.empty()) return target.exit_code;
  command.target = target.node_id;

  std::vector<std::unique_ptr<StandaloneSession>> sessions;
  for (cli::StartSessionRequest& request : cli::session_requests(command))
    sessions.push_back(std::make_unique<StandaloneSession>(io.get_executor(), base, std::move(request), credentials));
  std::vector<std::unique_ptr<DynamicForward>> proxies;
  for (const cli::DynamicSpec& where : command.dynamic_forwards)
    proxies.push_back(
        std::make_unique<DynamicForward>(io.get_executor(), base, where, command.target, command.reason, credentials,
                                         DynamicForward::Limits{command.idle_session, command.max_sessions}));

  boost::asio::post(io, [&] {
    // Every listener is bound before any StartSession: a busy port starts no session at all.
    bool ready = std::all_of(sessions.begin(), sessions.end(), [](const auto& s) { return s->prepare(); });
    for (auto& p : proxies) {
      if (!ready) break;
      if (const std::string problem = p->bind(); !problem.empty()) {
        session::print_err("session-manager-plugin: " + problem + "\n");
        ready = false;
      }
    }
    for (auto& s : sessions) ready ? s->start() : s->abandon();
    for (auto& p : proxies) ready ? p->start() : p->abandon();
  });
  const auto all_done = [&] {
    return std::all_of(sessions.begin(), sessions.end(), [](const auto& s) { return s->done(); }) &&
           std::all_of(proxies.begin(), proxies.end(), [](const auto& p) { return p->done(); });
  };
  session::run_until_finished(
      io,
      [&](int signo) {
        for (auto& s : sessions)
          if (!s->done()) s->on_signal(signo);
        for (auto& p : proxies)
          if (!p->done()) p->on_signal(signo);
      },
      all_done);

  for (const auto& s : sessions)
    if (s->exit_code() != 0) return s->exit_code();
  for (const auto& p : proxies)
    if (p->exit_code() != 0) return p->exit_code();
  return 0;
}

int run_restarting(session::SessionSpec spec, const cli::SessionRequest& request) {
  if (spec.region.empty()) spec.region = aws::resolve_region("", spec.profile, base::Environment::process().get);
  cli::StartSessionRequest again;
  again.target = request.target;
  again.document_name = request.document_name;
  if (request.parameters.is_object()) again.parameters = request.parameters;
  again.restart = true;

  boost::asio::io_context io(1);
  auto credentials = std::make_shared<aws::CredentialProvider>(
      io.get_executor(), aws::CredentialOptions{.profile = spec.profile, .ca_bundle = spec.ca_bundle, .region = spec.region});
  StandaloneSession forward(io.get_executor(), std::move(spec), std::move(again), credentials);
  boost::asio::post(io, [&] {
    if (forward.prepare()) forward.start_started();
  });
  session::run_until_finished(io, [&](int signo) { forward.on_signal(signo); }, [&] { return forward.done(); });
  return forward.exit_code();
}

}  // namespace ssm::standalone
