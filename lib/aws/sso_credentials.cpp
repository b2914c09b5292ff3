#include "aws/sso_credentials.h"

#include <openssl/sha.h>

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
#include "wire/json_fields.h"

namespace ssm::aws {
namespace {

using Json = nlohmann::json;
constexpr std::chrono::seconds kSsoCallTimeout{10};

// SSO-OIDC answers errors as OAuth does: {"error": "invalid_grant", "error_description": ...}.
std::string oidc_error(unsigned status, const std::string& body) {
  const Json j = Json::parse(body, nullptr, false);
  const std::string code = j.is_object() ? wire::string_member(j, "error") : std::string();
  if (code.empty()) return describe_aws_error(status, body);
  const std::string description = wire::string_member(j, "error_description");
  return code + (description.empty() ? "" : ": " + description) + " (HTTP " + std::to_string(status) + ")";
}

// One SSO resolution: the cached token, perhaps its refresh, then the role's credentials.
class SsoFetch : public std::enable_shared_from_this<SsoFetch> {
 public:
  SsoFetch(ChainSettings settings, std::string profile, SsoSource sso, std::function<void(ResolvedCredentials)> done)
      : settings_(std::move(settings)),
        profile_(std::move(profile)),
        sso_(std::move(sso)),
        path_(sso_cache_path(settings_.env, sso_.cache_key())),
        done_(std::move(done)) {}

  void start() {
    const auto file = base::read_file(path_);
    token_ = file ? Json::parse(*file, nullptr, false) : Json();
    if (!token_.is_object() || wire::string_member(token_, "accessToken").empty())
      return fail("no cached SSO token for " + what() + login_hint());
    const auto expires = parse_timestamp(wire::string_member(token_, "expiresAt"));
    if (!expires) return fail("the cached SSO token for " + what() + " has no valid expiresAt" + login_hint());
    expires_ = *expires;
    const auto now = settings_.now();
    if (expires_ - now < kSsoRefreshWindow && refreshable(now)) return refresh();
    if (expires_ <= now) return fail("the SSO token for " + what() + " has expired" + login_hint());
    get_role_credentials();
  }

 private:
  std::string what() const {
    return sso_.session_name.empty() ? sso_.start_url : "sso-session " + sso_.session_name;
  }
  std::string login_hint() const { return ": run aws sso login --profile " + profile_; }

  // What the SDKs need to refresh: a refresh token and a client registration still valid.
  bool refreshable(std::chrono::system_clock::time_point now) const {
    if (sso_.session_name.empty()) return false;  // legacy profiles never refresh
    for (const char* key : {"refreshToken", "clientId", "clientSecret"})
      if (wire::string_member(token_, key).empty()) return false;
    const auto registration = parse_timestamp(wire::string_member(token_, "registrationExpiresAt"));
    return registration && *registration > now;
  }

  void refresh() {
    const Json body = {{"clientId", wire::string_member(token_, "clientId")},
                       {"clientSecret", wire::string_member(token_, "clientSecret")},
                       {"grantType", "refresh_token"},
                       {"refreshToken", wire::string_member(token_, "refreshToken")}};
    HttpRequest request{"POST", join_url(service_endpoint_url("SSO_OIDC", "oidc", sso_.region, settings_.env), "/token"),
                        {{"Content-Type", "application/json"}}, body.dump(), settings_.ca_bundle, kSsoCallTimeout};
    async_http_request(settings_.executor, std::move(request),
                       [self = shared_from_this()](HttpResponse r) { self->on_refreshed(std::move(r)); });
  }

