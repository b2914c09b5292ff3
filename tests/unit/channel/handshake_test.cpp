#include <gtest/gtest.h>

#include "base/base64.h"
#include "channel/client_handshake.h"
#include "wire/client_message.h"

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
  ASSERT_TRUE(response);
  EXPECT_EQ(wire::to_json(*response),
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
  ASSERT_TRUE(response);
  ASSERT_EQ(response->processed_client_actions.size(), 1u);
  EXPECT_EQ(response->processed_client_actions[0].action_status, 2);
  EXPECT_EQ(response->processed_client_actions[0].error, "Failed to process action SessionType: Unknown session type Teleport");
  EXPECT_FALSE(h.session_type());
}

TEST(ClientHandshake, UnknownActionsAreUnsupportedAndListedInErrors) {
  ClientHandshake h({"1", false});
  auto response = h.on_request(request(R"({"AgentVersion":"3","RequestedClientActions":[{"ActionType":"Teleport"}]})"));
  ASSERT_TRUE(response);
  ASSERT_EQ(response->processed_client_actions.size(), 1u);
  EXPECT_EQ(response->processed_client_actions[0].action_status, 3);
  EXPECT_EQ(response->errors, std::vector<std::string>{"Unsupported action Teleport"});
}

constexpr std::string_view kShellWithKms =
    R"({"AgentVersion":"3.3.40.0","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"Standard_Stream","Properties":null}},{"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"alias/session-key"}}]})";

TEST(ClientHandshake, KmsRefusedWithTheLegacyTextInTheFourArgumentForm) {
  ClientHandshake legacy({"1", true});
  auto response = legacy.on_request(request(std::string(kShellWithKms)));
  ASSERT_TRUE(response) << "the legacy form answers at once, without KMS";
  EXPECT_FALSE(legacy.kms_key_id());
  ASSERT_EQ(response->processed_client_actions.size(), 2u);
  EXPECT_EQ(response->processed_client_actions[1].action_status, 2);
  EXPECT_EQ(response->processed_client_actions[1].error,
            "Installed version of CLI does not support Session Manager encryption feature. Please upgrade to the latest version of your CLI (e.g., AWS CLI).");
  EXPECT_EQ(legacy.refusal(), response->processed_client_actions[1].error);
}

// The §2.8 data key, 00 01 ... 3f, with the nonces of its example.
KmsDataKey example_key(std::size_t size = crypto::kDataKeySize) {
  KmsDataKey key{std::vector<std::uint8_t>(size), "AQIDBA=="};
  for (std::size_t i = 0; i < size; ++i) key.plaintext[i] = static_cast<std::uint8_t>(i);
  return key;
}

HandshakeConfig config_with_example_nonce() {
  HandshakeConfig c{"1.2.835.0", false};
  c.nonces = [](crypto::Nonce& n) {
    for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(i);
    return true;
  };
  return c;
}

TEST(ClientHandshake, KmsResponseWaitsForTheDataKeyThenCarriesTheBlob) {
  ClientHandshake h(config_with_example_nonce());
  EXPECT_FALSE(h.on_request(request(std::string(kShellWithKms))));
  ASSERT_TRUE(h.kms_key_id());
  EXPECT_EQ(*h.kms_key_id(), "alias/session-key");
  ASSERT_TRUE(h.session_type()) << "the other actions are processed meanwhile";

  CompletedHandshake done = h.on_data_key(example_key());
  EXPECT_EQ(wire::to_json(done.response),
            R"({"ClientVersion":"1.2.835.0","ProcessedClientActions":[)"
            R"({"ActionType":"SessionType","ActionStatus":1,"ActionResult":null,"Error":""},)"
            R"({"ActionType":"KMSEncryption","ActionStatus":1,"ActionResult":{"KMSCipherTextKey":"AQIDBA==","KMSCipherTextHash":null},"Error":""}],)"
            R"("Errors":null})");
  EXPECT_TRUE(h.refusal().empty());
  EXPECT_FALSE(h.kms_key_id());
  // The plugin's cipher: seals with K[32..63] (§2.8's first row).
  ASSERT_TRUE(done.cipher);
  const std::string hello = "hello";
  const auto sealed = done.cipher->seal(wire::as_bytes(hello));
  ASSERT_TRUE(sealed);
  EXPECT_EQ(base::base64_encode(*sealed), "AAECAwQFBgcICQoLNDcxyyX7a21Q5O2Dx0m4UcX6kYq1");
}

TEST(ClientHandshake, KmsActionKeepsTheAgentsOrder) {
  ClientHandshake h(config_with_example_nonce());
  EXPECT_FALSE(h.on_request(request(
      R"({"AgentVersion":"3","RequestedClientActions":[{"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"k"}},{"ActionType":"SessionType","ActionParameters":{"SessionType":"Port","Properties":{"portNumber":"80"}}}]})")));
  const auto done = h.on_data_key(example_key());
  ASSERT_EQ(done.response.processed_client_actions.size(), 2u);
  EXPECT_EQ(done.response.processed_client_actions[0].action_type, "KMSEncryption");
  EXPECT_EQ(done.response.processed_client_actions[0].action_status, 1);
  EXPECT_EQ(done.response.processed_client_actions[1].action_type, "SessionType");
}

