// The STS stand-in: the Query form is read as STS reads it, AssumeRole answers the XML the
// plugin's STS client parses, its credentials then verify (calls and upgrades, with their
// session token), and refusals are STS's ErrorResponse, never with a secret in them.
#include <gtest/gtest.h>

#include <chrono>

#include "aws/sigv4.h"
#include "aws/sts_credentials.h"
#include "aws/upgrade_signing.h"
#include "endpoint/sigv4_verifier.h"
#include "endpoint/sts_stand_in.h"
#include "stand_ins_for_tests.h"

namespace ssm::endpoint {
namespace {

using namespace std::chrono_literals;

const aws::Credentials kBase{"AKIDBASEEXAMPLE", "base-secret/Key+1", ""};
constexpr std::string_view kHost = "127.0.0.1:4566";
constexpr std::string_view kFormType = "application/x-www-form-urlencoded; charset=utf-8";
constexpr std::string_view kRoleArn = "arn:aws:iam::111122223333:role/dev";

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A request signed by lib/aws, kept alive with the ApiRequest that views it.
struct SignedCall {
  SignedCall(const aws::Credentials& c, std::string_view target, std::string_view content_type, std::string body,
             std::string_view service) {
    request.headers = {{"Content-Type", std::string(content_type)}, {"Host", std::string(kHost)}};
    if (!target.empty()) request.headers.emplace_back("X-Amz-Target", std::string(target));
    request.body = std::move(body);
    date = aws::amz_date(now());
    authorization = aws::sign(request, {"us-east-1", std::string(service), date}, c);
    api = {.target = target,
           .authorization = authorization,
           .amz_date = date,
           .host = kHost,
           .content_type = content_type,
           .security_token = c.session_token,
           .path = "/",
           .body = request.body};
  }
  aws::SignableRequest request;
  std::string date, authorization;
  ApiRequest api;
};

std::string assume_role_form(std::string_view arn = kRoleArn, std::string_view session = "dev-session") {
  return "Action=AssumeRole&Version=2011-06-15&RoleArn=" + aws::uri_encode(arn, false) +
         "&RoleSessionName=" + aws::uri_encode(session, false);
}

struct NoControl final : SessionControl {
  void on_resume(SessionRecord&) override {}
  void on_terminate(SessionRecord&) override {}
};

class Sts : public ::testing::Test {
 protected:
  ApiResponse assume_role(const aws::Credentials& signer, std::string form = assume_role_form()) {
    SignedCall call(signer, "", kFormType, std::move(form), "sts");
    return api.handle(call.api);
  }
  ApiResponse start_session(const aws::Credentials& signer) {
    SignedCall call(signer, "AmazonSSM.StartSession", kJsonContentType, R"({"Target":"i-1"})", "ssm");
    return api.handle(call.api);
  }
  aws::Credentials issue() {
    const auto r = assume_role(kBase);
    EXPECT_EQ(r.status, 200u) << r.body;
    std::string error;
    auto c = aws::parse_sts_credentials(r.body, error);
    EXPECT_TRUE(c) << error;
    return c.value_or(aws::Credentials{});
  }

  SessionRegistry registry;
  NoControl control;
  StandInsForTests stand_ins;
  SigV4Verifier verifier{kBase, &stand_ins.issued};
  ApiHandler api{registry, control, verifier, stand_ins.refs(), "ws://127.0.0.1:9"};
};

TEST(QueryForm, DecodesAsFormsDo) {
  const auto form = parse_query_form("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa&Name=a+b&&Empty=");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->at("Action"), "AssumeRole");
  EXPECT_EQ(form->at("RoleArn"), "arn:aws:iam::1:role/a");
  EXPECT_EQ(form->at("Name"), "a b");
  EXPECT_EQ(form->at("Empty"), "");
  for (auto bad : {"", "Action", "Action=%4", "Action=%zz", "=x", "{\"Target\":\"i-1\"}"})
    EXPECT_FALSE(parse_query_form(bad)) << bad;
}

TEST_F(Sts, AssumeRoleIssuesFreshTemporaryCredentials) {
  const auto r = assume_role(kBase);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.content_type, kXmlContentType);
  EXPECT_NE(r.body.find("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"), std::string::npos);
  EXPECT_NE(r.body.find("<Arn>arn:aws:sts::111122223333:assumed-role/dev/dev-session</Arn>"), std::string::npos);
  std::string error;
  const auto c = aws::parse_sts_credentials(r.body, error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->access_key_id.substr(0, 4), "ASIA");
  EXPECT_EQ(c->access_key_id.size(), 20u);
  EXPECT_GE(c->secret_access_key.size(), 40u);
  EXPECT_GE(c->session_token.size(), 100u);
  ASSERT_TRUE(c->expiration);
  const auto left = *c->expiration - std::chrono::system_clock::now();
  EXPECT_GT(left, 59min);
  EXPECT_LE(left, 60min);
  const auto again = issue();
  EXPECT_NE(again.access_key_id, c->access_key_id);
  EXPECT_NE(again.secret_access_key, c->secret_access_key);
  EXPECT_NE(again.session_token, c->session_token);
  EXPECT_EQ(stand_ins.lines(), "assume-role arn=arn:aws:iam::111122223333:role/dev session=dev-session\n"
                               "assume-role arn=arn:aws:iam::111122223333:role/dev session=dev-session\n");
  EXPECT_EQ(stand_ins.lines().find(c->secret_access_key), std::string::npos);
}

