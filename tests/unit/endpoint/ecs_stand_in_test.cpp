// The ECS stand-in as `aws ecs execute-command` uses it: ExecuteCommand starts a session of its
// own (an interactive command, named as ECS names its sessions) and answers with it;
// DescribeTasks gives the runtime ID from which the AWS CLI builds the plugin's target, so it
// must be the one the session's target was made with; names or ARNs, the same task.
#include "endpoint/ecs_stand_in.h"

#include <gtest/gtest.h>

#include <sstream>

namespace ssm::endpoint {
namespace {

using Json = wire::Json;

constexpr const char* kClusterArn = "arn:aws:ecs:us-east-1:123456789012:cluster/prod";
constexpr const char* kTaskArn = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef";
constexpr const char* kTask = "0123456789abcdef0123456789abcdef";

class EcsStandInTest : public ::testing::Test {
 protected:
  ApiResponse call(std::string_view action, const std::string& request) {
    return ecs.call(action, Json::parse(request));
  }
  // The session an ExecuteCommand answer names, from the registry.
  SessionRecord* session_of(const ApiResponse& r) {
    const Json j = Json::parse(r.body);
    return registry.find(j.at("session").at("sessionId").get<std::string>());
  }
  // The target the AWS CLI builds (awscli/customizations/ecs/executecommand.py): DescribeTasks
  // for the cluster and task, the runtime ID of the container with ExecuteCommand's
  // containerName; "None" when there is no such container, as Python would format it.
  std::string cli_target(const std::string& cluster, const std::string& task, const std::string& container = "app") {
    const ApiResponse r = call("DescribeTasks", Json{{"cluster", cluster}, {"tasks", {task}}}.dump());
    EXPECT_EQ(r.status, 200u) << r.body;
    const Json j = Json::parse(r.body);
    const std::string arn = j["tasks"][0]["taskArn"].get<std::string>();
    const std::string cluster_arn = j["tasks"][0]["clusterArn"].get<std::string>();
    std::string runtime_id = "None";
    for (const auto& c : j["tasks"][0]["containers"])
      if (c["name"] == container) runtime_id = c["runtimeId"].get<std::string>();
    return "ecs:" + cluster_arn.substr(cluster_arn.rfind('/') + 1) + "_" + arn.substr(arn.rfind('/') + 1) + "_" + runtime_id;
  }
  std::string lines() const { return events.str(); }

