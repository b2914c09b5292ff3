#include "aws/sigv4.h"

#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "base/text.h"

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

std::array<std::uint8_t, 32> hmac(std::string_view key, std::string_view msg) {
  std::array<std::uint8_t, 32> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), out.data(), &len);
  return out;
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

std::string sha256_hex(std::string_view data) {
  std::uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return base::hex_lower(digest);
}

std::string amz_date(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[17];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
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
