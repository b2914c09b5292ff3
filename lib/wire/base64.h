// lib/wire — standard base64 with padding, as the encryption challenge and KMS fields use.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ssm::wire {

std::string base64_encode(std::span<const std::uint8_t> data);
// Strict: standard alphabet, padding required, no whitespace. nullopt on anything else.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace ssm::wire
