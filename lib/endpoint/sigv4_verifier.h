// lib/endpoint — SigV4 verification of API calls (protocol-smux-kms-aws.md §3.6), with the same
// code that signs them (lib/aws), against the one key pair the endpoint was given: the
// access key must match, the signature must be what that secret makes of the request, and
// the time must be within 5 minutes. Besides that key pair, the temporary credentials the STS
// stand-in issued (IssuedCredentials) verify too, with their session token, until they
// expire. Failures answer as AWS does (HTTP 403). The data channel's WebSocket upgrade is
// checked the same way (a GET, service ssmmessages).
#pragma once

#include "aws/sigv4.h"
#include "endpoint/api_handler.h"
#include "endpoint/issued_credentials.h"

#include <string_view>

namespace ssm::endpoint {

class SigV4Verifier final : public RequestVerifier {
 public:
  // `issued`: the STS stand-in's credentials, accepted as well; may be null (only `expected`).
  // `expected_assumes_roles_only`: `expected` signs STS calls (no X-Amz-Target) and nothing
  // else, like an IAM user allowed only sts:AssumeRole (--assume-role-only).
  explicit SigV4Verifier(aws::Credentials expected, const IssuedCredentials* issued = nullptr,
                         bool expected_assumes_roles_only = false)
      : expected_(std::move(expected)), issued_(issued), expected_assumes_roles_only_(expected_assumes_roles_only) {}
  std::optional<ApiResponse> verify(const ApiRequest& request) const override;
  // The upgrade GET: `request.path` is the raw target with its query, the body is empty.
  std::optional<ApiResponse> verify_upgrade(const ApiRequest& request) const;

 private:
  // `service`: the one the scope must name, "" for any.
  std::optional<ApiResponse> check(std::string_view method, std::string_view service, const ApiRequest& request) const;

  // The credentials whose access key id signed the request, if any we know.
  std::optional<aws::Credentials> credentials_for(std::string_view access_key_id) const;

  aws::Credentials expected_;
  const IssuedCredentials* issued_;
  bool expected_assumes_roles_only_;
};

}  // namespace ssm::endpoint