TEST_F(Sts, DurationSecondsWithinStsBounds) {
  const auto r = assume_role(kBase, assume_role_form() + "&DurationSeconds=900");
  ASSERT_EQ(r.status, 200u) << r.body;
  std::string error;
  const auto c = aws::parse_sts_credentials(r.body, error);
  ASSERT_TRUE(c && c->expiration) << error;
  EXPECT_LE(*c->expiration - std::chrono::system_clock::now(), 15min);
  EXPECT_EQ(assume_role(kBase, assume_role_form() + "&DurationSeconds=60").error_type, "ValidationError");
}

TEST_F(Sts, IssuedCredentialsSignCallsWithTheirToken) {
  const aws::Credentials temporary = issue();
  EXPECT_EQ(start_session(temporary).status, 200u);
  EXPECT_EQ(start_session(kBase).status, 200u);  // the base pair still works
  aws::Credentials no_token = temporary;
  no_token.session_token.clear();
  EXPECT_EQ(start_session(no_token).error_type, "UnrecognizedClientException");
  aws::Credentials other_token = temporary;
  other_token.session_token = "not-the-issued-token";
  EXPECT_EQ(start_session(other_token).error_type, "UnrecognizedClientException");
  aws::Credentials wrong_secret = temporary;
  wrong_secret.secret_access_key = "wrong";
  EXPECT_EQ(start_session(wrong_secret).error_type, "InvalidSignatureException");
  // Role chaining: an assumed role's keys may assume a role in turn, as with STS.
  EXPECT_EQ(assume_role(temporary).status, 200u);
}

TEST_F(Sts, IssuedCredentialsSignTheUpgrade) {
  const aws::Credentials temporary = issue();
  const std::string url = "ws://" + std::string(kHost) + "/v1/data-channel/s-1?role=publish_subscribe";
  const auto headers = aws::sign_stream_upgrade(url, "us-east-1", temporary, now());
  ASSERT_TRUE(headers);
  ApiRequest upgrade{.host = kHost, .path = "/v1/data-channel/s-1?role=publish_subscribe"};
  for (const auto& [name, value] : *headers) {
    if (name == "Authorization") upgrade.authorization = value;
    if (name == "X-Amz-Date") upgrade.amz_date = value;
    if (name == "X-Amz-Security-Token") upgrade.security_token = value;
  }
  EXPECT_EQ(upgrade.security_token, temporary.session_token);
  EXPECT_FALSE(verifier.verify_upgrade(upgrade));
  upgrade.security_token = "stale";
  EXPECT_TRUE(verifier.verify_upgrade(upgrade));
}

TEST_F(Sts, ExpiredCredentialsAreRefusedAsExpired) {
  const aws::Credentials old = stand_ins.issued.issue(1s, std::chrono::system_clock::now() - 10s);
  EXPECT_EQ(start_session(old).error_type, "ExpiredTokenException");
  EXPECT_EQ(assume_role(old).error_type, "ExpiredToken");
}

