// lib/aws — owns what the plugin needs of AWS itself: request signing (Signature Version 4),
// and, as the AWS integration grows, credentials, the JSON 1.1 client and KMS. It knows
// nothing of sessions or the data channel.
//
// This file: SigV4 (protocol-smux-kms-aws.md §3.6), exact to the published test suite and the
// project's vectors, for API calls (signed headers) and the WebSocket upgrade (GET with a
// query string).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssm::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::optional<std::chrono::system_clock::time_point> expiration = std::nullopt;  // none: never expires
};

struct SignableRequest {
  std::string method = "POST";
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> query;    // unencoded names and values
  std::vector<std::pair<std::string, std::string>> headers;  // all of them are signed; must include host
  std::string body;
};

struct SigningScope {
  std::string region;
  std::string service;
  std::string amz_date;  // YYYYMMDDTHHMMSSZ, UTC
};

// "YYYYMMDDTHHMMSSZ" for a Unix time.
std::string amz_date(std::int64_t unix_seconds);

// RFC 3986 percent-encoding of everything but A-Z a-z 0-9 - _ . ~ (and '/' when asked).
std::string uri_encode(std::string_view s, bool keep_slash);

// The intermediate steps, exposed for tests and for the endpoint's verifier.
std::string canonical_request(const SignableRequest& r);
std::string string_to_sign(const SignableRequest& r, const SigningScope& scope);
std::array<std::uint8_t, 32> signing_key(std::string_view secret, std::string_view date, std::string_view region,
                                         std::string_view service);
std::string signature(const SignableRequest& r, const SigningScope& scope, std::string_view secret);

// Adds X-Amz-Date (and X-Amz-Security-Token with temporary credentials) to the request's
// headers, then the Authorization header; returns the Authorization value.
std::string sign(SignableRequest& r, const SigningScope& scope, const Credentials& credentials);

std::string sha256_hex(std::string_view data);

}  // namespace ssm::aws
