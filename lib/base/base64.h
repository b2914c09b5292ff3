// lib/base — standard base64 with padding (and base64url, for DPoP proofs): the encryption challenge and KMS fields (wire, aws,
// endpoint) and HTTP Basic credentials (transport's proxy) all use this one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ssm::base {

std::string base64_encode(std::span<const std::uint8_t> data);
// The bytes of `text` ("user:password" for a Basic credential).
std::string base64_encode(std::string_view text);
// Strict: standard alphabet, padding required, no whitespace. nullopt on anything else.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

// base64url without padding (RFC 4648 §5), as JSON Web Tokens use it.
std::string base64url_encode(std::span<const std::uint8_t> data);
std::string base64url_encode(std::string_view text);
// Strict: the URL-safe alphabet, no padding; nullopt on anything else.
std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text);

}  // namespace ssm::base
