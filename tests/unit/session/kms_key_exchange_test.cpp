// The plugin's KMS call, without the network: the exact request body of
// protocol-smux-kms-aws.md §2.2, where the call goes (§3.4), and what a response must hold.
#include <gtest/gtest.h>

#include <map>

#include "session/kms_key_exchange.h"

namespace ssm::session {
namespace {

aws::GetEnv env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(KmsKeyExchange, BodyIsExactlyTheOneOfTheSpec) {
  EXPECT_EQ(generate_data_key_body("s-0123", "i-0123456789abcdef0", "alias/ssm"),
            R"({"EncryptionContext":{"aws:ssm:SessionId":"s-0123","aws:ssm:TargetId":"i-0123456789abcdef0"},)"
            R"("KeyId":"alias/ssm","NumberOfBytes":64})");
}

TEST(KmsKeyExchange, EndpointOverridesThenTheRegionalDefault) {
  EXPECT_EQ(kms_endpoint_url("eu-west-1", env({})), "https://kms.eu-west-1.amazonaws.com");
  EXPECT_EQ(kms_endpoint_url("cn-north-1", env({})), "https://kms.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(kms_endpoint_url("eu-west-1", env({{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}})), "http://127.0.0.1:1");
  EXPECT_EQ(kms_endpoint_url("eu-west-1", env({{"AWS_ENDPOINT_URL", "http://a"}, {"AWS_ENDPOINT_URL_KMS", "http://k"}})),
            "http://k");
  EXPECT_EQ(kms_endpoint_url("eu-west-1", env({{"AWS_ENDPOINT_URL_KMS", ""}})), "https://kms.eu-west-1.amazonaws.com");
}

TEST(KmsKeyExchange, ResponseNeedsABlobAndABase64Plaintext) {
  std::string error;
  auto key = parse_data_key(R"({"CiphertextBlob":"AQID","KeyId":"arn:x","Plaintext":"AAECAw=="})", error);
  ASSERT_TRUE(key) << error;
  EXPECT_EQ(key->ciphertext_blob, "AQID");
  EXPECT_EQ(key->plaintext, (std::vector<std::uint8_t>{0, 1, 2, 3}));
  for (auto bad : {"", "[]", R"({"Plaintext":"AAECAw=="})", R"({"CiphertextBlob":"AQID"})",
                   R"({"CiphertextBlob":"AQID","Plaintext":"not base64!"})", R"({"CiphertextBlob":1,"Plaintext":"AA=="})"}) {
    error.clear();
    EXPECT_FALSE(parse_data_key(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
    EXPECT_EQ(error.find("AAECAw"), std::string::npos) << "no key material in errors";
  }
}

}  // namespace
}  // namespace ssm::session
