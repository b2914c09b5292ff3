// lib/endpoint — the endpoint's KMS stand-in (protocol-smux-kms-aws.md §2.2, §2.8): enough of
// KMS for a session's data key. GenerateDataKey hands out real random bytes; the
// CiphertextBlob is that key, the KeyId and the encryption context sealed (AES-256-GCM) under
// a master key that never leaves this object, so that only the emulated agent's Decrypt,
// with the same context, gets the key back — as with real KMS, where a data key is bound to
// its CMK and its context. The master key is fresh per endpoint process.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/aes_gcm.h"

namespace ssm::endpoint {

using EncryptionContext = std::map<std::string, std::string>;

struct GeneratedDataKey {
  std::vector<std::uint8_t> plaintext;
  std::vector<std::uint8_t> ciphertext_blob;
};

class KmsStandIn {
 public:
  // KMS's own bounds for NumberOfBytes.
  static constexpr std::size_t kMinDataKeyBytes = 1, kMaxDataKeyBytes = 1024;

  KmsStandIn();  // throws std::runtime_error when no master key can be drawn

  // nullopt and `error` only when randomness or OpenSSL fail.
  std::optional<GeneratedDataKey> generate_data_key(const std::string& key_id, const EncryptionContext& context,
                                                    std::size_t bytes, std::string& error);

  // The data key in `blob`, if this stand-in issued it under exactly `context`; else nullopt
  // and why (never key material).
  std::optional<std::vector<std::uint8_t>> decrypt(std::span<const std::uint8_t> blob, const EncryptionContext& context,
                                                   std::string& error);

 private:
  std::optional<crypto::AesGcmSealer> sealer_;
  std::optional<crypto::AesGcmOpener> opener_;
};

}  // namespace ssm::endpoint
