// lib/aws — credentials from the container endpoint of ECS, EKS Pod Identity and similar
// (protocol-smux-kms-aws.md §3.5): GET http://169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
// or AWS_CONTAINER_CREDENTIALS_FULL_URI (plain http only to loopback or the ECS/EKS
// addresses), with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE's contents, else
// AWS_CONTAINER_AUTHORIZATION_TOKEN, as the Authorization header. Errors read
// "container credentials at <url>: ..." and never carry the token or the answer's body.
#pragma once

#include <chrono>
#include <functional>

#include <boost/asio/any_io_executor.hpp>

#include "aws/credentials.h"

namespace ssm::aws {

inline constexpr std::chrono::seconds kContainerTimeout{5};

void async_container_credentials(boost::asio::any_io_executor ex, const base::GetEnv& env, const std::string& ca_bundle,
                                 std::function<void(ResolvedCredentials)> done);

}  // namespace ssm::aws
