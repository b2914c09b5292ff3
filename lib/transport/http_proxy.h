// lib/transport — HTTP proxy support for every outbound connection (API calls and the
// data-channel WebSocket): which proxy, if any, the environment asks for, and the CONNECT
// tunnel through it. The caller dials the proxy, tunnels, then runs TLS or WebSocket over the
// same socket as if it had dialled the target itself.
//
// Environment, as curl and the AWS SDKs read it:
//  - https and wss targets use https_proxy, then HTTPS_PROXY; http and ws targets use
//    http_proxy, then HTTP_PROXY (curl ignores HTTP_PROXY against "httpoxy"; that attack needs
//    a CGI program, and the SDKs honour it). An empty value counts as unset.
//  - A proxy URL is http://[user[:password]@]host[:port][/]: port 80 by default, no scheme
//    means http://, user and password are percent-decoded. https:// (TLS to the proxy) and
//    other schemes are errors, not silently ignored.
//  - no_proxy, then NO_PROXY: entries separated by commas or white space, matched without
//    regard to case. "*" exempts everything; "example.com", ".example.com" (and Go's
//    "*.example.com") all exempt example.com and its subdomains; IP literals (IPv6 with or without brackets) and CIDR
//    blocks (10.0.0.0/8) exempt IP targets; "entry:port" ([v6]:port) only that port.
//    Loopback is not exempt unless listed (as in curl).
//  - ALL_PROXY is not read: it is often a socks5:// URL meant for other tools.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include "base/environment.h"

namespace ssm::transport {

struct ProxyServer {
  std::string host;           // no brackets for IPv6: ready for a resolver
  std::string port;           // always set
  std::string authorization;  // "Basic base64(user:password)", or "" without credentials
  std::string display;        // host:port (IPv6 bracketed), never credentials: for messages
};

// The proxy for a connection to scheme://host:port (scheme: http, https, ws or wss, any case;
// host with or without IPv6 brackets). nullopt means connect directly; it is also returned,
// with `error` set to one line naming the variable (never its value or credentials), when the
// proxy variable is malformed or the scheme is unknown. `error` is cleared otherwise.
std::optional<ProxyServer> proxy_for(std::string_view scheme, std::string_view host, std::string_view port,
                                     const base::GetEnv& env, std::string& error);

// Why a tunnel failed, when it is not a socket error (those are passed on as they are).
enum class ProxyErrc {
  refused = 1,         // the proxy answered with a status other than 2xx
  malformed_response,  // not an HTTP/1.x status line
  response_too_large,  // no end of the response head within kMaxProxyResponseHead
  closed,              // the proxy closed the connection before the end of the head
  timed_out,           // no complete answer within the timeout
  bad_target,          // host or port cannot go in a request line; nothing was sent
};
const boost::system::error_category& proxy_category();
boost::system::error_code make_error_code(ProxyErrc e);

inline constexpr std::size_t kMaxProxyResponseHead = 16 * 1024;

// On `socket`, already connected to the proxy: sends CONNECT host:port (IPv6 bracketed) with
// Host and, when the proxy has credentials, Proxy-Authorization; then reads the response
// head, skipping 1xx heads, and succeeds on 2xx.
//
// Exactly the head is consumed (the socket is peeked, then only the head's bytes read): any
// bytes the proxy sends after it are the target's and stay in the socket for the caller's
// TLS or WebSocket layer. After a non-2xx answer its body, if any, is left unread: close the
// socket.
//
// `timeout` bounds the whole exchange; when it passes, the pending operation is cancelled
// (socket.cancel(), the socket stays open) and the error is ProxyErrc::timed_out. Ops issued
// directly on the socket do not see a beast::tcp_stream's expiry, hence this parameter.
//
// `done` runs exactly once, never from inside this call, through the socket's executor:
// (success, "") or (error, one line such as "proxy 10.0.0.1:3128 refused CONNECT to
// example.com:443: HTTP 407 Proxy Authentication Required"). The socket and `proxy` need not
// outlive the call's return, but the socket must outlive the operation.
void async_connect_tunnel(boost::asio::ip::tcp::socket& socket, const ProxyServer& proxy, std::string host,
                          std::string port, std::chrono::steady_clock::duration timeout,
                          std::function<void(boost::system::error_code ec, std::string error_message)> done);

}  // namespace ssm::transport

namespace boost::system {
template <>
struct is_error_code_enum<ssm::transport::ProxyErrc> : std::true_type {};
}  // namespace boost::system
