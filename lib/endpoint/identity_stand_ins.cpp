#include "endpoint/identity_stand_ins.h"

#include "base/private_file.h"
#include "crypto/dpop_proof.h"
#include "endpoint/session_registry.h"
#include "transport/url.h"
#include "wire/payloads.h"
#include "wire/json_fields.h"

namespace ssm::endpoint {
namespace {

using Json = wire::Json;
constexpr std::int64_t kDpopSkewSeconds = 5 * 60;

// restJson errors: the type in x-amzn-ErrorType, the body as each service shapes it.
ApiResponse rest_error(unsigned status, std::string type, const Json& body) { return {status, body.dump(), std::move(type)}; }

// The value of one query parameter, percent-decoded; "" when absent.
std::string query_value(std::string_view path, std::string_view name) {
  const auto q = path.find('?');
  if (q == std::string_view::npos) return {};
  for (const auto& [key, value] : parse_query_form(path.substr(q + 1)).value_or(QueryForm{}))
    if (key == name) return value;
  return {};
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::optional<IdentityTokens> load_identity_tokens(const std::string& path, std::string& error) {
  const auto file = base::read_file(path);
  const Json j = file ? Json::parse(*file, nullptr, false) : Json();
  if (!j.is_object()) {
    error = "--identity-tokens " + path + " is not a readable JSON object";
    return std::nullopt;
  }
  IdentityTokens tokens;
  for (const auto& [key, into] : {std::pair{"sso_access_tokens", &tokens.sso_access},
                                  std::pair{"sso_refresh_tokens", &tokens.sso_refresh},
                                  std::pair{"login_refresh_tokens", &tokens.login_refresh}}) {
    const auto it = j.find(key);
    if (it == j.end()) continue;
    if (!it->is_array()) {
      error = "--identity-tokens: " + std::string(key) + " must be a list of strings";
      return std::nullopt;
    }
    for (const auto& t : *it)
      if (t.is_string()) into->insert(t.get<std::string>());
  }
  return tokens;
}

bool IdentityStandIns::handles(const ApiRequest& r) {
  const std::string_view path = r.path.substr(0, r.path.find('?'));
  if (r.method == "GET") return path == "/federation/credentials";
  return r.method == "POST" && r.target.empty() && (path == "/token" || path == "/v1/token");
}

ApiResponse IdentityStandIns::answer(const ApiRequest& r) {
  const std::string_view path = r.path.substr(0, r.path.find('?'));
  if (r.method == "GET") return get_role_credentials(r);
  return path == "/token" ? create_token(r) : create_oauth2_token(r);
}

ApiResponse IdentityStandIns::create_token(const ApiRequest& r) {
  const Json body = Json::parse(r.body.begin(), r.body.end(), nullptr, false);
  ApiResponse response;
  if (!body.is_object() || wire::string_member(body, "grantType") != "refresh_token" || wire::string_member(body, "clientId").empty() ||
      wire::string_member(body, "clientSecret").empty()) {
    response = rest_error(400, "InvalidRequestException",
                          {{"error", "invalid_request"}, {"error_description", "refresh_token grant, clientId and clientSecret are required"}});
  } else if (!tokens_.sso_refresh.erase(wire::string_member(body, "refreshToken"))) {
    response = rest_error(400, "InvalidGrantException",
                          {{"error", "invalid_grant"}, {"error_description", "Invalid refresh token provided"}});
  } else {
    const std::string access = "sso-access-" + random_token(32), refresh = "sso-refresh-" + random_token(32);
    tokens_.sso_access.insert(access);
    tokens_.sso_refresh.insert(refresh);
    response = {200, Json{{"accessToken", access}, {"tokenType", "Bearer"}, {"expiresIn", kSsoTokenLifetime.count()},
                          {"refreshToken", refresh}}.dump(), {}};
  }
  out_.event("sso create-token status=" + std::to_string(response.status) +
             (response.error_type.empty() ? "" : " error=" + response.error_type));
  return response;
}

ApiResponse IdentityStandIns::get_role_credentials(const ApiRequest& r) {
  const std::string account = query_value(r.path, "account_id"), role = query_value(r.path, "role_name");
  ApiResponse response;
  if (account.empty() || role.empty()) {
    response = rest_error(400, "InvalidRequestException", {{"message", "account_id and role_name are required"}});
  } else if (!tokens_.sso_access.contains(std::string(r.sso_bearer_token))) {
    response = rest_error(401, "UnauthorizedException", {{"message", "Session token not found or invalid"}});
  } else {
    const auto now = std::chrono::system_clock::now();
    const aws::Credentials c = issued_.issue(lifetime_, now);
    const auto expiration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(c.expiration->time_since_epoch()).count();
    response = {200, Json{{"roleCredentials", {{"accessKeyId", c.access_key_id}, {"secretAccessKey", c.secret_access_key},
                                               {"sessionToken", c.session_token}, {"expiration", expiration_ms}}}}.dump(), {}};
  }
  out_.event("sso get-role-credentials account=" + (account.empty() ? "-" : account) + " role=" +
             (role.empty() ? "-" : role) + " status=" + std::to_string(response.status));
  return response;
}

ApiResponse IdentityStandIns::create_oauth2_token(const ApiRequest& r) {
  const Json body = Json::parse(r.body.begin(), r.body.end(), nullptr, false);
  std::string why;
  const auto proof = crypto::verify_dpop_proof(r.dpop, why);
  ApiResponse response;
  const std::string refresh = body.is_object() ? wire::string_member(body, "refreshToken") : std::string();
  if (!body.is_object() || wire::string_member(body, "grantType") != "refresh_token" || wire::string_member(body, "clientId").empty()) {
    response = rest_error(400, "ValidationException", {{"message", "refresh_token grant and clientId are required"}});
  } else if (!proof) {
    response = rest_error(400, "ValidationException", {{"message", "invalid DPoP proof: " + why}});
  } else if (proof->method != "POST" ||
             proof->url != std::string(tls_ ? "https://" : "http://") + std::string(r.host) + "/v1/token" ||
             std::abs(proof->issued_at - unix_now()) > kDpopSkewSeconds || !seen_jti_.insert(proof->jti).second) {
    response = rest_error(400, "ValidationException", {{"message", "the DPoP proof does not fit this request"}});
  } else if (!tokens_.login_refresh.contains(refresh)) {
    response = rest_error(401, "AccessDeniedException", {{"error", "TOKEN_EXPIRED"}, {"message", "Your session has expired"}});
  } else if (auto bound = login_key_.find(refresh); bound != login_key_.end() && bound->second != proof->public_key) {
    response = rest_error(400, "ValidationException", {{"message", "the DPoP key is not the session's"}});
  } else {
    tokens_.login_refresh.erase(refresh);
    const auto lifetime = std::min(lifetime_, kMaxSigninLifetime);
    const aws::Credentials c = issued_.issue(lifetime, std::chrono::system_clock::now());
    const std::string next = "login-refresh-" + random_token(32);
    tokens_.login_refresh.insert(next);
    login_key_[next] = proof->public_key;
    response = {200, Json{{"accessToken", {{"accessKeyId", c.access_key_id}, {"secretAccessKey", c.secret_access_key},
                                           {"sessionToken", c.session_token}}},
                          {"tokenType", "aws_sigv4"}, {"expiresIn", lifetime.count()}, {"refreshToken", next}}.dump(), {}};
  }
  out_.event(std::string("signin create-oauth2-token dpop=") + (proof ? "valid" : "invalid") +
             " status=" + std::to_string(response.status) +
             (response.error_type.empty() ? "" : " error=" + response.error_type));
  return response;
}

}  // namespace ssm::endpoint
