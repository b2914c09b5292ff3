#include "channel/receive_window.h"

namespace ssm::channel {

ReceiveWindow::Verdict ReceiveWindow::classify(wire::ClientMessage& m) {
  if (m.sequence_number == expected_) return Verdict::in_order;
  if (m.sequence_number < expected_) return Verdict::duplicate;
  if (ahead_.contains(m.sequence_number)) return Verdict::duplicate;
  if (ahead_.size() >= max_messages_ || bytes_ + m.payload.size() > max_bytes_) return Verdict::overflow;
  bytes_ += m.payload.size();
  ahead_.emplace(m.sequence_number, std::move(m));
  return Verdict::buffered;
}

std::optional<wire::ClientMessage> ReceiveWindow::take_next() {
  auto it = ahead_.find(expected_);
  if (it == ahead_.end()) return std::nullopt;
  wire::ClientMessage m = std::move(it->second);
  ahead_.erase(it);
  bytes_ -= m.payload.size();
  return m;
}

}  // namespace ssm::channel
