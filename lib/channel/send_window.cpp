#include "channel/send_window.h"

#include <algorithm>

namespace ssm::channel {

void SendWindow::push(std::int64_t seq, Frame frame) {
  bytes_ += frame->size();
  entries_.push_back({seq, std::move(frame)});
  ++unsent_;
}

void SendWindow::mark_sent(Entry& e, Clock::time_point now) {
  if (e.transmissions == 0) {
    e.first_sent = now;
    --unsent_;
  }
  e.last_sent = now;
  e.later_acks = 0;
  ++e.transmissions;
}

bool SendWindow::acknowledge(std::int64_t seq, Clock::time_point now, std::vector<std::int64_t>* lost) {
  // Acks nearly always arrive in order: the match is almost always at the front.
  auto it = std::find_if(entries_.begin(), entries_.end(), [seq](const Entry& e) { return e.sequence_number == seq; });
  if (it == entries_.end()) return false;
  if (it->transmissions == 1) rtt_.add_sample(now - it->first_sent);  // Karn's rule
  // Every unacked message written before this one was should have been acked by now unless it
  // was lost (or reordered: hence the threshold).
  for (auto earlier = entries_.begin(); earlier != it; ++earlier) {
    if (earlier->transmissions == 0 || earlier->last_sent > it->last_sent) continue;
    if (++earlier->later_acks == kFastRetransmitAcks && lost) lost->push_back(earlier->sequence_number);
  }
  bytes_ -= it->frame->size();
  if (it->transmissions == 0) --unsent_;  // a confused peer: acked before it was sent
  entries_.erase(it);
  return true;
}

SendWindow::Entry* SendWindow::find(std::int64_t seq) {
  for (auto& e : entries_)
    if (e.sequence_number == seq) return &e;
  return nullptr;
}

SendWindow::Entry* SendWindow::oldest_sent() {
  for (auto& e : entries_)
    if (e.transmissions > 0) return &e;
  return nullptr;
}

}  // namespace ssm::channel
