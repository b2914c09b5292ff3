#include "endpoint/service_limits.h"

namespace ssm::endpoint {

ServiceLimits::ServiceLimits(boost::asio::any_io_executor ex, SessionLimits limits,
                             std::function<void(std::string)> on_reached)
    : limits_(limits), on_reached_(std::move(on_reached)), idle_timer_(ex), duration_timer_(ex) {}

void ServiceLimits::start() {
  if (running_) return;
  running_ = true;
  activity();
  if (limits_.idle_timeout.count() > 0) arm_idle(limits_.idle_timeout);
  if (limits_.max_session_duration.count() > 0) {
    duration_timer_.expires_after(limits_.max_session_duration);
    // Handlers return on operation_aborted before touching `this`: the timers' owner may be
    // gone by then (a destroyed timer cancels its waits).
    duration_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) reached(kDurationText);
    });
  }
}

void ServiceLimits::stop() {
  running_ = false;
  idle_timer_.cancel();
  duration_timer_.cancel();
}

void ServiceLimits::arm_idle(std::chrono::steady_clock::duration after) {
  idle_timer_.expires_after(after);
  idle_timer_.async_wait([this](const boost::system::error_code& ec) { on_idle_timer(ec); });
}

void ServiceLimits::on_idle_timer(const boost::system::error_code& ec) {
  if (ec || !running_) return;
  const auto idle_until = last_activity_ + limits_.idle_timeout;
  const auto now = std::chrono::steady_clock::now();
  if (now < idle_until) return arm_idle(idle_until - now);  // there was activity meanwhile
  reached(kIdleText);
}

void ServiceLimits::reached(const char* text) {
  if (!running_) return;
  stop();
  on_reached_(text);
}

}  // namespace ssm::endpoint
