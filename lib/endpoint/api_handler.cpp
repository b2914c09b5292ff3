#include "endpoint/api_handler.h"

#include "base/base64.h"
#include "endpoint/identity_stand_ins.h"
#include "endpoint/kms_key_rules.h"
#include "endpoint/node_directory.h"
#include "endpoint/session_properties.h"
#include "endpoint/sts_stand_in.h"
#include "wire/json_fields.h"

namespace ssm::endpoint {
namespace {

ApiResponse ok(const wire::Json& j) { return {200, j.dump(), {}}; }

}  // namespace

ApiResponse api_error(std::string_view type, std::string_view message, unsigned status) {
  wire::Json j = wire::Json::object();
  j["__type"] = type;
  j["message"] = message;
  return {status, j.dump(), std::string(type)};
}

std::string ApiHandler::stream_url(const std::string& session_id) const {
  return stream_base_ + "/v1/data-channel/" + session_id + "?role=publish_subscribe";
}

ApiResponse ApiHandler::handle(const ApiRequest& request) {
  // Unsigned, as the real services take them: the token or the DPoP proof authenticates.
  if (IdentityStandIns::handles(request)) return stand_ins_.identity.answer(request);
  if (request.method != "POST") return api_error("UnknownOperationException", "the SSM API takes POST requests", 405);
  // The Query protocol (STS) names its action in a form body instead of X-Amz-Target.
  if (request.target.empty())
    if (auto form = parse_query_form(request.body); form && form->contains("Action")) {
      if (form->at("Action") != "DescribeInstances")
        return StsStandIn(stand_ins_.sts_credentials, stand_ins_.out).call(*form, request, verifier_);
      if (auto refused = verifier_.verify(request)) return std::move(*refused);
      return stand_ins_.nodes.describe_instances(*form, stand_ins_.out);
    }
  ApiResponse response = json_call(request);
  if (request.target == "TrentService.GenerateDataKey") {
    // One line per call, refused ones included: tests count the client's attempts.
    const auto body = wire::Json::parse(request.body.begin(), request.body.end(), nullptr, false);
    const std::string key = body.is_object() ? wire::string_member(body, "KeyId") : std::string();
    stand_ins_.out.event("kms generate-data-key key=" + (key.empty() ? std::string("-") : key) +
                         " status=" + std::to_string(response.status) +
                         (response.error_type.empty() ? "" : " error=" + response.error_type));
  }
  return response;
}

ApiResponse ApiHandler::json_call(const ApiRequest& request) {
  if (auto refused = verifier_.verify(request)) return std::move(*refused);
  // Not an exception: a bad body is the caller's error, reported as the service does.
  wire::Json body = wire::Json::parse(request.body.begin(), request.body.end(), nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return api_error("SerializationException", "the request body is not a JSON object");
  if (request.target == "AmazonSSM.StartSession") return start_session(body);
  if (request.target == "AmazonSSM.ResumeSession") return resume_session(body);
  if (request.target == "AmazonSSM.TerminateSession") return terminate_session(body);
  if (request.target == "TrentService.GenerateDataKey") return generate_data_key(body);
  if (request.target == "AmazonSSM.DescribeInstanceInformation")
    return stand_ins_.nodes.describe_instance_information(body, stand_ins_.out);
  if (request.target.substr(0, kEcsTargetPrefix.size()) == kEcsTargetPrefix)
    return ecs_.call(request.target.substr(kEcsTargetPrefix.size()), body);
  return api_error("UnknownOperationException", "unsupported operation '" + std::string(request.target) + "'");
}

ApiResponse ApiHandler::session_reply(const SessionRecord& r) const {
  wire::Json j = wire::Json::object();
  j["SessionId"] = r.id;
  j["TokenValue"] = r.token;
  j["StreamUrl"] = stream_url(r.id);
  return ok(j);
}

ApiResponse ApiHandler::start_session(const wire::Json& request) {
  const std::string target = wire::string_member(request, "Target");
  if (target.empty()) return api_error("ValidationException", "Target is required");
  wire::Json parameters = wire::Json::object();
  if (auto it = request.find("Parameters"); it != request.end() && !it->is_null()) parameters = *it;
  if (!parameters.is_object()) return api_error("ValidationException", "Parameters must be a map of string lists");
  const std::string document = wire::string_member(request, "DocumentName");
  if (!document_exists(document, parameters))
    return api_error("InvalidDocument", "Document with name " + document + " does not exist.");
  if (auto refused = stand_ins_.nodes.refuse_start(target)) return std::move(*refused);
  SessionRecord& r = registry_.start(target, document, std::move(parameters));
  stand_ins_.out.event("start session=" + r.id + " target=" + target + " document=" + (document.empty() ? "-" : document));
  return session_reply(r);
}

ApiResponse ApiHandler::resume_session(const wire::Json& request) {
  const std::string id = wire::string_member(request, "SessionId");
  if (id.empty()) return api_error("ValidationException", "SessionId is required");
  SessionRecord* known = registry_.find(id);
  if (!known) return api_error("DoesNotExistException", "Session " + id + " does not exist");
  SessionRecord* r = registry_.resume(id);
  if (!r) return api_error("DoesNotExistException", "Session " + id + " is already terminated");
  control_.on_resume(*r);
  return session_reply(*r);
}

ApiResponse ApiHandler::terminate_session(const wire::Json& request) {
  const std::string id = wire::string_member(request, "SessionId");
  if (id.empty()) return api_error("ValidationException", "SessionId is required");
  SessionRecord* r = registry_.find(id);
  if (!r) return api_error("DoesNotExistException", "Session " + id + " does not exist");
  // Terminating twice is not an error for the service either.
  if (!r->terminated) {
    r->terminated = true;
    control_.on_terminate(*r);
  }
  wire::Json j = wire::Json::object();
  j["SessionId"] = r->id;
  return ok(j);
}

// KMS GenerateDataKey (§3.3): {"KeyId", "NumberOfBytes", "EncryptionContext"} ->
// {"CiphertextBlob", "KeyId", "Plaintext"}. Only the keys KmsKeyRules knows exist, and it may
// throttle; the agent checks that it gets back the key it asked for, bound to its own session.
ApiResponse ApiHandler::generate_data_key(const wire::Json& request) {
  const std::string key_id = wire::string_member(request, "KeyId");
  if (key_id.empty()) return api_error("ValidationException", "KeyId is required");
  const auto bytes = request.find("NumberOfBytes");
  if (bytes == request.end() || !bytes->is_number_unsigned() || bytes->get<std::size_t>() < KmsStandIn::kMinDataKeyBytes ||
      bytes->get<std::size_t>() > KmsStandIn::kMaxDataKeyBytes)
    return api_error("ValidationException", "NumberOfBytes must be a number from 1 to 1024");
  EncryptionContext context;
  if (auto it = request.find("EncryptionContext"); it != request.end() && !it->is_null()) {
    if (!it->is_object()) return api_error("ValidationException", "EncryptionContext must be a map of strings");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return api_error("ValidationException", "EncryptionContext must be a map of strings");
      context[k] = v.get<std::string>();
    }
  }
  if (auto refused = stand_ins_.kms_keys.admit(key_id)) return std::move(*refused);
  std::string error;
  auto key = registry_.kms().generate_data_key(key_id, context, bytes->get<std::size_t>(), error);
  if (!key) return api_error("KMSInternalException", error, 500);
  wire::Json j = wire::Json::object();
  j["CiphertextBlob"] = base::base64_encode(key->ciphertext_blob);
  j["KeyId"] = key_id;
  j["Plaintext"] = base::base64_encode(key->plaintext);
  return ok(j);
}

}  // namespace ssm::endpoint
