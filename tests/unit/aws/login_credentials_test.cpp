// Console sign-in (`aws login`) credentials against a loopback server standing in for the
// Sign-In service: where the cache lives and where the service is, cached credentials used
// while more than five minutes remain, the refresh with a DPoP proof signed by the session's
// key (checked here as the service checks it) and the cache written back, and the one line
// naming `aws login` once nothing usable is left. The clock is the test's.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "aws/credential_document.h"
#include "aws/login_credentials.h"
#include "base/environment.h"
#include "base/private_file.h"
#include "crypto/dpop_proof.h"
#include "loopback_http_server.h"

namespace ssm::aws {
namespace {

using namespace ssm::aws::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;

const auto kNow = *parse_timestamp("2030-06-01T12:00:00Z");
const std::string kSession = "arn:aws:iam::111122223333:user/Admin";
constexpr const char* kRefreshAnswer =
    R"({"accessToken":{"accessKeyId":"ASIANEW","secretAccessKey":"new-secret","sessionToken":"new-session"},)"
    R"("tokenType":"aws_sigv4","expiresIn":900,"refreshToken":"new"})";

std::int64_t seconds_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

class LoginCredentials : public ::testing::Test {
 protected:
  void SetUp() override { files.vars["AWS_ENDPOINT_URL_SIGNIN"] = server.url(); }

  base::GetEnv env() const { return base::Environment::of(files.vars).get; }
  std::string cache_file() const { return login_cache_path(env(), kSession); }

  // The cache as `aws login` writes it, the credentials expiring `expires_in` from kNow.
  Json cached(std::chrono::seconds expires_in) const {
    return {{"accessToken",
             {{"accessKeyId", "ASIAOLD"},
              {"secretAccessKey", "old-secret"},
              {"sessionToken", "old-session"},
              {"accountId", "111122223333"},
              {"expiresAt", format_timestamp(kNow + expires_in)}}},
            {"tokenType", "aws_sigv4"},
            {"clientId", "arn:aws:signin:::devtools/same-device"},
            {"refreshToken", "old-refresh"},
            {"idToken", "id-token-kept"},
            {"dpopKey", dpop_key}};
  }
  // Written readable by others (0644), so that the mode after a rewrite says who wrote it.
  void write_cache(const Json& j) {
    const std::filesystem::path path = cache_file();
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << j.dump(2);
    std::filesystem::permissions(path, std::filesystem::perms(0644));
  }
  Json read_cache() const { return Json::parse(base::read_file(cache_file()).value_or(""), nullptr, false); }

  ResolvedCredentials resolve(const std::string& profile = "signin") {
    ChainSettings settings{io.get_executor(), env(), "", "us-east-1", [this] { return now; }};
    std::optional<ResolvedCredentials> result;
    async_login_credentials(settings, profile, {kSession, "eu-west-1"}, [&](ResolvedCredentials r) { result = std::move(r); });
    run_until(io, [&] { return result.has_value(); });
    return result.value_or(ResolvedCredentials{std::nullopt, "", "the test's deadline passed"});
  }

  // The public key of the session's dpopKey, as a verified proof names it.
  std::string session_public_key() const {
    std::string error;
    const auto proof = crypto::make_dpop_proof(dpop_key, "POST", "http://x/v1/token", 0, "j", error);
    const auto claims = proof ? crypto::verify_dpop_proof(*proof, error) : std::nullopt;
    return claims ? claims->public_key : "no key: " + error;
  }

  void expect_no_secret(const std::string& error) const {
    for (const std::string& secret : {std::string("old-secret"), std::string("old-session"), std::string("old-refresh"),
                                      std::string("new-secret"), dpop_key})
      EXPECT_EQ(error.find(secret), std::string::npos) << "a secret in: " << error;
    EXPECT_EQ(error.find("PRIVATE KEY"), std::string::npos) << error;
  }

