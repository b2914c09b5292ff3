// Managed nodes as the plugin lists them: the DescribeInstanceInformation request (filters,
// the page size the API allows at most, the token of the page to come), what is read from its
// answer, the Name tags read from an EC2 DescribeInstances answer shaped as EC2 documents it
// (nested sets whose items must not be taken for instances or tags), and the whole listing
// against a loopback server: every page, the EC2 names added, and a caller without
// ec2:DescribeInstances still getting its nodes.
#include "aws/managed_nodes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/query_protocol.h"
#include "loopback_http_server.h"

namespace ssm::aws {
namespace {

using namespace ssm::aws::testing;
using Json = nlohmann::json;

TEST(DescribeInstanceInformationBody, TheLargestPageAndNothingElseByDefault) {
  EXPECT_EQ(describe_instance_information_body({}, ""), R"({"MaxResults":50})");
  EXPECT_EQ(kNodesPerPage, 50);
}

TEST(DescribeInstanceInformationBody, FiltersAndTheNextToken) {
  const Json body = Json::parse(describe_instance_information_body(
      {{"tag:Name", {"web-1"}}, {"PingStatus", {"Online", "ConnectionLost"}}}, "AAEAAQ=="));
  EXPECT_EQ(body, Json::parse(R"({
    "MaxResults": 50,
    "NextToken": "AAEAAQ==",
    "Filters": [{"Key": "tag:Name", "Values": ["web-1"]},
                {"Key": "PingStatus", "Values": ["Online", "ConnectionLost"]}]
  })"));
}

TEST(ParseInstanceInformation, EveryFieldOfEachNodeAndTheNextToken) {
  std::string error;
  const auto page = parse_instance_information(R"({
    "InstanceInformationList": [
      {"InstanceId": "i-0123456789abcdef0", "PingStatus": "Online", "AgentVersion": "3.3.40.0",
       "PlatformType": "Linux", "IPAddress": "10.0.0.5", "ComputerName": "ip-10-0-0-5.ec2.internal",
       "ResourceType": "EC2Instance", "LastPingDateTime": 1764950400.0},
      {"InstanceId": "mi-0123456789abcdef0", "Name": "build", "PingStatus": "ConnectionLost",
       "PlatformType": "Windows", "IPAddress": "192.168.1.9", "ComputerName": "build.corp.example",
       "AgentVersion": "3.2.1.0"}
    ],
    "NextToken": "token-2"})",
                                              error);
  ASSERT_TRUE(page) << error;
  ASSERT_EQ(page->nodes.size(), 2u);
  const ManagedNode& ec2 = page->nodes[0];
  EXPECT_EQ(ec2.id, "i-0123456789abcdef0");
  EXPECT_EQ(ec2.name, "");
  EXPECT_EQ(ec2.computer_name, "ip-10-0-0-5.ec2.internal");
  EXPECT_EQ(ec2.ip, "10.0.0.5");
  EXPECT_EQ(ec2.platform, "Linux");
  EXPECT_EQ(ec2.agent_version, "3.3.40.0");
  EXPECT_EQ(ec2.ping_status, "Online");
  EXPECT_EQ(page->nodes[1].id, "mi-0123456789abcdef0");
  EXPECT_EQ(page->nodes[1].name, "build");  // hybrid nodes carry their own name
  EXPECT_EQ(page->nodes[1].ping_status, "ConnectionLost");
  EXPECT_EQ(page->next_token, "token-2");
}

TEST(ParseInstanceInformation, TheLastPageHasNoToken) {
  std::string error;
  const auto page = parse_instance_information(R"({"InstanceInformationList": []})", error);
  ASSERT_TRUE(page) << error;
  EXPECT_TRUE(page->nodes.empty());
  EXPECT_EQ(page->next_token, "");
}

