#include "wire/digest.h"

#include <openssl/sha.h>

namespace ssm::wire {

Sha256 sha256(std::span<const std::uint8_t> data) {
  Sha256 out{};
  SHA256(data.data(), data.size(), out.data());
  return out;
}

}  // namespace ssm::wire
