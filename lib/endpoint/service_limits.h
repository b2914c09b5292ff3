// lib/endpoint — the service's limits on a session, as Session Manager's preferences set
// them: an idle timeout (no data either way for that long) and a maximum session duration.
// When one is reached the service ends the session, and the client hears it as channel_closed
// with the reason in its Output. Off (zero) unless --idle-timeout / --max-session-duration.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ssm::endpoint {

struct SessionLimits {
  std::chrono::seconds idle_timeout{0};          // 0: none
  std::chrono::seconds max_session_duration{0};  // 0: none
};

class ServiceLimits {
 public:
  // `on_reached(output)` runs at most once, with the text the service closes the channel with.
  ServiceLimits(boost::asio::any_io_executor ex, SessionLimits limits, std::function<void(std::string)> on_reached);

  // The session started: both clocks run from now.
  void start();
  // Data went one way or the other: the idle clock starts again. Cheap enough per message (a
  // timestamp; the timer is re-armed only when it fires early).
  void activity() { last_activity_ = std::chrono::steady_clock::now(); }
  void stop();

  // The service's words (ours: the documentation gives none).
  static constexpr const char* kIdleText = "Your session timed out due to inactivity and has been terminated.";
  static constexpr const char* kDurationText =
      "Your session has reached the maximum session duration and has been terminated.";

 private:
  void arm_idle(std::chrono::steady_clock::duration after);
  void on_idle_timer(const boost::system::error_code& ec);
  void reached(const char* text);

  SessionLimits limits_;
  std::function<void(std::string)> on_reached_;
  boost::asio::steady_timer idle_timer_, duration_timer_;
  std::chrono::steady_clock::time_point last_activity_{};
  bool running_ = false;
};

}  // namespace ssm::endpoint
