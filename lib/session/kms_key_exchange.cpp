#include "session/kms_key_exchange.h"

#include <boost/asio/post.hpp>
#include <openssl/crypto.h>

#include "aws/retrying_call.h"
#include "aws/service_endpoints.h"
#include "session/client_session.h"
#include "wire/base64.h"
#include "wire/payloads.h"

namespace ssm::session {
std::string kms_endpoint_url(const std::string& region, const aws::GetEnv& env) {
  return aws::service_endpoint_url("KMS", "kms", region, env);
}

std::string generate_data_key_body(const std::string& session_id, const std::string& target, const std::string& key_id) {
  wire::Json context = wire::Json::object();
  context["aws:ssm:SessionId"] = session_id;
  context["aws:ssm:TargetId"] = target;
  wire::Json body = wire::Json::object();
  body["EncryptionContext"] = std::move(context);
  body["KeyId"] = key_id;
  body["NumberOfBytes"] = crypto::kDataKeySize;
  return body.dump();
}

std::optional<channel::KmsDataKey> parse_data_key(const std::string& body, std::string& error) {
  const auto j = wire::Json::parse(body, nullptr, false);
  if (!j.is_object()) {
    error = "KMS answered GenerateDataKey with something that is not a JSON object";
    return std::nullopt;
  }
  const auto blob = j.find("CiphertextBlob");
  const auto plaintext = j.find("Plaintext");
  if (blob == j.end() || !blob->is_string() || plaintext == j.end() || !plaintext->is_string()) {
    error = "KMS answered GenerateDataKey without CiphertextBlob or Plaintext";
    return std::nullopt;
  }
  auto key = wire::base64_decode(plaintext->get_ref<const std::string&>());
  if (!key || !wire::base64_decode(blob->get_ref<const std::string&>())) {
    error = "KMS answered GenerateDataKey with a CiphertextBlob or Plaintext that is not base64";
    return std::nullopt;
  }
  return channel::KmsDataKey{std::move(*key), blob->get<std::string>()};
}

void async_generate_data_key(boost::asio::any_io_executor ex, const SessionSpec& spec,
                             aws::CredentialProvider& credentials, const std::string& key_id, DataKeyDone done) {
  if (spec.region.empty()) {
    boost::asio::post(ex, [done] { done(std::nullopt, "no region for the KMS call"); });
    return;
  }
  aws::JsonCall call;
  call.endpoint_url = kms_endpoint_url(spec.region, aws::process_environment());
  call.region = spec.region;
  call.service = "kms";
  call.target = "TrentService.GenerateDataKey";
  call.body = generate_data_key_body(spec.session_id, spec.target, key_id);
  call.ca_bundle = spec.ca_bundle;
  call.timeout = kKmsCallTimeout;
  credentials.async_get([ex, call = std::move(call), done = std::move(done)](aws::ResolvedCredentials found) mutable {
    if (!found.credentials) return done(std::nullopt, "no credentials for the KMS call: " + found.error);
    call.credentials = std::move(*found.credentials);
    // The reference's KMS client retries (standard mode, 3 attempts); the session waits.
    aws::async_json_call_with_retries(ex, std::move(call), aws::RetryPolicy{}, [done](aws::JsonResult r) {
      if (!r.ok) return done(std::nullopt, "GenerateDataKey failed: " + r.error);
      // The body holds the plaintext key: it goes nowhere but into the parser, then is wiped.
      std::string why;
      auto key = parse_data_key(r.body, why);
      OPENSSL_cleanse(r.body.data(), r.body.size());
      done(std::move(key), why);
    });
  });
}

}  // namespace ssm::session
