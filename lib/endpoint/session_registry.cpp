#include "endpoint/session_registry.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <stdexcept>

#include "base/text.h"

namespace ssm::endpoint {
namespace {

// Real tokens are a few hundred characters; clients must not assume a length.
constexpr std::size_t kTokenLength = 96;
// "<target>-<17 hex digits>", as the service names sessions.
constexpr std::size_t kSessionSuffixLength = 17;

}  // namespace

std::string random_token(std::size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string bytes(length, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(length)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  for (auto& c : bytes) c = kAlphabet[static_cast<unsigned char>(c) % 64];
  return bytes;
}

SessionRecord& SessionRegistry::start(const std::string& target, const std::string& document, wire::Json parameters,
                                      const std::string& id_prefix) {
  std::string id;
  do {
    std::array<std::uint8_t, (kSessionSuffixLength + 1) / 2> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    const std::string suffix = base::hex_lower(random).substr(0, kSessionSuffixLength);
    id = (!id_prefix.empty() ? id_prefix : target.empty() ? std::string("user") : target) + "-" + suffix;
  } while (sessions_.count(id));
  SessionRecord& r = sessions_[id];
  r.id = id;
  r.token = random_token(kTokenLength);
  r.target = target;
  r.document = document;
  r.parameters = std::move(parameters);
  r.kms = kms_;
  return r;
}

SessionRecord* SessionRegistry::resume(const std::string& id) {
  SessionRecord* r = find(id);
  if (!r || !r->live()) return nullptr;
  r->token = random_token(kTokenLength);
  return r;
}

SessionRecord* SessionRegistry::find(const std::string& id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

}  // namespace ssm::endpoint
