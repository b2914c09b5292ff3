// IAM Identity Center credentials against a loopback server standing in for SSO-OIDC and the
// portal: where the token cache lives, when the cached token is used as it is and when it is
// refreshed (and written back), what ends in the one line that names `aws sso login`, and
// that no token or client secret ever reaches that line. The clock is the test's.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "aws/credential_document.h"
#include "aws/sso_credentials.h"
#include "base/environment.h"
#include "base/private_file.h"
#include "loopback_http_server.h"

namespace ssm::aws {
namespace {

using namespace ssm::aws::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;

const auto kNow = *parse_timestamp("2030-06-01T12:00:00Z");
constexpr const char* kPortalAnswer =
    R"({"roleCredentials":{"accessKeyId":"ASIAROLE","secretAccessKey":"role-secret","sessionToken":"role-token","expiration":1924992000000}})";

SsoSource session_source() { return {"my-sso", "https://my-sso-portal.awsapps.com/start", "eu-west-1", "111122223333", "Dev+Ops"}; }
SsoSource legacy_source() { return {"", "https://my-sso-portal.awsapps.com/start", "eu-west-1", "111122223333", "Dev+Ops"}; }

// A cached token as `aws sso login` writes it for an sso-session, expiring `expires_in` from kNow.
Json session_token(std::chrono::seconds expires_in) {
  return {{"startUrl", "https://my-sso-portal.awsapps.com/start"},
          {"region", "eu-west-1"},
          {"accessToken", "cached-access"},
          {"expiresAt", format_timestamp(kNow + expires_in)},
          {"clientId", "client-id-1"},
          {"clientSecret", "client-secret-1"},
          {"registrationExpiresAt", format_timestamp(kNow + 24h * 30)},
          {"refreshToken", "cached-refresh"},
          {"sessionName", "kept-as-is"}};
}

// Every secret the cache or the refresh holds: none of them may be in an error line.
void expect_no_secret(const std::string& error) {
  for (const char* secret : {"cached-access", "cached-refresh", "client-secret-1", "new-access", "new-refresh"})
    EXPECT_EQ(error.find(secret), std::string::npos) << secret << " in: " << error;
}

class SsoCredentials : public ::testing::Test {
 protected:
  void SetUp() override {
    files.vars["AWS_ENDPOINT_URL_SSO"] = server.url();
    files.vars["AWS_ENDPOINT_URL_SSO_OIDC"] = server.url();
  }

  base::GetEnv env() const { return base::Environment::of(files.vars).get; }

  std::string cache_file(const SsoSource& sso) const { return sso_cache_path(env(), sso.cache_key()); }
  // Written readable by others (0644), so that the mode after a rewrite says who wrote it.
  void write_cache(const SsoSource& sso, const Json& token) {
    const std::filesystem::path path = cache_file(sso);
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << token.dump(2);
    std::filesystem::permissions(path, std::filesystem::perms(0644));
  }
  Json read_cache(const SsoSource& sso) const {
    return Json::parse(base::read_file(cache_file(sso)).value_or(""), nullptr, false);
  }

  ResolvedCredentials resolve(const SsoSource& sso, const std::string& profile = "dev") {
    ChainSettings settings{io.get_executor(), env(), "", "us-east-1", [this] { return now; }};
    std::optional<ResolvedCredentials> result;
    async_sso_credentials(settings, profile, sso, [&](ResolvedCredentials r) { result = std::move(r); });
    run_until(io, [&] { return result.has_value(); });
    return result.value_or(ResolvedCredentials{std::nullopt, "", "the test's deadline passed"});
  }

  std::vector<std::string> targets() const {
    std::vector<std::string> t;
    for (const auto& r : server.requests()) t.push_back(r.method + " " + r.target);
    return t;
  }

