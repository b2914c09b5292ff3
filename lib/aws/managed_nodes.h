// lib/aws — the managed nodes an account has: SSM's DescribeInstanceInformation, every page of
// it, and the Name tags of EC2 instances from EC2's DescribeInstances (Query protocol, signed
// for ec2; AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, else the regional endpoint). Hybrid nodes
// (mi-…) carry their own name. A caller allowed to describe nodes but not EC2 instances still
// gets its nodes: their names are then blank, and why is said once, not as a failure.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/ssm_client.h"

namespace ssm::aws {

struct ManagedNode {
  std::string id, name, computer_name, ip, platform, agent_version, ping_status;
};

// One DescribeInstanceInformation filter: Key ("tag:Name", "PingStatus", ...) and the values
// any of which may match. Several filters must all match.
struct NodeFilter {
  std::string key;
  std::vector<std::string> values;
};

// The request body for one page (the largest the API allows).
std::string describe_instance_information_body(const std::vector<NodeFilter>& filters, const std::string& next_token);
inline constexpr int kNodesPerPage = 50;

struct NodePage {
  std::vector<ManagedNode> nodes;
  std::string next_token;  // "" on the last page
};
std::optional<NodePage> parse_instance_information(const std::string& body, std::string& error);

// instance ID -> Name tag, from a DescribeInstances answer.
std::map<std::string, std::string> parse_instance_name_tags(const std::string& xml);

struct NodeListing {
  bool ok = false;
  std::vector<ManagedNode> nodes;  // in the service's order, every page
  std::string error;               // one line when !ok
  bool access_denied = false;      // !ok because the caller may not describe nodes (AccessDenied…)
  std::string names_unavailable;   // the Name tags could not be read: why (nodes are still ok)
};

// Every node matching `filters`, all pages (at most kMaxPages). With `with_ec2_names`, the
// Name tags of EC2 instances are added from DescribeInstances.
void async_list_managed_nodes(boost::asio::any_io_executor ex, SsmClient ssm, std::vector<NodeFilter> filters,
                              bool with_ec2_names, std::function<void(NodeListing)> done);
inline constexpr int kMaxPages = 200;
// EC2 DescribeInstances takes this many instance IDs per call.
inline constexpr std::size_t kInstancesPerCall = 100;

}  // namespace ssm::aws
