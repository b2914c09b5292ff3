// Secret masking without std::regex: a handful of markers, each followed by a separator and a
// value whose extent is known (a JSON string, a hex run, a token up to a delimiter).
#include <cctype>
#include <string>

#include "log/log.h"

namespace ssm::log {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::size_t find_icase(const std::string& text, std::string_view marker, std::size_t from) {
  for (std::size_t i = from; i + marker.size() <= text.size(); ++i) {
    std::size_t k = 0;
    while (k < marker.size() && lower(text[i + k]) == lower(marker[k])) ++k;
    if (k == marker.size()) return i;
  }
  return std::string::npos;
}

std::size_t skip_spaces(const std::string& t, std::size_t i) {
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
  return i;
}

enum class Value { json_string, hex, until_delimiter, until_space };

// After `marker`, expects one of `separators` (surrounded by optional blanks), then masks the
// value. Returns the text with every occurrence handled.
void mask(std::string& t, std::string_view marker, std::string_view separators, Value kind) {
  std::size_t pos = 0;
  while ((pos = find_icase(t, marker, pos)) != std::string::npos) {
    std::size_t i = skip_spaces(t, pos + marker.size());
    if (separators.empty() || (i < t.size() && separators.find(t[i]) != std::string_view::npos)) {
      if (!separators.empty()) i = skip_spaces(t, i + 1);
      std::size_t start = i, end = i;
      switch (kind) {
        case Value::json_string:
          if (i >= t.size() || t[i] != '"') break;
          start = end = i + 1;
          while (end < t.size() && t[end] != '"') end += (t[end] == '\\' && end + 1 < t.size()) ? 2 : 1;
          if (end > t.size()) end = t.size();
          break;
        case Value::hex:
          while (end < t.size() && std::isxdigit(static_cast<unsigned char>(t[end]))) ++end;
          break;
        case Value::until_delimiter:
          while (end < t.size() && t[end] != '&' && t[end] != '"' && !std::isspace(static_cast<unsigned char>(t[end]))) ++end;
          break;
        case Value::until_space:
          while (end < t.size() && !std::isspace(static_cast<unsigned char>(t[end]))) ++end;
          break;
      }
      if (end > start) {
        t.replace(start, end - start, "<redacted>");
        pos = start + 10;
        continue;
      }
    }
    pos += marker.size();
  }
}

}  // namespace

std::string redact(std::string_view text) {
  std::string t(text);
  for (std::string_view key : {"\"TokenValue\"", "\"Token\"", "\"SecretAccessKey\"", "\"SessionToken\"",
                               "\"CiphertextBlob\"", "\"Plaintext\"", "\"KMSCipherTextKey\""})
    mask(t, key, ":", Value::json_string);
  mask(t, "X-Amz-Signature", "=", Value::until_delimiter);
  mask(t, "X-Amz-Security-Token", "=:", Value::until_delimiter);
  mask(t, "Signature=", "", Value::hex);  // the Authorization header's last component
  mask(t, "aws_secret_access_key", "=", Value::until_space);
  mask(t, "aws_session_token", "=", Value::until_space);
  return t;
}

}  // namespace ssm::log
