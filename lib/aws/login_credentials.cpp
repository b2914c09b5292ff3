#include "aws/login_credentials.h"

#include <memory>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "aws/credential_document.h"
#include "aws/http_client.h"
#include "aws/json_client.h"
#include "aws/service_endpoints.h"
#include "aws/sigv4.h"
#include "base/private_file.h"
#include "base/text.h"
#include "crypto/dpop_proof.h"
#include "transport/url.h"
#include "wire/uuid.h"
#include "wire/json_fields.h"

namespace ssm::aws {
namespace {

using Json = nlohmann::json;
constexpr std::chrono::seconds kSigninTimeout{10};
constexpr const char* kSource = "aws login";

class LoginFetch : public std::enable_shared_from_this<LoginFetch> {
 public:
  LoginFetch(ChainSettings settings, std::string profile, LoginSource login, std::function<void(ResolvedCredentials)> done)
      : settings_(std::move(settings)),
        profile_(std::move(profile)),
        login_(std::move(login)),
        path_(login_cache_path(settings_.env, login_.session)),
        done_(std::move(done)) {}

  void start() {
    const auto file = base::read_file(path_);
    token_ = file ? Json::parse(*file, nullptr, false) : Json();
    if (!token_.is_object()) return fail("no cached sign-in for " + login_.session + hint());
    for (const char* key : {"accessToken", "clientId", "refreshToken", "dpopKey"})
      if (!token_.contains(key)) return fail("the cached sign-in for " + login_.session + " lacks " + key + hint());
    cached_ = credentials_of(token_.value("accessToken", Json()));
    if (!cached_) return fail("the cached sign-in for " + login_.session + " has no usable credentials" + hint());
    if (*cached_->expiration - settings_.now() > kLoginRefreshWindow) return finish({cached_, kSource, {}});
    refresh();
  }

 private:
  std::string hint() const { return ": run aws login --profile " + profile_; }

  static std::optional<Credentials> credentials_of(const Json& a) {
    if (!a.is_object()) return std::nullopt;
    const auto expires = parse_timestamp(wire::string_member(a, "expiresAt"));
    if (wire::string_member(a, "accessKeyId").empty() || wire::string_member(a, "secretAccessKey").empty() || !expires) return std::nullopt;
    return Credentials{wire::string_member(a, "accessKeyId"), wire::string_member(a, "secretAccessKey"), wire::string_member(a, "sessionToken"), *expires};
  }

  void refresh() {
    const std::string region = login_.region.empty() ? settings_.sts_region : login_.region;
    const std::string url = join_url(signin_endpoint_url(region, settings_.env), "/v1/token");
    const auto parsed = transport::Url::parse(url);
    if (!parsed) return fallback("the Sign-In endpoint " + url + " is not http(s)");
    // htu: the URL the request goes to, without query or fragment (RFC 9449 §4.2).
    const std::string htu = std::string(parsed->tls ? "https://" : "http://") + parsed->host_header() +
                            parsed->target.substr(0, parsed->target.find('?'));
    std::string error;
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(settings_.now().time_since_epoch()).count();
    const auto proof = crypto::make_dpop_proof(wire::string_member(token_, "dpopKey"), "POST", htu, now_s,
                                               wire::Uuid::random_v4().to_string(), error);
    if (!proof) return fallback(error);
    const Json body = {{"clientId", wire::string_member(token_, "clientId")},
                       {"refreshToken", wire::string_member(token_, "refreshToken")},
                       {"grantType", "refresh_token"}};
    HttpRequest request{"POST", url, {{"Content-Type", "application/json"}, {"DPoP", *proof}}, body.dump(),
                        settings_.ca_bundle, kSigninTimeout};
    async_http_request(settings_.executor, std::move(request),
                       [self = shared_from_this()](HttpResponse r) { self->on_refreshed(std::move(r)); });
  }

  void on_refreshed(HttpResponse r) {
    if (!r.ok) return fallback(r.error);
    if (r.status != 200) {
      const Json error = Json::parse(r.body, nullptr, false);
      const std::string code = error.is_object() ? wire::string_member(error, "error") : std::string();
      if (code == "TOKEN_EXPIRED" || code == "USER_CREDENTIALS_CHANGED")
        return fallback("the sign-in session has ended (" + code + ")");
      return fallback(describe_aws_error(r.status, r.body));
    }
    const Json answer = Json::parse(r.body, nullptr, false);
    const auto expires_in = answer.is_object() ? answer.find("expiresIn") : answer.end();
    Json access = answer.is_object() ? answer.value("accessToken", Json()) : Json();
    if (!access.is_object() || wire::string_member(access, "accessKeyId").empty() || wire::string_member(access, "secretAccessKey").empty() ||
        wire::string_member(answer, "refreshToken").empty() || expires_in == answer.end() || !expires_in->is_number_integer())
      return fallback("the Sign-In service answered without credentials");
    const auto expires = settings_.now() + std::chrono::seconds(expires_in->get<std::int64_t>());
    access["expiresAt"] = format_timestamp(expires);
    access["accountId"] = token_["accessToken"].value("accountId", Json(""));
    token_["accessToken"] = access;
    token_["refreshToken"] = wire::string_member(answer, "refreshToken");
    base::write_private_file(path_, token_.dump(2));
    finish({credentials_of(access), kSource, {}});
  }

  // A refresh that could not happen: the cached credentials while they last, else the line.
  void fallback(const std::string& why) {
    if (*cached_->expiration > settings_.now()) return finish({cached_, kSource, {}});
    fail("the sign-in for " + login_.session + " has expired and could not be refreshed (" + why + ")" + hint());
  }

  void fail(const std::string& why) { finish({std::nullopt, kSource, why}); }

  void finish(ResolvedCredentials r) {
    if (auto done = std::move(done_)) done(std::move(r));
  }

  ChainSettings settings_;
  std::string profile_;
  LoginSource login_;
  std::string path_;
  std::function<void(ResolvedCredentials)> done_;
  Json token_;
  std::optional<Credentials> cached_;
};

}  // namespace

std::string login_cache_path(const base::GetEnv& env, const std::string& login_session) {
  std::string dir = env("AWS_LOGIN_CACHE_DIRECTORY").value_or("");
  if (dir.empty()) dir = env("HOME").value_or("") + "/.aws/login/cache";
  return dir + "/" + sha256_hex(login_session) + ".json";
}

std::string signin_endpoint_url(const std::string& region, const base::GetEnv& env) {
  if (auto url = configured_endpoint_url("SIGNIN", env)) return *url;
  const bool china = region.rfind("cn-", 0) == 0;
  return "https://" + region + (china ? ".signin.amazonaws.cn" : ".signin.aws.amazon.com");
}

void async_login_credentials(const ChainSettings& settings, const std::string& profile, const LoginSource& login,
                             std::function<void(ResolvedCredentials)> done) {
  auto fetch = std::make_shared<LoginFetch>(settings, profile, login, std::move(done));
  boost::asio::post(settings.executor, [fetch] { fetch->start(); });
}

}  // namespace ssm::aws
