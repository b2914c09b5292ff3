// lib/base — ASCII text helpers. Locale-free on purpose: header names, JSON keys, level and
// scheme names, INI keys are ASCII by protocol, and a byte >= 0x80 is never folded.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ssm::base {

// 'A'..'Z' to 'a'..'z'; every other byte unchanged.
constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
std::string ascii_lower(std::string_view text);

// Equal but for ASCII case.
bool iequals(std::string_view a, std::string_view b);
// `text` begins with `prefix`, ignoring ASCII case.
bool istarts_with(std::string_view text, std::string_view prefix);

// "host:port" as an address is written in URLs, request lines and messages: an IPv6 host
// in brackets ("[::1]:22"), any other as it is.
std::string host_port(std::string_view host, std::string_view port);
inline std::string host_port(std::string_view host, unsigned port) { return host_port(host, std::to_string(port)); }

// Two lowercase hex digits a byte, in order: {0x0a, 0xff} -> "0aff".
std::string hex_lower(std::span<const std::uint8_t> bytes);
// The value of one hex digit (either case), or -1 when `c` is not one.
constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace ssm::base
