// The endpoint's stand-ins for the services behind interactive logins: the SSO portal's
// GetRoleCredentials, SSO-OIDC CreateToken (refresh tokens work once) and Sign-In
// CreateOAuth2Token (a DPoP proof checked as the service checks it, bound to the session's
// key), the credentials they issue being ones the SigV4 verifier knows, the event lines e2e
// scripts wait for, and the --identity-tokens file.
#include "endpoint/identity_stand_ins.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "crypto/dpop_proof.h"
#include "endpoint/issued_credentials.h"

namespace ssm::endpoint {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kHost = "127.0.0.1:4566";
const std::string kTokenUrl = "http://127.0.0.1:4566/v1/token";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string proof(const std::string& key, const std::string& jti, std::int64_t issued_at = unix_now(),
                  const std::string& url = kTokenUrl, const std::string& method = "POST") {
  std::string error;
  const auto p = crypto::make_dpop_proof(key, method, url, issued_at, jti, error);
  EXPECT_TRUE(p) << error;
  return p.value_or("");
}

Json parse(const ApiResponse& r) { return Json::parse(r.body, nullptr, false); }

class IdentityStandInsTest : public ::testing::Test {
 protected:
  ApiResponse get_role_credentials(const std::string& token, const std::string& path) {
    ApiRequest r;
    r.method = "GET";
    r.path = path;
    r.sso_bearer_token = token;
    r.host = kHost;
    return stand_ins.answer(r);
  }
  ApiResponse get_role_credentials(const std::string& token) {
    return get_role_credentials(token, "/federation/credentials?account_id=111122223333&role_name=Dev%2BOps");
  }

  ApiResponse create_token(const std::string& refresh_token, const std::string& client_secret = "secret") {
    const std::string body = Json{{"clientId", "client"}, {"clientSecret", client_secret},
                                  {"grantType", "refresh_token"}, {"refreshToken", refresh_token}}.dump();
    ApiRequest r;
    r.path = "/token";
    r.body = body;
    r.host = kHost;
    return stand_ins.answer(r);
  }

  ApiResponse create_oauth2_token(const std::string& refresh_token, const std::string& dpop) {
    const std::string body =
        Json{{"clientId", "arn:aws:signin:::devtools/same-device"}, {"refreshToken", refresh_token}, {"grantType", "refresh_token"}}
            .dump();
    ApiRequest r;
    r.path = "/v1/token";
    r.body = body;
    r.dpop = dpop;
    r.host = kHost;
    return stand_ins.answer(r);
  }

