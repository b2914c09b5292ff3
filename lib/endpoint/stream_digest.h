// lib/endpoint — a running SHA-256 and byte count of one direction's Output bytes, for the
// line printed when a session ends (tests compare it with what the client saw).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <openssl/evp.h>

namespace ssm::endpoint {

class StreamDigest {
 public:
  StreamDigest();
  ~StreamDigest();
  StreamDigest(const StreamDigest&) = delete;
  StreamDigest& operator=(const StreamDigest&) = delete;

  void update(std::span<const std::uint8_t> bytes);
  // Lowercase hex of the digest so far; more updates may follow.
  std::string hex() const;
  std::uint64_t bytes() const { return bytes_; }

 private:
  EVP_MD_CTX* ctx_;
  std::uint64_t bytes_ = 0;
};

}  // namespace ssm::endpoint
