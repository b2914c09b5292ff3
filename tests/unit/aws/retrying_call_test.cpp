// The standard retry mode for JSON calls, against a loopback server: what is retried and what
// is not, the attempt limit, a fresh signature per attempt, the jittered back-off's bounds.
#include <gtest/gtest.h>

#include <deque>

#include "aws/retrying_call.h"
#include "loopback_http_server.h"

namespace ssm::aws {
namespace {

using namespace ssm::aws::testing;
using namespace std::chrono_literals;

const CannedReply kThrottled{400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})"};
const CannedReply kOk{200, R"({"KeyId":"k"})"};

class RetryingCallTest : public ::testing::Test {
 protected:
  JsonResult call() {
    JsonCall c{server.url(), "us-east-1", "kms", "TrentService.GenerateDataKey", R"({"KeyId":"k"})",
               Credentials{"AKRETRY", "retry-secret", ""}, {}, 2s};
    std::optional<JsonResult> result;
    async_json_call_with_retries(io.get_executor(), c, fast, [&](JsonResult r) { result = std::move(r); });
    EXPECT_TRUE(run_until(io, [&] { return result.has_value(); }));
    return result.value_or(JsonResult{});
  }

  asio::io_context io;
  std::deque<CannedReply> replies;  // one per request, in order; the last one repeats
  LoopbackHttpServer server{io, [this](const SeenRequest&) {
                              CannedReply r = replies.front();
                              if (replies.size() > 1) replies.pop_front();
                              return r;
                            }};
  RetryPolicy fast{.base = 1ms};  // the back-off's length is not what these tests are about
};

TEST_F(RetryingCallTest, ThrottlingIsRetriedUntilItSucceeds) {
  replies = {kThrottled, kThrottled, kOk};
  const JsonResult r = call();
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.body, kOk.body);
  ASSERT_EQ(server.requests().size(), 3u);
  // Every attempt is the whole request again, signed.
  for (const auto& seen : server.requests()) {
    EXPECT_EQ(seen.body, R"({"KeyId":"k"})");
    EXPECT_EQ(seen.header("authorization").rfind("AWS4-HMAC-SHA256 Credential=AKRETRY/", 0), 0u);
  }
}

TEST_F(RetryingCallTest, GivesUpAfterThreeAttemptsAndSaysSo) {
  replies = {kThrottled};
  const JsonResult r = call();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, "ThrottlingException");
  EXPECT_EQ(r.error, "ThrottlingException: Rate exceeded (HTTP 400) (after 3 attempts)");
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST_F(RetryingCallTest, ServerErrorsAreRetried) {
  replies = {{503, "busy"}, {500, R"({"__type":"KMSInternalException"})"}, kOk};
  EXPECT_TRUE(call().ok);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST_F(RetryingCallTest, ClientErrorsAreNotRetried) {
  replies = {{400, R"({"__type":"com.amazonaws.kms#NotFoundException","message":"Key 'k' does not exist"})"}};
  const JsonResult r = call();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, "NotFoundException");
  EXPECT_EQ(r.error, "NotFoundException: Key 'k' does not exist (HTTP 400)");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(RetryClassification, WhatIsWorthAnotherAttempt) {
  auto failed = [](unsigned status, std::string code) { return JsonResult{false, status, {}, "x", std::move(code)}; };
  EXPECT_TRUE(is_retryable(failed(0, "")));  // no response at all
  JsonResult untrusted = failed(0, "");
  untrusted.permanent = true;  // the certificate failed verification: it will again
  EXPECT_FALSE(is_retryable(untrusted));
  for (unsigned s : {500u, 502u, 503u, 504u, 429u}) EXPECT_TRUE(is_retryable(failed(s, ""))) << s;
  for (const char* c : {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
                        "RequestTimeout", "RequestTimeoutException"})
    EXPECT_TRUE(is_retryable(failed(400, c))) << c;
  for (unsigned s : {400u, 403u, 404u, 501u}) EXPECT_FALSE(is_retryable(failed(s, ""))) << s;
  for (const char* c : {"AccessDeniedException", "ValidationException", "InvalidSignatureException", "ExpiredToken"})
    EXPECT_FALSE(is_retryable(failed(400, c))) << c;
  EXPECT_FALSE(is_retryable(JsonResult{true, 200, "{}", {}, {}}));
}

TEST(RetryBackoff, FullJitterUnderADoublingCeiling) {
  const RetryPolicy p;  // the SDK's: 1 s base, 20 s cap
  EXPECT_EQ(retry_backoff(p, 1, 0.0), 0ms);
  EXPECT_EQ(retry_backoff(p, 1, 0.5), 1000ms);
  EXPECT_EQ(retry_backoff(p, 1, 0.999), 1998ms);
  EXPECT_EQ(retry_backoff(p, 2, 0.999), 3996ms);
  EXPECT_EQ(retry_backoff(p, 10, 0.5), 10000ms);  // capped at 20 s, then jittered
  EXPECT_EQ(retry_backoff(p, 1000, 0.5), 10000ms);
}

}  // namespace
}  // namespace ssm::aws
