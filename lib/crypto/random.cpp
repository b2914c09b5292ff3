#include "crypto/random.h"

#include <climits>

#include <openssl/rand.h>

namespace ssm::crypto {

bool random_bytes(std::span<std::uint8_t> out) {
  if (out.size() > static_cast<std::size_t>(INT_MAX)) return false;
  return out.empty() || RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
}

NonceSource random_nonces() {
  return [](Nonce& nonce) { return random_bytes(nonce); };
}

}  // namespace ssm::crypto