TEST(ParseInstanceInformation, ItemsWithoutAnInstanceIdAreSkipped) {
  std::string error;
  const auto page = parse_instance_information(R"({"InstanceInformationList": [
      {"PingStatus": "Online"}, {"InstanceId": ""}, {"InstanceId": 7}, "i-notanobject", null,
      {"InstanceId": "i-0aaaaaaaaaaaaaaaa", "PingStatus": 1}]})",
                                              error);
  ASSERT_TRUE(page) << error;
  ASSERT_EQ(page->nodes.size(), 1u);
  EXPECT_EQ(page->nodes[0].id, "i-0aaaaaaaaaaaaaaaa");
  EXPECT_EQ(page->nodes[0].ping_status, "");  // not a string: as if absent
}

TEST(ParseInstanceInformation, NoListIsAnError) {
  for (const char* bad : {"", "not json", "[]", "{}", R"({"InstanceInformationList": {}})",
                          R"({"InstanceInformationList": null, "NextToken": "t"})"}) {
    std::string error;
    EXPECT_FALSE(parse_instance_information(bad, error)) << bad;
    EXPECT_EQ(error, "the answer has no InstanceInformationList") << bad;
  }
}

// Two reservations as EC2's DescribeInstances example shows them: A (Name and another tag,
// a network interface whose nested items carry their own IDs and addresses), B (tags but no
// Name), C (Name first, then another tag; an entity in the value), D (no tagSet at all).
constexpr const char* kDescribeInstances = R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
    <reservationSet>
        <item>
            <reservationId>r-1234567890abcdef0</reservationId>
            <ownerId>123456789012</ownerId>
            <groupSet/>
            <instancesSet>
                <item>
                    <instanceId>i-0aaaaaaaaaaaaaaaa</instanceId>
                    <imageId>ami-bff32ccc</imageId>
                    <instanceState>
                        <code>16</code>
                        <name>running</name>
                    </instanceState>
                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                    <reason/>
                    <keyName>my_keypair</keyName>
                    <instanceType>t3.micro</instanceType>
                    <placement>
                        <availabilityZone>eu-west-1c</availabilityZone>
                        <groupName/>
                        <tenancy>default</tenancy>
                    </placement>
                    <privateIpAddress>192.168.1.88</privateIpAddress>
                    <groupSet>
                        <item>
                            <groupId>sg-e4076980</groupId>
                            <groupName>SecurityGroup1</groupName>
                        </item>
                    </groupSet>
                    <blockDeviceMapping>
                        <item>
                            <deviceName>/dev/xvda</deviceName>
                            <ebs>
                                <volumeId>vol-1234567890abcdef0</volumeId>
                                <status>attached</status>
                                <deleteOnTermination>true</deleteOnTermination>
                            </ebs>
                        </item>
                    </blockDeviceMapping>
                    <tagSet>
                        <item>
                            <key>Stack</key>
                            <value>Production</value>
                        </item>
                        <item>
                            <key>Name</key>
                            <value>web-1</value>
                        </item>
                    </tagSet>
                    <networkInterfaceSet>
                        <item>
                            <networkInterfaceId>eni-551ba033</networkInterfaceId>
                            <ownerId>123456789012</ownerId>
                            <status>in-use</status>
                            <privateIpAddress>192.168.1.88</privateIpAddress>
                            <groupSet>
                                <item>
                                    <groupId>sg-e4076980</groupId>
                                    <groupName>SecurityGroup1</groupName>
                                </item>
                            </groupSet>
                            <attachment>
                                <attachmentId>eni-attach-39697adc</attachmentId>
                                <deviceIndex>0</deviceIndex>
                                <status>attached</status>
                            </attachment>
                            <privateIpAddressesSet>
                                <item>
                                    <privateIpAddress>192.168.1.88</privateIpAddress>
                                    <primary>true</primary>
                                </item>
                            </privateIpAddressesSet>
                        </item>
                    </networkInterfaceSet>
                    <ebsOptimized>false</ebsOptimized>
                </item>
            </instancesSet>
        </item>
        <item>
            <reservationId>r-0fedcba9876543210</reservationId>
            <ownerId>123456789012</ownerId>
            <groupSet/>
            <instancesSet>
                <item>
                    <instanceId>i-0bbbbbbbbbbbbbbbb</instanceId>
                    <instanceState><code>16</code><name>running</name></instanceState>
                    <tagSet>
                        <item><key>Team</key><value>infra</value></item>
                    </tagSet>
                </item>
                <item>
                    <instanceId>i-0cccccccccccccccc</instanceId>
                    <instanceState><code>16</code><name>running</name></instanceState>
                    <tagSet>
                        <item><key>Name</key><value>db &amp; cache</value></item>
                        <item><key>Owner</key><value>data</value></item>
                    </tagSet>
                </item>
                <item>
                    <instanceId>i-0dddddddddddddddd</instanceId>
                    <instanceState><code>80</code><name>stopped</name></instanceState>
                </item>
            </instancesSet>
        </item>
    </reservationSet>
