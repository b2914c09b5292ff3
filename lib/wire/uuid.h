// lib/wire — RFC 4122 UUIDs as the protocol uses them: lowercase 8-4-4-4-12 text in JSON,
// 16 bytes with the two 8-byte halves swapped in a ClientMessage header (protocol.md §3.1).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssm::wire {

struct Uuid {
  std::array<std::uint8_t, 16> bytes{};  // canonical (big-endian, as printed) order

  static std::optional<Uuid> parse(std::string_view text);
  static Uuid random_v4();

  std::string to_string() const;
  bool is_nil() const;
  // True for the RFC 4122 variant (10xx) with a version nibble 1..8; the nil UUID is not.
  bool is_rfc4122() const;

  // Wire order: UUID bytes 8..15 first, then bytes 0..7.
  void to_wire(std::uint8_t* out16) const;
  static Uuid from_wire(const std::uint8_t* in16);

  friend bool operator==(const Uuid&, const Uuid&) = default;
};

}  // namespace ssm::wire
