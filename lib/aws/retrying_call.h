// lib/aws — one AWS JSON 1.1 call under the SDKs' "standard" retry mode, as the reference's
// KMS client uses it (protocol-smux-kms-aws.md §3.2, protocol-updates.md §3.1): at most three
// attempts, each signed afresh; retried only when trying again can help (no response at all,
// unless the server's certificate failed verification; HTTP 500/502/503/504, throttling and
// request-timeout codes), after an exponential back-off
// with full jitter.
#pragma once

#include <chrono>
#include <functional>

#include <boost/asio/any_io_executor.hpp>

#include "aws/json_client.h"

namespace ssm::aws {

struct RetryPolicy {
  int max_attempts = 3;
  // Back-off before retry n (1, 2, …): uniform in [0, min(max_backoff, base × 2^n)), as the
  // SDK's exponential jitter back-off (1 s base: up to 2 s, then up to 4 s).
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds max_backoff{20000};
};

// Whether a failed call is worth another attempt.
bool is_retryable(const JsonResult& result);

// The wait before retry `retry` (1 for the first), for `unit` drawn uniformly from [0, 1).
std::chrono::milliseconds retry_backoff(const RetryPolicy& policy, int retry, double unit);

// Like async_json_call; a final failure after more than one attempt says how many were made.
void async_json_call_with_retries(boost::asio::any_io_executor ex, JsonCall call, RetryPolicy policy,
                                  std::function<void(JsonResult)> done);

}  // namespace ssm::aws
