// lib/endpoint — stand-ins for the services behind the AWS CLI's interactive logins, so that
// SSO and `aws login` profiles can be tested end to end:
//   SSO-OIDC CreateToken (POST /token, restJson, unsigned): the refresh_token grant; each
//     refresh token works once and is replaced, as IAM Identity Center rotates them;
//   the SSO portal's GetRoleCredentials (GET /federation/credentials?account_id=&role_name=,
//     the access token in x-amz-sso_bearer_token);
//   Sign-In CreateOAuth2Token (POST /v1/token, restJson, unsigned, a DPoP proof required and
//     checked: ES256 signature, htm POST, htu exactly this endpoint's /v1/token (scheme and
//     Host as the request came), iat within 5 minutes,
//     jti never seen, and the same key for every refresh of one session).
// Credentials they hand out are the endpoint's IssuedCredentials, which its SigV4 verifier
// accepts until they expire (--credentials-duration). The tokens it accepts at first come from
// --identity-tokens FILE: {"sso_access_tokens":[...], "sso_refresh_tokens":[...],
// "login_refresh_tokens":[...]} (a file, not argv, as secrets should be).
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>

#include "endpoint/api_types.h"
#include "endpoint/diagnostics.h"
#include "endpoint/issued_credentials.h"

namespace ssm::endpoint {

struct IdentityTokens {
  std::set<std::string> sso_access, sso_refresh, login_refresh;
};
// nullopt and `error` when the file cannot be read or is not that JSON object.
std::optional<IdentityTokens> load_identity_tokens(const std::string& path, std::string& error);

class IdentityStandIns {
 public:
  // `tls`: the endpoint serves https, so a DPoP proof's htu is https://<Host>/v1/token.
  IdentityStandIns(IdentityTokens tokens, std::chrono::seconds credentials_lifetime, IssuedCredentials& issued,
                   const Diagnostics& out, bool tls = false)
      : tokens_(std::move(tokens)), lifetime_(credentials_lifetime), issued_(issued), out_(out), tls_(tls) {}

  // Whether the request is one of theirs (by method and path); then `answer` gives the reply.
  static bool handles(const ApiRequest& request);
  ApiResponse answer(const ApiRequest& request);

  static constexpr std::chrono::seconds kSsoTokenLifetime{3600};
  static constexpr std::chrono::seconds kMaxSigninLifetime{900};  // the Sign-In service's most

 private:
  ApiResponse create_token(const ApiRequest& request);
  ApiResponse get_role_credentials(const ApiRequest& request);
  ApiResponse create_oauth2_token(const ApiRequest& request);

  IdentityTokens tokens_;
  std::chrono::seconds lifetime_;
  IssuedCredentials& issued_;
  const Diagnostics& out_;
  bool tls_;
  std::set<std::string> seen_jti_;
  std::map<std::string, std::string> login_key_;  // refresh-token lineage → DPoP public key
};

}  // namespace ssm::endpoint