  // The issued credentials a 200 describes must be ones the SigV4 verifier would know.
  void expect_issued(const Json& c, std::string_view secret_key, std::string_view session_key) {
    ASSERT_TRUE(c.is_object()) << c.dump();
    const auto known = issued.find(c.value("accessKeyId", ""));
    ASSERT_TRUE(known) << c.dump();
    EXPECT_EQ(known->secret_access_key, c.value(secret_key, ""));
    EXPECT_EQ(known->session_token, c.value(session_key, ""));
  }

  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(events.str());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  IssuedCredentials issued;
  std::ostringstream events, errors;
  Diagnostics out{events, errors, false};
  IdentityStandIns stand_ins{{{"sso-access-1"}, {"sso-refresh-1"}, {"login-refresh-1"}}, 3600s, issued, out};
  const std::string key = crypto::generate_dpop_key_pem();
};

TEST(IdentityStandInsRoutes, HandlesTheirMethodsAndPathsOnly) {
  const auto handles = [](std::string_view method, std::string_view path, std::string_view target = {}) {
    ApiRequest r;
    r.method = method;
    r.path = path;
    r.target = target;
    return IdentityStandIns::handles(r);
  };
  EXPECT_TRUE(handles("GET", "/federation/credentials?account_id=1&role_name=R"));
  EXPECT_TRUE(handles("GET", "/federation/credentials"));
  EXPECT_TRUE(handles("POST", "/token"));
  EXPECT_TRUE(handles("POST", "/v1/token"));
  EXPECT_FALSE(handles("POST", "/federation/credentials"));
  EXPECT_FALSE(handles("GET", "/token"));
  EXPECT_FALSE(handles("GET", "/federation/credentials/x"));
  EXPECT_FALSE(handles("POST", "/"));
  EXPECT_FALSE(handles("POST", "/", "AmazonSSM.StartSession"));
  // A JSON API call with an X-Amz-Target is the SSM API's, whatever its path.
  EXPECT_FALSE(handles("POST", "/token", "AmazonSSM.StartSession"));
}

TEST_F(IdentityStandInsTest, GetRoleCredentialsWithAKnownTokenIssuesVerifiableCredentials) {
  const auto before = std::chrono::system_clock::now();
  const ApiResponse r = get_role_credentials("sso-access-1");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_TRUE(r.error_type.empty());
  const Json c = parse(r).value("roleCredentials", Json());
  expect_issued(c, "secretAccessKey", "sessionToken");
  const auto known = issued.find(c.value("accessKeyId", ""));
  ASSERT_TRUE(known && known->expiration);
  // Epoch milliseconds, as the portal gives them, of the lifetime the endpoint was given.
  ASSERT_TRUE(c["expiration"].is_number_integer()) << c.dump();
  EXPECT_EQ(c["expiration"].get<std::int64_t>(),
            std::chrono::duration_cast<std::chrono::milliseconds>(known->expiration->time_since_epoch()).count());
  EXPECT_GE(*known->expiration, before + 3600s - 1s);
  EXPECT_EQ(lines(), std::vector<std::string>{"sso get-role-credentials account=111122223333 role=Dev+Ops status=200"});
}

TEST_F(IdentityStandInsTest, GetRoleCredentialsRefusesAnUnknownTokenAndIssuesNothing) {
  const ApiResponse r = get_role_credentials("sso-access-unknown");
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.error_type, "UnauthorizedException");
  EXPECT_EQ(issued.size(), 0u);
  EXPECT_EQ(get_role_credentials("").status, 401u);
  EXPECT_EQ(lines(), (std::vector<std::string>{"sso get-role-credentials account=111122223333 role=Dev+Ops status=401",
                                               "sso get-role-credentials account=111122223333 role=Dev+Ops status=401"}));
}

TEST_F(IdentityStandInsTest, GetRoleCredentialsNeedsAccountAndRole) {
  ApiResponse r = get_role_credentials("sso-access-1", "/federation/credentials?role_name=Dev");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.error_type, "InvalidRequestException");
  r = get_role_credentials("sso-access-1", "/federation/credentials?account_id=1&role_name=");
  EXPECT_EQ(r.status, 400u);
  r = get_role_credentials("sso-access-1", "/federation/credentials");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(issued.size(), 0u);
  EXPECT_EQ(lines(), (std::vector<std::string>{"sso get-role-credentials account=- role=Dev status=400",
                                               "sso get-role-credentials account=1 role=- status=400",
                                               "sso get-role-credentials account=- role=- status=400"}));
}