</DescribeInstancesResponse>
)";

TEST(ParseInstanceNameTags, EachInstanceWithANameTagAndNoOther) {
  EXPECT_EQ(parse_instance_name_tags(kDescribeInstances),
            (std::map<std::string, std::string>{{"i-0aaaaaaaaaaaaaaaa", "web-1"}, {"i-0cccccccccccccccc", "db & cache"}}));
}

TEST(ParseInstanceNameTags, NoInstancesNoNames) {
  EXPECT_TRUE(parse_instance_name_tags(R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>x</requestId><reservationSet/></DescribeInstancesResponse>)")
                  .empty());
  EXPECT_TRUE(parse_instance_name_tags("").empty());
}

// ---- The whole listing, against one loopback server answering both SSM and EC2 ----------

std::string node_json(const std::string& id, const std::string& name = "") {
  Json j = {{"InstanceId", id}, {"PingStatus", "Online"}, {"PlatformType", "Linux"}, {"IPAddress", "10.0.0.1"}};
  if (!name.empty()) j["Name"] = name;
  return j.dump();
}

std::string page_json(const std::vector<std::string>& nodes, const std::string& next_token) {
  std::string list;
  for (const std::string& n : nodes) list += (list.empty() ? "" : ",") + n;
  return R"({"InstanceInformationList":[)" + list + "]" +
         (next_token.empty() ? std::string() : R"(,"NextToken":")" + next_token + "\"") + "}";
}

std::string instances_xml(const std::map<std::string, std::string>& names) {
  std::string items;
  for (const auto& [id, name] : names)
    items += "<item><instanceId>" + id + "</instanceId><tagSet><item><key>Name</key><value>" + name +
             "</value></item></tagSet></item>";
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>x</requestId><reservationSet><item><reservationId>r-1</reservationId><instancesSet>)" +
         items + "</instancesSet></item></reservationSet></DescribeInstancesResponse>";
}

class ListManagedNodes : public ::testing::Test {
 protected:
  ListManagedNodes() {
    test_env.vars["AWS_ACCESS_KEY_ID"] = "AKLISTNODES";
    test_env.vars["AWS_SECRET_ACCESS_KEY"] = "list-nodes-secret";
    test_env.vars["AWS_ENDPOINT_URL_EC2"] = server.url();
  }

  NodeListing list(std::vector<NodeFilter> filters, bool with_names) {
    const base::GetEnv env = base::Environment::of(test_env.vars).get;
    auto provider = std::make_shared<CredentialProvider>(
        io.get_executor(), CredentialOptions{.profile = "", .env = env, .ca_bundle = "", .region = "eu-west-1"});
    SsmClient ssm(io.get_executor(), {"eu-west-1", server.url(), "", env}, provider);
    std::optional<NodeListing> result;
    async_list_managed_nodes(io.get_executor(), ssm, std::move(filters), with_names,
                             [&](NodeListing l) { result = std::move(l); });
    EXPECT_TRUE(run_until(io, [&] { return result.has_value(); }));
    return result.value_or(NodeListing{});
  }

  std::vector<SeenRequest> ssm_requests() const { return with_target(true); }
  std::vector<SeenRequest> ec2_requests() const { return with_target(false); }

