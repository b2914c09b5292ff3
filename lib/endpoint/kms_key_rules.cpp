#include "endpoint/kms_key_rules.h"

namespace ssm::endpoint {
namespace {

// KMS names one key several ways: "1234abcd-…", "arn:aws:kms:<region>:<account>:key/1234abcd-…",
// "alias/x" and "arn:aws:kms:<region>:<account>:alias/x". What follows the ARN's fifth colon,
// with "key/" dropped, is the same for all spellings of one key (one region and account here).
std::string short_name(const std::string& id) {
  if (id.rfind("arn:", 0) != 0) return id;
  std::size_t at = 0;
  for (int colons = 0; colons < 5; ++colons) {
    at = id.find(':', at);
    if (at == std::string::npos) return id;
    ++at;
  }
  std::string resource = id.substr(at);
  return resource.rfind("key/", 0) == 0 ? resource.substr(4) : resource;
}

}  // namespace

KmsKeyRules::KmsKeyRules(std::set<std::string> known, int throttled_calls) : throttled_left_(throttled_calls) {
  for (const auto& id : known)
    if (!id.empty()) known_.insert(short_name(id));
}

bool KmsKeyRules::knows(const std::string& key_id) const { return known_.contains(short_name(key_id)); }

std::optional<ApiResponse> KmsKeyRules::admit(const std::string& key_id) {
  // Throttling comes first, as KMS's request rate limit applies before any key lookup.
  if (throttled_left_ > 0) {
    --throttled_left_;
    return api_error("ThrottlingException", "Rate exceeded");
  }
  if (!knows(key_id)) return api_error("NotFoundException", "Key '" + key_id + "' does not exist");
  return std::nullopt;
}

}  // namespace ssm::endpoint
