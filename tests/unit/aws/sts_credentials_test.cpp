// STS through the credential chain, against a loopback STS: AssumeRole with a source
// profile (form fields, SigV4 with the source keys), credential_source=Environment, role
// chaining, web identity (unsigned, token from its file), and errors that name the role but
// carry no secret. Then the XML parsing on its own.
#include <gtest/gtest.h>

#include "aws/credential_document.h"
#include "aws/sts_credentials.h"
#include "loopback_http_server.h"

namespace ssm::aws {
namespace {

using namespace ssm::aws::testing;

std::string assume_role_response(const std::string& prefix, const std::string& expiration = "2030-01-02T03:04:05.123Z") {
  return "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials>"
         "<AccessKeyId>" + prefix + "KEY</AccessKeyId><SecretAccessKey>" + prefix + "secret&amp;+/</SecretAccessKey>"
         "<SessionToken>" + prefix + "token</SessionToken><Expiration>" + expiration + "</Expiration>"
         "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
}

std::string sts_error(const std::string& code, const std::string& message) {
  return "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message +
         "</Message></Error><RequestId>r1</RequestId></ErrorResponse>";
}

// The value of `name=` in an Authorization header's comma-separated parts.
std::string auth_part(const std::string& authorization, const std::string& name) {
  const auto at = authorization.find(name + "=");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 1;
  return authorization.substr(start, authorization.find(',', start) - start);
}

// Recomputes the request's SigV4 signature with `secret`: equal only if it was signed with it.
void expect_signed_with(const SeenRequest& seen, const std::string& access_key, const std::string& secret,
                        const std::string& region) {
  const std::string authorization = seen.header("authorization");
  ASSERT_EQ(authorization.rfind("AWS4-HMAC-SHA256 ", 0), 0u) << authorization;
  const std::string credential = auth_part(authorization, "Credential");
  const std::string amz_date = seen.header("x-amz-date");
  EXPECT_EQ(credential, access_key + "/" + amz_date.substr(0, 8) + "/" + region + "/sts/aws4_request");
  SignableRequest r;
  r.method = seen.method;
  r.path = seen.target;
  r.body = seen.body;
  std::string signed_headers = auth_part(authorization, "SignedHeaders");
  for (std::size_t start = 0; start < signed_headers.size();) {
    const auto end = std::min(signed_headers.find(';', start), signed_headers.size());
    const std::string name = signed_headers.substr(start, end - start);
    r.headers.emplace_back(name, seen.header(name));
    start = end + 1;
  }
  EXPECT_EQ(auth_part(authorization, "Signature"), signature(r, {region, "sts", amz_date}, secret));
}

class StsChain : public ::testing::Test {
 protected:
  void SetUp() override { files.vars["AWS_ENDPOINT_URL_STS"] = sts.url(); }

  CredentialOptions options(const std::string& profile = "") {
    CredentialOptions o;
    o.profile = profile;
    o.env = files.env();
    return o;
  }

  asio::io_context io;
  TestEnvironment files;
  std::function<CannedReply(const SeenRequest&)> answer = [](const SeenRequest&) {
    return CannedReply{200, assume_role_response("ROLE")};
  };
  LoopbackHttpServer sts{io, [this](const SeenRequest& r) { return answer(r); }};
};

TEST_F(StsChain, AssumeRoleWithASourceProfileIsSignedWithTheSourceKeys) {
  files.write("credentials", "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = base-secret\n");
  files.write("config",
              "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Ops\nsource_profile = base\n"
              "external_id = ext-1\nduration_seconds = 1800\nrole_session_name = me\nregion = eu-west-1\n");
  const auto r = resolve_once(io, options("dev"));
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "ROLEKEY");
  EXPECT_EQ(r.credentials->secret_access_key, "ROLEsecret&+/");
  EXPECT_EQ(r.credentials->session_token, "ROLEtoken");
  ASSERT_TRUE(r.credentials->expiration);
  EXPECT_EQ(*r.credentials->expiration, *parse_timestamp("2030-01-02T03:04:05Z"));
  EXPECT_EQ(r.source, "assume role arn:aws:iam::123456789012:role/Ops");