  asio::io_context io;
  TestEnvironment test_env;
  // SSM pages by the token asked for; EC2 answers with ec2_reply.
  std::map<std::string, std::string> pages;
  CannedReply ec2_reply{200, instances_xml({})};
  LoopbackHttpServer server{io, [this](const SeenRequest& r) -> CannedReply {
                              if (r.header("x-amz-target").empty()) return ec2_reply;
                              const Json body = Json::parse(r.body, nullptr, false);
                              const std::string token = body.is_object() ? body.value("NextToken", "") : "";
                              const auto it = pages.find(token);
                              if (it == pages.end())
                                return {400, R"({"__type":"InvalidNextToken","message":"The specified token is not valid."})"};
                              return {200, it->second};
                            }};

 private:
  std::vector<SeenRequest> with_target(bool ssm) const {
    std::vector<SeenRequest> out;
    for (const SeenRequest& r : server.requests())
      if (r.header("x-amz-target").empty() != ssm) out.push_back(r);
    return out;
  }
};

std::vector<std::string> ids_of(const NodeListing& l) {
  std::vector<std::string> ids;
  for (const ManagedNode& n : l.nodes) ids.push_back(n.id);
  return ids;
}

TEST_F(ListManagedNodes, EveryPageInTheServicesOrder) {
  pages[""] = page_json({node_json("i-0aaaaaaaaaaaaaaaa"), node_json("i-0bbbbbbbbbbbbbbbb")}, "page-2");
  pages["page-2"] = page_json({node_json("i-0cccccccccccccccc")}, "page-3");
  pages["page-3"] = page_json({node_json("mi-0dddddddddddddddd", "build")}, "");
  const NodeListing l = list({{"PingStatus", {"Online"}}}, false);
  ASSERT_TRUE(l.ok) << l.error;
  EXPECT_EQ(ids_of(l), (std::vector<std::string>{"i-0aaaaaaaaaaaaaaaa", "i-0bbbbbbbbbbbbbbbb", "i-0cccccccccccccccc",
                                                 "mi-0dddddddddddddddd"}));
  EXPECT_EQ(l.names_unavailable, "");
  const auto calls = ssm_requests();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].header("x-amz-target"), "AmazonSSM.DescribeInstanceInformation");
  // Every page is asked for with the same filters, the next one with the token of the last.
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const Json body = Json::parse(calls[i].body);
    EXPECT_EQ(body["Filters"], Json::parse(R"([{"Key":"PingStatus","Values":["Online"]}])")) << i;
    EXPECT_EQ(body["MaxResults"], 50) << i;
    EXPECT_EQ(body.value("NextToken", ""), (std::vector<std::string>{"", "page-2", "page-3"}[i])) << i;
  }
  EXPECT_TRUE(ec2_requests().empty()) << "names not asked for";
}

TEST_F(ListManagedNodes, Ec2NameTagsFillTheNamesOfEc2InstancesOnly) {
  pages[""] = page_json({node_json("i-0aaaaaaaaaaaaaaaa"), node_json("mi-0dddddddddddddddd", "build")}, "page-2");
  pages["page-2"] = page_json({node_json("i-0bbbbbbbbbbbbbbbb"), node_json("i-0cccccccccccccccc")}, "");
  // B has no Name tag; the hybrid node's own name stays whatever EC2 says.
  ec2_reply = {200, instances_xml({{"i-0aaaaaaaaaaaaaaaa", "web-1"},
                                   {"i-0cccccccccccccccc", "db-1"},
                                   {"mi-0dddddddddddddddd", "not-its-name"}})};
  const NodeListing l = list({}, true);
  ASSERT_TRUE(l.ok) << l.error;
  ASSERT_EQ(l.nodes.size(), 4u);
  EXPECT_EQ(l.nodes[0].name, "web-1");
  EXPECT_EQ(l.nodes[1].name, "build");
  EXPECT_EQ(l.nodes[2].name, "");
  EXPECT_EQ(l.nodes[3].name, "db-1");
  EXPECT_EQ(l.names_unavailable, "");

  const auto ec2 = ec2_requests();
  ASSERT_EQ(ec2.size(), 1u);
  EXPECT_EQ(ec2[0].method, "POST");
  EXPECT_EQ(ec2[0].header("content-type"), kFormContentType);
  // Signed for ec2 in the client's region, asking only for the EC2 instances.
  EXPECT_NE(ec2[0].header("authorization").find("Credential=AKLISTNODES/"), std::string::npos);
  EXPECT_NE(ec2[0].header("authorization").find("/eu-west-1/ec2/aws4_request"), std::string::npos);
  EXPECT_EQ(parse_form(ec2[0].body), (std::map<std::string, std::string>{{"Action", "DescribeInstances"},
                                                                         {"Version", "2016-11-15"},
                                                                         {"InstanceId.1", "i-0aaaaaaaaaaaaaaaa"},
                                                                         {"InstanceId.2", "i-0bbbbbbbbbbbbbbbb"},
                                                                         {"InstanceId.3", "i-0cccccccccccccccc"}}));
}

