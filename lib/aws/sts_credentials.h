// lib/aws — the two STS calls the credential chain makes (protocol-smux-kms-aws.md §3.5),
// Query protocol: a form POST, an XML answer.
//   AssumeRole: signed (SigV4, service sts) with the source credentials;
//   AssumeRoleWithWebIdentity: unsigned, the token read from its file at each call.
// Errors name the role ("assume role arn:...: AccessDenied: ... (HTTP 403)"); the source
// keys, the web-identity token and the returned secrets never appear in them.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "aws/credential_plan.h"
#include "aws/credentials.h"

namespace ssm::aws {

// Where and how the STS calls go.
struct StsEndpoint {
  std::string url;     // https://sts.us-east-1.amazonaws.com or an override
  std::string region;  // the signing region
  std::string ca_bundle;
};

// AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else https://sts.<region>.<suffix>.
StsEndpoint sts_endpoint(const base::GetEnv& env, const std::string& region, const std::string& ca_bundle);

inline constexpr std::chrono::seconds kStsTimeout{10};

// `now` signs the request and names the default session.
void async_assume_role(boost::asio::any_io_executor ex, const StsEndpoint& sts, const RoleToAssume& role,
                       const Credentials& source, std::chrono::system_clock::time_point now,
                       std::function<void(ResolvedCredentials)> done);

void async_assume_role_with_web_identity(boost::asio::any_io_executor ex, const StsEndpoint& sts,
                                         const RoleToAssume& role, const std::string& token_file,
                                         std::chrono::system_clock::time_point now,
                                         std::function<void(ResolvedCredentials)> done);

// The credentials in an AssumeRole(WithWebIdentity)Response; on failure, why (no values).
std::optional<Credentials> parse_sts_credentials(const std::string& xml, std::string& error);
// "<Code>: <Message> (HTTP <status>)" from an STS ErrorResponse.
std::string describe_sts_error(unsigned status, const std::string& xml);

}  // namespace ssm::aws
