// lib/aws — the shapes temporary credentials arrive in: the JSON document of the container
// endpoint and instance metadata ({"AccessKeyId","SecretAccessKey","Token","Expiration"}),
// and the ISO 8601 / RFC 3339 timestamps that every source (STS, credential_process, the
// endpoints) uses for Expiration.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "aws/sigv4.h"

namespace ssm::aws {

// "2024-05-01T12:00:00Z", with optional fractional seconds and a Z or ±hh:mm offset.
std::optional<std::chrono::system_clock::time_point> parse_timestamp(const std::string& text);

// "2024-05-01T12:00:00Z": UTC, whole seconds, as the AWS CLI writes its token caches.
std::string format_timestamp(std::chrono::system_clock::time_point t);

// The container/IMDS document. On failure, why, without any of the document's values.
std::optional<Credentials> parse_credential_document(const std::string& json, std::string& error);

}  // namespace ssm::aws
