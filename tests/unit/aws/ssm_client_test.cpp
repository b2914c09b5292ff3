// The typed SSM and KMS clients against a loopback server: the exact GenerateDataKey body of
// protocol-smux-kms-aws.md §2.2 (with the agent's random challenge in the context), where KMS
// calls go (§3.4), what an answer must hold, and how each SSM call is sent, signed, retried
// or not, and reported.
#include <gtest/gtest.h>

#include <deque>

#include "aws/ssm_client.h"
#include "loopback_http_server.h"

namespace ssm::aws {
namespace {

using namespace ssm::aws::testing;
using namespace std::chrono_literals;

base::GetEnv env(std::map<std::string, std::string> vars) { return base::Environment::of(std::move(vars)).get; }

TEST(GenerateDataKey, BodyIsExactlyTheOneOfTheSpec) {
  EXPECT_EQ(generate_data_key_body("alias/ssm", {{"aws:ssm:SessionId", "s-0123"}, {"aws:ssm:TargetId", "i-0123456789abcdef0"}}, 64),
            R"({"EncryptionContext":{"aws:ssm:SessionId":"s-0123","aws:ssm:TargetId":"i-0123456789abcdef0"},)"
            R"("KeyId":"alias/ssm","NumberOfBytes":64})");
}

TEST(GenerateDataKey, TheRandomChallengeJoinsTheContextInKeyOrder) {
  EXPECT_EQ(generate_data_key_body("k",
                                   {{"aws:ssm:SessionId", "s"}, {"aws:ssm:TargetId", "i"},
                                    {"aws:ssm:RandomChallenge", "q2Zp0T1nRkW3yNfJb0xZ8g=="}},
                                   64),
            R"({"EncryptionContext":{"aws:ssm:RandomChallenge":"q2Zp0T1nRkW3yNfJb0xZ8g==","aws:ssm:SessionId":"s",)"
            R"("aws:ssm:TargetId":"i"},"KeyId":"k","NumberOfBytes":64})");
}

TEST(GenerateDataKey, EndpointOverridesThenTheRegionalDefault) {
  asio::io_context io;
  auto url = [&](std::string region, std::map<std::string, std::string> vars) {
    return KmsClient(io.get_executor(), {region, "http://ssm-argument", "", env(vars)}, nullptr).endpoint_url();
  };
  EXPECT_EQ(url("eu-west-1", {}), "https://kms.eu-west-1.amazonaws.com");  // never the SSM argument
  EXPECT_EQ(url("cn-north-1", {}), "https://kms.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(url("eu-west-1", {{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}}), "http://127.0.0.1:1");
  EXPECT_EQ(url("eu-west-1", {{"AWS_ENDPOINT_URL", "http://a"}, {"AWS_ENDPOINT_URL_KMS", "http://k"}}), "http://k");
  EXPECT_EQ(url("eu-west-1", {{"AWS_ENDPOINT_URL_KMS", ""}}), "https://kms.eu-west-1.amazonaws.com");
}

TEST(GenerateDataKey, AnswerNeedsABlobAndABase64Plaintext) {
  DataKeyOutcome ok = parse_data_key(R"({"CiphertextBlob":"AQID","KeyId":"arn:x","Plaintext":"AAECAw=="})");
  ASSERT_TRUE(ok.key) << ok.error;
  EXPECT_EQ(ok.key->ciphertext_blob, "AQID");
  EXPECT_EQ(ok.key->plaintext, (std::vector<std::uint8_t>{0, 1, 2, 3}));
  for (auto bad : {"", "[]", R"({"Plaintext":"AAECAw=="})", R"({"CiphertextBlob":"AQID"})",
                   R"({"CiphertextBlob":"AQID","Plaintext":"not base64!"})", R"({"CiphertextBlob":1,"Plaintext":"AA=="})"}) {
    DataKeyOutcome r = parse_data_key(bad);
    EXPECT_FALSE(r.key) << bad;
    EXPECT_FALSE(r.error.empty()) << bad;
    EXPECT_EQ(r.error.find("AAECAw"), std::string::npos) << "no key material in errors";
  }
}

TEST(StreamAccess, NeedsAUrlAndAToken) {
  std::string error;
  auto access = parse_stream_access(R"({"SessionId":"s-1","StreamUrl":"wss://x/y","TokenValue":"t"})", error);
  ASSERT_TRUE(access);
  EXPECT_EQ(access->session_id, "s-1");
  EXPECT_EQ(access->stream_url, "wss://x/y");
  EXPECT_EQ(access->token, "t");
  for (auto bad : {"", "{}", R"({"StreamUrl":"wss://x"})", R"({"TokenValue":"t"})", "[1]"}) {
    error.clear();
    EXPECT_FALSE(parse_stream_access(bad, error)) << bad;
    EXPECT_FALSE(error.empty());
  }
}

class SsmClientTest : public ::testing::Test {
 protected:
  SsmClientTest() {
    test_env.vars["AWS_ACCESS_KEY_ID"] = "AKSSMCLIENT";
    test_env.vars["AWS_SECRET_ACCESS_KEY"] = "ssm-client-secret";
  }
  std::shared_ptr<CredentialProvider> provider() {
    return std::make_shared<CredentialProvider>(io.get_executor(), CredentialOptions{.profile = "", .env = test_env.env(), .ca_bundle = "", .region = "us-east-1"});
  }
  SsmClient client(std::string region = "us-east-1") {
    return SsmClient(io.get_executor(), {region, server.url(), "", test_env.env()}, provider());
  }
  CallOutcome wait(const std::function<void(SsmClient::Done)>& call) {
    std::optional<CallOutcome> result;
    call([&](CallOutcome r) { result = std::move(r); });
    EXPECT_TRUE(run_until(io, [&] { return result.has_value(); }));
    return result.value_or(CallOutcome{});
  }

  asio::io_context io;
  TestEnvironment test_env;
  std::deque<CannedReply> replies{{200, R"({"SessionId":"s-1","StreamUrl":"wss://fresh","TokenValue":"t2"})"}};
  LoopbackHttpServer server{io, [this](const SeenRequest&) {
                              CannedReply r = replies.front();
                              if (replies.size() > 1) replies.pop_front();
                              return r;
                            }};
};

TEST_F(SsmClientTest, ResumeIsOneSignedCallNamingTheSession) {
  SsmClient ssm = client();
  const CallOutcome r = wait([&](SsmClient::Done d) { ssm.resume_session("s-1", d); });
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_TRUE(r.signer);
  EXPECT_EQ(r.signer->access_key_id, "AKSSMCLIENT");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].header("x-amz-target"), "AmazonSSM.ResumeSession");
  EXPECT_EQ(server.requests()[0].body, R"({"SessionId":"s-1"})");
  EXPECT_EQ(server.requests()[0].header("authorization").rfind("AWS4-HMAC-SHA256 Credential=AKSSMCLIENT/", 0), 0u);
}

TEST_F(SsmClientTest, ARefusalIsFinalAndAnOutageIsNot) {
  SsmClient ssm = client();
  replies = {{400, R"({"__type":"com.amazonaws.ssm#DoesNotExistException","message":"gone"})"}};
  CallOutcome r = wait([&](SsmClient::Done d) { ssm.terminate_session("s-1", 2s, d); });
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.refused());
  EXPECT_EQ(r.error, "DoesNotExistException: gone (HTTP 400)");
  replies = {{503, "{}"}};
  r = wait([&](SsmClient::Done d) { ssm.resume_session("s-1", d); });
  EXPECT_FALSE(r.refused());
  EXPECT_EQ(server.requests().size(), 2u);  // neither is retried here: one attempt each
}

TEST_F(SsmClientTest, StartSessionRetriesThrottlingAsTheCliDoes) {
  SsmClient ssm = client();
  replies = {{400, R"({"__type":"ThrottlingException","message":"slow down"})"},
             {200, R"({"SessionId":"s-2","StreamUrl":"wss://x","TokenValue":"t"})"}};
  const CallOutcome r = wait([&](SsmClient::Done d) { ssm.start_session(R"({"Target":"i-1"})", 5s, d); });
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1].header("x-amz-target"), "AmazonSSM.StartSession");
}

TEST_F(SsmClientTest, NoRegionOrNoCredentialsIsOneLineAndNoRequest) {
  SsmClient no_region = client("");
  CallOutcome r = wait([&](SsmClient::Done d) { no_region.resume_session("s-1", d); });
  EXPECT_EQ(r.error, "no region for ResumeSession");
  EXPECT_FALSE(r.signer);
  test_env.vars.erase("AWS_ACCESS_KEY_ID");
  test_env.vars.erase("AWS_SECRET_ACCESS_KEY");
  test_env.vars["AWS_EC2_METADATA_DISABLED"] = "true";
  SsmClient no_keys = client();
  r = wait([&](SsmClient::Done d) { no_keys.terminate_session("s-1", 2s, d); });
  EXPECT_EQ(r.error.rfind("no AWS credentials for TerminateSession: ", 0), 0u) << r.error;
  EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace ssm::aws
