#include "endpoint/ecs_stand_in.h"
#include "wire/json_fields.h"

#include <cstdio>
#include <functional>

namespace ssm::endpoint {
namespace {

constexpr std::string_view kArnPrefix = "arn:aws:ecs:us-east-1:123456789012:";
constexpr std::string_view kDefaultContainer = "app";

// A cluster or task given as a name, an ID or an ARN: its last path segment.
std::string last_segment(const std::string& s) { return s.substr(s.rfind('/') + 1); }

std::string task_arn(const std::string& cluster, const std::string& task) {
  return std::string(kArnPrefix) + "task/" + cluster + "/" + task;
}

}  // namespace

std::string EcsStandIn::runtime_id(const std::string& task, const std::string& container) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%010u", static_cast<unsigned>(std::hash<std::string>{}(task + "/" + container) % 4'000'000'000u));
  return task + "-" + digits;
}

ApiResponse EcsStandIn::call(std::string_view action, const wire::Json& request) {
  if (action == "ExecuteCommand") return execute_command(request);
  if (action == "DescribeTasks") return describe_tasks(request);
  return api_error("UnknownOperationException", "unsupported operation '" + std::string(action) + "'");
}

ApiResponse EcsStandIn::execute_command(const wire::Json& request) {
  const std::string cluster = last_segment(wire::string_member(request, "cluster"));
  const std::string task = last_segment(wire::string_member(request, "task"));
  const std::string command = wire::string_member(request, "command");
  std::string container = wire::string_member(request, "container");
  if (container.empty()) container = kDefaultContainer;
  if (task.empty() || command.empty())
    return api_error("InvalidParameterException", "task and command are required");
  if (const auto it = request.find("interactive"); it == request.end() || !it->is_boolean() || !it->get<bool>())
    return api_error("InvalidParameterException", "Interactive is the only mode supported currently.");
  const std::string cluster_name = cluster.empty() ? "default" : cluster;
  if (container != kDefaultContainer) containers_[task].insert(container);
  const std::string target = "ecs:" + cluster_name + "_" + task + "_" + runtime_id(task, container);
  wire::Json parameters = {{"command", wire::Json::array({command})}};
  // ECS names its sessions ecs-execute-command-…, not after the target.
  SessionRecord& r = registry_.start(target, "AWS-StartInteractiveCommand", std::move(parameters), "ecs-execute-command");
  out_.event("ecs execute-command session=" + r.id + " target=" + target);
  const wire::Json answer = {
      {"clusterArn", std::string(kArnPrefix) + "cluster/" + cluster_name},
      {"containerArn", std::string(kArnPrefix) + "container/" + cluster_name + "/" + task + "/" + container},
      {"containerName", container},
      {"interactive", true},
      {"session", {{"sessionId", r.id}, {"streamUrl", stream_url_(r.id)}, {"tokenValue", r.token}}},
      {"taskArn", task_arn(cluster_name, task)}};
  return {200, answer.dump(), {}};
}

ApiResponse EcsStandIn::describe_tasks(const wire::Json& request) {
  std::string cluster = last_segment(wire::string_member(request, "cluster"));
  if (cluster.empty()) cluster = "default";
  const auto tasks = request.find("tasks");
  if (tasks == request.end() || !tasks->is_array() || tasks->empty())
    return api_error("InvalidParameterException", "Tasks cannot be empty.");
  wire::Json described = wire::Json::array();
  for (const auto& t : *tasks) {
    if (!t.is_string()) return api_error("InvalidParameterException", "tasks must be strings");
    const std::string task = last_segment(t.get<std::string>());
    std::set<std::string> names = {std::string(kDefaultContainer)};
    if (const auto it = containers_.find(task); it != containers_.end()) names.insert(it->second.begin(), it->second.end());
    wire::Json containers = wire::Json::array();
    for (const std::string& name : names)
      containers.push_back({{"name", name},
                            {"runtimeId", runtime_id(task, name)},
                            {"lastStatus", "RUNNING"},
                            {"managedAgents", wire::Json::array({{{"name", "ExecuteCommandAgent"}, {"lastStatus", "RUNNING"}}})}});
    described.push_back({{"taskArn", task_arn(cluster, task)},
                         {"clusterArn", std::string(kArnPrefix) + "cluster/" + cluster},
                         {"lastStatus", "RUNNING"},
                         {"enableExecuteCommand", true},
                         {"containers", containers}});
  }
  return {200, wire::Json{{"tasks", described}, {"failures", wire::Json::array()}}.dump(), {}};
}

}  // namespace ssm::endpoint
