#include "standalone/list_nodes.h"

#include <algorithm>

#include "base/text.h"
#include "session/console.h"
#include "standalone/node_table.h"
#include "standalone/run_to_end.h"
#include "standalone/target_resolver.h"

namespace ssm::standalone {

int run_list(boost::asio::io_context& io, const cli::StandaloneCommand& command, const aws::SsmClient& ssm) {
  std::vector<aws::NodeFilter> filters;
  const TargetQuery filter = classify_target(command.filter);
  if (filter.kind == TargetKind::tag) filters.push_back({"tag:" + filter.tag_key, {filter.tag_value}});

  aws::NodeListing listing = run_to_end(
      io, [&](auto done) { aws::async_list_managed_nodes(io.get_executor(), ssm, std::move(filters), true, std::move(done)); },
      aws::NodeListing{false, {}, "the listing did not finish", false, {}});
  if (!listing.ok) {
    session::print_err("session-manager-plugin: " + listing.error + "\n");
    return 255;
  }
  std::vector<aws::ManagedNode> nodes = std::move(listing.nodes);
  if (!command.filter.empty() && filter.kind != TargetKind::tag) {
    std::erase_if(nodes, [&](const aws::ManagedNode& n) {
      return !base::istarts_with(n.id, command.filter) && !base::istarts_with(n.name, command.filter) &&
             !base::istarts_with(n.computer_name, command.filter);
    });
  }
  if (!listing.names_unavailable.empty() && !command.quiet)
    session::print_err("session-manager-plugin: names left blank: " + listing.names_unavailable + "\n");
  if (command.json) session::print_out(nodes_json(nodes).dump(2) + "\n");
  else session::print_out(node_table(nodes, false, true));
  return 0;
}

}  // namespace ssm::standalone
