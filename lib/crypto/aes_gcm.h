// lib/crypto — AES-256-GCM as the session data uses it (protocol-smux-kms-aws.md §2.4):
// 12-byte nonce, 16-byte tag, no additional authenticated data, and a sealed message laid
// out as nonce ‖ ciphertext ‖ tag. One object per key and direction; each keeps its OpenSSL
// context (key schedule included) for its whole life and only changes the nonce per message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/random.h"

struct evp_cipher_ctx_st;  // OpenSSL's EVP_CIPHER_CTX, kept out of this header

namespace ssm::crypto {

inline constexpr std::size_t kKeySize = 32;  // AES-256
inline constexpr std::size_t kTagSize = 16;
// What sealing adds to a plaintext; nothing shorter can be a sealed message.
inline constexpr std::size_t kSealOverhead = kNonceSize + kTagSize;

using KeyView = std::span<const std::uint8_t, kKeySize>;
using Bytes = std::span<const std::uint8_t>;

enum class OpenError {
  none,
  too_short,      // fewer than kSealOverhead bytes
  not_authentic,  // the tag does not match: wrong key, or the bytes were changed
  internal,       // OpenSSL itself failed
};
std::string_view describe(OpenError error);

struct Opened {
  std::vector<std::uint8_t> plaintext;
  OpenError error = OpenError::none;
  explicit operator bool() const { return error == OpenError::none; }
};

namespace detail {
struct EvpContextDeleter {
  void operator()(evp_cipher_ctx_st* ctx) const;
};
using EvpContext = std::unique_ptr<evp_cipher_ctx_st, EvpContextDeleter>;
}  // namespace detail

class AesGcmSealer {
 public:
  explicit AesGcmSealer(KeyView key);
  // nonce ‖ ciphertext ‖ tag; nullopt only when OpenSSL fails.
  std::optional<std::vector<std::uint8_t>> seal(const Nonce& nonce, Bytes plaintext);
  bool ready() const { return ctx_ != nullptr; }  // false when OpenSSL refused the key

 private:
  detail::EvpContext ctx_;
};

class AesGcmOpener {
 public:
  explicit AesGcmOpener(KeyView key);
  Opened open(Bytes sealed);
  bool ready() const { return ctx_ != nullptr; }

 private:
  detail::EvpContext ctx_;
};

}  // namespace ssm::crypto
