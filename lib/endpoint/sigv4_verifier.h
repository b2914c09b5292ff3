// lib/endpoint — SigV4 verification of API calls (protocol-smux-kms-aws.md §3.6), with the same
// code that signs them (lib/aws), against the one key pair the endpoint was given: the
// access key must match, the signature must be what that secret makes of the request, and
// the time must be within 5 minutes. Failures answer as AWS does (HTTP 403). The data
// channel's WebSocket upgrade is checked the same way (a GET, service ssmmessages).
#pragma once

#include "aws/sigv4.h"
#include "endpoint/api_handler.h"

#include <string_view>

namespace ssm::endpoint {

class SigV4Verifier final : public RequestVerifier {
 public:
  explicit SigV4Verifier(aws::Credentials expected) : expected_(std::move(expected)) {}
  std::optional<ApiResponse> verify(const ApiRequest& request) const override;
  // The upgrade GET: `request.path` is the raw target with its query, the body is empty.
  std::optional<ApiResponse> verify_upgrade(const ApiRequest& request) const;

 private:
  // `service`: the one the scope must name, "" for any.
  std::optional<ApiResponse> check(std::string_view method, std::string_view service, const ApiRequest& request) const;

  aws::Credentials expected_;
};

}  // namespace ssm::endpoint
