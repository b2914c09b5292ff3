#include "aws/sigv4.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <vector>

#include "base/text.h"
#include "wire/digest.h"

namespace ssm::aws {
namespace {

// Leading and trailing blanks trimmed, inner runs collapsed to one space.
std::string trim_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// HMAC-SHA256 (RFC 2104) on wire::sha256, which needs none of OpenSSL's provider start-up:
// signing an upgrade costs microseconds, not the milliseconds of a first EVP call.
std::array<std::uint8_t, 32> hmac(std::string_view key, std::string_view msg) {
  constexpr std::size_t kBlock = 64;
  std::array<std::uint8_t, kBlock> block{};
  if (key.size() > kBlock) {
    const auto digest = wire::sha256(bytes(key));
    std::copy(digest.begin(), digest.end(), block.begin());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::vector<std::uint8_t> inner(kBlock + msg.size());
  for (std::size_t i = 0; i < kBlock; ++i) inner[i] = block[i] ^ 0x36;
  std::copy(msg.begin(), msg.end(), inner.begin() + kBlock);
  const auto inner_digest = wire::sha256(inner);
  std::array<std::uint8_t, kBlock + 32> outer{};
  for (std::size_t i = 0; i < kBlock; ++i) outer[i] = block[i] ^ 0x5c;
  std::copy(inner_digest.begin(), inner_digest.end(), outer.begin() + kBlock);
  return wire::sha256(outer);
}

std::string_view view(const std::array<std::uint8_t, 32>& a) {
  return {reinterpret_cast<const char*>(a.data()), a.size()};
}

// Header names lowercased, sorted, values trimmed; repeated names joined by ','.
std::vector<std::pair<std::string, std::string>> canonical_headers(const SignableRequest& r) {
  std::vector<std::pair<std::string, std::string>> h;
  for (const auto& [name, value] : r.headers) h.emplace_back(base::ascii_lower(name), trim_value(value));
  std::stable_sort(h.begin(), h.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> merged;
  for (auto& kv : h) {
    if (!merged.empty() && merged.back().first == kv.first) merged.back().second += "," + kv.second;
    else merged.push_back(std::move(kv));
  }
  return merged;
}

std::string signed_headers(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out;
  for (const auto& [name, value] : headers) out += (out.empty() ? "" : ";") + name;
  return out;
}

std::string scope_string(const SigningScope& s) {
  return s.amz_date.substr(0, 8) + "/" + s.region + "/" + s.service + "/aws4_request";
}

}  // namespace

std::string sha256_hex(std::string_view data) { return base::hex_lower(wire::sha256(bytes(data))); }

std::string amz_date(std::int64_t unix_seconds) {
  // std::chrono's calendar rather than gmtime_r, which in glibc first reads the local time
  // zone (/etc/localtime) that UTC does not need.
  using namespace std::chrono;
  const sys_seconds t{seconds{unix_seconds}};
  const auto day = floor<days>(t);
  const year_month_day date{day};
  const hh_mm_ss hms{t - day};
  char buf[80];  // room for any int in every field, as the compiler checks
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string canonical_request(const SignableRequest& r) {
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [k, v] : r.query) query.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(query.begin(), query.end());
  std::string query_string;
  for (const auto& [k, v] : query) query_string += (query_string.empty() ? "" : "&") + k + "=" + v;

  const auto headers = canonical_headers(r);
  std::string header_lines;
  for (const auto& [name, value] : headers) header_lines += name + ":" + value + "\n";

  return r.method + "\n" + uri_encode(r.path.empty() ? "/" : r.path, true) + "\n" + query_string + "\n" + header_lines +
         "\n" + signed_headers(headers) + "\n" + sha256_hex(r.body);
}

std::string string_to_sign(const SignableRequest& r, const SigningScope& scope) {
  return "AWS4-HMAC-SHA256\n" + scope.amz_date + "\n" + scope_string(scope) + "\n" + sha256_hex(canonical_request(r));
}

std::array<std::uint8_t, 32> signing_key(std::string_view secret, std::string_view date, std::string_view region,
                                         std::string_view service) {
  const auto k_date = hmac("AWS4" + std::string(secret), date);
  const auto k_region = hmac(view(k_date), region);
  const auto k_service = hmac(view(k_region), service);
  return hmac(view(k_service), "aws4_request");
}

std::string signature(const SignableRequest& r, const SigningScope& scope, std::string_view secret) {
  const auto key = signing_key(secret, scope.amz_date.substr(0, 8), scope.region, scope.service);
  const auto sig = hmac(view(key), string_to_sign(r, scope));
  return base::hex_lower(sig);
}

std::string sign(SignableRequest& r, const SigningScope& scope, const Credentials& credentials) {
  r.headers.emplace_back("X-Amz-Date", scope.amz_date);
  if (!credentials.session_token.empty()) r.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  const std::string authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" +
                                    scope_string(scope) + ", SignedHeaders=" +
                                    signed_headers(canonical_headers(r)) +
                                    ", Signature=" + signature(r, scope, credentials.secret_access_key);
  r.headers.emplace_back("Authorization", authorization);
  return authorization;
}

}  // namespace ssm::aws
