#include "aws/credential_document.h"

#include <ctime>
#include <regex>

#include <nlohmann/json.hpp>

namespace ssm::aws {

std::optional<std::chrono::system_clock::time_point> parse_timestamp(const std::string& text) {
  static const std::regex kFormat(R"((\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):?(\d{2})))");
  std::smatch m;
  if (!std::regex_match(text, m, kFormat)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
    return std::nullopt;
  std::time_t t = ::timegm(&tm);
  if (m[9].matched) {
    const long offset = (std::stol(m[10]) * 60 + std::stol(m[11])) * 60;
    t += m[9] == "+" ? -offset : offset;  // local = UTC + offset
  }
  return std::chrono::system_clock::from_time_t(t);
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
