#include "aws/ssm_client.h"

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "aws/service_endpoints.h"
#include "base/base64.h"

namespace ssm::aws {
namespace {

using Json = nlohmann::json;

// Signs `call` with the provider's credentials and sends it, once or under `retries`.
void send_signed(boost::asio::any_io_executor ex, CredentialProvider& provider, JsonCall call,
                 std::optional<RetryPolicy> retries, std::function<void(CallOutcome)> done) {
  provider.async_get([ex, call = std::move(call), retries, done = std::move(done)](ResolvedCredentials found) mutable {
    const std::string action = call.target.substr(call.target.find('.') + 1);
    if (!found.credentials) return done({false, 0, {}, "no AWS credentials for " + action + ": " + found.error, {}});
    call.credentials = *found.credentials;
    auto finish = [done = std::move(done), signer = *found.credentials](JsonResult r) {
      done({r.ok, r.status, std::move(r.body), std::move(r.error), signer, r.permanent});
    };
    if (retries) async_json_call_with_retries(ex, std::move(call), *retries, std::move(finish));
    else async_json_call(ex, std::move(call), std::move(finish));
  });
}

void fail_later(boost::asio::any_io_executor ex, std::string error, std::function<void(CallOutcome)> done) {
  boost::asio::post(ex, [done = std::move(done), error = std::move(error)] { done({false, 0, {}, error, {}}); });
}

}  // namespace

std::optional<StreamAccess> parse_stream_access(const std::string& body, std::string& error) {
  const auto j = Json::parse(body, nullptr, false);
  StreamAccess access;
  if (j.is_object()) {
    access.session_id = j.value("SessionId", "");
    access.stream_url = j.value("StreamUrl", "");
    access.token = j.value("TokenValue", "");
  }
  if (access.stream_url.empty() || access.token.empty()) {
    error = "the answer has no StreamUrl or TokenValue";
    return std::nullopt;
  }
  return access;
}

SsmClient::SsmClient(boost::asio::any_io_executor ex, ServiceSettings settings,
                     std::shared_ptr<CredentialProvider> credentials)
    : executor_(ex), settings_(std::move(settings)), credentials_(std::move(credentials)) {}

std::string SsmClient::endpoint_url() const {
  if (!settings_.ssm_endpoint.empty()) return settings_.ssm_endpoint;
  return service_endpoint_url("SSM", "ssm", settings_.region, settings_.env);
}

void SsmClient::start_session(std::string request_json, std::chrono::seconds timeout, Done done) {
  // As the AWS CLI (standard retry mode): a throttled or unreachable StartSession is tried again.
  call("StartSession", std::move(request_json), timeout, RetryPolicy{}, std::move(done));
}

void SsmClient::resume_session(const std::string& session_id, Done done) {
  call("ResumeSession", Json{{"SessionId", session_id}}.dump(), std::chrono::seconds(10), std::nullopt,
       std::move(done));
}

void SsmClient::terminate_session(const std::string& session_id, std::chrono::seconds timeout, Done done) {
  call("TerminateSession", Json{{"SessionId", session_id}}.dump(), timeout, std::nullopt, std::move(done));
}

void SsmClient::call_api(const std::string& action, std::string body, Done done) {
  call(action, std::move(body), std::chrono::seconds(10), RetryPolicy{}, std::move(done));
}

void SsmClient::call(std::string action, std::string body, std::chrono::seconds timeout,
                     std::optional<RetryPolicy> retries, Done done) {
  if (settings_.region.empty()) return fail_later(executor_, "no region for " + action, std::move(done));
  JsonCall call;
  call.endpoint_url = endpoint_url();
  call.region = settings_.region;
  call.service = "ssm";
  call.target = "AmazonSSM." + action;
  call.body = std::move(body);
  call.ca_bundle = settings_.ca_bundle;
  call.timeout = timeout;
  send_signed(executor_, *credentials_, std::move(call), retries, std::move(done));
}

// ---- KMS ----------------------------------------------------------------------------------

std::string generate_data_key_body(const std::string& key_id, const EncryptionContext& context,
                                   std::size_t number_of_bytes) {
  Json ctx = Json::object();
  for (const auto& [key, value] : context) ctx[key] = value;
  Json body = Json::object();
  body["EncryptionContext"] = std::move(ctx);
  body["KeyId"] = key_id;
  body["NumberOfBytes"] = number_of_bytes;
  return body.dump();
}

DataKeyOutcome parse_data_key(const std::string& body) {
  const auto j = Json::parse(body, nullptr, false);
  if (!j.is_object()) return {std::nullopt, "KMS answered GenerateDataKey with something that is not a JSON object"};
  const auto blob = j.find("CiphertextBlob");
  const auto plaintext = j.find("Plaintext");
  if (blob == j.end() || !blob->is_string() || plaintext == j.end() || !plaintext->is_string())
    return {std::nullopt, "KMS answered GenerateDataKey without CiphertextBlob or Plaintext"};
  auto key = base::base64_decode(plaintext->get_ref<const std::string&>());
  if (!key || !base::base64_decode(blob->get_ref<const std::string&>()))
    return {std::nullopt, "KMS answered GenerateDataKey with a CiphertextBlob or Plaintext that is not base64"};
  return {DataKey{std::move(*key), blob->get<std::string>()}, {}};
}

KmsClient::KmsClient(boost::asio::any_io_executor ex, ServiceSettings settings,
                     std::shared_ptr<CredentialProvider> credentials)
    : executor_(ex), settings_(std::move(settings)), credentials_(std::move(credentials)) {}

std::string KmsClient::endpoint_url() const { return service_endpoint_url("KMS", "kms", settings_.region, settings_.env); }

void KmsClient::generate_data_key(const std::string& key_id, const EncryptionContext& context,
                                  std::size_t number_of_bytes, std::function<void(DataKeyOutcome)> done) {
  if (settings_.region.empty()) {
    boost::asio::post(executor_, [done] { done({std::nullopt, "no region for the KMS call"}); });
    return;
  }
  JsonCall call;
  call.endpoint_url = endpoint_url();
  call.region = settings_.region;
  call.service = "kms";
  call.target = "TrentService.GenerateDataKey";
  call.body = generate_data_key_body(key_id, context, number_of_bytes);
  call.ca_bundle = settings_.ca_bundle;
  call.timeout = kCallTimeout;
  send_signed(executor_, *credentials_, std::move(call), RetryPolicy{}, [done = std::move(done)](CallOutcome r) {
    // No signer: the call never went out (no credentials), and the error already says so.
    if (!r.ok) return done({std::nullopt, r.signer ? "GenerateDataKey failed: " + r.error : r.error});
    // The body holds the plaintext key: it goes nowhere but into the parser, then is wiped.
    DataKeyOutcome outcome = parse_data_key(r.body);
    OPENSSL_cleanse(r.body.data(), r.body.size());
    done(std::move(outcome));
  });
}

}  // namespace ssm::aws
