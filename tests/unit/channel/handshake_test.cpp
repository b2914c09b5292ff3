#include <gtest/gtest.h>

#include "channel/client_handshake.h"

namespace ssm::channel {
namespace {

TEST(VersionGates, ReferenceExamples) {
  // protocol.md §6.7
  EXPECT_FALSE(version_greater("3.0.196.0", kMuxAfter));
  for (auto v : {"3.0.196.1", "3.0.197.0", "3.1.0.0", "4.0.0.0"}) EXPECT_TRUE(version_greater(v, kMuxAfter)) << v;
  for (auto v : {"3.0.195.100", "2.99.1000.0"}) EXPECT_FALSE(version_greater(v, kMuxAfter)) << v;
  for (auto v : {"2.3.722.0", "2.3.721.100", "2.3.614.0"}) EXPECT_FALSE(version_greater(v, kTerminateFlagAfter)) << v;
  for (auto v : {"2.3.723.0", "2.3.750.0"}) EXPECT_TRUE(version_greater(v, kTerminateFlagAfter)) << v;
  EXPECT_FALSE(version_greater("3.1.1476.0", kSmuxKeepAliveOffAfter));
  EXPECT_TRUE(version_greater("3.1.1600.0", kSmuxKeepAliveOffAfter));
  EXPECT_FALSE(version_greater("1.4.1.2.4.1", "3.0.0.0"));
  EXPECT_FALSE(version_greater("3,0.0.0", "3.0.0.0"));
  EXPECT_FALSE(version_greater("three.0.0.0", "1.0.0.0"));
  EXPECT_FALSE(version_greater("", "1.0.0.0"));
  EXPECT_FALSE(version_greater("4..0.0", "1.0.0.0"));
}

wire::HandshakeRequest request(std::string json) {
  wire::HandshakeRequest r;
  EXPECT_FALSE(wire::parse(json, r));
  return r;
}

TEST(ClientHandshake, PortSessionWithProperties) {
  ClientHandshake h({"1.2.835.0", false});
  auto response = h.on_request(request(
      R"({"AgentVersion":"3.3.987.0","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"Port","Properties":{"portNumber":"22"}}}]})"));
  EXPECT_EQ(wire::to_json(response),
            R"({"ClientVersion":"1.2.835.0","ProcessedClientActions":[{"ActionType":"SessionType","ActionStatus":1,"ActionResult":null,"Error":""}],"Errors":null})");
  ASSERT_TRUE(h.session_type());
  EXPECT_EQ(h.session_type()->kind, SessionKind::port);
  EXPECT_EQ(h.session_type()->properties.dump(), R"({"portNumber":"22"})");
  EXPECT_EQ(h.agent_version(), "3.3.987.0");
  EXPECT_TRUE(h.refusal().empty());
}

TEST(ClientHandshake, CommandSessionsAreStandardStream) {
  for (auto name : {"Standard_Stream", "InteractiveCommands", "NonInteractiveCommands"}) {
    ClientHandshake h({"1", false});
    h.on_request(request(std::string(R"({"AgentVersion":"3","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":")") +
                         name + R"(","Properties":null}}]})"));
    ASSERT_TRUE(h.session_type()) << name;
    EXPECT_EQ(h.session_type()->kind, SessionKind::standard_stream);
    EXPECT_EQ(h.session_type()->name, name);
  }
}

TEST(ClientHandshake, UnknownSessionTypeFails) {
  ClientHandshake h({"1", false});
  auto response = h.on_request(request(
      R"({"AgentVersion":"3","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"Teleport"}}]})"));
  ASSERT_EQ(response.processed_client_actions.size(), 1u);
  EXPECT_EQ(response.processed_client_actions[0].action_status, 2);
  EXPECT_EQ(response.processed_client_actions[0].error, "Failed to process action SessionType: Unknown session type Teleport");
  EXPECT_FALSE(h.session_type());
}

TEST(ClientHandshake, UnknownActionsAreUnsupportedAndListedInErrors) {
  ClientHandshake h({"1", false});
  auto response = h.on_request(request(R"({"AgentVersion":"3","RequestedClientActions":[{"ActionType":"Teleport"}]})"));
  ASSERT_EQ(response.processed_client_actions.size(), 1u);
  EXPECT_EQ(response.processed_client_actions[0].action_status, 3);
  EXPECT_EQ(response.errors, std::vector<std::string>{"Unsupported action Teleport"});
}

TEST(ClientHandshake, KmsRefusedWithTheLegacyTextInTheFourArgumentForm) {
  ClientHandshake legacy({"1", true});
  auto response = legacy.on_request(request(
      R"({"AgentVersion":"3","RequestedClientActions":[{"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"k"}}]})"));
  EXPECT_EQ(response.processed_client_actions[0].action_status, 2);
  EXPECT_EQ(response.processed_client_actions[0].error,
            "Installed version of CLI does not support Session Manager encryption feature. Please upgrade to the latest version of your CLI (e.g., AWS CLI).");
  EXPECT_FALSE(legacy.refusal().empty());

  ClientHandshake current({"1", false});
  response = current.on_request(request(
      R"({"AgentVersion":"3","RequestedClientActions":[{"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"k"}}]})"));
  EXPECT_EQ(response.processed_client_actions[0].action_status, 3);
  EXPECT_NE(current.refusal().find("KMS"), std::string::npos);
}

TEST(ClientHandshake, FallbackAssumesShell) {
  ClientHandshake h({"1", false});
  h.assume_shell();
  ASSERT_TRUE(h.session_type());
  EXPECT_EQ(h.session_type()->kind, SessionKind::standard_stream);
}

}  // namespace
}  // namespace ssm::channel
