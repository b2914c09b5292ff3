// Managed nodes shown to a person: a table whose columns line up (each as wide as its widest
// value, two spaces apart), numbered for the pick list, with more columns for `list`, and no
// trailing blanks; list --json's keys; and which answers to the pick list's question count.
#include "standalone/node_table.h"

#include <gtest/gtest.h>

namespace ssm::standalone {
namespace {

const aws::ManagedNode kWeb{"i-0123456789abcdef0", "web-1", "ip-10-0-0-5.ec2.internal", "10.0.0.5", "Linux",
                            "3.3.40.0", "Online"};
const aws::ManagedNode kBuild{"mi-0123456789abcdef0", "", "build.corp.example", "192.168.10.20", "Windows",
                              "3.2.1.0", "ConnectionLost"};

TEST(NodeTable, ColumnsAsWideAsTheirWidestValue) {
  EXPECT_EQ(node_table({kWeb, kBuild}, false, false),
            "ID                    NAME   IP             PLATFORM  STATUS\n"
            "i-0123456789abcdef0   web-1  10.0.0.5       Linux     Online\n"
            "mi-0123456789abcdef0         192.168.10.20  Windows   ConnectionLost\n");
}

TEST(NodeTable, NumberedForThePickList) {
  EXPECT_EQ(node_table({kWeb, kBuild}, true, false),
            "#  ID                    NAME   IP             PLATFORM  STATUS\n"
            "1  i-0123456789abcdef0   web-1  10.0.0.5       Linux     Online\n"
            "2  mi-0123456789abcdef0         192.168.10.20  Windows   ConnectionLost\n");
}

TEST(NodeTable, FullAddsComputerNameAndAgent) {
  EXPECT_EQ(node_table({kWeb, kBuild}, false, true),
            "ID                    NAME   COMPUTER NAME             IP             PLATFORM  AGENT     STATUS\n"
            "i-0123456789abcdef0   web-1  ip-10-0-0-5.ec2.internal  10.0.0.5       Linux     3.3.40.0  Online\n"
            "mi-0123456789abcdef0         build.corp.example        192.168.10.20  Windows   3.2.1.0   ConnectionLost\n");
}

TEST(NodeTable, TheNumberColumnWidensPastNine) {
  const std::string table = node_table(std::vector<aws::ManagedNode>(10, kWeb), true, false);
  EXPECT_EQ(table.substr(0, table.find('\n')), "#   ID                   NAME   IP        PLATFORM  STATUS");
  EXPECT_NE(table.find("\n1   i-0123456789abcdef0  web-1"), std::string::npos);
  EXPECT_NE(table.find("\n10  i-0123456789abcdef0  web-1"), std::string::npos);
}

TEST(NodeTable, NoLineEndsInABlank) {
  aws::ManagedNode no_status = kWeb;
  no_status.ping_status = "";
  aws::ManagedNode nothing_after_id{"i-0aaaaaaaaaaaaaaaa", "", "", "", "", "", ""};
  for (bool numbered : {false, true})
    for (bool full : {false, true}) {
      const std::string table = node_table({kWeb, no_status, nothing_after_id, kBuild}, numbered, full);
      EXPECT_EQ(table.find(" \n"), std::string::npos) << table;
      EXPECT_EQ(table.back(), '\n');
    }
  EXPECT_NE(node_table({nothing_after_id}, false, false).find("\ni-0aaaaaaaaaaaaaaaa\n"), std::string::npos);
}

TEST(NodeTable, NoNodesIsTheHeaderAlone) {
  EXPECT_EQ(node_table({}, false, false), "ID  NAME  IP  PLATFORM  STATUS\n");
  EXPECT_EQ(node_table({}, true, true), "#  ID  NAME  COMPUTER NAME  IP  PLATFORM  AGENT  STATUS\n");
}

TEST(NodesJson, OneObjectPerNodeWithTheApisKeys) {
  const nlohmann::json j = nodes_json({kWeb, kBuild});
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0], nlohmann::json::parse(R"({"InstanceId": "i-0123456789abcdef0", "Name": "web-1",
      "ComputerName": "ip-10-0-0-5.ec2.internal", "IPAddress": "10.0.0.5", "PlatformType": "Linux",
      "AgentVersion": "3.3.40.0", "PingStatus": "Online"})"));
  EXPECT_EQ(j[1]["InstanceId"], "mi-0123456789abcdef0");
  EXPECT_EQ(j[1]["Name"], "");  // present, empty: every object has every key
  EXPECT_EQ(j[1].size(), 7u);
  EXPECT_EQ(nodes_json({}), nlohmann::json::array());
}

TEST(ParsePick, OneToNIsAnIndex) {
  EXPECT_EQ(parse_pick("1", 3), 0u);
  EXPECT_EQ(parse_pick("2", 3), 1u);
  EXPECT_EQ(parse_pick("3", 3), 2u);
  EXPECT_EQ(parse_pick("12", 12), 11u);
}

TEST(ParsePick, AnythingElseIsNot) {
  for (const char* answer : {"0", "4", "", "1x", " 1", "1 ", "-1", "+1", "x", "1.0", "0x1", "99999999999999999999999"})
    EXPECT_EQ(parse_pick(answer, 3), std::nullopt) << '"' << answer << '"';
  EXPECT_EQ(parse_pick("1", 0), std::nullopt);
}

}  // namespace
}  // namespace ssm::standalone