TEST_F(IdentityStandInsTest, CreateTokenRotatesTheRefreshTokenAndItsAccessTokenIsAccepted) {
  const ApiResponse r = create_token("sso-refresh-1");
  ASSERT_EQ(r.status, 200u) << r.body;
  const Json answer = parse(r);
  EXPECT_EQ(answer.value("tokenType", ""), "Bearer");
  EXPECT_EQ(answer.value("expiresIn", 0), 3600);
  const std::string access = answer.value("accessToken", ""), refresh = answer.value("refreshToken", "");
  ASSERT_FALSE(access.empty());
  ASSERT_FALSE(refresh.empty());
  EXPECT_NE(refresh, "sso-refresh-1");

  // Single use: the old refresh token is refused from now on, the new one works once.
  const ApiResponse again = create_token("sso-refresh-1");
  EXPECT_EQ(again.status, 400u);
  EXPECT_EQ(again.error_type, "InvalidGrantException");
  EXPECT_EQ(parse(again).value("error", ""), "invalid_grant");

  EXPECT_EQ(get_role_credentials(access).status, 200u);
  EXPECT_EQ(get_role_credentials("sso-access-1").status, 200u);  // the old access token lives on until it expires
  EXPECT_EQ(create_token(refresh).status, 200u);
  EXPECT_EQ(create_token(refresh).status, 400u);
  EXPECT_EQ(lines()[0], "sso create-token status=200");
  EXPECT_EQ(lines()[1], "sso create-token status=400 error=InvalidGrantException");
}

TEST_F(IdentityStandInsTest, CreateTokenRefusesUnknownTokensAndIncompleteRequests) {
  ApiResponse r = create_token("sso-refresh-unknown");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.error_type, "InvalidGrantException");
  EXPECT_EQ(parse(r).value("error", ""), "invalid_grant");

  // Without the client secret the token is not even looked at: it still works afterwards.
  r = create_token("sso-refresh-1", "");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.error_type, "InvalidRequestException");
  EXPECT_EQ(parse(r).value("error", ""), "invalid_request");
  EXPECT_EQ(create_token("sso-refresh-1").status, 200u);
}

TEST_F(IdentityStandInsTest, CreateOAuth2TokenWithAValidProofIssuesCredentialsForAtMost900Seconds) {
  const ApiResponse r = create_oauth2_token("login-refresh-1", proof(key, "jti-1"));
  ASSERT_EQ(r.status, 200u) << r.body;
  const Json answer = parse(r);
  EXPECT_EQ(answer.value("tokenType", ""), "aws_sigv4");
  // The endpoint was given 3600 s; the Sign-In service never hands out more than 900.
  EXPECT_EQ(answer.value("expiresIn", 0), 900);
  expect_issued(answer.value("accessToken", Json()), "secretAccessKey", "sessionToken");
  const std::string next = answer.value("refreshToken", "");
  EXPECT_FALSE(next.empty());
  EXPECT_NE(next, "login-refresh-1");
  EXPECT_EQ(lines(), std::vector<std::string>{"signin create-oauth2-token dpop=valid status=200"});

  // Rotated: the old refresh token is spent.
  const ApiResponse spent = create_oauth2_token("login-refresh-1", proof(key, "jti-2"));
  EXPECT_EQ(spent.status, 401u);
  EXPECT_EQ(create_oauth2_token(next, proof(key, "jti-3")).status, 200u);
}

TEST_F(IdentityStandInsTest, CreateOAuth2TokenLifetimeIsTheEndpointsWhenShorter) {
  IdentityStandIns short_lived{{{}, {}, {"login-refresh-1"}}, 600s, issued, out};
  const std::string body = R"({"clientId":"c","refreshToken":"login-refresh-1","grantType":"refresh_token"})";
  const std::string dpop = proof(key, "jti-1");
  ApiRequest r;
  r.path = "/v1/token";
  r.body = body;
  r.dpop = dpop;
  r.host = kHost;
  const ApiResponse response = short_lived.answer(r);
  ASSERT_EQ(response.status, 200u) << response.body;
  EXPECT_EQ(parse(response).value("expiresIn", 0), 600);
}

TEST_F(IdentityStandInsTest, ReplayedJtiIsRefused) {
  const std::string once = proof(key, "jti-once");
  const ApiResponse first = create_oauth2_token("login-refresh-1", once);
  ASSERT_EQ(first.status, 200u) << first.body;
  const std::string next = parse(first).value("refreshToken", "");
  // The same proof with a refresh token that is good: only the jti is wrong.
  const ApiResponse replay = create_oauth2_token(next, once);
  EXPECT_EQ(replay.status, 400u);
  EXPECT_EQ(replay.error_type, "ValidationException");
  EXPECT_NE(replay.body.find("does not fit"), std::string::npos) << replay.body;
  EXPECT_EQ(create_oauth2_token(next, proof(key, "jti-fresh")).status, 200u);
  EXPECT_EQ(lines()[1], "signin create-oauth2-token dpop=valid status=400 error=ValidationException");
}