  asio::io_context io;
  TestEnvironment files;
  const std::string dpop_key = crypto::generate_dpop_key_pem();
  std::chrono::system_clock::time_point now = kNow;
  std::function<CannedReply(const SeenRequest&)> answer = [](const SeenRequest&) { return CannedReply{200, kRefreshAnswer}; };
  LoopbackHttpServer server{io, [this](const SeenRequest& r) { return answer(r); }};
};

TEST_F(LoginCredentials, CacheFileIsTheSha256OfTheSessionInItsDirectory) {
  // Reference digest from sha256sum.
  const std::string name = "15ad6a9800868e2ba5939d78849f67465e0f8392752060b3bfa16b8e10b47063.json";
  EXPECT_EQ(login_cache_path(base::Environment::of({{"HOME", "/home/u"}}).get, kSession), "/home/u/.aws/login/cache/" + name);
  EXPECT_EQ(login_cache_path(base::Environment::of({{"HOME", "/home/u"}, {"AWS_LOGIN_CACHE_DIRECTORY", "/c"}}).get, kSession),
            "/c/" + name);
  // Set but empty is as good as unset.
  EXPECT_EQ(login_cache_path(base::Environment::of({{"HOME", "/home/u"}, {"AWS_LOGIN_CACHE_DIRECTORY", ""}}).get, kSession),
            "/home/u/.aws/login/cache/" + name);
}

TEST_F(LoginCredentials, SigninEndpointFromTheEnvironmentElseTheRegion) {
  const auto url = [](std::map<std::string, std::string> vars, const std::string& region) {
    return signin_endpoint_url(region, base::Environment::of(std::move(vars)).get);
  };
  EXPECT_EQ(url({}, "us-west-2"), "https://us-west-2.signin.aws.amazon.com");
  EXPECT_EQ(url({}, "cn-north-1"), "https://cn-north-1.signin.amazonaws.cn");
  EXPECT_EQ(url({{"AWS_ENDPOINT_URL", "http://all"}}, "us-west-2"), "http://all");
  EXPECT_EQ(url({{"AWS_ENDPOINT_URL", "http://all"}, {"AWS_ENDPOINT_URL_SIGNIN", "http://signin"}}, "us-west-2"),
            "http://signin");
  EXPECT_EQ(url({{"AWS_ENDPOINT_URL", "http://all"}, {"AWS_ENDPOINT_URL_SIGNIN", ""}}, "us-west-2"), "http://all");
}

TEST_F(LoginCredentials, CredentialsWithMoreThanFiveMinutesLeftAreUsedAsTheyAre) {
  write_cache(cached(6min));
  const auto r = resolve();
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.source, "aws login");
  EXPECT_EQ(r.credentials->access_key_id, "ASIAOLD");
  EXPECT_EQ(r.credentials->secret_access_key, "old-secret");
  EXPECT_EQ(r.credentials->session_token, "old-session");
  EXPECT_EQ(r.credentials->expiration, kNow + 6min);
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(read_cache(), cached(6min));
}

TEST_F(LoginCredentials, NearExpiryRefreshesWithADpopProofAndWritesTheCacheBack) {
  write_cache(cached(4min));
  const auto r = resolve();
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "ASIANEW");
  EXPECT_EQ(r.credentials->secret_access_key, "new-secret");
  EXPECT_EQ(r.credentials->session_token, "new-session");
  EXPECT_EQ(r.credentials->expiration, kNow + 900s);

  ASSERT_EQ(server.requests().size(), 1u);
  const SeenRequest& seen = server.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/v1/token");
  EXPECT_EQ(seen.header("content-type"), "application/json");
  EXPECT_EQ(seen.header("authorization"), "");  // the proof, not SigV4, authenticates the call
  std::string error;
  const auto proof = crypto::verify_dpop_proof(seen.header("dpop"), error);
  ASSERT_TRUE(proof) << error;
  EXPECT_EQ(proof->method, "POST");
  EXPECT_EQ(proof->url, server.url() + "/v1/token");
  EXPECT_EQ(proof->issued_at, seconds_of(kNow));
  EXPECT_FALSE(proof->jti.empty());
  EXPECT_EQ(proof->public_key, session_public_key());
  const Json body = Json::parse(seen.body, nullptr, false);
  EXPECT_EQ(body, (Json{{"clientId", "arn:aws:signin:::devtools/same-device"},
                        {"refreshToken", "old-refresh"},
                        {"grantType", "refresh_token"}}))
      << seen.body;

  struct stat st {};
  ASSERT_EQ(::stat(cache_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Json expected = cached(4min);
  expected["accessToken"] = {{"accessKeyId", "ASIANEW"},
                             {"secretAccessKey", "new-secret"},
                             {"sessionToken", "new-session"},
                             {"accountId", "111122223333"},
                             {"expiresAt", "2030-06-01T12:15:00Z"}};
  expected["refreshToken"] = "new";
  EXPECT_EQ(read_cache(), expected);
}

TEST_F(LoginCredentials, TheNextRefreshUsesWhatTheLastOneWroteWithAFreshJti) {
  write_cache(cached(4min));
  ASSERT_TRUE(resolve().credentials);
  now = kNow + 11min;  // the new credentials (until 12:15) now have 4 minutes left
  answer = [](const SeenRequest&) {
    return CannedReply{200, R"({"accessToken":{"accessKeyId":"ASIATHIRD","secretAccessKey":"s3"},"expiresIn":900,"refreshToken":"third"})"};
  };
  const auto r = resolve();
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "ASIATHIRD");
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(Json::parse(server.requests()[1].body).value("refreshToken", ""), "new");
  std::string error;
  const auto first = crypto::verify_dpop_proof(server.requests()[0].header("dpop"), error);
  const auto second = crypto::verify_dpop_proof(server.requests()[1].header("dpop"), error);
  ASSERT_TRUE(first && second) << error;
  EXPECT_NE(first->jti, second->jti);  // the service refuses a replayed jti
  EXPECT_EQ(second->issued_at, seconds_of(kNow + 11min));
  EXPECT_EQ(read_cache()["accessToken"].value("accountId", ""), "111122223333");
}

TEST_F(LoginCredentials, EndedSessionFallsBackOnCredentialsStillValid) {
  answer = [](const SeenRequest&) { return CannedReply{401, R"({"error":"TOKEN_EXPIRED","message":"Your session has expired"})"}; };
  write_cache(cached(2min));
  const auto r = resolve();
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "ASIAOLD");
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(read_cache(), cached(2min));
}

