// lib/endpoint — --delay: holds each agent->client frame for a fixed time, in order, on one
// timer (never a sleep). Shared-owned so that its timer handler keeps it alive; it hands
// frames to a sink that must itself cope with its owner being gone.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>

#include <boost/asio/steady_timer.hpp>

#include "channel/send_window.h"

namespace ssm::endpoint {

class DelayLine : public std::enable_shared_from_this<DelayLine> {
 public:
  using Sink = std::function<void(channel::Frame)>;
  DelayLine(boost::asio::any_io_executor ex, std::chrono::milliseconds delay, Sink sink)
      : timer_(std::move(ex)), delay_(delay), sink_(std::move(sink)) {}

  void push(channel::Frame frame);
  // Drops what is waiting (its connection went away) and stops the timer.
  void clear();

 private:
  void arm();
  void on_timer(const boost::system::error_code& ec);

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds delay_;
  Sink sink_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, channel::Frame>> queue_;
  bool armed_ = false;
};

}  // namespace ssm::endpoint
