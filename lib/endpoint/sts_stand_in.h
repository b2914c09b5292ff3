// lib/endpoint — the endpoint's STS stand-in (protocol-smux-kms-aws.md §3.5): AssumeRole in
// STS's Query protocol (a form POST without X-Amz-Target; an XML answer), SigV4-verified like
// every other call, issuing fresh temporary credentials that IssuedCredentials remembers so
// that calls and upgrades signed with them verify too. Errors are STS's XML ErrorResponse;
// one event line per AssumeRole, never a secret.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "endpoint/api_handler.h"
#include "endpoint/diagnostics.h"
#include "endpoint/issued_credentials.h"

namespace ssm::endpoint {

// STS's <ErrorResponse>; Type is Sender for status 4xx, Receiver otherwise.
ApiResponse sts_error(std::string_view code, std::string_view message, unsigned status = 400);

class StsStandIn {
 public:
  StsStandIn(IssuedCredentials& issued, const Diagnostics& out) : issued_(issued), out_(out) {}

  // One Query API call: `form` is the request's parsed body. The signature is checked first
  // (a refusal is translated into STS's codes), then Action and Version, then the action.
  ApiResponse call(const QueryForm& form, const ApiRequest& request, const RequestVerifier& verifier);

 private:
  ApiResponse assume_role(const QueryForm& form);

  IssuedCredentials& issued_;
  const Diagnostics& out_;
};

}  // namespace ssm::endpoint
