#include "endpoint/stream_digest.h"

#include <new>
#include <span>

#include "base/text.h"

namespace ssm::endpoint {

StreamDigest::StreamDigest() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_);
    throw std::bad_alloc();
  }
}

StreamDigest::~StreamDigest() { EVP_MD_CTX_free(ctx_); }

void StreamDigest::update(std::span<const std::uint8_t> bytes) {
  EVP_DigestUpdate(ctx_, bytes.data(), bytes.size());
  bytes_ += bytes.size();
}

std::string StreamDigest::hex() const {
  // Finish a copy, so that the running digest can go on.
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (copy && EVP_MD_CTX_copy_ex(copy, ctx_) == 1) EVP_DigestFinal_ex(copy, md, &n);
  EVP_MD_CTX_free(copy);
  return base::hex_lower(std::span(md, n));
}

}  // namespace ssm::endpoint
