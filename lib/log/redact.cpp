// Secret masking without std::regex (GCC 12 warns inside <regex> under the ASan preset, and a
// scanner is cheaper per line): each rule is a marker found case-insensitively, a separator,
// and a value whose extent is known (a JSON string, a token up to a delimiter).
#include "log/redact.h"

#include <array>

#include "base/text.h"

namespace ssm::log {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_space(char c) { return is_blank(c) || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::size_t find_icase(std::string_view text, std::string_view marker, std::size_t from) {
  for (std::size_t i = from; i + marker.size() <= text.size(); ++i) {
    std::size_t k = 0;
    while (k < marker.size() && base::ascii_lower(text[i + k]) == base::ascii_lower(marker[k])) ++k;
    if (k == marker.size()) return i;
  }
  return std::string_view::npos;
}

std::size_t skip_blanks(std::string_view t, std::size_t i) {
  while (i < t.size() && is_blank(t[i])) ++i;
  return i;
}

// Replaces [start, end) and returns where scanning resumes.
std::size_t replace_value(std::string& t, std::size_t start, std::size_t end) {
  t.replace(start, end - start, kRedacted);
  return start + kRedacted.size();
}

// "Key": "value", also escaped inside another JSON string: \"Key\": \"value\".
void mask_json_values(std::string& t, std::string_view key) {
  std::size_t pos = 0;
  while ((pos = find_icase(t, key, pos)) != std::string::npos) {
    const std::size_t match = pos;
    pos = match + key.size();
    if (match == 0 || t[match - 1] != '"') continue;  // part of a longer key, or not a key
    std::size_t i = pos;
    if (i < t.size() && t[i] == '\\') ++i;
    if (i >= t.size() || t[i] != '"') continue;
    i = skip_blanks(t, i + 1);
    if (i >= t.size() || t[i] != ':') continue;
    i = skip_blanks(t, i + 1);
    const bool escaped = i < t.size() && t[i] == '\\';
    if (escaped) ++i;
    if (i >= t.size() || t[i] != '"') continue;  // null, numbers, objects: nothing to hide
    const std::size_t start = i + 1;
    std::size_t end = start;
    if (escaped) {
      // The value ends at the next \" ; tokens never contain quotes.
      while (end < t.size() && t[end] != '"') ++end;
      while (end > start && end < t.size() && t[end - 1] == '\\') --end;
    } else {
      while (end < t.size() && t[end] != '"') end += (t[end] == '\\') ? 2 : 1;
      if (end > t.size()) end = t.size();  // truncated text: hide up to its end
    }
    if (end > start) pos = replace_value(t, start, end);
  }
}

enum class Extent {
  to_delimiter,  // query parameters and header values: up to & , ; quotes or white space
  to_space,      // ini and environment assignments: up to white space
};

bool ends_value(char c, Extent extent) {
  if (is_space(c)) return true;
  if (extent == Extent::to_space) return false;
  return c == '&' || c == ',' || c == ';' || c == '"' || c == '\'';
}

// `marker` then one of `separators` (blanks around it allowed), then the value.
void mask_assignments(std::string& t, std::string_view marker, std::string_view separators, Extent extent) {
  std::size_t pos = 0;
  while ((pos = find_icase(t, marker, pos)) != std::string::npos) {
    std::size_t i = skip_blanks(t, pos + marker.size());
    pos += marker.size();
    if (i >= t.size() || separators.find(t[i]) == std::string_view::npos) continue;
    const std::size_t start = skip_blanks(t, i + 1);
    std::size_t end = start;
    while (end < t.size() && !ends_value(t[end], extent)) ++end;
    if (end > start) pos = replace_value(t, start, end);
  }
}

constexpr std::array<std::string_view, 7> kSecretJsonKeys = {
    "TokenValue", "Token", "SecretAccessKey", "SessionToken", "CiphertextBlob", "Plaintext", "KMSCipherTextKey"};

}  // namespace

std::string redact(std::string_view text) {
  std::string t(text);
  for (std::string_view key : kSecretJsonKeys) mask_json_values(t, key);
  mask_assignments(t, "X-Amz-Signature", "=:", Extent::to_delimiter);
  mask_assignments(t, "X-Amz-Security-Token", "=:", Extent::to_delimiter);
  mask_assignments(t, "Signature", "=", Extent::to_delimiter);  // Authorization: ... Signature=hex
  mask_assignments(t, "aws_secret_access_key", "=", Extent::to_space);
  mask_assignments(t, "aws_session_token", "=", Extent::to_space);
  mask_assignments(t, "aws_security_token", "=", Extent::to_space);
  return t;
}

}  // namespace ssm::log
