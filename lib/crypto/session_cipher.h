// lib/crypto — the session cipher of a KMS-encrypted session (protocol-smux-kms-aws.md
// §2.3–2.6): the 64-byte data key split into two AES-256 keys, one per direction, a fresh
// nonce per sealed payload, and the encryption challenge both ends use to prove that each
// holds the same key. Which half seals depends on the side:
//   plugin: opens with K[0..31], seals with K[32..63];  agent: the other way round.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "crypto/aes_gcm.h"
#include "crypto/random.h"

namespace ssm::crypto {

inline constexpr std::size_t kDataKeySize = 64;      // KMS GenerateDataKey NumberOfBytes
inline constexpr std::size_t kChallengeSize = 64;    // random bytes in an EncChallengeRequest

enum class CipherSide { plugin, agent };

class SessionCipher {
 public:
  // nullptr unless `data_key` is exactly kDataKeySize bytes and OpenSSL accepts the keys.
  static std::unique_ptr<SessionCipher> make(CipherSide side, Bytes data_key, NonceSource nonces = random_nonces());

  // nonce ‖ ciphertext ‖ tag under this side's sealing key; nullopt when no nonce or OpenSSL fails.
  std::optional<std::vector<std::uint8_t>> seal(Bytes plaintext);
  // The peer's sealed payload, under this side's opening key.
  Opened open(Bytes sealed) { return opener_.open(sealed); }

 private:
  SessionCipher(KeyView seal_key, KeyView open_key, NonceSource nonces)
      : sealer_(seal_key), opener_(open_key), nonces_(std::move(nonces)) {}

  AesGcmSealer sealer_;
  AesGcmOpener opener_;
  NonceSource nonces_;
};

// §2.6, the plugin's part: the agent's challenge opened with the plugin's opening key and
// sealed again, same plaintext, fresh nonce, with its sealing key. On failure `error` says why.
Opened answer_challenge(SessionCipher& plugin, Bytes challenge);

}  // namespace ssm::crypto