TEST_F(ListManagedNodes, MoreInstancesThanOneEc2CallTakes) {
  std::vector<std::string> nodes;
  std::map<std::string, std::string> names;
  char id[32];
  for (std::size_t i = 0; i < kInstancesPerCall + 1; ++i) {
    std::snprintf(id, sizeof id, "i-%017zx", i);
    nodes.push_back(node_json(id));
    names[id] = "n" + std::to_string(i);
  }
  pages[""] = page_json(nodes, "");
  ec2_reply = {200, instances_xml(names)};
  const NodeListing l = list({}, true);
  ASSERT_TRUE(l.ok) << l.error;
  ASSERT_EQ(l.nodes.size(), kInstancesPerCall + 1);
  EXPECT_EQ(l.nodes.back().name, "n" + std::to_string(kInstancesPerCall));
  const auto ec2 = ec2_requests();
  ASSERT_EQ(ec2.size(), 2u);
  const auto first = parse_form(ec2[0].body), second = parse_form(ec2[1].body);
  EXPECT_EQ(first.count("InstanceId." + std::to_string(kInstancesPerCall)), 1u);
  EXPECT_EQ(first.count("InstanceId." + std::to_string(kInstancesPerCall + 1)), 0u);
  EXPECT_EQ(second.at("InstanceId.1"), l.nodes.back().id);
  EXPECT_EQ(second.count("InstanceId.2"), 0u);
}

TEST_F(ListManagedNodes, Ec2RefusalLeavesNamesBlankAndSaysWhyOnce) {
  pages[""] = page_json({node_json("i-0aaaaaaaaaaaaaaaa"), node_json("mi-0dddddddddddddddd", "build")}, "");
  ec2_reply = {403, R"(<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestID></Response>)"};
  const NodeListing l = list({}, true);
  EXPECT_TRUE(l.ok) << "the nodes are what was asked for";
  EXPECT_EQ(l.error, "");
  ASSERT_EQ(l.nodes.size(), 2u);
  EXPECT_EQ(l.nodes[0].name, "");
  EXPECT_EQ(l.nodes[1].name, "build");
  EXPECT_EQ(l.names_unavailable, "EC2 DescribeInstances: UnauthorizedOperation (HTTP 403)");
  EXPECT_EQ(ec2_requests().size(), 1u);
}

TEST_F(ListManagedNodes, OnlyHybridNodesNeedNoEc2Call) {
  pages[""] = page_json({node_json("mi-0dddddddddddddddd", "build")}, "");
  const NodeListing l = list({}, true);
  ASSERT_TRUE(l.ok) << l.error;
  EXPECT_EQ(l.nodes.size(), 1u);
  EXPECT_TRUE(ec2_requests().empty());
}

TEST_F(ListManagedNodes, AFailedPageFailsTheListing) {
  pages[""] = page_json({node_json("i-0aaaaaaaaaaaaaaaa")}, "page-2");
  pages["page-2"] = "{}";  // no list
  NodeListing l = list({}, true);
  EXPECT_FALSE(l.ok);
  EXPECT_EQ(l.error, "DescribeInstanceInformation: the answer has no InstanceInformationList");
  EXPECT_TRUE(ec2_requests().empty());

  pages.erase("page-2");  // the server refuses the token
  l = list({}, true);
  EXPECT_FALSE(l.ok);
  EXPECT_EQ(l.error.rfind("DescribeInstanceInformation: InvalidNextToken", 0), 0u) << l.error;
}

}  // namespace
}  // namespace ssm::aws
