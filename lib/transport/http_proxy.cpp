// lib/transport — the proxy environment rules and the CONNECT tunnel (see http_proxy.h).
#include "transport/http_proxy.h"
#include "transport/url.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "base/base64.h"
#include "base/text.h"

namespace ssm::transport {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_port(std::string_view text) {
  if (!all_digits(text) || text.size() > 5) return false;
  const int n = std::stoi(std::string(text));
  return n >= 1 && n <= 65535;
}

// The first of `names` that is set to something other than white space, as curl's
// curl_getenv does: an empty lowercase variable falls through to the uppercase one.
struct FoundVariable {
  std::string name;
  std::string value;
};
std::optional<FoundVariable> first_set(const base::GetEnv& env, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (auto value = env(name)) {
      const auto trimmed = trim(*value);
      if (!trimmed.empty()) return FoundVariable{name, std::string(trimmed)};
    }
  }
  return std::nullopt;
}

// Host as matched against NO_PROXY: no brackets, no trailing dot, lowercase.
std::string canonical_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return base::ascii_lower(host);
}

std::optional<asio::ip::address> ip_literal(const std::string& text) {
  error_code ec;
  auto address = asio::ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return address;
}

// Whether the first `prefix_bits` bits of two addresses of the same family agree.
bool same_prefix(const asio::ip::address& a, const asio::ip::address& b, unsigned prefix_bits) {
  auto compare = [prefix_bits](const auto& x, const auto& y) {
    if (prefix_bits > x.size() * 8) return false;
    for (unsigned bit = 0; bit < prefix_bits; ++bit) {
      const unsigned mask = 0x80u >> (bit % 8);
      if ((x[bit / 8] & mask) != (y[bit / 8] & mask)) return false;
    }
    return true;
  };
  if (a.is_v4() && b.is_v4()) return compare(a.to_v4().to_bytes(), b.to_v4().to_bytes());
  if (a.is_v6() && b.is_v6()) return compare(a.to_v6().to_bytes(), b.to_v6().to_bytes());
  return false;
}

// One NO_PROXY entry against a canonical host. Entries that cannot be understood match
// nothing, as in curl: a typo there must not stop every connection.
bool no_proxy_entry_matches(std::string_view entry, const std::string& host, std::string_view port) {
  std::string_view name = entry;
  std::string_view entry_port;
  if (!name.empty() && name.front() == '[') {
    const auto close = name.find(']');
    if (close == std::string_view::npos) return false;
    const auto rest = name.substr(close + 1);
    name = name.substr(1, close - 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      entry_port = rest.substr(1);
    }
  } else if (std::count(name.begin(), name.end(), ':') == 1) {  // more colons: bare IPv6
    const auto colon = name.find(':');
    entry_port = name.substr(colon + 1);
    name = name.substr(0, colon);
  }
  if (!entry_port.empty() &&
      (!valid_port(entry_port) || !valid_port(port) || std::stoi(std::string(entry_port)) != std::stoi(std::string(port))))
    return false;

  if (const auto slash = name.find('/'); slash != std::string_view::npos) {  // CIDR block
    const auto network = ip_literal(std::string(name.substr(0, slash)));
    const auto target = ip_literal(host);
    const auto bits = name.substr(slash + 1);
    if (!network || !target || !all_digits(bits) || bits.size() > 3) return false;
    return same_prefix(*network, *target, static_cast<unsigned>(std::stoi(std::string(bits))));
  }

  if (name.starts_with("*.")) name.remove_prefix(1);  // Go's spelling of ".example.com"
  if (!name.empty() && name.front() == '.') name.remove_prefix(1);
  const std::string pattern = canonical_host(name);
  if (pattern.empty()) return false;
  if (const auto a = ip_literal(pattern), b = ip_literal(host); a && b) return *a == *b;  // ::1 == 0::1
  if (host == pattern) return true;
  return host.size() > pattern.size() && host.ends_with(pattern) && host[host.size() - pattern.size() - 1] == '.';
}