TEST_F(IdentityStandInsTest, ProofForAnotherUrlOrMethodIsRefused) {
  for (const std::string& url : {std::string("http://127.0.0.1:9999/v1/token"), std::string("http://127.0.0.1:4566/v1/other"),
                                 std::string("http://elsewhere.example/v1/token")}) {
    const ApiResponse r = create_oauth2_token("login-refresh-1", proof(key, "jti-" + url, unix_now(), url));
    EXPECT_EQ(r.status, 400u) << url;
    EXPECT_EQ(r.error_type, "ValidationException") << url;
  }
  EXPECT_EQ(create_oauth2_token("login-refresh-1", proof(key, "jti-get", unix_now(), kTokenUrl, "GET")).status, 400u);
  // None of these spent the refresh token.
  EXPECT_EQ(create_oauth2_token("login-refresh-1", proof(key, "jti-good")).status, 200u);
}

// RFC 9449 §4.3: htu equals the request's URI (scheme, authority and path). A proof minted for
// another server whose URL merely ends with "<Host>/v1/token" is refused.
TEST_F(IdentityStandInsTest, ProofWhoseUrlOnlyEndsWithThisEndpointsIsRefused) {
  const ApiResponse elsewhere =
      create_oauth2_token("login-refresh-1", proof(key, "jti-1", unix_now(), "http://evil.example/127.0.0.1:4566/v1/token"));
  EXPECT_EQ(elsewhere.status, 400u) << elsewhere.body;
  // On a stand-in of its own, so that the refresh token is not spent by the case above.
  IdentityStandIns fresh{{{}, {}, {"login-refresh-1"}}, 3600s, issued, out};
  const std::string body = R"({"clientId":"c","refreshToken":"login-refresh-1","grantType":"refresh_token"})";
  const std::string dpop = proof(key, "jti-2", unix_now(), "http://x127.0.0.1:4566/v1/token");
  ApiRequest request;
  request.path = "/v1/token";
  request.body = body;
  request.dpop = dpop;
  request.host = kHost;
  const ApiResponse other_host = fresh.answer(request);
  EXPECT_EQ(other_host.status, 400u) << other_host.body;
}

TEST_F(IdentityStandInsTest, ProofOutsideFiveMinutesIsRefused) {
  // The stand-in reads the real clock; a minute's margin either side of its 5-minute limit
  // keeps these independent of how long the test takes.
  EXPECT_EQ(create_oauth2_token("login-refresh-1", proof(key, "jti-old", unix_now() - 6 * 60)).status, 400u);
  EXPECT_EQ(create_oauth2_token("login-refresh-1", proof(key, "jti-future", unix_now() + 6 * 60)).status, 400u);
  EXPECT_EQ(create_oauth2_token("login-refresh-1", proof(key, "jti-recent", unix_now() - 4 * 60)).status, 200u);
}

TEST_F(IdentityStandInsTest, LaterRefreshesMustUseTheFirstRefreshsKey) {
  const ApiResponse first = create_oauth2_token("login-refresh-1", proof(key, "jti-1"));
  ASSERT_EQ(first.status, 200u) << first.body;
  const std::string next = parse(first).value("refreshToken", "");

  const ApiResponse stolen = create_oauth2_token(next, proof(crypto::generate_dpop_key_pem(), "jti-2"));
  EXPECT_EQ(stolen.status, 400u);
  EXPECT_EQ(stolen.error_type, "ValidationException");
  EXPECT_NE(parse(stolen).value("message", "").find("the DPoP key is not the session's"), std::string::npos) << stolen.body;
  // The refusal did not spend the token: its owner's key still refreshes it.
  const ApiResponse owner = create_oauth2_token(next, proof(key, "jti-3"));
  EXPECT_EQ(owner.status, 200u) << owner.body;
}

