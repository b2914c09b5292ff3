// lib/wire — big-endian integer access on byte spans. Callers check bounds first; these
// helpers only spell out the byte order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ssm::wire {

using Bytes = std::span<const std::uint8_t>;

template <typename T>
T read_be(Bytes in, std::size_t offset) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | in[offset + i]);
  return v;
}

template <typename T>
void write_be(std::span<std::uint8_t> out, std::size_t offset, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out[offset + sizeof(T) - 1 - i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * i));
}

}  // namespace ssm::wire