bool exempt_by_no_proxy(std::string_view list, const std::string& host, std::string_view port) {
  std::size_t pos = 0;
  while (pos < list.size()) {
    const auto end = list.find_first_of(", \t\r\n", pos);
    const auto entry = list.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? list.size() : end + 1;
    if (entry.empty()) continue;
    if (entry == "*" || no_proxy_entry_matches(entry, host, port)) return true;
  }
  return false;
}

bool is_scheme(std::string_view text) {
  return !text.empty() && std::isalpha(static_cast<unsigned char>(text.front())) &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
         });
}

// Parses a proxy URL. On failure returns nullopt with `why` set to a reason that quotes none
// of the value (it may hold a password).
std::optional<ProxyServer> parse_proxy_url(std::string_view text, std::string& why) {
  if (const auto sep = text.find("://"); sep != std::string_view::npos) {
    const auto scheme = text.substr(0, sep);
    const std::string lower = base::ascii_lower(scheme);
    if (lower == "https") {
      why = "https:// proxies (TLS to the proxy) are not supported; use an http:// proxy URL";
      return std::nullopt;
    }
    if (lower != "http") {
      why = is_scheme(scheme) && scheme.size() <= 16 ? "the scheme " + lower + ":// is not supported; use an http:// proxy URL"
                                                     : "it is not an http:// URL";
      return std::nullopt;
    }
    text.remove_prefix(sep + 3);
  }
  // Whatever follows the authority (a path, usually "/") is ignored, as curl does.
  std::string_view authority = text.substr(0, text.find_first_of("/?#"));

  ProxyServer proxy;
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const auto colon = userinfo.find(':');
    const auto user = percent_decode(userinfo.substr(0, colon));
    const auto password = percent_decode(colon == std::string_view::npos ? std::string_view{} : userinfo.substr(colon + 1));
    if (!user || !password) {
      why = "the user name or password has a bad %-escape";
      return std::nullopt;
    }
    if (user->empty() && password->empty()) {
      why = "the user name is empty";
      return std::nullopt;
    }
    proxy.authorization = "Basic " + base::base64_encode(*user + ":" + *password);
  }

  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      why = "the IPv6 host has no closing ']'";
      return std::nullopt;
    }
    proxy.host = std::string(authority.substr(1, close - 1));
    const auto rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      why = "unexpected text after the IPv6 host";
      return std::nullopt;
    }
    if (!rest.empty()) {
      port = rest.substr(1);
      if (port.empty()) port = "-";  // "[::1]:" is an empty port, not the default
    }
    if (!ip_literal(proxy.host) || !ip_literal(proxy.host)->is_v6()) {
      why = "the host in brackets is not an IPv6 address";
      return std::nullopt;
    }
  } else {
    const auto colon = authority.find(':');
    proxy.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1).empty() ? "-" : authority.substr(colon + 1);
  }
  if (proxy.host.empty()) {
    why = "it has no host";
    return std::nullopt;
  }
  if (std::any_of(proxy.host.begin(), proxy.host.end(), [](char c) {
        return is_space(c) || static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '%';
      })) {
    why = "the host has characters a host name cannot have";
    return std::nullopt;
  }
  if (!port.empty() && !valid_port(port)) {
    why = "the port is not a number from 1 to 65535";
    return std::nullopt;
  }
  proxy.port = port.empty() ? "80" : std::string(port);
  proxy.display = base::host_port(proxy.host, proxy.port);
  return proxy;
}

// A reason phrase fit for a one-line message: printable ASCII only, bounded.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 120)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

// Position just past the blank line ending an HTTP head (CRLF CRLF, or bare LF LF as lenient
// parsers accept), searching from `from`; npos if there is none yet.
std::size_t end_of_head(std::string_view data, std::size_t from) {
  for (std::size_t i = data.find('\n', from); i != std::string_view::npos; i = data.find('\n', i + 1)) {
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

class ProxyCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "http_proxy"; }
  std::string message(int value) const override {
    switch (static_cast<ProxyErrc>(value)) {
      case ProxyErrc::refused: return "the proxy refused the CONNECT request";
      case ProxyErrc::malformed_response: return "the proxy's answer is not HTTP";
      case ProxyErrc::response_too_large: return "the proxy's answer head is too large";
      case ProxyErrc::closed: return "the proxy closed the connection";
      case ProxyErrc::timed_out: return "the proxy did not answer in time";
      case ProxyErrc::bad_target: return "the target cannot be put in a CONNECT request";
    }
    return "unknown proxy error";
  }
};

