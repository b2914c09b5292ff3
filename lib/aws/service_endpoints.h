// lib/aws — where each AWS service the plugin talks to is reached (protocol-updates.md §3.2):
// the service's own AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else the regional
// default; and the data channel's StreamUrl moved to AWS_ENDPOINT_URL_SSMMESSAGES.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/environment.h"

namespace ssm::aws {

// AWS_ENDPOINT_URL_<variable_suffix>, else AWS_ENDPOINT_URL; nullopt when neither is set.
std::optional<std::string> configured_endpoint_url(std::string_view variable_suffix, const base::GetEnv& env);

// `variable_suffix`: "SSM", "KMS", "STS"; `host_prefix`: "ssm", "kms", "sts".
std::string service_endpoint_url(std::string_view variable_suffix, std::string_view host_prefix,
                                 const std::string& region, const base::GetEnv& env);

// `base` (an endpoint URL, perhaps written with a trailing slash) and `path` ("/token") joined
// with one slash between them, as the SDKs join them.
std::string join_url(std::string base, std::string_view path);

// The SSM endpoint for the AWS CLI's endpoint argument. `aws ecs execute-command` passes ECS's
// endpoint there (its client's), where ResumeSession and TerminateSession cannot be answered:
// for an ecs: target, an AWS ECS endpoint (https://ecs.<region>.amazonaws.com[.cn]) gives ""
// (the regional SSM default); anything else, a local endpoint included, is kept.
std::string ssm_endpoint_argument(const std::string& endpoint_url, const std::string& target);

// The StreamUrl the service returned, with its scheme, host and port taken from
// AWS_ENDPOINT_URL_SSMMESSAGES when that is set (an interface VPC endpoint for ssmmessages,
// say); path and query stay. AWS_ENDPOINT_URL does not apply: the stream's address comes
// from the service that answered StartSession, already chosen by that variable. Returns
// `stream_url` unchanged when the variable is unset; "" when it is not an http(s)/ws(s) URL.
std::string stream_url_for_endpoint(const std::string& stream_url, const base::GetEnv& env);

}  // namespace ssm::aws
