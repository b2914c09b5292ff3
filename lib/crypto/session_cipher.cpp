#include "crypto/session_cipher.h"

#include <openssl/crypto.h>

namespace ssm::crypto {

std::unique_ptr<SessionCipher> SessionCipher::make(CipherSide side, Bytes data_key, NonceSource nonces) {
  if (data_key.size() != kDataKeySize || !nonces) return nullptr;
  const KeyView first(data_key.data(), kKeySize);             // K[0..31]: agent -> plugin
  const KeyView second(data_key.data() + kKeySize, kKeySize);  // K[32..63]: plugin -> agent
  const bool plugin = side == CipherSide::plugin;
  std::unique_ptr<SessionCipher> cipher(new SessionCipher(plugin ? second : first, plugin ? first : second, std::move(nonces)));
  if (!cipher->sealer_.ready() || !cipher->opener_.ready()) return nullptr;
  return cipher;
}

std::optional<std::vector<std::uint8_t>> SessionCipher::seal(Bytes plaintext) {
  Nonce nonce{};
  if (!nonces_(nonce)) return std::nullopt;
  return sealer_.seal(nonce, plaintext);
}

Opened answer_challenge(SessionCipher& plugin, Bytes challenge) {
  Opened opened = plugin.open(challenge);
  if (!opened) return opened;
  auto resealed = plugin.seal(opened.plaintext);
  OPENSSL_cleanse(opened.plaintext.data(), opened.plaintext.size());
  if (!resealed) return {{}, OpenError::internal};
  return {std::move(*resealed), OpenError::none};
}

}  // namespace ssm::crypto
