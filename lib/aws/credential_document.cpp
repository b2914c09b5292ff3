#include "aws/credential_document.h"

#include <cstring>
#include <ctime>

#include <nlohmann/json.hpp>

namespace ssm::aws {

namespace {

// Reads `count` decimal digits at `at`, advancing it; false if they are not all digits.
bool digits(const std::string& s, std::size_t& at, std::size_t count, int& value) {
  if (at + count > s.size()) return false;
  value = 0;
  for (std::size_t end = at + count; at < end; ++at) {
    if (s[at] < '0' || s[at] > '9') return false;
    value = value * 10 + (s[at] - '0');
  }
  return true;
}

bool expect(const std::string& s, std::size_t& at, const char* one_of) {
  if (at >= s.size() || !std::strchr(one_of, s[at])) return false;
  ++at;
  return true;
}

}  // namespace

// A hand-written reader rather than std::regex: GCC 12 flags std::regex with
// -Wmaybe-uninitialized under the sanitizer build.
std::optional<std::chrono::system_clock::time_point> parse_timestamp(const std::string& text) {
  std::size_t at = 0;
  int year, month, day, hour, minute, second;
  if (!digits(text, at, 4, year) || !expect(text, at, "-") || !digits(text, at, 2, month) || !expect(text, at, "-") ||
      !digits(text, at, 2, day) || !expect(text, at, "Tt ") || !digits(text, at, 2, hour) || !expect(text, at, ":") ||
      !digits(text, at, 2, minute) || !expect(text, at, ":") || !digits(text, at, 2, second))
    return std::nullopt;
  if (at < text.size() && text[at] == '.') {  // fractional seconds: below our resolution
    const std::size_t first = ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == first) return std::nullopt;
  }
  long offset_seconds = 0;
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const bool east = text[at++] == '+';
    int offset_hours, offset_minutes;
    if (!digits(text, at, 2, offset_hours)) return std::nullopt;
    if (at < text.size() && text[at] == ':') ++at;
    if (!digits(text, at, 2, offset_minutes)) return std::nullopt;
    offset_seconds = (offset_hours * 60L + offset_minutes) * 60L * (east ? 1 : -1);
  } else if (!expect(text, at, "Zz")) {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return std::chrono::system_clock::from_time_t(::timegm(&tm) - offset_seconds);  // local = UTC + offset
}

std::string format_timestamp(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<Credentials> parse_credential_document(const std::string& json, std::string& error) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) {
    error = "the response is not a JSON object";
    return std::nullopt;
  }
  const auto text = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (const std::string code = text("Code"); !code.empty() && code != "Success") {
    error = "the response says Code " + code;
    return std::nullopt;
  }
  Credentials c{text("AccessKeyId"), text("SecretAccessKey"), text("Token")};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    error = "the response has no AccessKeyId or SecretAccessKey";
    return std::nullopt;
  }
  if (const std::string expiration = text("Expiration"); !expiration.empty()) {
    c.expiration = parse_timestamp(expiration);
    if (!c.expiration) {
      error = "the response's Expiration is not a timestamp";
      return std::nullopt;
    }
  }
  return c;
}

}  // namespace ssm::aws
