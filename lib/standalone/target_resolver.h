// lib/standalone — which managed node a target names, so that `ssh web-1` works like
// `ssh i-0123…`. A target is taken as:
//   i-… / mi-… (an instance or managed-node ID)   as it is, no call made
//   ecs:<cluster>_<task>_<runtime-id>              as it is (ECS Exec)
//   tag:KEY=VALUE                                  online nodes with that tag
//   anything else, a name                          online nodes whose Name tag it is; if none,
//                                                  whose computer name (or its first label) or
//                                                  IP address it is
// through ssm:DescribeInstanceInformation (managed_nodes.h). Only online nodes count. The
// answer is one node, several (the caller lists them or asks), or one line saying what was
// searched.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/managed_nodes.h"

namespace ssm::standalone {

enum class TargetKind { node_id, ecs, tag, name };

struct TargetQuery {
  TargetKind kind = TargetKind::name;
  std::string text;               // as given
  std::string tag_key, tag_value;  // tag:KEY=VALUE
};
TargetQuery classify_target(const std::string& text);
// i-/mi- and 8 or 17 hex digits.
bool is_node_id(std::string_view text);

struct TargetResolution {
  std::vector<aws::ManagedNode> matches;  // one: the node; several: the caller picks
  std::string error;                      // the lookup failed or found nothing: one line
  bool access_denied = false;             // the caller may not describe nodes at all
};

// `query` must be a tag or a name. `done` runs once, on `ex`.
void async_resolve_target(boost::asio::any_io_executor ex, aws::SsmClient ssm, TargetQuery query,
                          std::function<void(TargetResolution)> done);

// The filter for online nodes, which every lookup and the pick list use.
aws::NodeFilter online_nodes();

}  // namespace ssm::standalone
