// lib/endpoint — SigV4 verification of API calls (protocol-smux-kms-aws.md §3.6), with the same
// code that signs them (lib/aws), against the one key pair the endpoint was given: the
// access key must match, the signature must be what that secret makes of the request, and
// the time must be within 5 minutes. Failures answer as AWS does (HTTP 403).
#pragma once

#include "aws/sigv4.h"
#include "endpoint/api_handler.h"

namespace ssm::endpoint {

class SigV4Verifier final : public RequestVerifier {
 public:
  explicit SigV4Verifier(aws::Credentials expected) : expected_(std::move(expected)) {}
  std::optional<ApiResponse> verify(const ApiRequest& request) const override;

 private:
  aws::Credentials expected_;
};

}  // namespace ssm::endpoint