  ASSERT_EQ(sts.requests().size(), 1u);
  const SeenRequest& seen = sts.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.header("content-type"), "application/x-www-form-urlencoded; charset=utf-8");
  const auto form = parse_form(seen.body);
  EXPECT_EQ(form.at("Action"), "AssumeRole");
  EXPECT_EQ(form.at("Version"), "2011-06-15");
  EXPECT_EQ(form.at("RoleArn"), "arn:aws:iam::123456789012:role/Ops");
  EXPECT_EQ(form.at("RoleSessionName"), "me");
  EXPECT_EQ(form.at("ExternalId"), "ext-1");
  EXPECT_EQ(form.at("DurationSeconds"), "1800");
  expect_signed_with(seen, "AKBASE", "base-secret", "eu-west-1");
}

TEST_F(StsChain, CredentialSourceEnvironmentAndTheDefaultSessionName) {
  files.vars["AWS_ACCESS_KEY_ID"] = "AKENV";
  files.vars["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  files.vars["AWS_REGION"] = "ap-south-1";
  files.write("config", "[profile ci]\nrole_arn = arn:aws:iam::1:role/Ci\ncredential_source = Environment\n");
  const auto r = resolve_once(io, options("ci"));
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "ROLEKEY");
  ASSERT_EQ(sts.requests().size(), 1u);
  expect_signed_with(sts.requests()[0], "AKENV", "env-secret", "ap-south-1");
  EXPECT_EQ(parse_form(sts.requests()[0].body).at("RoleSessionName").rfind("session-manager-plugin-", 0), 0u);
}

TEST_F(StsChain, RolesChainThroughSourceProfiles) {
  files.write("credentials", "[root]\naws_access_key_id = AKROOT\naws_secret_access_key = root-secret\n");
  files.write("config",
              "[profile middle]\nrole_arn = arn:aws:iam::1:role/Middle\nsource_profile = root\n"
              "[profile top]\nrole_arn = arn:aws:iam::1:role/Top\nsource_profile = middle\n");
  answer = [this](const SeenRequest&) { return CannedReply{200, assume_role_response(sts.requests().size() == 1 ? "MID" : "TOP")}; };
  const auto r = resolve_once(io, options("top"));
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "TOPKEY");
  ASSERT_EQ(sts.requests().size(), 2u);
  EXPECT_EQ(parse_form(sts.requests()[0].body).at("RoleArn"), "arn:aws:iam::1:role/Middle");
  expect_signed_with(sts.requests()[0], "AKROOT", "root-secret", "us-east-1");
  EXPECT_EQ(parse_form(sts.requests()[1].body).at("RoleArn"), "arn:aws:iam::1:role/Top");
  expect_signed_with(sts.requests()[1], "MIDKEY", "MIDsecret&+/", "us-east-1");
  EXPECT_EQ(sts.requests()[1].header("x-amz-security-token"), "MIDtoken");
}

