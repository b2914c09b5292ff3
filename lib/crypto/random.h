// lib/crypto — randomness from OpenSSL's CSPRNG, and the nonce source the session cipher
// draws from (injectable, so that tests can reproduce the worked examples byte for byte).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>

namespace ssm::crypto {

inline constexpr std::size_t kNonceSize = 12;  // AES-GCM's standard 96-bit nonce
using Nonce = std::array<std::uint8_t, kNonceSize>;

// Fills `out`; false only when the CSPRNG fails (then `out` must not be used).
bool random_bytes(std::span<std::uint8_t> out);

// Writes the next nonce into its argument; false when none can be had.
using NonceSource = std::function<bool(Nonce&)>;
// A fresh random nonce per call: what every real session uses.
NonceSource random_nonces();

}  // namespace ssm::crypto
