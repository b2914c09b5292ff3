// lib/aws — credentials from a console sign-in (`aws login`, login_session profiles), as the
// SDKs get them (botocore's LoginProvider): the temporary credentials cached in
// $AWS_LOGIN_CACHE_DIRECTORY (else ~/.aws/login/cache)/<sha256(login_session)>.json, used as
// they are while more than kLoginRefreshWindow remains; then the Sign-In service's
// CreateOAuth2Token with the refresh_token grant, its DPoP header signed with the session's
// key from the same file (crypto/dpop_proof.h), and the file rewritten (0600) with the new
// credentials and refresh token. A refresh that fails keeps credentials that have not yet
// expired; after that, one line: `aws login --profile <profile>`.
// Endpoint: AWS_ENDPOINT_URL_SIGNIN, AWS_ENDPOINT_URL, else https://<region>.signin.aws.amazon.com.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "aws/credential_chain.h"
#include "aws/credential_plan.h"
#include "aws/credentials.h"

namespace ssm::aws {

inline constexpr std::chrono::minutes kLoginRefreshWindow{5};  // botocore's LoginCredentialFetcher

std::string login_cache_path(const base::GetEnv& env, const std::string& login_session);
std::string signin_endpoint_url(const std::string& region, const base::GetEnv& env);

void async_login_credentials(const ChainSettings& settings, const std::string& profile, const LoginSource& login,
                             std::function<void(ResolvedCredentials)> done);

}  // namespace ssm::aws
