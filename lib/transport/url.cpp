#include "transport/url.h"

#include <algorithm>

#include "base/text.h"

namespace ssm::transport {

std::optional<Url> Url::parse(std::string_view text) {
  Url u;
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  const std::string scheme = base::ascii_lower(text.substr(0, sep));
  if (scheme == "wss" || scheme == "https") u.tls = true;
  else if (scheme != "ws" && scheme != "http") return std::nullopt;
  text.remove_prefix(sep + 3);

  const auto path_start = text.find_first_of("/?");
  std::string_view authority = text.substr(0, path_start);
  u.target = path_start == std::string_view::npos ? "/" : std::string(text.substr(path_start));
  if (!u.target.empty() && u.target[0] == '?') u.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no userinfo

  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = std::string(authority.substr(1, close - 1));
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return std::nullopt;
  if (port.empty()) {
    u.port = u.tls ? "443" : "80";
  } else {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    const int n = std::stoi(std::string(port));
    if (n < 1 || n > 65535) return std::nullopt;
    u.port = std::string(port);
  }
  return u;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (text[i] != '%') {
      out.push_back(text[i]);
    } else {
      if (text.size() - i < 3) return std::nullopt;
      const int high = base::hex_value(text[i + 1]), low = base::hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return out;
}

std::string Url::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? "443" : "80")) h += ":" + port;
  return h;
}

}  // namespace ssm::transport
