// lib/endpoint — what sits behind the emulated agent's data channel: the byte streams that
// a session's Output payloads reach. One class per kind: echo, sink, source and a TCP dial
// (the pty shell, commands and smux come with their issues).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "channel/data_channel.h"

namespace ssm::endpoint {

class TargetHost {
 public:
  virtual void send_output(std::span<const std::uint8_t> bytes) = 0;
  virtual bool has_send_space() const = 0;
  virtual void retry_delivery() = 0;  // the target can take input again after not_ready
  virtual void target_finished() = 0;  // no more output: end the session once acked
  virtual void target_failed(const std::string& why) = 0;  // e.g. the dial failed

 protected:
  ~TargetHost() = default;
};

class StreamTarget {
 public:
  virtual ~StreamTarget() = default;
  virtual void start() = 0;
  virtual channel::Delivery on_input(std::span<const std::uint8_t> bytes) = 0;
  virtual void on_send_space() {}
  virtual void stop() {}
};

// Parses --stream-target; nullptr (and `error`) for an unknown spec.
std::unique_ptr<StreamTarget> make_target(const std::string& spec, boost::asio::any_io_executor ex, TargetHost& host,
                                          bool pacing, std::string& error);
bool valid_target_spec(const std::string& spec);

}  // namespace ssm::endpoint
