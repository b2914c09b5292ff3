// lib/endpoint — the endpoint's ECS stand-in, for `aws ecs execute-command`: ExecuteCommand
// starts a session of its own (an interactive command: the command runs on a pty, as ECS Exec
// runs it in the container) and answers with it as ECS does; DescribeTasks answers with the
// container's runtime ID, which the AWS CLI puts in the plugin's target
// (ecs:<cluster>_<task>_<runtime-id>). JSON 1.1, X-Amz-Target AmazonEC2ContainerServiceV20141113.*.
// Any cluster and task exist; the container is "app" unless the call names another, which
// DescribeTasks then lists as well.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include "endpoint/api_types.h"
#include "endpoint/diagnostics.h"
#include "endpoint/session_registry.h"

namespace ssm::endpoint {

inline constexpr std::string_view kEcsTargetPrefix = "AmazonEC2ContainerServiceV20141113.";

class EcsStandIn {
 public:
  using StreamUrl = std::function<std::string(const std::string& session_id)>;
  EcsStandIn(SessionRegistry& registry, const Diagnostics& out, StreamUrl stream_url)
      : registry_(registry), out_(out), stream_url_(std::move(stream_url)) {}

  // `action`: what follows kEcsTargetPrefix.
  ApiResponse call(std::string_view action, const wire::Json& request);

  // The container's runtime ID, the same for every call about it.
  static std::string runtime_id(const std::string& task, const std::string& container);

 private:
  ApiResponse execute_command(const wire::Json& request);
  ApiResponse describe_tasks(const wire::Json& request);

  SessionRegistry& registry_;
  const Diagnostics& out_;
  StreamUrl stream_url_;
  // task → the containers ExecuteCommand named besides "app", which DescribeTasks lists too
  std::map<std::string, std::set<std::string>> containers_;
};

}  // namespace ssm::endpoint
