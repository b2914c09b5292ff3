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

#include "aws/credential_provider.h"
#include "aws/json_client.h"

namespace ssm::session {

struct SessionSpec;

// Where the plugin's own SSM calls go: the CLI's endpoint, else AWS_ENDPOINT_URL_SSM,
// AWS_ENDPOINT_URL, else the regional default.
std::string ssm_endpoint_url(const SessionSpec& spec);

// One of the plugin's own SSM calls about this session ({"SessionId": ...}), e.g.
// "ResumeSession" or "TerminateSession", signed with `credentials`.
aws::JsonCall session_call(const SessionSpec& spec, std::string_view action, const aws::Credentials& credentials);

class SessionResumer {
 public:
  struct Fresh {
    std::string stream_url, token;
    aws::Credentials credentials;  // what the ResumeSession call was signed with
  };
  // Either a fresh URL and token, or why not (one line).
  using Done = std::function<void(std::optional<Fresh>, const std::string& error)>;

  SessionResumer(boost::asio::any_io_executor ex, const SessionSpec& spec, aws::CredentialProvider& provider);

  void resume(Done done);
  void connected() { deadline_.reset(); }  // the next loss gets a whole budget again
  void cancel();
  bool active() const { return static_cast<bool>(done_); }

  // How long to keep trying after the connection dropped (the reference's reconnect window
  // is of this order); the first retry waits kFirstBackoff, doubling up to kMaxBackoff.
  static constexpr std::chrono::seconds kBudget{60};
  static constexpr std::chrono::milliseconds kFirstBackoff{250};
  static constexpr std::chrono::seconds kMaxBackoff{5};

 private:
  void attempt();
  void wait_then_attempt(const std::string& why);
  void on_answer(bool ok, unsigned status, const std::string& body, const std::string& error);
  void finish(std::optional<Fresh> fresh, const std::string& error);

  boost::asio::any_io_executor executor_;
  const SessionSpec& spec_;
  aws::CredentialProvider& provider_;
  std::optional<aws::Credentials> credentials_;
  boost::asio::steady_timer timer_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::chrono::milliseconds backoff_{kFirstBackoff};
  Done done_;
  std::uint64_t generation_ = 0;  // answers to a cancelled round are ignored
};

}  // namespace ssm::session
