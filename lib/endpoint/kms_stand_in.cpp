#include "endpoint/kms_stand_in.h"

#include <array>
#include <stdexcept>
#include <string_view>

#include <openssl/crypto.h>

#include "base/base64.h"
#include "crypto/random.h"
#include "wire/client_message.h"
#include "wire/payloads.h"

namespace ssm::endpoint {
namespace {

// How real KMS names every Decrypt of a blob it cannot open with the given context.
constexpr std::string_view kInvalidCiphertext = "InvalidCiphertextException: ";

wire::Json context_json(const EncryptionContext& context) {
  wire::Json j = wire::Json::object();
  for (const auto& [k, v] : context) j[k] = v;  // std::map: sorted, so one spelling per context
  return j;
}

}  // namespace

KmsStandIn::KmsStandIn() {
  std::array<std::uint8_t, crypto::kKeySize> master{};
  if (!crypto::random_bytes(master)) throw std::runtime_error("cannot draw the KMS stand-in's master key");
  sealer_.emplace(master);
  opener_.emplace(master);
  OPENSSL_cleanse(master.data(), master.size());  // the OpenSSL contexts hold it from here on
  if (!sealer_->ready() || !opener_->ready()) throw std::runtime_error("OpenSSL refused the KMS stand-in's master key");
}

std::optional<GeneratedDataKey> KmsStandIn::generate_data_key(const std::string& key_id,
                                                              const EncryptionContext& context, std::size_t bytes,
                                                              std::string& error) {
  GeneratedDataKey key;
  key.plaintext.resize(bytes);
  crypto::Nonce nonce{};
  if (!crypto::random_bytes(key.plaintext) || !crypto::random_bytes(nonce)) {
    error = "no randomness for a data key";
    return std::nullopt;
  }
  wire::Json sealed_part = wire::Json::object();
  sealed_part["KeyId"] = key_id;
  sealed_part["EncryptionContext"] = context_json(context);
  sealed_part["Plaintext"] = base::base64_encode(key.plaintext);
  std::string text = sealed_part.dump();
  auto blob = sealer_->seal(nonce, wire::as_bytes(text));
  OPENSSL_cleanse(text.data(), text.size());
  if (!blob) {
    error = "OpenSSL failed to seal a data key";
    return std::nullopt;
  }
  key.ciphertext_blob = std::move(*blob);
  return key;
}

std::optional<std::vector<std::uint8_t>> KmsStandIn::decrypt(std::span<const std::uint8_t> blob,
                                                             const EncryptionContext& context, std::string& error) {
  crypto::Opened opened = opener_->open(blob);
  if (!opened) {
    error = std::string(kInvalidCiphertext) + "the ciphertext blob was not issued by this KMS (" +
            std::string(crypto::describe(opened.error)) + ")";
    return std::nullopt;
  }
  const auto j = wire::Json::parse(opened.plaintext.begin(), opened.plaintext.end(), nullptr, false);
  OPENSSL_cleanse(opened.plaintext.data(), opened.plaintext.size());
  if (!j.is_object() || !j.contains("EncryptionContext") || !j.contains("Plaintext") || !j["Plaintext"].is_string()) {
    error = "the ciphertext blob is malformed";
    return std::nullopt;
  }
  // Real KMS answers InvalidCiphertextException for a context other than the one given at
  // issue (it binds the context as authenticated data; here it is sealed inside the blob,
  // which binds it as firmly and lets the error say which context the key was issued with).
  if (j["EncryptionContext"] != context_json(context)) {
    error = std::string(kInvalidCiphertext) + "the encryption context " + context_json(context).dump() + " is not the one the key was issued with (" +
            j["EncryptionContext"].dump() + ")";
    return std::nullopt;
  }
  auto key = base::base64_decode(j["Plaintext"].get_ref<const std::string&>());
  if (!key) {
    error = "the ciphertext blob is malformed";
    return std::nullopt;
  }
  return key;
}

}  // namespace ssm::endpoint