  SessionRegistry registry;
  std::ostringstream events, errors;
  Diagnostics out{events, errors, false};
  EcsStandIn ecs{registry, out, [](const std::string& id) { return "wss://127.0.0.1:4566/v1/data-channel/" + id; }};
};

TEST_F(EcsStandInTest, ExecuteCommandStartsAnInteractiveCommandSession) {
  const ApiResponse r =
      call("ExecuteCommand", R"({"cluster":"prod","task":"0123456789abcdef0123456789abcdef","command":"/bin/sh -l","interactive":true})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.content_type, kJsonContentType);
  ASSERT_EQ(registry.all().size(), 1u);
  const SessionRecord* s = session_of(r);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->id.rfind("ecs-execute-command-", 0), 0u) << s->id;
  EXPECT_GT(s->id.size(), std::string("ecs-execute-command-").size());
  EXPECT_EQ(s->document, "AWS-StartInteractiveCommand");
  EXPECT_EQ(s->parameters, Json::parse(R"({"command":["/bin/sh -l"]})"));
  EXPECT_EQ(s->target, "ecs:prod_" + std::string(kTask) + "_" + EcsStandIn::runtime_id(kTask, "app"));
  EXPECT_TRUE(s->live());

  const Json j = Json::parse(r.body);
  EXPECT_EQ(j["session"]["tokenValue"], s->token);
  EXPECT_EQ(j["session"]["streamUrl"], "wss://127.0.0.1:4566/v1/data-channel/" + s->id);
  EXPECT_EQ(j["interactive"], true);
  EXPECT_EQ(j["containerName"], "app");
  EXPECT_EQ(j["clusterArn"], kClusterArn);
  EXPECT_EQ(j["taskArn"], kTaskArn);
  EXPECT_EQ(lines(), "ecs execute-command session=" + s->id + " target=" + s->target + "\n");
}

TEST_F(EcsStandInTest, TheTargetIsTheOneTheCliBuildsFromDescribeTasks) {
  const ApiResponse r = call("ExecuteCommand", Json{{"cluster", "prod"}, {"task", kTask}, {"command", "ls"},
                                                    {"interactive", true}}.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(session_of(r)->target, cli_target("prod", kTask));
  EXPECT_EQ(session_of(r)->target, cli_target(kClusterArn, kTaskArn));
}

TEST_F(EcsStandInTest, ArnsAreReducedToTheirLastSegment) {
  const ApiResponse by_arn = call("ExecuteCommand", Json{{"cluster", kClusterArn}, {"task", kTaskArn}, {"command", "ls"},
                                                         {"interactive", true}}.dump());
  const ApiResponse by_name = call("ExecuteCommand", Json{{"cluster", "prod"}, {"task", kTask}, {"command", "ls"},
                                                          {"interactive", true}}.dump());
  ASSERT_EQ(by_arn.status, 200u) << by_arn.body;
  ASSERT_EQ(by_name.status, 200u) << by_name.body;
  EXPECT_EQ(session_of(by_arn)->target, session_of(by_name)->target);
  EXPECT_NE(session_of(by_arn)->id, session_of(by_name)->id);
  EXPECT_EQ(Json::parse(by_arn.body)["taskArn"], kTaskArn);
  EXPECT_EQ(Json::parse(by_arn.body)["clusterArn"], kClusterArn);

  const Json tasks = Json::parse(call("DescribeTasks", Json{{"cluster", kClusterArn}, {"tasks", {kTaskArn}}}.dump()).body);
  EXPECT_EQ(tasks["tasks"][0]["taskArn"], kTaskArn);
  EXPECT_EQ(tasks["tasks"][0]["clusterArn"], kClusterArn);
}

TEST_F(EcsStandInTest, NoClusterIsTheDefaultOne) {
  const ApiResponse r = call("ExecuteCommand", Json{{"task", kTask}, {"command", "ls"}, {"interactive", true}}.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(session_of(r)->target.rfind("ecs:default_" + std::string(kTask) + "_", 0), 0u) << session_of(r)->target;
  EXPECT_EQ(session_of(r)->target, cli_target("", kTask));
}

TEST_F(EcsStandInTest, ANamedContainerHasItsOwnRuntimeId) {
  const ApiResponse r = call("ExecuteCommand", Json{{"cluster", "prod"}, {"task", kTask}, {"container", "sidecar"},
                                                    {"command", "ls"}, {"interactive", true}}.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Json::parse(r.body)["containerName"], "sidecar");
  EXPECT_EQ(session_of(r)->target, "ecs:prod_" + std::string(kTask) + "_" + EcsStandIn::runtime_id(kTask, "sidecar"));
}

// After `aws ecs execute-command --container sidecar` the AWS CLI looks up that container's
// runtime ID in DescribeTasks: it must be listed, or the CLI passes ecs:prod_<task>_None.
TEST_F(EcsStandInTest, DescribeTasksListsANamedContainerForTheCli) {
  const ApiResponse r = call("ExecuteCommand", Json{{"cluster", "prod"}, {"task", kTask}, {"container", "sidecar"},
                                                    {"command", "ls"}, {"interactive", true}}.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(session_of(r)->target, cli_target("prod", kTask, "sidecar"));
}

TEST(EcsRuntimeId, TheTaskAndTenDigitsTheSameEveryTime) {
  const std::string id = EcsStandIn::runtime_id("abc", "app");
  EXPECT_EQ(id, EcsStandIn::runtime_id("abc", "app"));
  ASSERT_EQ(id.size(), std::string("abc-").size() + 10) << id;
  EXPECT_EQ(id.rfind("abc-", 0), 0u) << id;
  EXPECT_EQ(id.find_first_not_of("0123456789", 4), std::string::npos) << id;
  EXPECT_NE(EcsStandIn::runtime_id("abc", "app"), EcsStandIn::runtime_id("abd", "app"));
}

TEST_F(EcsStandInTest, OnlyInteractiveCommandsAreSupported) {
  for (const char* bad : {R"({"task":"t1","command":"ls","interactive":false})", R"({"task":"t1","command":"ls"})",
                          R"({"task":"t1","command":"ls","interactive":"true"})",
                          R"({"task":"t1","command":"ls","interactive":null})"}) {
    const ApiResponse r = call("ExecuteCommand", bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(r.error_type, "InvalidParameterException") << bad;
    EXPECT_EQ(Json::parse(r.body).value("message", ""), "Interactive is the only mode supported currently.") << bad;
  }
  EXPECT_TRUE(registry.all().empty()) << "no session for a refused call";
  EXPECT_EQ(lines(), "");
}

TEST_F(EcsStandInTest, TaskAndCommandAreRequired) {
  for (const char* bad : {R"({"command":"ls","interactive":true})", R"({"task":"","command":"ls","interactive":true})",
                          R"({"task":"t1","interactive":true})", R"({"task":"t1","command":["ls"],"interactive":true})"}) {
    const ApiResponse r = call("ExecuteCommand", bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(r.error_type, "InvalidParameterException") << bad;
  }
  EXPECT_TRUE(registry.all().empty());
}

TEST_F(EcsStandInTest, DescribeTasksOneEntryPerTaskWithARunningAgent) {
  const ApiResponse r = call("DescribeTasks", R"({"cluster":"prod","tasks":["t1","arn:aws:ecs:us-east-1:123456789012:task/prod/t2"]})");
  ASSERT_EQ(r.status, 200u) << r.body;
  const Json j = Json::parse(r.body);
  ASSERT_EQ(j["tasks"].size(), 2u);
  EXPECT_EQ(j["failures"], Json::array());
  EXPECT_EQ(j["tasks"][0]["containers"][0]["runtimeId"], EcsStandIn::runtime_id("t1", "app"));
  EXPECT_EQ(j["tasks"][1]["containers"][0]["runtimeId"], EcsStandIn::runtime_id("t2", "app"));
  EXPECT_EQ(j["tasks"][1]["taskArn"], "arn:aws:ecs:us-east-1:123456789012:task/prod/t2");
  EXPECT_EQ(j["tasks"][0]["enableExecuteCommand"], true);
  EXPECT_EQ(j["tasks"][0]["containers"][0]["managedAgents"][0]["name"], "ExecuteCommandAgent");
  EXPECT_EQ(j["tasks"][0]["containers"][0]["managedAgents"][0]["lastStatus"], "RUNNING");
}

TEST_F(EcsStandInTest, DescribeTasksNeedsTasks) {
  for (const char* bad : {R"({"cluster":"prod"})", R"({"tasks":[]})", R"({"tasks":"t1"})", R"({"tasks":[1]})"}) {
    const ApiResponse r = call("DescribeTasks", bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(r.error_type, "InvalidParameterException") << bad;
  }
}

TEST_F(EcsStandInTest, AnyOtherActionIsUnknown) {
  for (const char* action : {"ListTasks", "", "executecommand"}) {
    const ApiResponse r = call(action, "{}");
    EXPECT_EQ(r.status, 400u) << action;
    EXPECT_EQ(r.error_type, "UnknownOperationException") << action;
  }
  EXPECT_TRUE(registry.all().empty());
}

}  // namespace
}  // namespace ssm::endpoint
