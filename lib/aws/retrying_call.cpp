#include "aws/retrying_call.h"

#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <string_view>

#include <boost/asio/steady_timer.hpp>

namespace ssm::aws {
namespace {

// The standard retryer's throttling and transient error codes (aws-sdk-go-v2 retry package).
constexpr std::array<std::string_view, 16> kRetryableCodes{
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
    "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
    "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException"};

// One call and its attempts; alive while an attempt or a back-off is pending.
class RetryingCall : public std::enable_shared_from_this<RetryingCall> {
 public:
  RetryingCall(boost::asio::any_io_executor ex, JsonCall call, RetryPolicy policy, std::function<void(JsonResult)> done)
      : executor_(ex), call_(std::move(call)), policy_(policy), done_(std::move(done)), timer_(ex),
        random_(std::random_device{}()) {}

  void attempt() {
    ++attempts_;
    async_json_call(executor_, call_, [self = shared_from_this()](JsonResult r) { self->on_result(std::move(r)); });
  }

 private:
  void on_result(JsonResult r) {
    if (r.ok || attempts_ >= policy_.max_attempts || !is_retryable(r)) {
      if (!r.ok && attempts_ > 1) r.error += " (after " + std::to_string(attempts_) + " attempts)";
      return done_(std::move(r));
    }
    timer_.expires_after(retry_backoff(policy_, attempts_, std::uniform_real_distribution<double>(0.0, 1.0)(random_)));
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->attempt();
    });
  }

  boost::asio::any_io_executor executor_;
  JsonCall call_;  // copied for each attempt: async_json_call signs its own copy
  RetryPolicy policy_;
  std::function<void(JsonResult)> done_;
  boost::asio::steady_timer timer_;
  std::minstd_rand random_;  // jitter only; nothing secret
  int attempts_ = 0;
};

}  // namespace

bool is_retryable(const JsonResult& r) {
  if (r.ok) return false;
  // No response: connection refused or reset, a TLS failure, a deadline; but not a
  // certificate that failed verification, which will fail the same way every time.
  if (r.status == 0) return !r.permanent;
  // The SDK's retryable statuses, and 429, which some front ends send for throttling.
  if (r.status == 500 || r.status == 502 || r.status == 503 || r.status == 504 || r.status == 429) return true;
  return std::find(kRetryableCodes.begin(), kRetryableCodes.end(), r.code) != kRetryableCodes.end();
}

std::chrono::milliseconds retry_backoff(const RetryPolicy& policy, int retry, double unit) {
  const std::chrono::milliseconds doubled = policy.base * (1LL << std::clamp(retry, 0, 20));
  const auto ceiling = std::min(policy.max_backoff, doubled);
  return std::chrono::milliseconds(static_cast<long long>(static_cast<double>(ceiling.count()) * unit));
}

void async_json_call_with_retries(boost::asio::any_io_executor ex, JsonCall call, RetryPolicy policy,
                                  std::function<void(JsonResult)> done) {
  std::make_shared<RetryingCall>(ex, std::move(call), policy, std::move(done))->attempt();
}

}  // namespace ssm::aws
