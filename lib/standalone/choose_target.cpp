#include "standalone/choose_target.h"

#include <optional>

#include "aws/shared_config.h"
#include "log/log.h"
#include "session/console.h"
#include "standalone/node_table.h"
#include "standalone/run_to_end.h"
#include "standalone/target_cache.h"
#include "standalone/target_resolver.h"

namespace ssm::standalone {
namespace {

void say(const std::string& line) { session::print_err("session-manager-plugin: " + line + "\n"); }

constexpr const char* kUnfinished = "the node lookup did not finish";

TargetChoice pick_any(boost::asio::io_context& io, const aws::SsmClient& ssm) {
  if (!can_ask_on_terminal()) {
    say("--target is required (or run on a terminal to pick a node)");
    return {{}, kExitAmbiguousTarget};
  }
  const aws::NodeListing online = run_to_end(
      io,
      [&](auto done) { aws::async_list_managed_nodes(io.get_executor(), ssm, {online_nodes()}, true, std::move(done)); },
      aws::NodeListing{false, {}, kUnfinished, false, {}});
  if (!online.ok) {
    say(online.error);
    return {{}, kExitNoTarget};
  }
  if (online.nodes.empty()) {
    say("no managed node is online in " + ssm.settings().region);
    return {{}, kExitNoTarget};
  }
  const auto pick = ask_pick(online.nodes, "Online managed nodes in " + ssm.settings().region + ":");
  if (!pick) return {{}, kExitAmbiguousTarget};
  return {online.nodes[*pick].id, 0};
}

}  // namespace

TargetChoice choose_target(boost::asio::io_context& io, const cli::StandaloneCommand& command, const aws::SsmClient& ssm) {
  if (command.target.empty()) return pick_any(io, ssm);
  const TargetQuery query = classify_target(command.target);
  if (query.kind == TargetKind::node_id || query.kind == TargetKind::ecs) return {command.target, 0};

  // The profile as resolved (AWS_PROFILE counts): another account may have another web-1.
  const TargetCache cache(ssm.settings().env, ssm.settings().region + "|" +
                                                  aws::active_profile_name(command.profile, ssm.settings().env) + "|" +
                                                  ssm.endpoint_url());
  const auto now = std::chrono::system_clock::now();
  if (auto cached = cache.find(command.target, now)) {
    SSM_LOG(debug, command.target + " is " + *cached + " (cached)");
    return {*cached, 0};
  }
  TargetResolution found = run_to_end(
      io, [&](auto done) { async_resolve_target(io.get_executor(), ssm, query, std::move(done)); },
      TargetResolution{{}, kUnfinished, false});
  if (!found.error.empty()) {
    // Allowed to start sessions but not to describe nodes: the ID still works.
    say(found.error + (found.access_denied ? " (a node ID needs no lookup)" : ""));
    return {{}, kExitNoTarget};
  }
  if (found.matches.size() == 1) {
    SSM_LOG(debug, command.target + " is " + found.matches.front().id);
    cache.store(command.target, found.matches.front().id, now);
    return {found.matches.front().id, 0};
  }
  if (command.pick_first) return {found.matches.front().id, 0};
  const std::string question =
      command.target + " matches " + std::to_string(found.matches.size()) + " online managed nodes:";
  if (can_ask_on_terminal()) {
    const auto pick = ask_pick(found.matches, question);
    if (!pick) return {{}, kExitAmbiguousTarget};
    return {found.matches[*pick].id, 0};
  }
  say(question.substr(0, question.size() - 1) + "; give one of their IDs, or --pick first");
  session::print_err(node_table(found.matches, false, false));
  return {{}, kExitAmbiguousTarget};
}

}  // namespace ssm::standalone