  asio::io_context io;
  TestEnvironment files;
  std::chrono::system_clock::time_point now = kNow;
  std::function<CannedReply(const SeenRequest&)> answer = [](const SeenRequest& r) {
    if (r.method == "POST" && r.target == "/token")
      return CannedReply{200, R"({"accessToken":"new-access","tokenType":"Bearer","expiresIn":3600,"refreshToken":"new-refresh"})"};
    return CannedReply{200, kPortalAnswer};
  };
  LoopbackHttpServer server{io, [this](const SeenRequest& r) { return answer(r); }};
};

const std::string kPortalTarget = "GET /federation/credentials?account_id=111122223333&role_name=Dev%2BOps";

TEST_F(SsoCredentials, CacheFileIsTheSha1OfTheSessionNameOrTheLegacyStartUrl) {
  // Reference digests from sha1sum, so the file matches the one the AWS CLI wrote.
  EXPECT_EQ(sso_cache_path(env(), "my-sso"), files.dir() + "/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json");
  EXPECT_EQ(cache_file(session_source()), files.dir() + "/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json");
  EXPECT_EQ(cache_file(legacy_source()), files.dir() + "/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json");
}

TEST_F(SsoCredentials, ValidTokenGoesStraightToThePortal) {
  write_cache(session_source(), session_token(1h));
  const auto r = resolve(session_source());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.source, "IAM Identity Center");
  EXPECT_EQ(r.credentials->access_key_id, "ASIAROLE");
  EXPECT_EQ(r.credentials->secret_access_key, "role-secret");
  EXPECT_EQ(r.credentials->session_token, "role-token");
  // The portal gives epoch milliseconds.
  ASSERT_TRUE(r.credentials->expiration);
  EXPECT_EQ(*r.credentials->expiration, *parse_timestamp("2031-01-01T00:00:00Z"));

  ASSERT_EQ(targets(), std::vector<std::string>{kPortalTarget});
  EXPECT_EQ(server.requests()[0].header("x-amz-sso_bearer_token"), "cached-access");
  EXPECT_EQ(server.requests()[0].header("authorization"), "");  // the portal call is unsigned
  EXPECT_EQ(read_cache(session_source()), session_token(1h));   // nothing to write back
}

TEST_F(SsoCredentials, RefreshWindowIsFifteenMinutes) {
  write_cache(session_source(), session_token(16min));
  auto r = resolve(session_source());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(targets(), std::vector<std::string>{kPortalTarget});

  write_cache(session_source(), session_token(14min));
  r = resolve(session_source());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(targets(), (std::vector<std::string>{kPortalTarget, "POST /token", kPortalTarget}));
}

TEST_F(SsoCredentials, TokenNearExpiryIsRefreshedAndWrittenBack) {
  write_cache(session_source(), session_token(10min));
  const auto r = resolve(session_source());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "ASIAROLE");