TEST(ClientHandshake, KmsFailureIsReportedToTheAgentAndEndsTheSession) {
  ClientHandshake h(config_with_example_nonce());
  EXPECT_FALSE(h.on_request(request(std::string(kShellWithKms))));
  const std::string reason = "GenerateDataKey failed: AccessDeniedException: not allowed (HTTP 400)";
  CompletedHandshake done = h.on_data_key_failed(reason);
  EXPECT_FALSE(done.cipher);
  EXPECT_EQ(wire::to_json(done.response),
            R"({"ClientVersion":"1.2.835.0","ProcessedClientActions":[)"
            R"({"ActionType":"SessionType","ActionStatus":1,"ActionResult":null,"Error":""},)"
            R"({"ActionType":"KMSEncryption","ActionStatus":2,"ActionResult":null,"Error":"Failed to process action KMSEncryption: )" +
                reason + R"("}],"Errors":[")" + reason + R"("]})");
  EXPECT_NE(h.refusal().find(reason), std::string::npos);
}

TEST(ClientHandshake, KmsDataKeyOfTheWrongSizeFailsTheAction) {
  for (std::size_t size : {0u, 32u, 63u, 65u}) {
    ClientHandshake h(config_with_example_nonce());
    EXPECT_FALSE(h.on_request(request(std::string(kShellWithKms))));
    CompletedHandshake done = h.on_data_key(example_key(size));
    EXPECT_FALSE(done.cipher) << size;
    const auto& kms = done.response.processed_client_actions.at(1);
    EXPECT_EQ(kms.action_status, 2);
    EXPECT_EQ(kms.error, "Failed to process action KMSEncryption: KMS returned a data key of " + std::to_string(size) +
                             " bytes instead of 64");
    EXPECT_FALSE(h.refusal().empty());
  }
}

TEST(ClientHandshake, KmsWithoutAKeyIdFailsAtOnce) {
  ClientHandshake h(config_with_example_nonce());
  auto response = h.on_request(request(
      R"({"AgentVersion":"3","RequestedClientActions":[{"ActionType":"KMSEncryption","ActionParameters":{}}]})"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->processed_client_actions[0].action_status, 2);
  EXPECT_FALSE(h.refusal().empty());
}

TEST(ClientHandshake, FallbackAssumesShell) {
  ClientHandshake h({"1", false});
  h.assume_shell();
  ASSERT_TRUE(h.session_type());
  EXPECT_EQ(h.session_type()->kind, SessionKind::standard_stream);
}

}  // namespace
}  // namespace ssm::channel