// One CONNECT exchange: write the request, then peek-and-consume the response head until a
// final (non-1xx) status. Alive while an operation or the deadline timer holds it.
class TunnelOp final : public std::enable_shared_from_this<TunnelOp> {
 public:
  using Done = std::function<void(error_code, std::string)>;

  TunnelOp(tcp::socket& socket, const ProxyServer& proxy, std::string host, std::string port, Done done)
      : socket_(socket),
        proxy_display_(proxy.display),
        target_(base::host_port(host, port)),
        deadline_(socket.get_executor()),
        done_(std::move(done)) {
    request_ = "CONNECT " + target_ + " HTTP/1.1\r\nHost: " + target_ + "\r\n";
    if (!proxy.authorization.empty()) request_ += "Proxy-Authorization: " + proxy.authorization + "\r\n";
    request_ += "\r\n";
  }

  void start(std::chrono::steady_clock::duration timeout) {
    deadline_.expires_after(timeout);
    deadline_.async_wait(beast::bind_front_handler(&TunnelOp::on_deadline, shared_from_this()));
    asio::async_write(socket_, asio::buffer(request_), beast::bind_front_handler(&TunnelOp::on_request_written, shared_from_this()));
  }

 private:
  void on_deadline(error_code ec) {
    if (ec || finished_) return;  // cancelled: the exchange ended first
    timed_out_ = true;
    error_code ignored;
    socket_.cancel(ignored);
  }

  void on_request_written(error_code ec, std::size_t) {
    if (timed_out_) ec = asio::error::operation_aborted;  // completed just as the deadline passed
    if (ec) return fail_io(ec, "cannot send CONNECT to proxy " + proxy_display_);
    peek_head();
  }

  // Peeks rather than reads so that nothing past the head leaves the socket.
  void peek_head() {
    peeked_.resize(kMaxProxyResponseHead - head_.size());
    socket_.async_receive(asio::buffer(peeked_), tcp::socket::message_peek,
                          beast::bind_front_handler(&TunnelOp::on_peeked, shared_from_this()));
  }

  void on_peeked(error_code ec, std::size_t size) {
    if (timed_out_) ec = asio::error::operation_aborted;
    if (ec) return fail_io(ec, "no answer to CONNECT from proxy " + proxy_display_);
    // Search the bytes already taken plus the new ones; the blank line may straddle them.
    const std::size_t taken = head_.size();
    head_.append(peeked_.data(), size);
    const std::size_t end = end_of_head(head_, taken >= 2 ? taken - 2 : 0);
    head_.resize(taken);
    consuming_head_end_ = end != std::string::npos;
    const std::size_t to_consume = consuming_head_end_ ? end - taken : size;
    head_.resize(taken + to_consume);
    // Already in the socket's receive buffer, so this completes at once.
    asio::async_read(socket_, asio::buffer(head_.data() + taken, to_consume),
                     beast::bind_front_handler(&TunnelOp::on_consumed, shared_from_this()));
  }

  void on_consumed(error_code ec, std::size_t) {
    if (timed_out_) ec = asio::error::operation_aborted;
    if (ec) return fail_io(ec, "no answer to CONNECT from proxy " + proxy_display_);
    if (!consuming_head_end_) {
      if (head_.size() >= kMaxProxyResponseHead)
        return finish(ProxyErrc::response_too_large, "proxy " + proxy_display_ + " sent an answer to CONNECT longer than " +
                                                         std::to_string(kMaxProxyResponseHead / 1024) + " KiB");
      return peek_head();
    }
    on_head();
  }

