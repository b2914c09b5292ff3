// lib/session — owns what a user runs over the data channel: the session kinds (a stream
// copy for now; shell, commands and port forwarding next), the glue between the transport and
// the reliable channel, and running one session to its exit status. It knows nothing of argv.
//
// This file: non-blocking reading and writing of a local file descriptor (stdin, stdout, and
// later sockets) on the io_context, with back-pressure both ways. Regular files work too:
// Asio treats descriptors that epoll refuses as always ready.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace ssm::session {

// Restores a descriptor's file status flags (O_NONBLOCK) on destruction: Asio sets
// O_NONBLOCK on the open file description, which the parent shell shares.
class FdFlagsGuard {
 public:
  explicit FdFlagsGuard(int fd);
  ~FdFlagsGuard();
  FdFlagsGuard(const FdFlagsGuard&) = delete;
  FdFlagsGuard& operator=(const FdFlagsGuard&) = delete;

 private:
  int fd_;
  int flags_;
};

class InputSink {
 public:
  // Returns false to pause reading until LocalReader::resume().
  virtual bool on_input(std::span<const std::uint8_t> bytes) = 0;
  // End of input: EOF (no error) or a read error.
  virtual void on_input_end(std::error_code ec) = 0;

 protected:
  ~InputSink() = default;
};

class LocalReader {
 public:
  // Reads a duplicate of `fd`, so that closing this reader never closes the caller's fd.
  LocalReader(boost::asio::any_io_executor ex, int fd, InputSink& sink);
  void start();
  void pause() { paused_ = true; }
  void resume();
  void stop();

 private:
  void read_next();
  void on_read(const boost::system::error_code& ec, std::size_t n);

  boost::asio::posix::stream_descriptor stream_;
  InputSink& sink_;
  std::array<std::uint8_t, 64 * 1024> buffer_;
  bool reading_ = false;
  bool paused_ = false;
  bool stopped_ = false;
};

class OutputListener {
 public:
  // Pending output fell below the low-water mark after having been above it.
  virtual void on_output_drained() = 0;
  virtual void on_output_error(std::error_code ec) = 0;
  // Everything written so far has reached the descriptor.
  virtual void on_output_flushed() {}

 protected:
  ~OutputListener() = default;
};

class LocalWriter {
 public:
  LocalWriter(boost::asio::any_io_executor ex, int fd, OutputListener& listener);
  // Appends; consecutive small payloads are coalesced into one write.
  void write(std::span<const std::uint8_t> bytes);
  // write() in two steps: gather (append), then one write for all of it (flush). Session
  // kinds gather what one batch of agent messages brings (ChannelHandler::on_delivery_end).
  void append(std::span<const std::uint8_t> bytes);
  void flush() { write_next(); }
  std::size_t pending() const { return pending_.size() + in_flight_.size(); }
  bool idle() const { return pending() == 0; }
  bool full() const { return pending() >= kHighWater; }
  // Ask for on_output_drained() once the backlog has halved (used after refusing input).
  void notify_when_drained() { was_full_ = true; }
  void stop();

  // Above this much unwritten output the caller should stop accepting more.
  static constexpr std::size_t kHighWater = 4 * 1024 * 1024;

 private:
  void write_next();
  void on_written(const boost::system::error_code& ec, std::size_t n);

  boost::asio::posix::stream_descriptor stream_;
  OutputListener& listener_;
  std::vector<std::uint8_t> pending_;
  std::vector<std::uint8_t> in_flight_;
  std::size_t in_flight_offset_ = 0;
  bool writing_ = false;
  bool was_full_ = false;
  bool stopped_ = false;
};

}  // namespace ssm::session
