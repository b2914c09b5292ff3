// lib/aws — credentials from IAM Identity Center, as the SDKs get them for an SSO profile
// (protocol-smux-kms-aws.md §3.5; botocore's SSOTokenProvider and SSOProvider):
//   1. the access token `aws sso login` cached in ~/.aws/sso/cache/<sha1(key)>.json, the key
//      being the sso-session's name (or a legacy profile's start URL);
//   2. when it expires within kRefreshWindow and the cache holds a refresh token and a client
//      registration that is still valid (sso-session profiles), SSO-OIDC CreateToken with the
//      refresh_token grant (unsigned, JSON), and the cache file rewritten (0600, the same
//      fields the AWS CLI writes); a failed refresh keeps a token that has not yet expired;
//   3. the portal's GetRoleCredentials (unsigned, the token in x-amz-sso_bearer_token).
// Endpoints: AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL, else
// oidc.<sso_region> and portal.sso.<sso_region>. An expired or missing login ends in one line
// naming the command to run: `aws sso login --profile <profile>`. No token appears in errors.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "aws/credential_chain.h"
#include "aws/credential_plan.h"
#include "aws/credentials.h"

namespace ssm::aws {

inline constexpr std::chrono::minutes kSsoRefreshWindow{15};  // botocore's SSOTokenProvider

// ~/.aws/sso/cache/<lowercase hex SHA-1 of key>.json
std::string sso_cache_path(const base::GetEnv& env, const std::string& key);

void async_sso_credentials(const ChainSettings& settings, const std::string& profile, const SsoSource& sso,
                           std::function<void(ResolvedCredentials)> done);

}  // namespace ssm::aws
