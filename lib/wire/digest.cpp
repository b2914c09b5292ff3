#include "wire/digest.h"

// The low-level SHA-256 (deprecated in OpenSSL 3, kept for this): the same assembly as the EVP
// digest, without a provider fetch per call and without OpenSSL's provider and configuration
// start-up, which would otherwise cost a few milliseconds of every session's start.
#define OPENSSL_API_COMPAT 10101
#include <openssl/sha.h>

namespace ssm::wire {

Sha256 sha256(std::span<const std::uint8_t> data) {
  Sha256 out{};
  SHA256_CTX context;
  SHA256_Init(&context);
  SHA256_Update(&context, data.data(), data.size());
  SHA256_Final(out.data(), &context);
  return out;
}

}  // namespace ssm::wire
