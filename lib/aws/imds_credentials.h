// lib/aws — credentials of the EC2 instance's IAM role from the instance metadata service,
// IMDSv2 (protocol-smux-kms-aws.md §3.5): PUT /latest/api/token, then with that token
// GET /latest/meta-data/iam/security-credentials/ (the role name) and .../<role>.
// AWS_EC2_METADATA_SERVICE_ENDPOINT replaces http://169.254.169.254;
// AWS_EC2_METADATA_DISABLED=true turns it off. Every request has a short deadline so that a
// machine that is not on EC2 fails fast. A token request answered with something other than
// 200 or 403 falls back to IMDSv1 (no token) unless AWS_EC2_METADATA_V1_DISABLED=true.
// Errors read "instance metadata: ..." and never carry the token or the answer's body.
#pragma once

#include <chrono>
#include <functional>

#include <boost/asio/any_io_executor.hpp>

#include "aws/credentials.h"

namespace ssm::aws {

inline constexpr std::chrono::seconds kImdsAttemptTimeout{1};
inline constexpr int kImdsTokenTtlSeconds = 21600;

void async_imds_credentials(boost::asio::any_io_executor ex, const base::GetEnv& env,
                            std::function<void(ResolvedCredentials)> done);

}  // namespace ssm::aws
