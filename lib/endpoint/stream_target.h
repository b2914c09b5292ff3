// lib/endpoint — what sits behind the emulated agent's data channel: the byte stream a
// session's Output payloads reach and its output comes from. One class per kind (echo,
// sink, source, TCP dial for Port sessions; a shell or command on a pty; a command on pipes;
// smux comes with its issue), each behind StreamTarget and talking to its session only
// through TargetHost.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "channel/data_channel.h"
#include "wire/client_message.h"
#include "wire/payloads.h"

namespace ssm::endpoint {

// The session, as a target sees it.
class TargetHost {
 public:
  // Output toward the client (split into 1024-byte messages by the channel).
  virtual void send_output(std::span<const std::uint8_t> bytes) = 0;
  virtual void send_flag(wire::PortFlag flag) = 0;
  // StdErr (11) and ExitCode (12) payloads of command sessions.
  virtual void send_payload(wire::PayloadType type, std::span<const std::uint8_t> bytes) = 0;
  // False while the send window is full or publication is paused: stop reading the source
  // until StreamTarget::on_send_space().
  virtual bool has_send_space() const = 0;
  // The target can take input again after answering not_ready.
  virtual void retry_delivery() = 0;
  // No more output: the session ends once the client has acknowledged everything.
  virtual void target_finished() = 0;
  // Same, after something went wrong (logged with -v).
  virtual void target_failed(const std::string& why) = 0;

 protected:
  ~TargetHost() = default;
};

// Targets are shared-owned: their pending I/O handlers hold them, and check stopped() before
// touching the host, which may be gone by then.
class StreamTarget {
 public:
  virtual ~StreamTarget() = default;
  virtual void start() = 0;
  // One Output payload from the client. not_ready: keep it unacked and call
  // TargetHost::retry_delivery() when ready.
  virtual channel::Delivery on_input(std::span<const std::uint8_t> bytes) = 0;
  // A Flag payload other than TerminateSession (which the session handles itself).
  virtual void on_flag(wire::PortFlag) {}
  // The client will send no more (smux FIN). True: nothing is pending, stop now. False: the
  // target writes out what it holds, then calls TargetHost::target_finished().
  virtual bool on_input_end() { return true; }
  // A Size payload: the client's terminal has this many columns and rows.
  virtual void on_size(std::uint32_t /*cols*/, std::uint32_t /*rows*/) {}
  // The host has room again after has_send_space() was false.
  virtual void on_send_space() {}
  // The session is over: no more calls into the host from here on.
  virtual void stop() = 0;
};

// --stream-target, parsed. `agent` stands for a dial whose host and port each session's
// document gives (see for_port_session); make_target never sees it.
struct TargetSpec {
  enum class Kind { echo, sink, source, dial, agent } kind = Kind::echo;
  std::uint64_t bytes = 0;  // source
  std::string host, port;   // dial; an IPv6 address may come bracketed
};
std::optional<TargetSpec> parse_target_spec(const std::string& spec);

// The spec a Port session's target is made from, given the session's Port properties
// (port_properties()): `agent` becomes a dial to where the real agent would connect,
// `host` (localhost when absent) : `portNumber` (agent-side.md §6.1); any other spec as is.
TargetSpec for_port_session(const TargetSpec& spec, const wire::Json& port_properties);

std::shared_ptr<StreamTarget> make_target(const TargetSpec& spec, boost::asio::any_io_executor ex, TargetHost& host,
                                          bool pacing, bool redial = false);

}  // namespace ssm::endpoint
