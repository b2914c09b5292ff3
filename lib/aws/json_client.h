// lib/aws — one AWS JSON 1.1 call (protocol-smux-kms-aws.md §3.2): a SigV4-signed POST over
// http or https (certificate and host-name verification, AWS_CA_BUNDLE), with a deadline,
// on the caller's event loop. An AWS error response becomes one readable line:
// "<Code>: <message> (HTTP <status>)".
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "aws/sigv4.h"

namespace ssm::aws {

struct JsonCall {
  std::string endpoint_url;  // https://ssm.us-east-1.amazonaws.com or a local endpoint
  std::string region;
  std::string service;  // ssm, kms, sts
  std::string target;   // X-Amz-Target, e.g. AmazonSSM.TerminateSession
  std::string body;
  Credentials credentials;
  std::string ca_bundle;
  std::chrono::seconds timeout{10};
};

struct JsonResult {
  bool ok = false;
  unsigned status = 0;  // 0: no HTTP response at all (connection, TLS, deadline)
  std::string body;     // the response body when ok
  std::string error;    // one line when not ok; never contains credentials
  std::string code;     // the AWS error code ("ThrottlingException") when the service sent one
  bool permanent = false;  // no response, and none will come (HttpResponse::permanent)
};

void async_json_call(boost::asio::any_io_executor ex, JsonCall call, std::function<void(JsonResult)> done);

// The error code out of an AWS JSON error body ("__type", which may carry a "prefix#");
// "" when there is none.
std::string aws_error_code(const std::string& body);
// "<Code>: <message> (HTTP <status>)" out of an AWS JSON error body.
std::string describe_aws_error(unsigned status, const std::string& body);

}  // namespace ssm::aws
