#include "session/session_resumer.h"

#include "aws/upgrade_signing.h"
#include "log/log.h"
#include "session/status_lines.h"

namespace ssm::session {

SessionResumer::SessionResumer(boost::asio::any_io_executor ex, ControlPlane& control_plane,
                               std::chrono::milliseconds budget)
    : control_plane_(control_plane), budget_(budget), timer_(ex) {}

void SessionResumer::resume(const std::string& session_id, const std::string& stream_url, Done done) {
  done_ = std::move(done);
  session_id_ = session_id;
  const bool retry = deadline_.has_value();
  if (!deadline_) {
    deadline_ = std::chrono::steady_clock::now() + budget_;
    backoff_ = kFirstBackoff;
  }
  // A presigned URL carries its own authorisation, which a resume could not renew
  // (protocol-updates.md §2.4).
  if (aws::is_presigned_url(stream_url))
    return finish(std::nullopt, "sessions on a presigned StreamUrl cannot be resumed");
  if (!retry) return attempt();
  // The last answer led to a connection that failed too: back off before asking again.
  wait_then_attempt("the resumed connection failed");
}

void SessionResumer::wait_then_attempt(const std::string& why) {
  if (std::chrono::steady_clock::now() + backoff_ >= *deadline_)
    return finish(std::nullopt, "gave up resuming after " + StatusLines::seconds(budget_) + ": " + why);
  SSM_LOG(info, "resuming: " + why + "; retrying");
  timer_.expires_after(backoff_);
  backoff_ = std::min<std::chrono::milliseconds>(backoff_ * 2, kMaxBackoff);
  timer_.async_wait([this, g = generation_](const boost::system::error_code& ec) {
    if (!ec && g == generation_) attempt();
  });
}

void SessionResumer::cancel() {
  ++generation_;
  timer_.cancel();
  done_ = nullptr;
}

void SessionResumer::attempt() {
  // Each attempt is signed afresh (the provider refreshes expiring credentials).
  control_plane_.resume_session(session_id_, [this, g = generation_](aws::CallOutcome answer) {
    if (g == generation_) on_answer(std::move(answer));
  });
}

void SessionResumer::on_answer(aws::CallOutcome answer) {
  if (answer.ok) {
    std::string why;
    auto access = aws::parse_stream_access(answer.body, why);
    if (!access || !answer.signer) return finish(std::nullopt, "ResumeSession answered badly: " + why);
    return finish(Fresh{access->stream_url, access->token, *answer.signer}, {});
  }
  // The service said no (the session is over, or our credentials are), or there is nothing to
  // sign with: final.
  if (answer.refused() || !answer.signer) return finish(std::nullopt, "ResumeSession failed: " + answer.error);
  wait_then_attempt(answer.error);
}

void SessionResumer::finish(std::optional<Fresh> fresh, const std::string& error) {
  if (auto d = std::move(done_)) {
    done_ = nullptr;
    d(std::move(fresh), error);
  }
}

}  // namespace ssm::session
