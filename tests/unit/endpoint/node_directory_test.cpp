// The endpoint's fake managed nodes: --node specs, DescribeInstanceInformation as SSM answers
// it (filters ANDed, values ORed, pages of 5 to 50 with a token, SSM's refusals of a bad page
// size, token or filter key), EC2 DescribeInstances (tags the plugin's parser reads back,
// EC2's errors, the refusal --deny-describe-instances asks for) and StartSession refused for
// a node that is not Online. Each call's event line is what e2e tests count on.
#include "endpoint/node_directory.h"

#include <gtest/gtest.h>

#include <sstream>

#include "aws/managed_nodes.h"
#include "aws/query_protocol.h"

namespace ssm::endpoint {
namespace {

using Json = wire::Json;

FakeNode node(const std::string& spec) {
  auto n = parse_node_spec(spec);
  EXPECT_TRUE(n) << spec;
  return n.value_or(FakeNode{});
}

TEST(ParseNodeSpec, Ec2Instance) {
  const auto n = parse_node_spec("i-0123456789abcdef0,web-1,10.0.0.5,Linux,Online");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->id, "i-0123456789abcdef0");
  EXPECT_EQ(n->name, "web-1");
  EXPECT_EQ(n->ip, "10.0.0.5");
  EXPECT_EQ(n->platform, "Linux");
  EXPECT_EQ(n->ping_status, "Online");
  EXPECT_EQ(n->tags, (std::map<std::string, std::string>{{"Name", "web-1"}}));
  EXPECT_TRUE(n->ec2());
  EXPECT_EQ(n->computer_name(), "ip-10-0-0-5.ec2.internal");
}

TEST(ParseNodeSpec, HybridNodeWithMoreTags) {
  const auto n = parse_node_spec("mi-0123456789abcdef0,build,192.168.1.9,Windows,ConnectionLost,Role=ci,Query=a=b,Empty=");
  ASSERT_TRUE(n);
  EXPECT_FALSE(n->ec2());
  EXPECT_EQ(n->ping_status, "ConnectionLost");
  EXPECT_EQ(n->computer_name(), "build.corp.example");
  EXPECT_EQ(n->tags, (std::map<std::string, std::string>{{"Name", "build"}, {"Role", "ci"}, {"Query", "a=b"}, {"Empty", ""}}));
}

TEST(ParseNodeSpec, NoNameNoNameTag) {
  const auto n = parse_node_spec("i-0aaaaaaaaaaaaaaaa,,10.0.0.7,MacOS,Inactive,Role=db");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->name, "");
  EXPECT_EQ(n->tags, (std::map<std::string, std::string>{{"Role", "db"}}));
}

TEST(ParseNodeSpec, RejectsMalformedSpecs) {
  for (const char* bad : {"", "i-1", "i-1,web,10.0.0.5,Linux", "x-1,web,10.0.0.5,Linux,Online",
                          "web,i-1,10.0.0.5,Linux,Online", "i-1,web,10.0.0.5,BeOS,Online", "i-1,web,10.0.0.5,linux,Online",
                          "i-1,web,10.0.0.5,Linux,Sleeping", "i-1,web,10.0.0.5,Linux,online", "i-1,web,,Linux,Online",
                          "i-1,web,10.0.0.5,Linux,Online,Role", "i-1,web,10.0.0.5,Linux,Online,=x",
                          "i-1,web,10.0.0.5,Linux,Online,Role=a,"})
    EXPECT_FALSE(parse_node_spec(bad)) << bad;
}

class NodeDirectoryTest : public ::testing::Test {
 protected:
  NodeDirectory directory(bool allowed = true) const {
    return NodeDirectory({node("i-0aaaaaaaaaaaaaaaa,web-1,10.0.0.1,Linux,Online,Role=web"),
                          node("i-0bbbbbbbbbbbbbbbb,web-2,10.0.0.2,Linux,Online,Role=web"),
                          node("i-0cccccccccccccccc,db-1,10.0.0.3,Linux,ConnectionLost,Role=db"),
                          node("mi-0dddddddddddddddd,build,192.168.1.9,Windows,Online,Role=ci"),
                          node("i-0eeeeeeeeeeeeeeee,r&d <lab>,10.0.0.5,Linux,Inactive")},
                         allowed, "3.3.40.0");
  }
  ApiResponse describe(const NodeDirectory& d, const std::string& request) const {
    return d.describe_instance_information(Json::parse(request), out);
  }
  // The instance IDs of a DescribeInstanceInformation answer, in its order.
  static std::vector<std::string> ids(const ApiResponse& r) {
    const Json body = Json::parse(r.body);
    std::vector<std::string> out;
    for (const auto& n : body.at("InstanceInformationList")) out.push_back(n.at("InstanceId").get<std::string>());
    return out;
  }
  static std::string error_type(const ApiResponse& r) {
    const auto j = Json::parse(r.body, nullptr, false);
    return j.is_object() ? j.value("__type", "") : "";
  }
  std::string lines() const { return events.str(); }