  void on_head() {
    // Status line: HTTP/1.x SP 3DIGIT [SP reason]
    const std::string_view line = std::string_view(head_).substr(0, head_.find('\n'));
    const std::string_view status_line = line.ends_with('\r') ? line.substr(0, line.size() - 1) : line;
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ' ||
        !all_digits(status_line.substr(9, 3)) || (status_line.size() > 12 && status_line[12] != ' '))
      return finish(ProxyErrc::malformed_response, "proxy " + proxy_display_ + " sent a malformed answer to CONNECT");
    const int status = std::stoi(std::string(status_line.substr(9, 3)));
    if (status >= 100 && status < 200) {  // interim: the final answer follows
      head_.clear();
      return peek_head();
    }
    if (status >= 200 && status < 300) return finish({}, "");
    const auto reason = status_line.size() > 13 ? trim(status_line.substr(13)) : std::string_view{};
    finish(ProxyErrc::refused, "proxy " + proxy_display_ + " refused CONNECT to " + target_ + ": HTTP " + std::to_string(status) +
                                   (reason.empty() ? "" : " " + printable(reason)));
  }

  void fail_io(error_code ec, const std::string& what) {
    if (timed_out_) return finish(ProxyErrc::timed_out, "timed out waiting for proxy " + proxy_display_ + " to answer CONNECT to " + target_);
    if (ec == asio::error::eof || ec == asio::error::connection_reset)
      return finish(ProxyErrc::closed, "proxy " + proxy_display_ + " closed the connection before answering CONNECT to " + target_);
    finish(ec, what + ": " + ec.message());
  }

  void finish(error_code ec, std::string message) {
    finished_ = true;
    deadline_.cancel();
    auto done = std::move(done_);
    done(ec, std::move(message));
  }

  tcp::socket& socket_;
  std::string proxy_display_;
  std::string target_;  // host:port as sent
  std::string request_;
  asio::steady_timer deadline_;
  Done done_;
  std::string head_;    // response bytes consumed so far
  std::vector<char> peeked_;
  bool consuming_head_end_ = false;
  bool timed_out_ = false;
  bool finished_ = false;
};

// A host fit for "CONNECT host:port": no white space or controls that would split the request,
// and a colon only inside an IPv6 literal.
bool fits_request_line(const std::string& host) {
  if (host.empty() || std::any_of(host.begin(), host.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '/' || c == '@' || c == '[' || c == ']';
      }))
    return false;
  if (host.find(':') == std::string::npos) return true;
  const auto address = ip_literal(host);
  return address && address->is_v6();
}

}  // namespace

const boost::system::error_category& proxy_category() {
  static const ProxyCategory category;  // immutable: error categories are singletons by design
  return category;
}

boost::system::error_code make_error_code(ProxyErrc e) { return {static_cast<int>(e), proxy_category()}; }

std::optional<ProxyServer> proxy_for(std::string_view scheme, std::string_view host, std::string_view port,
                                     const base::GetEnv& env, std::string& error) {
  error.clear();
  const std::string lower_scheme = base::ascii_lower(scheme);
  const bool tls = lower_scheme == "https" || lower_scheme == "wss";
  if (!tls && lower_scheme != "http" && lower_scheme != "ws") {
    error = "no proxy rules for the scheme " + printable(lower_scheme) + "://";
    return std::nullopt;
  }
  const auto proxy_variable = tls ? first_set(env, {"https_proxy", "HTTPS_PROXY"}) : first_set(env, {"http_proxy", "HTTP_PROXY"});
  if (!proxy_variable) return std::nullopt;

  // NO_PROXY first, as curl does: a bad proxy URL does not matter to exempt targets.
  if (const auto no_proxy = first_set(env, {"no_proxy", "NO_PROXY"});
      no_proxy && exempt_by_no_proxy(no_proxy->value, canonical_host(host), port))
    return std::nullopt;

  std::string why;
  auto proxy = parse_proxy_url(proxy_variable->value, why);
  if (!proxy) error = proxy_variable->name + " is not a usable proxy URL: " + why;
  return proxy;
}

void async_connect_tunnel(tcp::socket& socket, const ProxyServer& proxy, std::string host, std::string port,
                          std::chrono::steady_clock::duration timeout, std::function<void(error_code, std::string)> done) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!fits_request_line(host) || !valid_port(port)) {
    asio::post(socket.get_executor(), [done = std::move(done)] {
      done(ProxyErrc::bad_target, "the target host or port cannot be put in a CONNECT request");
    });
    return;
  }
  std::make_shared<TunnelOp>(socket, proxy, std::move(host), std::move(port), std::move(done))->start(timeout);
}

}  // namespace ssm::transport
