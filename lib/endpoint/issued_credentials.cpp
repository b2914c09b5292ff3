#include "endpoint/issued_credentials.h"

#include <stdexcept>
#include <vector>

#include "crypto/random.h"

namespace ssm::endpoint {
namespace {

using namespace std::chrono_literals;

// The shapes STS uses: "ASIA" and 16 upper-case letters or digits; a 40-character secret; a
// session token of a few hundred characters (clients must not assume a length).
constexpr std::string_view kAccessKeyPrefix = "ASIA";
constexpr std::size_t kAccessKeySuffixLength = 16, kSecretLength = 40, kSessionTokenLength = 300;
constexpr std::string_view kUpperAndDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";  // 32: no modulo bias
constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// How long an expired entry is kept so that its use is answered "expired" rather than "unknown".
constexpr auto kKeepExpired = 1h;

std::string random_string(std::size_t length, std::string_view alphabet) {
  std::vector<std::uint8_t> bytes(length);
  if (!crypto::random_bytes(bytes)) throw std::runtime_error("no randomness for temporary credentials");
  std::string text;
  for (const std::uint8_t b : bytes) text += alphabet[b % alphabet.size()];
  return text;
}

}  // namespace

aws::Credentials IssuedCredentials::issue(std::chrono::seconds lifetime, Clock::time_point now) {
  forget_expired_before(now - kKeepExpired);
  std::string access_key_id;
  do {
    access_key_id = std::string(kAccessKeyPrefix) + random_string(kAccessKeySuffixLength, kUpperAndDigits);
  } while (by_access_key_.contains(access_key_id));
  aws::Credentials c{access_key_id, random_string(kSecretLength, kBase64), random_string(kSessionTokenLength, kBase64),
                     std::chrono::time_point_cast<std::chrono::seconds>(now + lifetime)};
  by_access_key_.emplace(access_key_id, c);
  return c;
}

std::optional<aws::Credentials> IssuedCredentials::find(std::string_view access_key_id) const {
  const auto it = by_access_key_.find(access_key_id);
  if (it == by_access_key_.end()) return std::nullopt;
  return it->second;
}

void IssuedCredentials::forget_expired_before(Clock::time_point when) {
  std::erase_if(by_access_key_, [when](const auto& entry) { return entry.second.expiration && *entry.second.expiration < when; });
}

}  // namespace ssm::endpoint
