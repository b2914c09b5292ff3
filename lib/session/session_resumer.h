// lib/session — getting a dropped data channel back (protocol-updates.md §1–2): ResumeSession
// with the standard credentials, retried with back-off while the service cannot be reached,
// until it answers with a fresh StreamUrl and token, refuses, or the budget is spent. The
// caller reconnects with the answer; the reliable channel keeps its sequence numbers and
// resends what was not acknowledged.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>

#include "session/control_plane.h"

namespace ssm::session {

class SessionResumer {
 public:
  struct Fresh {
    std::string stream_url, token;
    aws::Credentials credentials;  // what the ResumeSession call was signed with
  };
  // Either a fresh URL and token, or why not (one line).
  using Done = std::function<void(std::optional<Fresh>, const std::string& error)>;

  // `budget`: how long to keep trying after the connection dropped (SessionSpec::resume_timeout,
  // which the session also enforces as a whole, connection attempts included).
  SessionResumer(boost::asio::any_io_executor ex, ControlPlane& control_plane,
                 std::chrono::milliseconds budget = kBudget);

  // `stream_url`: the one the session is on (a presigned one cannot be resumed).
  void resume(const std::string& session_id, const std::string& stream_url, Done done);
  void connected() { deadline_.reset(); }  // the next loss gets a whole budget again
  void cancel();
  bool active() const { return static_cast<bool>(done_); }

  // The default budget (the reference's reconnect window is of this order); the first retry
  // waits kFirstBackoff, doubling up to kMaxBackoff.
  static constexpr std::chrono::seconds kBudget{60};
  static constexpr std::chrono::milliseconds kFirstBackoff{250};
  static constexpr std::chrono::seconds kMaxBackoff{5};

 private:
  void attempt();
  void wait_then_attempt(const std::string& why);
  void on_answer(aws::CallOutcome answer);
  void finish(std::optional<Fresh> fresh, const std::string& error);

  ControlPlane& control_plane_;
  std::chrono::milliseconds budget_;
  std::string session_id_;
  boost::asio::steady_timer timer_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::chrono::milliseconds backoff_{kFirstBackoff};
  Done done_;
  std::uint64_t generation_ = 0;  // answers to a cancelled round are ignored
};

}  // namespace ssm::session
