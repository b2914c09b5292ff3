// lib/wire — the SHA-256 payload digest carried in every ClientMessage header.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace ssm::wire {

using Sha256 = std::array<std::uint8_t, 32>;

Sha256 sha256(std::span<const std::uint8_t> data);

}  // namespace ssm::wire
