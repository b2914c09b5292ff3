// lib/socks — owns the SOCKS wire format, as `ssh -D` speaks it: SOCKS5 (RFC 1928) without
// authentication, CONNECT only, to IPv4, IPv6 and domain-name addresses; SOCKS4 and its 4a
// extension (names resolved by the proxy). Pure: bytes in, what to answer out, no sockets. The
// dynamic forwarder (port-forward -D) sits above it and opens a session per destination.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ssm::socks {

enum class Version { socks4, socks5 };

// SOCKS5 reply codes (RFC 1928 §6). SOCKS4 has only "granted" (90) and "rejected" (91):
// every code but succeeded maps to rejected.
enum class Reply : std::uint8_t {
  succeeded = 0x00,
  general_failure = 0x01,
  not_allowed = 0x02,
  network_unreachable = 0x03,
  host_unreachable = 0x04,
  connection_refused = 0x05,
  ttl_expired = 0x06,
  command_not_supported = 0x07,
  address_type_not_supported = 0x08,
};

// Where the client asked to connect: a name (resolved on the node's side, as with
// --socks5-hostname) or an address in text form (IPv6 without brackets).
struct Destination {
  std::string host;
  std::uint16_t port = 0;
  bool operator==(const Destination&) const = default;
};

// The SOCKS reply to send: for SOCKS5 the bound address is 0.0.0.0:0, as ssh sends it (the
// client cannot use the node's address anyway).
std::vector<std::uint8_t> encode_reply(Version version, Reply code);

// The client's side of the negotiation, fed as it arrives (any split). Each feed says what
// happened; `answer` holds bytes to send at once (the method choice, or a failure reply).
class RequestParser {
 public:
  enum class State {
    need_more,  // nothing decided yet: read more
    greeted,    // SOCKS5 greeting accepted: send `answer`, then read the request
    request,    // a CONNECT request is complete: destination() says where; reply once known
    failed,     // send `answer` (it may be empty: an unknown protocol gets no reply), then close
  };
  struct Step {
    State state = State::need_more;
    std::vector<std::uint8_t> answer;
  };

  // The longest a request can be: a SOCKS4a user id and name of 255 bytes each, with their
  // terminators and fixed fields. More without a complete request is a failure.
  static constexpr std::size_t kMaxRequestBytes = 8 + 256 + 256;

  Step feed(std::span<const std::uint8_t> bytes);

  Version version() const { return version_; }
  const Destination& destination() const { return destination_; }
  // Bytes the client sent after its request (data it did not wait to send): the stream's first.
  std::vector<std::uint8_t> take_leftover();

 private:
  enum class Phase { greeting, socks5_request, done };
  Step parse_greeting();
  Step parse_socks4();
  Step parse_socks5_request();
  Step fail(Reply code);
  Step complete(std::size_t length);

  Phase phase_ = Phase::greeting;
  Version version_ = Version::socks5;
  Destination destination_;
  std::vector<std::uint8_t> buffer_;
};

}  // namespace ssm::socks
