#include "channel/send_window.h"

#include <algorithm>

namespace ssm::channel {

void SendWindow::mark_sent(Entry& e, Clock::time_point now) {
  if (e.transmissions == 0) e.first_sent = now;
  // Exponential backoff per message (RFC 6298 §5.5), bounded by the reference's 1 s cap so
  // that a recovered path is noticed within a second.
  Duration timeout = rtt_.rto();
  for (std::uint32_t i = 0; i < e.transmissions && timeout < Duration(std::chrono::seconds(1)); ++i) timeout *= 2;
  e.deadline = now + std::min(timeout, Duration(std::chrono::seconds(1)));
  ++e.transmissions;
}

bool SendWindow::acknowledge(std::int64_t seq, Clock::time_point now) {
  // Acks nearly always arrive in order: the match is almost always at the front.
  auto it = std::find_if(entries_.begin(), entries_.end(), [seq](const Entry& e) { return e.sequence_number == seq; });
  if (it == entries_.end()) return false;
  if (it->transmissions == 1) rtt_.add_sample(now - it->first_sent);  // Karn's rule
  entries_.erase(it);
  return true;
}

std::optional<Clock::time_point> SendWindow::next_deadline() const {
  std::optional<Clock::time_point> earliest;
  for (const auto& e : entries_)
    if (e.transmissions > 0 && (!earliest || e.deadline < *earliest)) earliest = e.deadline;
  return earliest;
}

}  // namespace ssm::channel
