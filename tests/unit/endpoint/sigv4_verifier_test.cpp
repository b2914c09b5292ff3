// The endpoint's SigV4 check, fed requests signed by lib/aws: the right key passes; a wrong
// secret, another access key, a stale date, a tampered body or no signature are refused.
#include <gtest/gtest.h>

#include <chrono>

#include "aws/sigv4.h"
#include "endpoint/sigv4_verifier.h"

namespace ssm::endpoint {
namespace {

struct Signed {
  aws::SignableRequest request;
  std::string authorization, date;
};

Signed sign_call(const aws::Credentials& creds, std::int64_t when) {
  Signed s;
  s.request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                       {"Host", "127.0.0.1:4566"},
                       {"X-Amz-Target", "AmazonSSM.TerminateSession"}};
  s.request.body = R"({"SessionId":"s-1"})";
  s.date = aws::amz_date(when);
  s.authorization = aws::sign(s.request, {"us-east-1", "ssm", s.date}, creds);
  return s;
}

ApiRequest as_api(const Signed& s, std::string_view body) {
  return ApiRequest{.target = "AmazonSSM.TerminateSession",
                    .authorization = s.authorization,
                    .amz_date = s.date,
                    .host = "127.0.0.1:4566",
                    .content_type = "application/x-amz-json-1.1",
                    .path = "/",
                    .body = body};
}

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const aws::Credentials kRight{"AKIDEXAMPLE", "right-secret", ""};

std::string refusal(const std::optional<ApiResponse>& r) { return r ? r->error_type : "accepted"; }

TEST(SigV4Verifier, AcceptsTheRightKeyAndRefusesTheRest) {
  const SigV4Verifier verifier(kRight);
  const Signed good = sign_call(kRight, now());
  EXPECT_EQ(refusal(verifier.verify(as_api(good, good.request.body))), "accepted");

  const Signed wrong_secret = sign_call({"AKIDEXAMPLE", "wrong-secret", ""}, now());
  EXPECT_EQ(refusal(verifier.verify(as_api(wrong_secret, wrong_secret.request.body))), "InvalidSignatureException");

  const Signed other_key = sign_call({"AKIDOTHER", "right-secret", ""}, now());
  EXPECT_EQ(refusal(verifier.verify(as_api(other_key, other_key.request.body))), "UnrecognizedClientException");

  const Signed stale = sign_call(kRight, now() - 3600);
  EXPECT_EQ(refusal(verifier.verify(as_api(stale, stale.request.body))), "InvalidSignatureException");

  EXPECT_EQ(refusal(verifier.verify(as_api(good, R"({"SessionId":"s-2"})"))), "InvalidSignatureException");

  Signed none = good;
  none.authorization.clear();
  EXPECT_EQ(refusal(verifier.verify(as_api(none, good.request.body))), "MissingAuthenticationTokenException");
  const auto r = verifier.verify(as_api(wrong_secret, wrong_secret.request.body));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403u);
  EXPECT_EQ(r->body.find("wrong-secret"), std::string::npos);
}

}  // namespace
}  // namespace ssm::endpoint
