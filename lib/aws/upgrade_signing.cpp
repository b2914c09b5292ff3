#include "aws/upgrade_signing.h"

#include <array>

#include "transport/url.h"

namespace ssm::aws {
namespace {

// Go's url.ParseQuery, keeping the pieces that parse (values form-decoded: '+' is a space).
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (piece.empty() || piece.find(';') != std::string_view::npos) continue;
    const auto eq = piece.find('=');
    auto key = transport::percent_decode(piece.substr(0, eq), true);
    auto value = transport::percent_decode(eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1), true);
    if (!key || !value) continue;
    pairs.emplace_back(std::move(*key), std::move(*value));
  }
  return pairs;
}

}  // namespace

SignableRequest signable_from_target(std::string method, std::string_view raw_target) {
  SignableRequest r;
  r.method = std::move(method);
  const auto q = raw_target.find('?');
  const std::string_view path = raw_target.substr(0, q);
  r.path = std::string(path.empty() ? std::string_view("/") : path);
  if (q != std::string_view::npos) r.query = parse_query(raw_target.substr(q + 1));
  return r;
}

bool is_presigned_url(std::string_view url) {
  static constexpr std::array<std::string_view, 7> kPresignKeys = {
      "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
      "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"};
  const auto parsed = transport::Url::parse(url);
  if (!parsed) return false;
  for (const auto& [key, value] : signable_from_target("GET", parsed->target).query)
    for (auto k : kPresignKeys)
      if (key == k) return true;
  return false;
}

std::optional<HeaderList> sign_stream_upgrade(std::string_view url, const std::string& region,
                                              const Credentials& credentials, std::int64_t unix_time) {
  const auto parsed = transport::Url::parse(url);
  if (!parsed) return std::nullopt;
  SignableRequest r = signable_from_target("GET", parsed->target);
  // The Host header the WebSocket client sends, so that both name the same host.
  r.headers.emplace_back("host", parsed->host_header());
  sign(r, {region, std::string(kStreamService), amz_date(unix_time)}, credentials);
  HeaderList added;
  for (auto& [name, value] : r.headers)
    if (name != "host") added.emplace_back(std::move(name), std::move(value));
  return added;
}

}  // namespace ssm::aws