  ASSERT_EQ(targets(), (std::vector<std::string>{"POST /token", kPortalTarget}));
  const SeenRequest& create_token = server.requests()[0];
  EXPECT_EQ(create_token.header("content-type"), "application/json");
  EXPECT_EQ(create_token.header("authorization"), "");
  const Json body = Json::parse(create_token.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << create_token.body;
  EXPECT_EQ(body.value("grantType", ""), "refresh_token");
  EXPECT_EQ(body.value("refreshToken", ""), "cached-refresh");
  EXPECT_EQ(body.value("clientId", ""), "client-id-1");
  EXPECT_EQ(body.value("clientSecret", ""), "client-secret-1");
  // The portal gets the new token, not the one about to expire.
  EXPECT_EQ(server.requests()[1].header("x-amz-sso_bearer_token"), "new-access");

  struct stat st {};
  ASSERT_EQ(::stat(cache_file(session_source()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Json expected = session_token(10min);
  expected["accessToken"] = "new-access";
  expected["expiresAt"] = format_timestamp(kNow + 1h);
  expected["refreshToken"] = "new-refresh";
  EXPECT_EQ(read_cache(session_source()), expected);
}

TEST_F(SsoCredentials, RefreshWithoutANewRefreshTokenKeepsTheOldOne) {
  answer = [](const SeenRequest& r) {
    if (r.target == "/token") return CannedReply{200, R"({"accessToken":"new-access","expiresIn":600})"};
    return CannedReply{200, kPortalAnswer};
  };
  write_cache(session_source(), session_token(-1min));  // already expired: refreshing still works
  const auto r = resolve(session_source());
  ASSERT_TRUE(r.credentials) << r.error;
  const Json cache = read_cache(session_source());
  EXPECT_EQ(cache.value("accessToken", ""), "new-access");
  EXPECT_EQ(cache.value("expiresAt", ""), "2030-06-01T12:10:00Z");
  EXPECT_EQ(cache.value("refreshToken", ""), "cached-refresh");
}

TEST_F(SsoCredentials, LegacyProfilesNeverRefresh) {
  write_cache(legacy_source(), session_token(10min));  // refresh fields present, yet unused
  auto r = resolve(legacy_source(), "legacy");
  ASSERT_TRUE(r.credentials) << r.error;
  ASSERT_EQ(targets(), std::vector<std::string>{kPortalTarget});
  EXPECT_EQ(server.requests()[0].header("x-amz-sso_bearer_token"), "cached-access");

  write_cache(legacy_source(), session_token(-1s));
  r = resolve(legacy_source(), "legacy");
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("https://my-sso-portal.awsapps.com/start"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("aws sso login --profile legacy"), std::string::npos) << r.error;
  EXPECT_EQ(server.requests().size(), 1u);
  expect_no_secret(r.error);
}

TEST_F(SsoCredentials, ExpiredRegistrationMeansNoRefresh) {
  Json token = session_token(10min);
  token["registrationExpiresAt"] = format_timestamp(kNow - 1s);
  write_cache(session_source(), token);
  auto r = resolve(session_source());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(targets(), std::vector<std::string>{kPortalTarget});

  // Once the token itself has expired, there is nothing left but to log in again.
  token["expiresAt"] = format_timestamp(kNow - 1s);
  write_cache(session_source(), token);
  r = resolve(session_source());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("aws sso login --profile dev"), std::string::npos) << r.error;
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(SsoCredentials, RefusedRefreshOfAnExpiredTokenIsOneLineNamingTheLogin) {
  answer = [](const SeenRequest&) {
    return CannedReply{400, R"({"error":"invalid_grant","error_description":"Invalid refresh token provided"})"};
  };
  write_cache(session_source(), session_token(-5min));
  const auto r = resolve(session_source());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("invalid_grant"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("aws sso login --profile dev"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
  expect_no_secret(r.error);
  EXPECT_EQ(targets(), std::vector<std::string>{"POST /token"});  // no portal call with a dead token
  EXPECT_EQ(read_cache(session_source()), session_token(-5min));
}

TEST_F(SsoCredentials, RefusedRefreshFallsBackOnATokenThatHasNotExpired) {
  answer = [](const SeenRequest& r) {
    if (r.target == "/token") return CannedReply{400, R"({"error":"invalid_grant","error_description":"no"})"};
    return CannedReply{200, kPortalAnswer};
  };
  write_cache(session_source(), session_token(5min));
  const auto r = resolve(session_source());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "ASIAROLE");
  ASSERT_EQ(targets(), (std::vector<std::string>{"POST /token", kPortalTarget}));
  EXPECT_EQ(server.requests()[1].header("x-amz-sso_bearer_token"), "cached-access");
  EXPECT_EQ(read_cache(session_source()), session_token(5min));
}

TEST_F(SsoCredentials, PortalRefusingTheTokenNamesTheLogin) {
  answer = [](const SeenRequest&) { return CannedReply{401, R"({"message":"Session token not found or invalid"})"}; };
  write_cache(session_source(), session_token(1h));
  const auto r = resolve(session_source());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("aws sso login --profile dev"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("HTTP 401"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
  expect_no_secret(r.error);
}

TEST_F(SsoCredentials, PortalErrorOtherThanAuthIsNotBlamedOnTheLogin) {
  answer = [](const SeenRequest&) { return CannedReply{404, R"({"message":"No access"})"}; };
  write_cache(session_source(), session_token(1h));
  const auto r = resolve(session_source());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("role Dev+Ops in account 111122223333"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("HTTP 404"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("aws sso login"), std::string::npos) << r.error;
  expect_no_secret(r.error);
}

TEST_F(SsoCredentials, MissingOrUnusableCacheNamesTheLoginAndSendsNothing) {
  auto r = resolve(session_source());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("sso-session my-sso"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("aws sso login --profile dev"), std::string::npos) << r.error;

  Json token = session_token(1h);
  token["expiresAt"] = "tomorrow";
  write_cache(session_source(), token);
  r = resolve(session_source());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("aws sso login --profile dev"), std::string::npos) << r.error;
  expect_no_secret(r.error);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(SsoCredentials, PortalAnswerWithoutCredentialsIsAnError) {
  answer = [](const SeenRequest&) {
    return CannedReply{200, R"({"roleCredentials":{"accessKeyId":"ASIA","secretAccessKey":"s","expiration":"soon"}})"};
  };
  write_cache(session_source(), session_token(1h));
  const auto r = resolve(session_source());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("without roleCredentials"), std::string::npos) << r.error;
}

// An endpoint URL written with a trailing slash is joined with its path by one slash, as the
// SDKs join them (botocore's _urljoin).
TEST_F(SsoCredentials, EndpointUrlWithATrailingSlashIsJoinedWithoutADoubleSlash) {
  files.vars["AWS_ENDPOINT_URL_SSO"] = server.url() + "/";
  files.vars["AWS_ENDPOINT_URL_SSO_OIDC"] = server.url() + "/";
  write_cache(session_source(), session_token(10min));
  const auto r = resolve(session_source());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(targets(), (std::vector<std::string>{"POST /token", kPortalTarget}));
}

}  // namespace
}  // namespace ssm::aws