  std::ostringstream events, errors;
  Diagnostics out{events, errors, false};
};

TEST_F(NodeDirectoryTest, EveryNodeAsSsmDescribesIt) {
  const ApiResponse r = describe(directory(), "{}");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.content_type, kJsonContentType);
  EXPECT_EQ(ids(r), (std::vector<std::string>{"i-0aaaaaaaaaaaaaaaa", "i-0bbbbbbbbbbbbbbbb", "i-0cccccccccccccccc",
                                              "mi-0dddddddddddddddd", "i-0eeeeeeeeeeeeeeee"}));
  const Json list = Json::parse(r.body)["InstanceInformationList"];
  EXPECT_EQ(list[0]["PingStatus"], "Online");
  EXPECT_EQ(list[0]["PlatformType"], "Linux");
  EXPECT_EQ(list[0]["IPAddress"], "10.0.0.1");
  EXPECT_EQ(list[0]["ComputerName"], "ip-10-0-0-1.ec2.internal");
  EXPECT_EQ(list[0]["AgentVersion"], "3.3.40.0");
  EXPECT_EQ(list[0]["ResourceType"], "EC2Instance");
  EXPECT_FALSE(list[0].contains("Name")) << "SSM gives EC2 instances no Name: it is an EC2 tag";
  EXPECT_EQ(list[3]["Name"], "build");
  EXPECT_EQ(list[3]["ResourceType"], "ManagedInstance");
  EXPECT_FALSE(Json::parse(r.body).contains("NextToken"));
  EXPECT_EQ(lines(), "describe-instance-information filters=0 returned=5 more=no\n");
}

TEST_F(NodeDirectoryTest, TheAnswerIsWhatThePluginReads) {
  std::string error;
  const auto page = aws::parse_instance_information(describe(directory(), "{}").body, error);
  ASSERT_TRUE(page) << error;
  ASSERT_EQ(page->nodes.size(), 5u);
  EXPECT_EQ(page->nodes[3].name, "build");
  EXPECT_EQ(page->nodes[3].computer_name, "build.corp.example");
  EXPECT_EQ(page->nodes[2].ping_status, "ConnectionLost");
}