TEST_F(IdentityStandInsTest, UnknownRefreshTokenIsTokenExpired) {
  const ApiResponse r = create_oauth2_token("login-refresh-unknown", proof(key, "jti-1"));
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.error_type, "AccessDeniedException");
  EXPECT_EQ(parse(r).value("error", ""), "TOKEN_EXPIRED");
  EXPECT_EQ(issued.size(), 0u);
  EXPECT_EQ(lines(), std::vector<std::string>{"signin create-oauth2-token dpop=valid status=401 error=AccessDeniedException"});
}

TEST_F(IdentityStandInsTest, MissingOrBrokenProofIsInvalid) {
  EXPECT_EQ(create_oauth2_token("login-refresh-1", "").status, 400u);
  // A character inside the signature: all six of its bits count (the last character's low
  // bits are padding, so changing it may change nothing).
  std::string tampered = proof(key, "jti-1");
  char& c = tampered[tampered.size() - 10];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(create_oauth2_token("login-refresh-1", tampered).status, 400u);
  EXPECT_EQ(lines(), (std::vector<std::string>{"signin create-oauth2-token dpop=invalid status=400 error=ValidationException",
                                               "signin create-oauth2-token dpop=invalid status=400 error=ValidationException"}));
  EXPECT_EQ(create_oauth2_token("login-refresh-1", proof(key, "jti-2")).status, 200u);
}

class IdentityTokensFile : public ::testing::Test {
 protected:
  IdentityTokensFile() {
    char tmpl[] = "/tmp/identity-tokens-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~IdentityTokensFile() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string write(const std::string& text) {
    std::ofstream(dir_ + "/tokens.json") << text;
    return dir_ + "/tokens.json";
  }
  std::string dir_;
};

TEST_F(IdentityTokensFile, GoodFile) {
  std::string error;
  const auto tokens = load_identity_tokens(
      write(R"({"sso_access_tokens":["a1","a2"],"sso_refresh_tokens":["r1"],"login_refresh_tokens":["l1",7]})"), error);
  ASSERT_TRUE(tokens) << error;
  EXPECT_EQ(tokens->sso_access, (std::set<std::string>{"a1", "a2"}));
  EXPECT_EQ(tokens->sso_refresh, (std::set<std::string>{"r1"}));
  EXPECT_EQ(tokens->login_refresh, (std::set<std::string>{"l1"}));  // non-strings skipped

  const auto partial = load_identity_tokens(write(R"({"sso_access_tokens":["a1"]})"), error);
  ASSERT_TRUE(partial) << error;
  EXPECT_TRUE(partial->sso_refresh.empty());
  EXPECT_TRUE(partial->login_refresh.empty());
}

TEST_F(IdentityTokensFile, MissingFileOrNotAnObject) {
  std::string error;
  EXPECT_FALSE(load_identity_tokens(dir_ + "/absent.json", error));
  EXPECT_NE(error.find(dir_ + "/absent.json"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(load_identity_tokens(write(R"(["a1"])"), error));
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_FALSE(load_identity_tokens(write("{not json"), error));
  EXPECT_FALSE(error.empty());
}

TEST_F(IdentityTokensFile, NonArrayValueIsRefusedAndNamed) {
  std::string error;
  EXPECT_FALSE(load_identity_tokens(write(R"({"sso_access_tokens":["a1"],"sso_refresh_tokens":"r1"})"), error));
  EXPECT_NE(error.find("sso_refresh_tokens must be a list of strings"), std::string::npos) << error;
}

}  // namespace
}  // namespace ssm::endpoint
