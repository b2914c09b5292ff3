// lib/transport — owns one WebSocket connection to the data-channel service: URL, TCP, TLS
// with certificate and host-name verification, the upgrade request, keep-alive pings with a
// pong deadline, and a write queue. It knows nothing of sequence numbers or sessions.
//
// This file: the parts of a ws:// or wss:// URL that a connection needs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ssm::transport {

struct Url {
  bool tls = false;
  std::string host;    // without brackets for IPv6
  std::string port;    // always set (default 80/443)
  std::string target;  // path and query, at least "/"

  // Accepts ws, wss, http and https URLs; nullopt for anything else.
  static std::optional<Url> parse(std::string_view text);
  // Host as it goes in a Host header: bracketed IPv6, port only when not the default.
  std::string host_header() const;
};

// %XX escapes decoded (and '+' as a space, for form-encoded queries); nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

}  // namespace ssm::transport
