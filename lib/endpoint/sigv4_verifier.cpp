#include "endpoint/sigv4_verifier.h"

#include <openssl/crypto.h>

#include <chrono>
#include <ctime>
#include <set>

#include "aws/upgrade_signing.h"

namespace ssm::endpoint {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256 ";
constexpr std::int64_t kMaxSkewSeconds = 5 * 60;

ApiResponse refuse(std::string_view type, std::string_view message) { return api_error(type, message, 403); }

// The value after `key=` up to the next ',' (or the end), trimmed.
std::string field(std::string_view auth, std::string_view key) {
  const auto at = auth.find(key);
  if (at == std::string_view::npos) return {};
  auto rest = auth.substr(at + key.size());
  rest = rest.substr(0, rest.find(','));
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return std::string(rest);
}

std::optional<std::int64_t> parse_amz_date(std::string_view d) {
  if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return std::nullopt;
  std::tm tm{};
  if (!strptime(std::string(d).c_str(), "%Y%m%dT%H%M%SZ", &tm)) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

std::optional<aws::Credentials> SigV4Verifier::credentials_for(std::string_view access_key_id) const {
  if (access_key_id == expected_.access_key_id) return expected_;
  if (issued_) return issued_->find(access_key_id);
  return std::nullopt;
}

std::optional<ApiResponse> SigV4Verifier::verify(const ApiRequest& r) const { return check("POST", "", r); }

std::optional<ApiResponse> SigV4Verifier::verify_upgrade(const ApiRequest& r) const {
  return check("GET", aws::kStreamService, r);
}

std::optional<ApiResponse> SigV4Verifier::check(std::string_view method, std::string_view service, const ApiRequest& r) const {
  if (r.authorization.substr(0, kAlgorithm.size()) != kAlgorithm)
    return refuse("MissingAuthenticationTokenException", "Request is missing Authentication Token");
  const std::string credential = field(r.authorization, "Credential=");
  const std::string signed_headers = field(r.authorization, "SignedHeaders=");
  const std::string given = field(r.authorization, "Signature=");
  // Credential=AKID/date/region/service/aws4_request
  std::vector<std::string> scope;
  for (std::size_t start = 0;;) {
    const auto slash = credential.find('/', start);
    scope.push_back(credential.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (scope.size() != 5 || scope[4] != "aws4_request" || given.empty())
    return refuse("IncompleteSignatureException", "Authorization header is malformed");
  if (!service.empty() && scope[3] != service)
    return refuse("IncompleteSignatureException", "Credential should be scoped to correct service: '" +
                                                      std::string(service) + "'.");
  const auto signer = credentials_for(scope[0]);
  if (!signer) return refuse("UnrecognizedClientException", "The security token included in the request is invalid.");

  // After the signature: AWS authenticates first and authorizes second.
  const bool sts_call = method == "POST" && r.target.empty();
  const bool denied = expected_assumes_roles_only_ && !sts_call && scope[0] == expected_.access_key_id;

  const auto clock_now = std::chrono::system_clock::now();
  if (signer->expiration && *signer->expiration <= clock_now)
    return refuse("ExpiredTokenException", "The security token included in the request is expired");
  const auto when = parse_amz_date(r.amz_date);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_now.time_since_epoch()).count();
  if (!when || *when - now > kMaxSkewSeconds || now - *when > kMaxSkewSeconds || r.amz_date.substr(0, 8) != scope[1])
    return refuse("InvalidSignatureException", "Signature expired or X-Amz-Date is missing or malformed.");

  // Rebuild what the client signed; only the headers this API uses can be reproduced.
  const std::set<std::string, std::less<>> known = {"content-type", "host", "x-amz-date", "x-amz-security-token",
                                                    "x-amz-target"};
  aws::SignableRequest s = aws::signable_from_target(std::string(method), r.path);
  s.body = std::string(r.body);
  for (std::size_t start = 0; start <= signed_headers.size();) {
    const auto semi = std::min(signed_headers.find(';', start), signed_headers.size());
    const std::string name = signed_headers.substr(start, semi - start);
    if (!known.contains(name)) return refuse("IncompleteSignatureException", "cannot verify signed header " + name);
    const std::string_view value = name == "content-type" ? r.content_type
                                   : name == "host"       ? r.host
                                   : name == "x-amz-date" ? r.amz_date
                                   : name == "x-amz-target" ? r.target
                                                            : r.security_token;
    s.headers.emplace_back(name, std::string(value));
    start = semi + 1;
  }
  if (!signer->session_token.empty() && r.security_token != signer->session_token)
    return refuse("UnrecognizedClientException", "The security token included in the request is invalid.");
  const std::string expected = aws::signature(s, {scope[2], scope[3], std::string(r.amz_date)}, signer->secret_access_key);
  if (expected.size() != given.size() || CRYPTO_memcmp(expected.data(), given.data(), given.size()) != 0)
    return refuse("InvalidSignatureException",
                  "The request signature we calculated does not match the signature you provided. Check your AWS "
                  "Secret Access Key and signing method.");
  if (denied)
    return api_error("AccessDeniedException",
                     "User " + scope[0] + " is not authorized to perform this operation: it may only assume roles",
                     method == "GET" ? 403 : 400);
  return std::nullopt;
}

}  // namespace ssm::endpoint