  void on_refreshed(HttpResponse r) {
    const Json answer = r.ok && r.status == 200 ? Json::parse(r.body, nullptr, false) : Json();
    const auto expires_in = answer.is_object() ? answer.find("expiresIn") : answer.end();
    if (!answer.is_object() || wire::string_member(answer, "accessToken").empty() || expires_in == answer.end() ||
        !expires_in->is_number_integer()) {
      // As the SDKs: a failed refresh falls back on the token while it lasts.
      if (expires_ > settings_.now()) return get_role_credentials();
      const std::string why = !r.ok ? r.error : r.status != 200 ? oidc_error(r.status, r.body) : "a malformed answer";
      return fail("the SSO token for " + what() + " has expired and could not be refreshed (" + why + ")" + login_hint());
    }
    expires_ = settings_.now() + std::chrono::seconds(expires_in->get<std::int64_t>());
    token_["accessToken"] = wire::string_member(answer, "accessToken");
    token_["expiresAt"] = format_timestamp(expires_);
    if (const std::string refresh = wire::string_member(answer, "refreshToken"); !refresh.empty()) token_["refreshToken"] = refresh;
    token_["startUrl"] = sso_.start_url;
    token_["region"] = sso_.region;
    base::write_private_file(path_, token_.dump(2));  // unwritable: the next run refreshes again
    get_role_credentials();
  }

  void get_role_credentials() {
    const std::string url = join_url(service_endpoint_url("SSO", "portal.sso", sso_.region, settings_.env),
                                     "/federation/credentials?account_id=" + uri_encode(sso_.account_id, false) +
                                         "&role_name=" + uri_encode(sso_.role_name, false));
    HttpRequest request{"GET", url, {{"x-amz-sso_bearer_token", wire::string_member(token_, "accessToken")}}, {}, settings_.ca_bundle,
                        kSsoCallTimeout};
    async_http_request(settings_.executor, std::move(request),
                       [self = shared_from_this()](HttpResponse r) { self->on_role_credentials(std::move(r)); });
  }

  void on_role_credentials(HttpResponse r) {
    const std::string role = "role " + sso_.role_name + " in account " + sso_.account_id;
    if (!r.ok) return fail("GetRoleCredentials for " + role + ": " + r.error);
    if (r.status == 401 || r.status == 403)
      return fail("IAM Identity Center refused the SSO token for " + what() + " (" + describe_aws_error(r.status, r.body) +
                  ")" + login_hint());
    if (r.status != 200) return fail("GetRoleCredentials for " + role + ": " + describe_aws_error(r.status, r.body));
    const Json answer = Json::parse(r.body, nullptr, false);
    const Json c = answer.is_object() ? answer.value("roleCredentials", Json()) : Json();
    const auto expiration = c.is_object() ? c.find("expiration") : c.end();
    if (!c.is_object() || wire::string_member(c, "accessKeyId").empty() || wire::string_member(c, "secretAccessKey").empty() ||
        expiration == c.end() || !expiration->is_number_integer())
      return fail("GetRoleCredentials for " + role + " answered without roleCredentials");
    Credentials credentials{wire::string_member(c, "accessKeyId"), wire::string_member(c, "secretAccessKey"), wire::string_member(c, "sessionToken"),
                            std::chrono::system_clock::time_point(std::chrono::milliseconds(expiration->get<std::int64_t>()))};
    finish({std::move(credentials), "IAM Identity Center", {}});
  }

  void fail(const std::string& why) { finish({std::nullopt, "IAM Identity Center", why}); }

  void finish(ResolvedCredentials r) {
    if (auto done = std::move(done_)) done(std::move(r));
  }

  ChainSettings settings_;
  std::string profile_;
  SsoSource sso_;
  std::string path_;
  std::function<void(ResolvedCredentials)> done_;
  Json token_;
  std::chrono::system_clock::time_point expires_;
};

}  // namespace

std::string sso_cache_path(const base::GetEnv& env, const std::string& key) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  return env("HOME").value_or("") + "/.aws/sso/cache/" + base::hex_lower(std::span<const std::uint8_t>(digest, sizeof digest)) +
         ".json";
}

void async_sso_credentials(const ChainSettings& settings, const std::string& profile, const SsoSource& sso,
                           std::function<void(ResolvedCredentials)> done) {
  auto fetch = std::make_shared<SsoFetch>(settings, profile, sso, std::move(done));
  // Through the executor: `done` never runs inside this call, even when the cache decides.
  boost::asio::post(settings.executor, [fetch] { fetch->start(); });
}

}  // namespace ssm::aws
