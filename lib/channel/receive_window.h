// lib/channel — the receive side of the reliable channel: in-order delivery, a bounded buffer
// for messages that arrive ahead of the expected sequence number, and the rule for
// duplicates (protocol.md §5.2, with quirks Q3/Q21/Q22/Q25 fixed: old and duplicate numbers
// are re-acked; a message is acked once it is delivered or buffered).
#pragma once

#include <cstdint>
#include <cstddef>
#include <map>
#include <optional>

#include "wire/client_message.h"

namespace ssm::channel {

class ReceiveWindow {
 public:
  enum class Verdict {
    in_order,   // seq == expected: deliver now
    buffered,   // ahead of expected and stored: ack now, deliver later
    duplicate,  // already delivered, or already buffered: re-ack, drop
    overflow,   // ahead and the buffer is full: drop without ack (the peer resends)
  };

  // At most `max_messages` messages and `max_bytes` payload bytes ahead of a gap.
  explicit ReceiveWindow(std::size_t max_messages, std::size_t max_bytes = SIZE_MAX)
      : max_messages_(max_messages), max_bytes_(max_bytes) {}

  Verdict classify(wire::ClientMessage& message);  // stores the message when buffered

  std::int64_t expected() const { return expected_; }
  void advance() { ++expected_; }
  // The buffered message with the expected number, removed from the buffer.
  std::optional<wire::ClientMessage> take_next();
  std::size_t buffered() const { return ahead_.size(); }
  std::size_t buffered_bytes() const { return bytes_; }
  bool has_next() const { return ahead_.contains(expected_); }

 private:
  std::size_t max_messages_, max_bytes_;
  std::size_t bytes_ = 0;
  std::int64_t expected_ = 0;
  std::map<std::int64_t, wire::ClientMessage> ahead_;
};

}  // namespace ssm::channel
