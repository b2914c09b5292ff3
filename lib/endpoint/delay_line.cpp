#include "endpoint/delay_line.h"

namespace ssm::endpoint {

void DelayLine::push(channel::Frame frame) {
  queue_.emplace_back(std::chrono::steady_clock::now() + delay_, std::move(frame));
  if (!armed_) arm();
}

void DelayLine::clear() {
  queue_.clear();
  armed_ = false;
  timer_.cancel();
}

void DelayLine::arm() {
  armed_ = true;
  timer_.expires_at(queue_.front().first);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->on_timer(ec); });
}

void DelayLine::on_timer(const boost::system::error_code& ec) {
  if (ec == boost::asio::error::operation_aborted) return;  // cleared; clear() reset armed_
  armed_ = false;
  const auto now = std::chrono::steady_clock::now();
  while (!queue_.empty() && queue_.front().first <= now) {
    auto frame = std::move(queue_.front().second);
    queue_.pop_front();
    sink_(std::move(frame));
  }
  if (!queue_.empty() && !armed_) arm();
}

}  // namespace ssm::endpoint