TEST_F(Sts, RefusalsAreStsErrorResponses) {
  const auto wrong = assume_role({kBase.access_key_id, "not-the-secret", ""});
  EXPECT_EQ(wrong.status, 403u);
  EXPECT_EQ(wrong.error_type, "SignatureDoesNotMatch");
  EXPECT_EQ(wrong.content_type, kXmlContentType);
  EXPECT_NE(wrong.body.find("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                            "<Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated"),
            std::string::npos)
      << wrong.body;
  EXPECT_EQ(wrong.body.find("not-the-secret"), std::string::npos);
  EXPECT_EQ(aws::describe_sts_error(wrong.status, wrong.body).substr(0, 23), "SignatureDoesNotMatch: ");
  EXPECT_EQ(assume_role({"AKIDUNKNOWN", "x", ""}).error_type, "InvalidClientTokenId");
  SignedCall unsigned_call(kBase, "", kFormType, assume_role_form(), "sts");
  unsigned_call.api.authorization = {};
  EXPECT_EQ(api.handle(unsigned_call.api).error_type, "MissingAuthenticationToken");
  EXPECT_EQ(stand_ins.lines().find("refused=SignatureDoesNotMatch"), stand_ins.lines().find("refused="));
  EXPECT_EQ(stand_ins.issued.size(), 0u);
}

TEST_F(Sts, UnknownActionsAndBadParametersAreRefused) {
  const auto unknown = assume_role(kBase, "Action=GetSessionToken&Version=2011-06-15");
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_EQ(unknown.error_type, "InvalidAction");
  EXPECT_NE(unknown.body.find("<Type>Sender</Type><Code>InvalidAction</Code>"), std::string::npos);
  EXPECT_EQ(assume_role(kBase, "Action=AssumeRole&Version=2099-01-01&RoleArn=a&RoleSessionName=s").error_type,
            "InvalidAction");
  EXPECT_EQ(assume_role(kBase, "Action=AssumeRole&Version=2011-06-15&RoleSessionName=ss").error_type,
            "ValidationError");
  EXPECT_EQ(assume_role(kBase, assume_role_form("arn:aws:iam::1:user/dev")).error_type, "ValidationError");
  EXPECT_EQ(assume_role(kBase, assume_role_form(kRoleArn, "has space")).error_type, "ValidationError");
  EXPECT_EQ(stand_ins.issued.size(), 0u);
  // A body that is no form, without X-Amz-Target, is still the JSON API's business.
  EXPECT_EQ(api.handle({.body = "{}"}).status, 403u);
}

class StsAssumeRoleOnly : public Sts {
 protected:
  SigV4Verifier roles_only{kBase, &stand_ins.issued, true};
  ApiHandler restricted{registry, control, roles_only, stand_ins.refs(), "ws://127.0.0.1:9"};
};

TEST_F(StsAssumeRoleOnly, TheBaseKeysOnlyAssumeRoles) {
  SignedCall sts(kBase, "", kFormType, assume_role_form(), "sts");
  const auto issued = restricted.handle(sts.api);
  ASSERT_EQ(issued.status, 200u) << issued.body;
  std::string error;
  const auto temporary = aws::parse_sts_credentials(issued.body, error);
  ASSERT_TRUE(temporary) << error;

  SignedCall base_call(kBase, "AmazonSSM.StartSession", kJsonContentType, R"({"Target":"i-1"})", "ssm");
  const auto denied = restricted.handle(base_call.api);
  EXPECT_EQ(denied.status, 400u);
  EXPECT_EQ(denied.error_type, "AccessDeniedException");
  SignedCall role_call(*temporary, "AmazonSSM.StartSession", kJsonContentType, R"({"Target":"i-1"})", "ssm");
  EXPECT_EQ(restricted.handle(role_call.api).status, 200u);
  // A wrong secret is still a bad signature first, not a denial.
  SignedCall forged({kBase.access_key_id, "wrong", ""}, "AmazonSSM.StartSession", kJsonContentType, "{}", "ssm");
  EXPECT_EQ(restricted.handle(forged.api).error_type, "InvalidSignatureException");

  const std::string url = "ws://" + std::string(kHost) + "/v1/data-channel/s-1?role=publish_subscribe";
  const auto headers = aws::sign_stream_upgrade(url, "us-east-1", kBase, now());
  ASSERT_TRUE(headers);
  ApiRequest upgrade{.host = kHost, .path = "/v1/data-channel/s-1?role=publish_subscribe"};
  for (const auto& [name, value] : *headers) {
    if (name == "Authorization") upgrade.authorization = value;
    if (name == "X-Amz-Date") upgrade.amz_date = value;
  }
  const auto refused = roles_only.verify_upgrade(upgrade);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403u);
  EXPECT_EQ(refused->error_type, "AccessDeniedException");
}

}  // namespace
}  // namespace ssm::endpoint
