// lib/mux — the client end of an smux v1 session: opens streams (3, 5, 7, ...), cuts writes
// into PSH frames of at most 32 KiB, parses the peer's frames, and reports data, FIN and
// protocol errors. Outgoing frames accumulate in a byte queue the owner drains into the data
// channel; incoming bytes are fed as they arrive, in any chunking.
#pragma once

#include <cstdint>
#include <set>
#include <utility>
#include <span>
#include <system_error>
#include <vector>

#include "mux/frame.h"

namespace ssm::mux {

class MuxEvents {
 public:
  virtual void on_stream_data(std::uint32_t stream_id, std::span<const std::uint8_t> data) = 0;
  // The peer sent FIN: no more data will come for this stream.
  virtual void on_stream_fin(std::uint32_t stream_id) = 0;
  virtual void on_mux_error(std::error_code ec) = 0;

 protected:
  ~MuxEvents() = default;
};

class MuxClient {
 public:
  explicit MuxClient(MuxEvents& events) : events_(events) {}

  // Allocates the next id and queues its SYN. Returns 0 once ids are exhausted.
  std::uint32_t open();
  void write(std::uint32_t stream_id, std::span<const std::uint8_t> data);
  // Queues FIN (once) and forgets the stream: later frames for it are discarded.
  void close(std::uint32_t stream_id);
  void send_keepalive();

  void receive(std::span<const std::uint8_t> bytes);

  bool is_open(std::uint32_t stream_id) const { return streams_.contains(stream_id); }
  std::size_t open_streams() const { return streams_.size(); }

  // Bytes waiting to be carried to the peer; the owner erases what it sent.
  std::vector<std::uint8_t>& outbound() { return outbound_; }

  // For the keep-alive timeout: true if any frame arrived since the last call.
  bool take_activity() { return std::exchange(activity_, false); }

 private:
  MuxEvents& events_;
  FrameParser parser_;
  std::set<std::uint32_t> streams_;
  std::uint32_t last_id_ = 1;  // the client's counter starts at 1; each open adds 2
  std::vector<std::uint8_t> outbound_;
  bool activity_ = false;
  bool failed_ = false;
};

}  // namespace ssm::mux
