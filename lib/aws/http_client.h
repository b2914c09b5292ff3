// lib/aws — one HTTP(S) request on the caller's event loop, for the AWS API calls and the
// credential sources (STS, container endpoint, instance metadata): resolve, connect, TLS with
// certificate and host-name verification (AWS_CA_BUNDLE as `ca_bundle`), write, read, all
// under one deadline. One connection per request; nothing is retried here.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

namespace ssm::aws {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // http:// or https://, path and query included
  // Sent as they are; Host is added from the URL unless present. Values must not contain
  // CR or LF.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string ca_bundle;  // PEM trust roots for https; "" = the system's
  std::chrono::milliseconds timeout{10'000};  // the whole exchange, connect to last byte
};

struct HttpResponse {
  bool ok = false;      // the exchange completed (any status); false: see error
  unsigned status = 0;  // when ok
  std::string body;     // when ok
  std::string error;    // one line when !ok, naming host:port; never a header value or body
  // When !ok: trying again cannot help (the server's certificate failed verification).
  bool permanent = false;
};

// `done` runs exactly once, on `ex`, never from inside this call.
void async_http_request(boost::asio::any_io_executor ex, HttpRequest request, std::function<void(HttpResponse)> done);

}  // namespace ssm::aws
