#include <gtest/gtest.h>

#include "endpoint/api_handler.h"
#include "stand_ins_for_tests.h"

namespace ssm::endpoint {
namespace {

struct RecordingControl final : SessionControl {
  void on_resume(SessionRecord& r) override { resumed.push_back(r.id); }
  void on_terminate(SessionRecord& r) override { terminated.push_back(r.id); }
  std::vector<std::string> resumed, terminated;
};

struct RefuseUnsigned final : RequestVerifier {
  std::optional<ApiResponse> verify(const ApiRequest& r) const override {
    if (r.authorization.empty()) return api_error("MissingAuthenticationTokenException", "no signature", 403);
    return std::nullopt;
  }
};

wire::Json body(const ApiResponse& r) { return wire::Json::parse(r.body); }

class Api : public ::testing::Test {
 protected:
  ApiResponse call(std::string_view target, std::string_view json) {
    return api.handle(ApiRequest{.target = target, .authorization = "AWS4-HMAC-SHA256 ...", .body = json});
  }

  SessionRegistry registry;
  RecordingControl control;
  AcceptAnyRequest accept_all;
  StandInsForTests stand_ins;
  ApiHandler api{registry, control, accept_all, stand_ins.refs(), "ws://127.0.0.1:9"};
};

TEST_F(Api, StartSessionNamesTheSessionAfterTheTargetAndRemembersIt) {
  const auto r = call("AmazonSSM.StartSession",
                      R"({"Target":"i-0abc","DocumentName":"AWS-StartSSHSession","Parameters":{"portNumber":["22"]}})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_TRUE(r.error_type.empty());
  const auto j = body(r);
  const std::string id = j["SessionId"];
  ASSERT_EQ(id.size(), std::string("i-0abc-").size() + 17);
  EXPECT_EQ(id.rfind("i-0abc-", 0), 0u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 7), std::string::npos);
  EXPECT_EQ(j["StreamUrl"], "ws://127.0.0.1:9/v1/data-channel/" + id + "?role=publish_subscribe");
  const std::string token = j["TokenValue"];
  EXPECT_GE(token.size(), 64u);
  const SessionRecord* rec = registry.find(id);
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(rec->document, "AWS-StartSSHSession");
  EXPECT_EQ(rec->parameters.dump(), R"({"portNumber":["22"]})");
  EXPECT_EQ(rec->token, token);
  EXPECT_NE(body(call("AmazonSSM.StartSession", R"({"Target":"i-0abc"})"))["SessionId"], id);
}

TEST_F(Api, ResumeGivesANewTokenAndTerminateEndsTheSession) {
  const auto s = body(call("AmazonSSM.StartSession", R"({"Target":"i-1"})"));
  const std::string id = s["SessionId"], token = s["TokenValue"];
  const std::string by_id = R"({"SessionId":")" + id + R"("})";

  const auto resumed = call("AmazonSSM.ResumeSession", by_id);
  ASSERT_EQ(resumed.status, 200u) << resumed.body;
  EXPECT_EQ(body(resumed)["SessionId"], id);
  EXPECT_NE(body(resumed)["TokenValue"], token);  // the old one stops working
  EXPECT_EQ(registry.find(id)->token, body(resumed)["TokenValue"]);
  EXPECT_EQ(body(resumed)["StreamUrl"], api.stream_url(id));
  EXPECT_EQ(control.resumed, std::vector<std::string>{id});

  const auto terminated = call("AmazonSSM.TerminateSession", by_id);
  ASSERT_EQ(terminated.status, 200u);
  EXPECT_EQ(terminated.body, R"({"SessionId":")" + id + R"("})");
  EXPECT_EQ(control.terminated, std::vector<std::string>{id});
  EXPECT_EQ(call("AmazonSSM.TerminateSession", by_id).status, 200u);  // again: fine, nothing more to do
  EXPECT_EQ(control.terminated.size(), 1u);

  const auto late = call("AmazonSSM.ResumeSession", by_id);
  EXPECT_EQ(late.status, 400u);
  EXPECT_EQ(late.error_type, "DoesNotExistException");
}

TEST_F(Api, ASessionTheAgentEndedCannotBeResumed) {
  const std::string id = body(call("AmazonSSM.StartSession", R"({"Target":"i-1"})"))["SessionId"];
  registry.find(id)->ended = true;
  EXPECT_EQ(call("AmazonSSM.ResumeSession", R"({"SessionId":")" + id + R"("})").status, 400u);
}

TEST_F(Api, ErrorsAreAwsShaped) {
  const auto r = call("AmazonSSM.StartSession", R"({"DocumentName":"x"})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.error_type, "ValidationException");
  EXPECT_EQ(body(r)["__type"], "ValidationException");
  EXPECT_FALSE(body(r)["message"].get<std::string>().empty());
  EXPECT_EQ(call("AmazonSSM.StartSession", R"({"Target":"i-1","Parameters":[1]})").error_type, "ValidationException");
  EXPECT_EQ(call("AmazonSSM.StartSession", "{not json").error_type, "SerializationException");
  EXPECT_EQ(call("AmazonSSM.StartSession", "[]").error_type, "SerializationException");
  EXPECT_EQ(call("AmazonSSM.SendCommand", "{}").error_type, "UnknownOperationException");
  // An unknown document is not run as a shell.
  EXPECT_EQ(call("AmazonSSM.StartSession", R"({"Target":"i-1","DocumentName":"No-Such-Doc"})").error_type,
            "InvalidDocument");
  EXPECT_EQ(call("AmazonSSM.StartSession", R"({"Target":"i-1","DocumentName":"My-Tunnel","Parameters":{"portNumber":["80"]}})")
                .status,
            200u);
  EXPECT_EQ(call("AmazonSSM.ResumeSession", "{}").error_type, "ValidationException");
  EXPECT_EQ(call("AmazonSSM.ResumeSession", R"({"SessionId":"nope"})").error_type, "DoesNotExistException");
  EXPECT_EQ(call("AmazonSSM.TerminateSession", R"({"SessionId":"nope"})").error_type, "DoesNotExistException");
  EXPECT_TRUE(control.resumed.empty());
}

TEST(ApiVerifier, RunsBeforeAnythingElse) {
  SessionRegistry registry;
  RecordingControl control;
  RefuseUnsigned verifier;
  StandInsForTests stand_ins;
  ApiHandler api(registry, control, verifier, stand_ins.refs(), "ws://h:1");
  const auto refused = api.handle({.target = "AmazonSSM.StartSession", .body = R"({"Target":"i-1"})"});
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(refused.error_type, "MissingAuthenticationTokenException");
  EXPECT_TRUE(registry.all().empty());
  EXPECT_EQ(api.handle({.target = "AmazonSSM.StartSession", .authorization = "x", .body = R"({"Target":"i-1"})"}).status,
            200u);
}

}  // namespace
}  // namespace ssm::endpoint
