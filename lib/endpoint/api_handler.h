// lib/endpoint — the SSM JSON 1.1 API the endpoint serves: StartSession, ResumeSession,
// TerminateSession. Errors are AWS-shaped: HTTP 400 with {"__type", "message"}.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "endpoint/session_registry.h"

namespace ssm::endpoint {

struct ApiResponse {
  unsigned status = 200;
  std::string body;
  std::string error_type;  // for x-amzn-ErrorType
};

class ApiHandler {
 public:
  // `stream_base`: scheme, host and port of the data channel, e.g. "wss://127.0.0.1:8443".
  // `on_terminate` ends a live agent session.
  ApiHandler(SessionRegistry& registry, std::string stream_base, std::function<void(SessionRecord&)> on_terminate)
      : registry_(registry), stream_base_(std::move(stream_base)), on_terminate_(std::move(on_terminate)) {}

  // `target` is the X-Amz-Target header value.
  ApiResponse handle(std::string_view target, std::string_view body);

  std::string stream_url(const std::string& session_id) const;
  // Known only once the listener is bound (port 0 picks one).
  void set_stream_base(std::string base) { stream_base_ = std::move(base); }

 private:
  ApiResponse start_session(const wire::Json& request);
  ApiResponse resume_session(const wire::Json& request);
  ApiResponse terminate_session(const wire::Json& request);

  SessionRegistry& registry_;
  std::string stream_base_;
  std::function<void(SessionRecord&)> on_terminate_;
};

}  // namespace ssm::endpoint