TEST_F(NodeDirectoryTest, NameTagFilter) {
  const ApiResponse r = describe(directory(), R"({"Filters":[{"Key":"tag:Name","Values":["web-1"]}]})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(ids(r), std::vector<std::string>{"i-0aaaaaaaaaaaaaaaa"});
  EXPECT_EQ(lines(), "describe-instance-information filters=1 returned=1 more=no\n");
}

TEST_F(NodeDirectoryTest, AnyOfAFiltersValues) {
  EXPECT_EQ(ids(describe(directory(), R"({"Filters":[{"Key":"tag:Role","Values":["web"]}]})")),
            (std::vector<std::string>{"i-0aaaaaaaaaaaaaaaa", "i-0bbbbbbbbbbbbbbbb"}));
  EXPECT_EQ(ids(describe(directory(), R"({"Filters":[{"Key":"tag:Role","Values":["db","ci"]}]})")),
            (std::vector<std::string>{"i-0cccccccccccccccc", "mi-0dddddddddddddddd"}));
  EXPECT_EQ(ids(describe(directory(), R"({"Filters":[{"Key":"tag:Role","Values":["nobody"]}]})")),
            std::vector<std::string>{});
  EXPECT_EQ(ids(describe(directory(), R"({"Filters":[{"Key":"tag:Missing","Values":["x"]}]})")),
            std::vector<std::string>{});
}

TEST_F(NodeDirectoryTest, PingStatusAndOtherKeys) {
  EXPECT_EQ(ids(describe(directory(), R"({"Filters":[{"Key":"PingStatus","Values":["ConnectionLost","Inactive"]}]})")),
            (std::vector<std::string>{"i-0cccccccccccccccc", "i-0eeeeeeeeeeeeeeee"}));
  EXPECT_EQ(ids(describe(directory(), R"({"Filters":[{"Key":"PlatformTypes","Values":["Windows"]}]})")),
            std::vector<std::string>{"mi-0dddddddddddddddd"});
  EXPECT_EQ(ids(describe(directory(), R"({"Filters":[{"Key":"ResourceType","Values":["ManagedInstance"]}]})")),
            std::vector<std::string>{"mi-0dddddddddddddddd"});
  EXPECT_EQ(ids(describe(directory(), R"({"Filters":[{"Key":"InstanceIds","Values":["i-0bbbbbbbbbbbbbbbb"]}]})")),
            std::vector<std::string>{"i-0bbbbbbbbbbbbbbbb"});
  EXPECT_EQ(ids(describe(directory(), R"({"Filters":[{"Key":"tag-key","Values":["Role"]}]})")).size(), 4u);
}

TEST_F(NodeDirectoryTest, SeveralFiltersMustAllMatch) {
  const ApiResponse r = describe(directory(), R"({"Filters":[{"Key":"tag:Role","Values":["web","db"]},
                                                             {"Key":"PingStatus","Values":["Online"]}]})");
  EXPECT_EQ(ids(r), (std::vector<std::string>{"i-0aaaaaaaaaaaaaaaa", "i-0bbbbbbbbbbbbbbbb"}));
  EXPECT_EQ(lines(), "describe-instance-information filters=2 returned=2 more=no\n");
}

TEST_F(NodeDirectoryTest, TheOlderFilterListToo) {
  const ApiResponse r =
      describe(directory(), R"({"InstanceInformationFilterList":[{"key":"PingStatus","valueSet":["ConnectionLost"]}]})");
  EXPECT_EQ(ids(r), std::vector<std::string>{"i-0cccccccccccccccc"});
}

// Every node reports the endpoint's agent version: a filter on it matches them all.
TEST_F(NodeDirectoryTest, AgentVersionFilterMatchesTheReportedVersion) {
  EXPECT_EQ(ids(describe(directory(), R"({"Filters":[{"Key":"AgentVersion","Values":["3.3.40.0"]}]})")).size(), 5u);
}

TEST_F(NodeDirectoryTest, PagesOfMaxResultsWithATokenForTheRest) {
  std::vector<FakeNode> nodes;
  for (int i = 0; i < 12; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "i-%017x", i);
    nodes.push_back(node(std::string(id) + ",n" + std::to_string(i) + ",10.0.1." + std::to_string(i) + ",Linux,Online"));
  }
  const NodeDirectory d(nodes, true, "3.3.40.0");
  std::vector<std::string> seen;
  std::vector<std::size_t> page_sizes;
  Json request = Json::parse(R"({"MaxResults":5,"Filters":[{"Key":"PingStatus","Values":["Online"]}]})");
  for (int call = 0; call < 4; ++call) {
    const ApiResponse r = d.describe_instance_information(request, out);
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto page = ids(r);
    page_sizes.push_back(page.size());
    seen.insert(seen.end(), page.begin(), page.end());
    const Json body = Json::parse(r.body);
    if (!body.contains("NextToken")) break;
    ASSERT_TRUE(body["NextToken"].is_string());
    request["NextToken"] = body["NextToken"];
  }
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{5, 5, 2}));
  ASSERT_EQ(seen.size(), nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) EXPECT_EQ(seen[i], nodes[i].id) << "each node once, in order";
  EXPECT_EQ(lines(),
            "describe-instance-information filters=1 returned=5 more=yes\n"
            "describe-instance-information filters=1 returned=5 more=yes\n"
            "describe-instance-information filters=1 returned=2 more=no\n");
}

