#include "crypto/aes_gcm.h"

#include <climits>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace ssm::crypto {
namespace detail {
void EvpContextDeleter::operator()(evp_cipher_ctx_st* ctx) const { EVP_CIPHER_CTX_free(ctx); }
}  // namespace detail

namespace {

// Cipher and key once per context (the schedule stays inside it); the nonce per message.
// nullptr when OpenSSL refuses.
detail::EvpContext keyed_context(KeyView key, bool encrypt) {
  detail::EvpContext ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return ctx;
  const auto init = encrypt ? EVP_EncryptInit_ex : EVP_DecryptInit_ex;
  const bool keyed = init(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
                     EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceSize), nullptr) == 1 &&
                     init(ctx.get(), nullptr, nullptr, key.data(), nullptr) == 1;
  if (!keyed) ctx.reset();
  return ctx;
}

bool fits_int(std::size_t n) { return n <= static_cast<std::size_t>(INT_MAX - 64); }

}  // namespace

std::string_view describe(OpenError error) {
  switch (error) {
    case OpenError::none:
      return "ok";
    case OpenError::too_short:
      return "the encrypted payload is shorter than its nonce and tag";
    case OpenError::not_authentic:
      return "the encrypted payload failed authentication";
    case OpenError::internal:
      return "OpenSSL failed to decrypt";
  }
  return "unknown error";
}

AesGcmSealer::AesGcmSealer(KeyView key) : ctx_(keyed_context(key, /*encrypt=*/true)) {}

std::optional<std::vector<std::uint8_t>> AesGcmSealer::seal(const Nonce& nonce, Bytes plaintext) {
  if (!ctx_ || !fits_int(plaintext.size())) return std::nullopt;
  std::vector<std::uint8_t> out(kNonceSize + plaintext.size() + kTagSize);
  std::copy(nonce.begin(), nonce.end(), out.begin());
  std::uint8_t* ct = out.data() + kNonceSize;
  int written = 0, final_written = 0;
  if (EVP_EncryptInit_ex(ctx_.get(), nullptr, nullptr, nullptr, nonce.data()) != 1) return std::nullopt;
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx_.get(), ct, &written, plaintext.data(), static_cast<int>(plaintext.size())) != 1)
    return std::nullopt;
  if (EVP_EncryptFinal_ex(ctx_.get(), ct + written, &final_written) != 1) return std::nullopt;
  if (EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), ct + plaintext.size()) != 1)
    return std::nullopt;
  return out;
}

AesGcmOpener::AesGcmOpener(KeyView key) : ctx_(keyed_context(key, /*encrypt=*/false)) {}

Opened AesGcmOpener::open(Bytes sealed) {
  Opened result;
  // The reference crashes on a payload shorter than its nonce; this is just an error.
  if (sealed.size() < kSealOverhead) return {{}, OpenError::too_short};
  if (!ctx_ || !fits_int(sealed.size())) return {{}, OpenError::internal};
  const Bytes nonce = sealed.first(kNonceSize);
  const Bytes ct = sealed.subspan(kNonceSize, sealed.size() - kSealOverhead);
  const Bytes tag = sealed.last(kTagSize);
  std::vector<std::uint8_t> plain(ct.size());
  int written = 0, final_written = 0;
  if (EVP_DecryptInit_ex(ctx_.get(), nullptr, nullptr, nullptr, nonce.data()) != 1) return {{}, OpenError::internal};
  if (!ct.empty() && EVP_DecryptUpdate(ctx_.get(), plain.data(), &written, ct.data(), static_cast<int>(ct.size())) != 1)
    return {{}, OpenError::internal};
  // SET_TAG takes a non-const pointer but only reads from it.
  if (EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          const_cast<std::uint8_t*>(tag.data())) != 1)
    return {{}, OpenError::internal};
  if (EVP_DecryptFinal_ex(ctx_.get(), plain.data() + written, &final_written) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());  // unauthenticated bytes must not escape
    return {{}, OpenError::not_authentic};
  }
  result.plaintext = std::move(plain);
  return result;
}

}  // namespace ssm::crypto
