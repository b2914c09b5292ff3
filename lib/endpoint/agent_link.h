// lib/endpoint — the seam between an agent session and the WebSocket that currently carries
// it: AgentLink is one accepted data-channel connection as the session drives it, and
// AgentContext what every session shares with the server (configuration, totals, output).
#pragma once

#include <cstddef>
#include <cstdint>

#include "channel/send_window.h"
#include "endpoint/config.h"
#include "endpoint/diagnostics.h"

namespace ssm::endpoint {

class AgentLink {
 public:
  // Queued and written in order, as one binary message each.
  virtual void send(channel::Frame frame) = 0;
  // Abruptly, without a close frame: what a dropped connection looks like to the client.
  virtual void close() = 0;
  // Writes what is queued (channel_closed, say), then closes.
  virtual void close_when_flushed() = 0;
  // A frozen peer: stop reading, writing and answering pings, but keep the socket open.
  virtual void freeze() = 0;
  // Bytes sent but not yet written to the socket.
  virtual std::size_t queued_bytes() const = 0;

 protected:
  ~AgentLink() = default;
};

// The totals of the summary line printed when the endpoint stops.
struct EndpointStats {
  std::uint64_t sessions = 0;
  std::uint64_t messages_in = 0;   // data messages received from clients
  std::uint64_t messages_out = 0;  // data messages sent to clients (first transmissions)
  std::uint64_t retransmissions = 0;
  std::uint64_t faults = 0;  // faults injected
};

struct AgentContext {
  const EndpointConfig& config;
  EndpointStats& stats;
  const Diagnostics& out;
};

}  // namespace ssm::endpoint
