// lib/endpoint — a child process's descriptors as the agent uses them (agent-side.md §4.2):
// FdReader reads up to 1024 bytes per message and stops while the channel has no room;
// FdWriter queues client input for the process and says when too much is waiting, so the
// session can hold the client's message unacked instead of buffering without bound.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ssm::endpoint {

class FdReader : public std::enable_shared_from_this<FdReader> {
 public:
  struct Events {
    std::function<void(std::span<const std::uint8_t>)> data;
    std::function<bool()> may_read;  // false: wait for resume()
    std::function<void()> end;       // EOF, or EIO from a pty whose last writer closed
  };
  // Takes ownership of `fd`. `pace` > 0: the agent's sleep after each read; `first_delay`:
  // its wait before the first read of a pty.
  FdReader(boost::asio::any_io_executor ex, int fd, Events events, std::chrono::milliseconds pace,
           std::chrono::milliseconds first_delay);

  void start();
  void resume();  // the channel has room again
  void stop();    // no more events

  static constexpr std::size_t kChunk = 1024;  // the agent's read size

 private:
  void read_next();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void after_pause(const boost::system::error_code& ec);

  boost::asio::posix::stream_descriptor fd_;
  boost::asio::steady_timer pace_timer_;
  Events events_;
  std::chrono::milliseconds pace_, first_delay_;
  std::array<std::uint8_t, kChunk> buffer_{};
  bool reading_ = false, waiting_ = false, stopped_ = false;
};

class FdWriter : public std::enable_shared_from_this<FdWriter> {
 public:
  // Takes ownership of `fd`. `drained` runs when the queue has gone below the limit again
  // after accept() refused.
  FdWriter(boost::asio::any_io_executor ex, int fd, std::function<void()> drained);

  // False (nothing taken) while more than kMaxQueued bytes wait to be written.
  bool accept(std::span<const std::uint8_t> bytes);
  void stop();

  static constexpr std::size_t kMaxQueued = 64 * 1024;

 private:
  void write_next();

  boost::asio::posix::stream_descriptor fd_;
  std::function<void()> drained_;
  std::deque<std::vector<std::uint8_t>> queue_;
  std::size_t queued_ = 0;
  bool writing_ = false, refused_ = false, stopped_ = false;
};

}  // namespace ssm::endpoint
