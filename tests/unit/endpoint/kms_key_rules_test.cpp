// The KMS stand-in's door: only known keys (under any of their spellings) get a data key,
// others are NotFoundException as for a deleted key; --kms-throttle's first calls are
// ThrottlingException; every GenerateDataKey call prints one line with its status.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "endpoint/api_handler.h"
#include "endpoint/kms_key_rules.h"
#include "stand_ins_for_tests.h"

namespace ssm::endpoint {
namespace {

constexpr const char* kKeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

std::string outcome(const std::optional<ApiResponse>& r) { return r ? r->error_type : "admitted"; }

TEST(KmsKeyRules, KnowsItsKeysUnderEverySpelling) {
  KmsKeyRules rules({kKeyArn, "alias/session-key", ""}, 0);
  EXPECT_EQ(outcome(rules.admit(kKeyArn)), "admitted");
  EXPECT_EQ(outcome(rules.admit("1234abcd-12ab-34cd-56ef-1234567890ab")), "admitted");
  EXPECT_EQ(outcome(rules.admit("alias/session-key")), "admitted");
  EXPECT_EQ(outcome(rules.admit("arn:aws:kms:us-east-1:111122223333:alias/session-key")), "admitted");
  EXPECT_EQ(outcome(rules.admit("")), "NotFoundException");  // an empty --kms-key-id is no key
  const auto missing = rules.admit("arn:aws:kms:us-east-1:111122223333:key/deleted");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400u);
  EXPECT_EQ(wire::Json::parse(missing->body),
            (wire::Json{{"__type", "NotFoundException"},
                        {"message", "Key 'arn:aws:kms:us-east-1:111122223333:key/deleted' does not exist"}}));
}

TEST(KmsKeyRules, ThrottlesTheFirstCallsWhateverTheirKey) {
  KmsKeyRules rules({"alias/k"}, 2);
  for (int call = 0; call < 2; ++call) {
    const auto r = rules.admit(call == 0 ? "alias/k" : "alias/unknown");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400u);
    EXPECT_EQ(wire::Json::parse(r->body), (wire::Json{{"__type", "ThrottlingException"}, {"message", "Rate exceeded"}}));
  }
  EXPECT_EQ(outcome(rules.admit("alias/k")), "admitted");
  EXPECT_EQ(outcome(rules.admit("alias/unknown")), "NotFoundException");
}

struct NoControl final : SessionControl {
  void on_resume(SessionRecord&) override {}
  void on_terminate(SessionRecord&) override {}
};

class GenerateDataKeyRules : public ::testing::Test {
 protected:
  ApiResponse call(std::string_view key) {
    body = R"({"KeyId":")" + std::string(key) + R"(","NumberOfBytes":64})";
    return api.handle(ApiRequest{.target = "TrentService.GenerateDataKey", .body = body});
  }
  std::string body;
  SessionRegistry registry;
  NoControl control;
  AcceptAnyRequest accept_all;
  StandInsForTests stand_ins{{kKnownKey}, 1};
  ApiHandler api{registry, control, accept_all, stand_ins.refs(), "ws://127.0.0.1:9"};
};

TEST_F(GenerateDataKeyRules, PrintsOneLinePerCallWithItsOutcome) {
  EXPECT_EQ(call(kKnownKey).error_type, "ThrottlingException");
  EXPECT_EQ(call(kKnownKey).status, 200u);
  const auto missing = call("alias/gone");
  EXPECT_EQ(missing.status, 400u);
  EXPECT_EQ(missing.error_type, "NotFoundException");
  EXPECT_EQ(stand_ins.lines(),
            "kms generate-data-key key=alias/k status=400 error=ThrottlingException\n"
            "kms generate-data-key key=alias/k status=200\n"
            "kms generate-data-key key=alias/gone status=400 error=NotFoundException\n");
}

TEST_F(GenerateDataKeyRules, OtherCallsPrintTheirOwnLineOnly) {
  EXPECT_EQ(api.handle(ApiRequest{.target = "AmazonSSM.StartSession", .body = R"({"Target":"i-1"})"}).status, 200u);
  EXPECT_THAT(stand_ins.lines(), ::testing::MatchesRegex("start session=[^ ]+ target=i-1 document=-\n"));
}

}  // namespace
}  // namespace ssm::endpoint
