#include "endpoint/api_handler.h"

namespace ssm::endpoint {
namespace {

ApiResponse error(std::string type, std::string message, unsigned status = 400) {
  wire::Json j;
  j["__type"] = type;
  j["message"] = message;
  return {status, j.dump(), type};
}

ApiResponse ok(const wire::Json& j) { return {200, j.dump(), {}}; }

// Reads a required string member; empty when absent or not a string.
std::string string_field(const wire::Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string ApiHandler::stream_url(const std::string& session_id) const {
  return stream_base_ + "/v1/data-channel/" + session_id + "?role=publish_subscribe";
}

ApiResponse ApiHandler::handle(std::string_view target, std::string_view body) {
  wire::Json request = wire::Json::parse(body.begin(), body.end(), nullptr, false);
  if (request.is_discarded() || !request.is_object()) return error("SerializationException", "request body is not a JSON object");
  if (target == "AmazonSSM.StartSession") return start_session(request);
  if (target == "AmazonSSM.ResumeSession") return resume_session(request);
  if (target == "AmazonSSM.TerminateSession") return terminate_session(request);
  return error("UnknownOperationException", "unsupported operation " + std::string(target));
}

ApiResponse ApiHandler::start_session(const wire::Json& request) {
  const std::string target = string_field(request, "Target");
  if (target.empty()) return error("ValidationException", "Target is required");
  wire::Json parameters = request.contains("Parameters") ? request["Parameters"] : wire::Json::object();
  if (!parameters.is_object()) return error("ValidationException", "Parameters must be an object");
  SessionRecord& r = registry_.start(target, string_field(request, "DocumentName"), std::move(parameters));
  wire::Json j;
  j["SessionId"] = r.id;
  j["TokenValue"] = r.token;
  j["StreamUrl"] = stream_url(r.id);
  return ok(j);
}

ApiResponse ApiHandler::resume_session(const wire::Json& request) {
  const std::string id = string_field(request, "SessionId");
  SessionRecord* r = registry_.resume(id);
  if (!r) return error("DoesNotExistException", "Session " + id + " does not exist or has ended");
  wire::Json j;
  j["SessionId"] = r->id;
  j["TokenValue"] = r->token;
  j["StreamUrl"] = stream_url(r->id);
  return ok(j);
}

ApiResponse ApiHandler::terminate_session(const wire::Json& request) {
  const std::string id = string_field(request, "SessionId");
  SessionRecord* r = registry_.find(id);
  if (!r) return error("DoesNotExistException", "Session " + id + " does not exist");
  if (!r->terminated) {
    r->terminated = true;
    if (on_terminate_) on_terminate_(*r);
  }
  wire::Json j;
  j["SessionId"] = r->id;
  return ok(j);
}

}  // namespace ssm::endpoint
