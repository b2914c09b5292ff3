// lib/endpoint — the managed nodes the endpoint pretends to have (--node), and the two calls
// that describe them: SSM's DescribeInstanceInformation (JSON 1.1: Filters, MaxResults 5–50,
// NextToken) and EC2's DescribeInstances (the Query protocol, an XML answer with each
// instance's tags), which --deny-describe-instances refuses as EC2 refuses a caller without
// ec2:DescribeInstances. StartSession to a known node that is not Online is refused with
// TargetNotConnected, as the service does; unknown targets are left to the caller.
//
// A node on the command line: id,name,ip,platform,status[,Key=Value...] — its Name tag, its
// private IP (the computer name EC2 gives it, ip-10-0-0-5.ec2.internal, follows from it), its
// platform type (Linux, Windows, MacOS), its ping status (Online, ConnectionLost, Inactive)
// and more tags. mi-… nodes are hybrid managed instances: the name is their own Name field.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "endpoint/api_types.h"
#include "endpoint/diagnostics.h"
#include "wire/payloads.h"

namespace ssm::endpoint {

struct FakeNode {
  std::string id, name, ip, platform, ping_status;
  std::map<std::string, std::string> tags;  // Name included (unless empty)

  std::string computer_name() const;
  bool ec2() const { return id.rfind("i-", 0) == 0; }
};

// nullopt when the text is not id,name,ip,platform,status[,Key=Value...].
std::optional<FakeNode> parse_node_spec(std::string_view text);

class NodeDirectory {
 public:
  NodeDirectory(std::vector<FakeNode> nodes, bool describe_instances_allowed, std::string agent_version)
      : nodes_(std::move(nodes)),
        describe_instances_allowed_(describe_instances_allowed),
        agent_version_(std::move(agent_version)) {}

  ApiResponse describe_instance_information(const wire::Json& request, const Diagnostics& out) const;
  ApiResponse describe_instances(const QueryForm& form, const Diagnostics& out) const;
  // TargetNotConnected for a known node that is not Online; nullopt otherwise.
  std::optional<ApiResponse> refuse_start(const std::string& target) const;

  static constexpr std::size_t kMinResults = 5, kMaxResults = 50, kDefaultResults = 10;

 private:
  std::vector<FakeNode> nodes_;
  bool describe_instances_allowed_;
  std::string agent_version_;
};

}  // namespace ssm::endpoint