TEST_F(StsChain, AccessDeniedNamesTheProfileAndRoleButNoSecret) {
  files.write("credentials", "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = base-secret\n");
  files.write("config", "[profile dev]\nrole_arn = arn:aws:iam::1:role/Nope\nsource_profile = base\n");
  answer = [](const SeenRequest&) {
    return CannedReply{403, sts_error("AccessDenied", "not authorized to assume (echo: base-secret)")};
  };
  const auto r = resolve_once(io, options("dev"));
  ASSERT_FALSE(r.credentials);
  EXPECT_EQ(r.error.rfind("profile dev: assume role arn:aws:iam::1:role/Nope: AccessDenied: not authorized", 0), 0u)
      << r.error;
  EXPECT_NE(r.error.find("(HTTP 403)"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("base-secret"), std::string::npos) << r.error;
}

TEST_F(StsChain, WebIdentityFromTheEnvironmentIsUnsignedAndSendsTheToken) {
  files.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = files.write("token", "eyJ-web-token\n");
  files.vars["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/Pod";
  files.vars["AWS_ROLE_SESSION_NAME"] = "pod-1";
  const auto r = resolve_once(io, options());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "ROLEKEY");
  ASSERT_EQ(sts.requests().size(), 1u);
  const SeenRequest& seen = sts.requests()[0];
  EXPECT_EQ(seen.header("authorization"), "");
  const auto form = parse_form(seen.body);
  EXPECT_EQ(form.at("Action"), "AssumeRoleWithWebIdentity");
  EXPECT_EQ(form.at("RoleArn"), "arn:aws:iam::1:role/Pod");
  EXPECT_EQ(form.at("RoleSessionName"), "pod-1");
  EXPECT_EQ(form.at("WebIdentityToken"), "eyJ-web-token");
}

TEST_F(StsChain, WebIdentityFromAProfileAndItsErrorsHideTheToken) {
  const std::string token_file = files.write("token", "eyJ-secret-token");
  files.write("config", "[profile wi]\nrole_arn = arn:aws:iam::1:role/Wi\nweb_identity_token_file = " + token_file + "\n");
  answer = [](const SeenRequest&) {
    return CannedReply{400, sts_error("InvalidIdentityToken", "bad token eyJ-secret-token")};
  };
  const auto r = resolve_once(io, options("wi"));
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("assume role with web identity arn:aws:iam::1:role/Wi: InvalidIdentityToken"), std::string::npos)
      << r.error;
  EXPECT_EQ(r.error.find("eyJ-secret-token"), std::string::npos) << r.error;
  ASSERT_EQ(sts.requests().size(), 1u);
  EXPECT_EQ(parse_form(sts.requests()[0].body).at("WebIdentityToken"), "eyJ-secret-token");
}

TEST_F(StsChain, AMissingTokenFileIsNamed) {
  files.write("config", "[profile wi]\nrole_arn = arn:aws:iam::1:role/Wi\nweb_identity_token_file = /nonexistent/tok\n");
  const auto r = resolve_once(io, options("wi"));
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("/nonexistent/tok"), std::string::npos) << r.error;
  EXPECT_TRUE(sts.requests().empty());
}

TEST(StsEndpoint, OverridesThenTheRegionalEndpoint) {
  std::map<std::string, std::string> vars;
  const base::GetEnv env = [&](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    return it == vars.end() ? std::nullopt : std::optional(it->second);
  };
  EXPECT_EQ(sts_endpoint(env, "eu-west-3", "").url, "https://sts.eu-west-3.amazonaws.com");
  EXPECT_EQ(sts_endpoint(env, "cn-north-1", "").url, "https://sts.cn-north-1.amazonaws.com.cn");
  vars["AWS_ENDPOINT_URL"] = "http://all";
  EXPECT_EQ(sts_endpoint(env, "eu-west-3", "").url, "http://all");
  vars["AWS_ENDPOINT_URL_STS"] = "http://sts-only";
  EXPECT_EQ(sts_endpoint(env, "eu-west-3", "").url, "http://sts-only");
}

TEST(StsXml, CredentialsAndErrors) {
  std::string error;
  EXPECT_FALSE(parse_sts_credentials("<nothing/>", error));
  EXPECT_FALSE(parse_sts_credentials("<Credentials><AccessKeyId>a</AccessKeyId></Credentials>", error));
  const auto c = parse_sts_credentials(assume_role_response("X", "2030-01-01T00:00:00Z"), error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->secret_access_key, "Xsecret&+/");
  EXPECT_EQ(describe_sts_error(403, sts_error("AccessDenied", "a &quot;b&quot;")), "AccessDenied: a \"b\" (HTTP 403)");
  EXPECT_EQ(describe_sts_error(502, "<html>bad gateway</html>"), "HTTP error (HTTP 502)");
}

}  // namespace
}  // namespace ssm::aws
