#include <regex>

#include "log/log.h"

namespace ssm::log {
namespace {

struct Rule {
  std::regex pattern;
  const char* replacement;
};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> r = [] {
    const auto icase = std::regex::ECMAScript | std::regex::icase;
    std::vector<Rule> v;
    // "Key": "value" in JSON, for every key that carries a secret.
    v.push_back({std::regex(R"re(("(?:TokenValue|Token|SecretAccessKey|SessionToken|CiphertextBlob|Plaintext|KMSCipherTextKey)"\s*:\s*")(?:[^"\\]|\\.)*")re", icase),
                 "$1<redacted>\""});
    // Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=<hex>
    v.push_back({std::regex(R"re((Signature=)[0-9A-Fa-f]+)re", icase), "$1<redacted>"});
    // Query strings and headers.
    v.push_back({std::regex(R"re((X-Amz-Signature=)[^&\s"]+)re", icase), "$1<redacted>"});
    v.push_back({std::regex(R"re((X-Amz-Security-Token[=:]\s*)[^&\s"]+)re", icase), "$1<redacted>"});
    // Shared credentials file lines.
    v.push_back({std::regex(R"re(((?:aws_secret_access_key|aws_session_token)\s*=\s*)\S+)re", icase), "$1<redacted>"});
    return v;
  }();
  return r;
}

}  // namespace

std::string redact(std::string_view text) {
  std::string out(text);
  for (const auto& rule : rules()) out = std::regex_replace(out, rule.pattern, rule.replacement);
  return out;
}

}  // namespace ssm::log