TEST_F(LoginCredentials, EndedSessionWithExpiredCredentialsIsOneLineNamingTheLogin) {
  answer = [](const SeenRequest&) { return CannedReply{401, R"({"error":"TOKEN_EXPIRED","message":"Your session has expired"})"}; };
  write_cache(cached(-1s));
  const auto r = resolve("signin");
  ASSERT_FALSE(r.credentials);
  EXPECT_EQ(r.source, "aws login");
  EXPECT_NE(r.error.find("aws login --profile signin"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("TOKEN_EXPIRED"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(kSession), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
  expect_no_secret(r.error);
  EXPECT_EQ(read_cache(), cached(-1s));
}

TEST_F(LoginCredentials, OtherServiceErrorsAndUnreachableServiceAlsoEndInTheLine) {
  answer = [](const SeenRequest&) { return CannedReply{500, R"({"message":"internal"})"}; };
  write_cache(cached(-1s));
  auto r = resolve();
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("HTTP 500"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("aws login --profile signin"), std::string::npos) << r.error;

  files.vars["AWS_ENDPOINT_URL_SIGNIN"] = "http://127.0.0.1:" + std::to_string(closed_port(io));
  r = resolve();
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("aws login --profile signin"), std::string::npos) << r.error;
  expect_no_secret(r.error);
}

TEST_F(LoginCredentials, MissingFieldsOrFileAreOneLineAndSendNothing) {
  auto r = resolve();
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("aws login --profile signin"), std::string::npos) << r.error;

  for (const char* field : {"dpopKey", "refreshToken", "clientId", "accessToken"}) {
    Json j = cached(1h);
    j.erase(field);
    write_cache(j);
    r = resolve();
    ASSERT_FALSE(r.credentials) << field;
    EXPECT_NE(r.error.find(field), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("aws login --profile signin"), std::string::npos) << r.error;
    EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
    expect_no_secret(r.error);
  }

  Json j = cached(1h);
  j["accessToken"].erase("expiresAt");
  write_cache(j);
  r = resolve();
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("no usable credentials"), std::string::npos) << r.error;
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(LoginCredentials, UnusableDpopKeyFallsBackOrFailsWithoutKeyMaterial) {
  Json j = cached(2min);
  j["dpopKey"] = "-----BEGIN EC PRIVATE KEY-----\nbm90IGEga2V5\n-----END EC PRIVATE KEY-----\n";
  write_cache(j);
  auto r = resolve();
  ASSERT_TRUE(r.credentials) << r.error;  // still valid for two minutes
  EXPECT_EQ(r.credentials->access_key_id, "ASIAOLD");

  j["accessToken"]["expiresAt"] = format_timestamp(kNow - 1s);
  write_cache(j);
  r = resolve();
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("aws login --profile signin"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("bm90IGEga2V5"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("PRIVATE KEY"), std::string::npos) << r.error;
  EXPECT_TRUE(server.requests().empty());  // no proof, no request
}

// An endpoint URL written with a trailing slash is joined with its path by one slash, as the
// SDKs join them (botocore's _urljoin).
TEST_F(LoginCredentials, EndpointUrlWithATrailingSlashIsJoinedWithoutADoubleSlash) {
  files.vars["AWS_ENDPOINT_URL_SIGNIN"] = server.url() + "/";
  write_cache(cached(4min));
  const auto r = resolve();
  ASSERT_TRUE(r.credentials) << r.error;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/v1/token");
  std::string error;
  const auto proof = crypto::verify_dpop_proof(server.requests()[0].header("dpop"), error);
  ASSERT_TRUE(proof) << error;
  EXPECT_EQ(proof->url, server.url() + "/v1/token");
}

}  // namespace
}  // namespace ssm::aws
