#include "socks/socks_request.h"

#include <arpa/inet.h>

#include <algorithm>
#include <utility>

namespace ssm::socks {
namespace {

constexpr std::uint8_t kSocks4 = 0x04, kSocks5 = 0x05;
constexpr std::uint8_t kConnect = 0x01;
constexpr std::uint8_t kNoAuthentication = 0x00, kNoAcceptableMethod = 0xFF;
constexpr std::uint8_t kAtypIpv4 = 0x01, kAtypName = 0x03, kAtypIpv6 = 0x04;
constexpr std::uint8_t kSocks4Granted = 90, kSocks4Rejected = 91;
constexpr std::size_t kMaxField = 255;  // a SOCKS4 user id or 4a name

std::uint16_t port_at(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

std::string address_text(int family, const std::uint8_t* bytes) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family, bytes, text, sizeof text);
  return text;
}

// A name the node could resolve: no control characters, spaces or NULs (which no host name
// has, and which would only confuse logs and the agent).
bool plausible_name(std::span<const std::uint8_t> name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](std::uint8_t c) { return c > 0x20 && c < 0x7F; });
}

}  // namespace

std::vector<std::uint8_t> encode_reply(Version version, Reply code) {
  if (version == Version::socks4)
    return {0x00, code == Reply::succeeded ? kSocks4Granted : kSocks4Rejected, 0, 0, 0, 0, 0, 0};
  return {kSocks5, static_cast<std::uint8_t>(code), 0x00, kAtypIpv4, 0, 0, 0, 0, 0, 0};
}

RequestParser::Step RequestParser::feed(std::span<const std::uint8_t> bytes) {
  if (phase_ == Phase::done) return {State::failed, {}};  // the parser is spent
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  Step step = phase_ == Phase::greeting ? parse_greeting() : parse_socks5_request();
  if (step.state == State::need_more && buffer_.size() > kMaxRequestBytes) return fail(Reply::general_failure);
  return step;
}

std::vector<std::uint8_t> RequestParser::take_leftover() { return std::exchange(buffer_, {}); }

RequestParser::Step RequestParser::fail(Reply code) {
  phase_ = Phase::done;
  buffer_.clear();
  return {State::failed, encode_reply(version_, code)};
}

RequestParser::Step RequestParser::complete(std::size_t length) {
  phase_ = Phase::done;
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(length));
  return {State::request, {}};
}

RequestParser::Step RequestParser::parse_greeting() {
  if (buffer_.empty()) return {};
  if (buffer_[0] == kSocks4) {
    version_ = Version::socks4;
    return parse_socks4();
  }
  if (buffer_[0] != kSocks5) {  // not SOCKS at all (an HTTP request, say): close without a word
    phase_ = Phase::done;
    buffer_.clear();
    return {State::failed, {}};
  }
  version_ = Version::socks5;
  if (buffer_.size() < 2) return {};
  const std::size_t methods = buffer_[1];
  if (buffer_.size() < 2 + methods) return {};
  const auto offered = std::span(buffer_).subspan(2, methods);
  if (std::find(offered.begin(), offered.end(), kNoAuthentication) == offered.end()) {
    phase_ = Phase::done;
    buffer_.clear();
    return {State::failed, {kSocks5, kNoAcceptableMethod}};
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(2 + methods));
  phase_ = Phase::socks5_request;
  Step step = parse_socks5_request();  // a client may send its request with the greeting
  if (step.state == State::need_more) return {State::greeted, {kSocks5, kNoAuthentication}};
  step.answer.insert(step.answer.begin(), {kSocks5, kNoAuthentication});
  return step;
}

// VN CD DSTPORT(2) DSTIP(4) USERID NUL [HOST NUL]; DSTIP 0.0.0.x (x != 0) means 4a: a name follows.
RequestParser::Step RequestParser::parse_socks4() {
  if (buffer_.size() < 8) return {};
  if (buffer_[1] != kConnect) return fail(Reply::command_not_supported);
  // Fields longer than kMaxField fail alike whether their terminator has come or not, so
  // that the outcome does not depend on how the bytes were split.
  const auto user_end = std::find(buffer_.begin() + 8, buffer_.end(), 0);
  if (user_end - (buffer_.begin() + 8) > static_cast<std::ptrdiff_t>(kMaxField)) return fail(Reply::general_failure);
  if (user_end == buffer_.end()) return {};
  const bool socks4a = buffer_[4] == 0 && buffer_[5] == 0 && buffer_[6] == 0 && buffer_[7] != 0;
  destination_.port = port_at(buffer_, 2);
  if (!socks4a) {
    destination_.host = address_text(AF_INET, &buffer_[4]);
    return complete(static_cast<std::size_t>(user_end - buffer_.begin()) + 1);
  }
  const auto name_begin = user_end + 1;
  const auto name_end = std::find(name_begin, buffer_.end(), 0);
  if (name_end - name_begin > static_cast<std::ptrdiff_t>(kMaxField)) return fail(Reply::general_failure);
  if (name_end == buffer_.end()) return {};
  const std::span<const std::uint8_t> name(buffer_.data() + (name_begin - buffer_.begin()),
                                           static_cast<std::size_t>(name_end - name_begin));
  if (!plausible_name(name)) return fail(Reply::host_unreachable);
  destination_.host.assign(name.begin(), name.end());
  return complete(static_cast<std::size_t>(name_end - buffer_.begin()) + 1);
}

// VER CMD RSV ATYP DST.ADDR DST.PORT(2)
RequestParser::Step RequestParser::parse_socks5_request() {
  if (buffer_.size() < 4) return {};
  if (buffer_[0] != kSocks5) return fail(Reply::general_failure);
  if (buffer_[1] != kConnect) return fail(Reply::command_not_supported);  // BIND, UDP ASSOCIATE
  std::size_t length = 0;
  switch (buffer_[3]) {
    case kAtypIpv4: length = 4 + 4 + 2; break;
    case kAtypIpv6: length = 4 + 16 + 2; break;
    case kAtypName:
      if (buffer_.size() < 5) return {};
      length = 4 + 1 + buffer_[4] + 2;
      break;
    default: return fail(Reply::address_type_not_supported);
  }
  if (buffer_.size() < length) return {};
  destination_.port = port_at(buffer_, length - 2);
  if (buffer_[3] == kAtypIpv4) destination_.host = address_text(AF_INET, &buffer_[4]);
  else if (buffer_[3] == kAtypIpv6) destination_.host = address_text(AF_INET6, &buffer_[4]);
  else {
    const auto name = std::span(buffer_).subspan(5, buffer_[4]);
    if (!plausible_name(name)) return fail(Reply::host_unreachable);
    destination_.host.assign(name.begin(), name.end());
  }
  return complete(length);
}

}  // namespace ssm::socks
