#include "session/session_resumer.h"

#include "aws/json_client.h"
#include "aws/service_endpoints.h"
#include "aws/upgrade_signing.h"
#include "log/log.h"
#include "session/client_session.h"
#include "wire/payloads.h"

namespace ssm::session {

std::string ssm_endpoint_url(const SessionSpec& spec) {
  if (!spec.ssm_endpoint.empty()) return spec.ssm_endpoint;
  return aws::service_endpoint_url("SSM", "ssm", spec.region, aws::process_environment());
}

aws::JsonCall session_call(const SessionSpec& spec, std::string_view action, const aws::Credentials& credentials) {
  aws::JsonCall call;
  call.endpoint_url = ssm_endpoint_url(spec);
  call.region = spec.region;
  call.service = "ssm";
  call.target = "AmazonSSM." + std::string(action);
  call.body = wire::Json{{"SessionId", spec.session_id}}.dump();
  call.credentials = credentials;
  call.ca_bundle = spec.ca_bundle;
  return call;
}

SessionResumer::SessionResumer(boost::asio::any_io_executor ex, const SessionSpec& spec,
                               aws::CredentialProvider& provider)
    : executor_(ex), spec_(spec), provider_(provider), timer_(ex) {}

void SessionResumer::resume(Done done) {
  done_ = std::move(done);
  const bool retry = deadline_.has_value();
  if (!deadline_) {
    deadline_ = std::chrono::steady_clock::now() + kBudget;
    backoff_ = kFirstBackoff;
  }
  // A presigned URL carries its own authorisation, which a resume could not renew
  // (protocol-updates.md §2.4).
  if (aws::is_presigned_url(spec_.stream_url))
    return finish(std::nullopt, "sessions on a presigned StreamUrl cannot be resumed");
  if (spec_.region.empty()) return finish(std::nullopt, "no region to resume in");
  if (!retry) return attempt();
  // The last answer led to a connection that failed too: back off before asking again.
  wait_then_attempt("the resumed connection failed");
}

void SessionResumer::wait_then_attempt(const std::string& why) {
  if (std::chrono::steady_clock::now() + backoff_ >= *deadline_)
    return finish(std::nullopt, "gave up resuming after " + std::to_string(kBudget.count()) + " s: " + why);
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
  // Fresh credentials for every attempt (the provider refreshes expiring ones); when the
  // lookup fails the last ones are used again, as the reference does.
  provider_.async_get([this, g = generation_](aws::ResolvedCredentials found) {
    if (g != generation_) return;
    if (found.credentials) credentials_ = std::move(found.credentials);
    if (!credentials_) return finish(std::nullopt, "no credentials to resume with: " + found.error);
    aws::async_json_call(executor_, session_call(spec_, "ResumeSession", *credentials_),
                         [this, g](aws::JsonResult r) {
                           if (g == generation_) on_answer(r.ok, r.status, r.body, r.error);
                         });
  });
}

void SessionResumer::on_answer(bool ok, unsigned status, const std::string& body, const std::string& error) {
  if (ok) {
    const auto j = wire::Json::parse(body, nullptr, false);
    const std::string url = j.is_object() ? j.value("StreamUrl", "") : "";
    const std::string token = j.is_object() ? j.value("TokenValue", "") : "";
    if (url.empty() || token.empty()) return finish(std::nullopt, "ResumeSession answered without a StreamUrl or token");
    return finish(Fresh{url, token, *credentials_}, {});
  }
  // The service said no (the session is over, or our credentials are): final.
  if (status >= 400 && status < 500 && status != 429) return finish(std::nullopt, "ResumeSession failed: " + error);
  wait_then_attempt(error);
}

void SessionResumer::finish(std::optional<Fresh> fresh, const std::string& error) {
  if (auto d = std::move(done_)) {
    done_ = nullptr;
    d(std::move(fresh), error);
  }
}

}  // namespace ssm::session
