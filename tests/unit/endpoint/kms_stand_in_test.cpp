// The endpoint's KMS stand-in and its GenerateDataKey operation: real random keys, blobs only
// the same context opens, KMS-shaped validation errors.
#include <gtest/gtest.h>

#include "base/base64.h"
#include "endpoint/api_handler.h"
#include "endpoint/kms_stand_in.h"
#include "stand_ins_for_tests.h"

namespace ssm::endpoint {
namespace {

const EncryptionContext kContext{{"aws:ssm:SessionId", "i-1-abc"}, {"aws:ssm:TargetId", "i-1"}};

TEST(KmsStandIn, IssuesRandomKeysThatTheSameContextGetsBack) {
  KmsStandIn kms;
  std::string error;
  auto a = kms.generate_data_key("alias/k", kContext, 64, error);
  auto b = kms.generate_data_key("alias/k", kContext, 64, error);
  ASSERT_TRUE(a && b) << error;
  EXPECT_EQ(a->plaintext.size(), 64u);
  EXPECT_NE(a->plaintext, b->plaintext);
  EXPECT_NE(a->ciphertext_blob, b->ciphertext_blob);
  auto back = kms.decrypt(a->ciphertext_blob, kContext, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, a->plaintext);
}

TEST(KmsStandIn, AnotherContextOrAnotherKmsIsRefused) {
  KmsStandIn kms, other_kms;
  std::string error;
  auto key = kms.generate_data_key("alias/k", kContext, 64, error);
  ASSERT_TRUE(key);
  EncryptionContext other_target = kContext;
  other_target["aws:ssm:TargetId"] = "i-2";
  EXPECT_FALSE(kms.decrypt(key->ciphertext_blob, other_target, error));
  EXPECT_NE(error.find("encryption context"), std::string::npos) << error;
  EXPECT_FALSE(kms.decrypt(key->ciphertext_blob, {}, error));
  EXPECT_FALSE(other_kms.decrypt(key->ciphertext_blob, kContext, error));
  EXPECT_NE(error.find("not issued by this KMS"), std::string::npos) << error;
  auto tampered = key->ciphertext_blob;
  tampered[20] ^= 1;
  EXPECT_FALSE(kms.decrypt(tampered, kContext, error));
  EXPECT_FALSE(kms.decrypt(std::vector<std::uint8_t>(5), kContext, error));
}

// The agent's random challenge is one more context entry: a key asked for with it opens only
// with the same challenge, and one asked for without it only without (agent-side.md §2.3).
TEST(KmsStandIn, TheRandomChallengeIsBoundLikeAnyContextEntry) {
  KmsStandIn kms;
  std::string error;
  EncryptionContext with_challenge = kContext;
  with_challenge["aws:ssm:RandomChallenge"] = "AAECAwQFBgcICQoLDA0ODw==";
  auto key = kms.generate_data_key("alias/k", with_challenge, 64, error);
  ASSERT_TRUE(key) << error;
  EXPECT_TRUE(kms.decrypt(key->ciphertext_blob, with_challenge, error)) << error;
  EXPECT_FALSE(kms.decrypt(key->ciphertext_blob, kContext, error));
  EXPECT_EQ(error.rfind("InvalidCiphertextException: the encryption context", 0), 0u) << error;
  EncryptionContext other_challenge = with_challenge;
  other_challenge["aws:ssm:RandomChallenge"] = "DwAODQwLCgkIBwYFBAMCAQ==";
  EXPECT_FALSE(kms.decrypt(key->ciphertext_blob, other_challenge, error));
  auto plain = kms.generate_data_key("alias/k", kContext, 64, error);
  ASSERT_TRUE(plain) << error;
  EXPECT_FALSE(kms.decrypt(plain->ciphertext_blob, with_challenge, error));
}

struct NoControl final : SessionControl {
  void on_resume(SessionRecord&) override {}
  void on_terminate(SessionRecord&) override {}
};

class GenerateDataKey : public ::testing::Test {
 protected:
  ApiResponse call(std::string_view json) {
    return api.handle(ApiRequest{.target = "TrentService.GenerateDataKey", .body = json});
  }
  SessionRegistry registry;
  NoControl control;
  AcceptAnyRequest accept_all;
  StandInsForTests stand_ins;
  ApiHandler api{registry, control, accept_all, stand_ins.refs(), "ws://127.0.0.1:9"};
};

TEST_F(GenerateDataKey, AnswersAsKmsAndTheAgentsRecordCanDecrypt) {
  SessionRecord& session = registry.start("i-1", "", wire::Json::object());
  const auto r = call(
      R"({"EncryptionContext":{"aws:ssm:SessionId":"i-1-abc","aws:ssm:TargetId":"i-1"},"KeyId":"alias/k","NumberOfBytes":64})");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto j = wire::Json::parse(r.body);
  EXPECT_EQ(j["KeyId"], "alias/k");
  const auto plaintext = base::base64_decode(j["Plaintext"].get<std::string>());
  const auto blob = base::base64_decode(j["CiphertextBlob"].get<std::string>());
  ASSERT_TRUE(plaintext && blob);
  EXPECT_EQ(plaintext->size(), 64u);
  ASSERT_TRUE(session.kms);
  std::string error;
  const auto back = session.kms->decrypt(*blob, kContext, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, *plaintext);
}

TEST_F(GenerateDataKey, RefusesWhatKmsRefuses) {
  for (auto bad : {R"({"NumberOfBytes":64})", R"({"KeyId":"k"})", R"({"KeyId":"k","NumberOfBytes":0})",
                   R"({"KeyId":"k","NumberOfBytes":1025})", R"({"KeyId":"k","NumberOfBytes":"64"})",
                   R"({"KeyId":"k","NumberOfBytes":64,"EncryptionContext":{"a":1}})",
                   R"({"KeyId":"k","NumberOfBytes":64,"EncryptionContext":[]})"}) {
    const auto r = call(bad);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(r.error_type, "ValidationException") << bad;
  }
}

}  // namespace
}  // namespace ssm::endpoint