TEST_F(NodeDirectoryTest, TenPerPageUnlessAsked) {
  std::vector<FakeNode> nodes(12, node("i-0aaaaaaaaaaaaaaaa,web,10.0.0.1,Linux,Online"));
  const NodeDirectory d(nodes, true, "3.3.40.0");
  const ApiResponse r = d.describe_instance_information(Json::object(), out);
  EXPECT_EQ(ids(r).size(), NodeDirectory::kDefaultResults);
  EXPECT_TRUE(Json::parse(r.body).contains("NextToken"));
  const ApiResponse all = d.describe_instance_information(Json::parse(R"({"MaxResults":50})"), out);
  EXPECT_EQ(ids(all).size(), 12u);
  EXPECT_FALSE(Json::parse(all.body).contains("NextToken"));
}

TEST_F(NodeDirectoryTest, MaxResultsOutsideFiveToFiftyIsRefused) {
  for (const char* bad : {R"({"MaxResults":4})", R"({"MaxResults":51})", R"({"MaxResults":0})", R"({"MaxResults":-5})",
                          R"({"MaxResults":"10"})", R"({"MaxResults":7.5})"}) {
    const ApiResponse r = describe(directory(), bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(r.error_type, "ValidationException") << bad;
    EXPECT_EQ(error_type(r), "ValidationException") << bad;
  }
  EXPECT_EQ(describe(directory(), R"({"MaxResults":5})").status, 200u);
  EXPECT_EQ(describe(directory(), R"({"MaxResults":50})").status, 200u);
  EXPECT_EQ(lines(), "describe-instance-information filters=0 returned=5 more=no\n"
                     "describe-instance-information filters=0 returned=5 more=no\n")
      << "refusals are not answers";
}

TEST_F(NodeDirectoryTest, ATokenItDidNotGiveIsRefused) {
  for (const char* bad : {R"({"NextToken":"garbage"})", R"({"NextToken":"n"})", R"({"NextToken":"nx5"})",
                          R"({"NextToken":"n-1"})", R"({"NextToken":""})", R"({"NextToken":5})",
                          R"({"NextToken":"n12345678901"})"}) {
    const ApiResponse r = describe(directory(), bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(r.error_type, "InvalidNextToken") << bad;
  }
}

TEST_F(NodeDirectoryTest, AnUnknownOrMalformedFilterIsRefused) {
  for (const char* bad : {R"({"Filters":[{"Key":"Color","Values":["red"]}]})",
                          R"({"Filters":[{"Key":"PingStatus","Values":[]}]})",
                          R"({"Filters":[{"Key":"PingStatus"}]})", R"({"Filters":[{"Values":["Online"]}]})",
                          R"({"Filters":[{"Key":"","Values":["x"]}]})", R"({"Filters":["PingStatus"]})",
                          R"({"InstanceInformationFilterList":[{"key":"Nope","valueSet":["x"]}]})"}) {
    const ApiResponse r = describe(directory(), bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(r.error_type, "InvalidFilterKey") << bad;
  }
  const ApiResponse r = describe(directory(), R"({"Filters":{"Key":"PingStatus"}})");
  EXPECT_EQ(r.error_type, "ValidationException");
  EXPECT_EQ(lines(), "");
}

// ---- EC2 DescribeInstances ----------------------------------------------------------------

QueryForm describe_instances_form(std::vector<std::string> ids, std::string version = "2016-11-15") {
  QueryForm form{{"Action", "DescribeInstances"}, {"Version", std::move(version)}};
  for (std::size_t i = 0; i < ids.size(); ++i) form["InstanceId." + std::to_string(i + 1)] = ids[i];
  return form;
}

std::string ec2_code(const ApiResponse& r) {
  return aws::xml_unescape(aws::xml_first_element(r.body, "Code").value_or(""));
}

TEST_F(NodeDirectoryTest, DescribeInstancesAnswersWithTheTagsThePluginReads) {
  const ApiResponse r =
      directory().describe_instances(describe_instances_form({"i-0aaaaaaaaaaaaaaaa", "i-0eeeeeeeeeeeeeeee"}), out);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.content_type, kXmlContentType);
  EXPECT_EQ(r.error_type, "");
  EXPECT_EQ(r.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">", 0), 0u);
  EXPECT_NE(r.body.find("<item><key>Role</key><value>web</value></item>"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("i-0bbbbbbbbbbbbbbbb"), std::string::npos) << "only what was asked for";
  // The name with XML's special characters comes back as it was given.
  EXPECT_EQ(aws::parse_instance_name_tags(r.body),
            (std::map<std::string, std::string>{{"i-0aaaaaaaaaaaaaaaa", "web-1"}, {"i-0eeeeeeeeeeeeeeee", "r&d <lab>"}}));
  EXPECT_EQ(lines(), "describe-instances ids=2\n");
}

TEST_F(NodeDirectoryTest, DescribeInstancesWithoutIdsIsEveryEc2Instance) {
  const ApiResponse r = directory().describe_instances(describe_instances_form({}), out);
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto names = aws::parse_instance_name_tags(r.body);
  EXPECT_EQ(names.size(), 4u);
  EXPECT_EQ(names.count("mi-0dddddddddddddddd"), 0u) << "hybrid nodes are not EC2 instances";
  EXPECT_EQ(lines(), "describe-instances ids=0\n");
}

TEST_F(NodeDirectoryTest, DescribeInstancesOfAnUnknownInstanceIsNotFound) {
  for (const char* id : {"i-0ffffffffffffffff", "mi-0dddddddddddddddd"}) {
    const ApiResponse r = directory().describe_instances(describe_instances_form({"i-0aaaaaaaaaaaaaaaa", id}), out);
    EXPECT_EQ(r.status, 400u) << id;
    EXPECT_EQ(r.error_type, "InvalidInstanceID.NotFound") << id;
    EXPECT_EQ(r.content_type, kXmlContentType);
    EXPECT_EQ(ec2_code(r), "InvalidInstanceID.NotFound") << r.body;
    EXPECT_NE(r.body.find(id), std::string::npos) << "the message names it";
  }
  EXPECT_EQ(lines(), "describe-instances ids=2 refused=InvalidInstanceID.NotFound\n"
                     "describe-instances ids=2 refused=InvalidInstanceID.NotFound\n");
}

TEST_F(NodeDirectoryTest, DescribeInstancesDeniedAsEc2DeniesIt) {
  const ApiResponse r = directory(false).describe_instances(describe_instances_form({"i-0aaaaaaaaaaaaaaaa"}), out);
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(r.error_type, "UnauthorizedOperation");
  EXPECT_EQ(r.content_type, kXmlContentType);
  EXPECT_EQ(ec2_code(r), "UnauthorizedOperation");
  EXPECT_NE(r.body.find("<Response><Errors><Error>"), std::string::npos) << r.body;
  EXPECT_NE(aws::xml_first_element(r.body, "RequestID"), std::nullopt);
  EXPECT_EQ(lines(), "describe-instances ids=1 refused=UnauthorizedOperation\n");
}

TEST_F(NodeDirectoryTest, DescribeInstancesOfAnotherApiVersionIsRefused) {
  for (const QueryForm& form : {describe_instances_form({}, "2014-01-01"), QueryForm{{"Action", "DescribeInstances"}}}) {
    const ApiResponse r = directory().describe_instances(form, out);
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.error_type, "InvalidParameterValue");
    EXPECT_EQ(ec2_code(r), "InvalidParameterValue");
  }
  // Even for a caller who may not describe instances: the request is wrong first.
  EXPECT_EQ(directory(false).describe_instances(describe_instances_form({}, "2014-01-01"), out).error_type,
            "InvalidParameterValue");
}

TEST_F(NodeDirectoryTest, StartSessionToANodeThatIsNotOnlineIsRefused) {
  const NodeDirectory d = directory();
  for (const char* target : {"i-0cccccccccccccccc", "i-0eeeeeeeeeeeeeeee"}) {
    const auto refused = d.refuse_start(target);
    ASSERT_TRUE(refused) << target;
    EXPECT_EQ(refused->status, 400u);
    EXPECT_EQ(refused->error_type, "TargetNotConnected");
    EXPECT_EQ(Json::parse(refused->body).value("message", ""), std::string(target) + " is not connected.");
  }
  EXPECT_EQ(d.refuse_start("i-0aaaaaaaaaaaaaaaa"), std::nullopt);
  EXPECT_EQ(d.refuse_start("mi-0dddddddddddddddd"), std::nullopt);
  EXPECT_EQ(d.refuse_start("i-0ffffffffffffffff"), std::nullopt) << "unknown targets are the caller's";
  EXPECT_EQ(d.refuse_start("ecs:prod_task_runtime"), std::nullopt);
}

}  // namespace
}  // namespace ssm::endpoint
