#include "channel/client_handshake.h"

#include <charconv>
#include <vector>

#include <openssl/crypto.h>

namespace ssm::channel {
namespace {

constexpr int kSuccess = static_cast<int>(wire::ActionStatus::success);
constexpr int kFailed = static_cast<int>(wire::ActionStatus::failed);
constexpr int kUnsupported = static_cast<int>(wire::ActionStatus::unsupported);

std::optional<std::vector<long long>> parse_version(std::string_view v) {
  std::vector<long long> parts;
  if (v.empty()) return std::nullopt;
  while (true) {
    const auto dot = v.find('.');
    const std::string_view part = v.substr(0, dot);
    long long n = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size()) return std::nullopt;
    parts.push_back(n);
    if (dot == std::string_view::npos) break;
    v.remove_prefix(dot + 1);
  }
  return parts;
}

}  // namespace

bool version_greater(std::string_view agent, std::string_view threshold) {
  const auto a = parse_version(agent), t = parse_version(threshold);
  if (!a || !t || a->size() != t->size()) return false;
  return *a > *t;  // lexicographic over integers
}

std::optional<wire::HandshakeResponse> ClientHandshake::on_request(const wire::HandshakeRequest& request) {
  agent_version_ = request.agent_version;
  kms_key_id_.reset();
  kms_challenge_.clear();
  waiting_.reset();
  wire::HandshakeResponse response;
  response.client_version = config_.client_version;
  for (const auto& action : request.requested_client_actions) {
    wire::ProcessedClientAction processed;
    if (action.action_type == wire::action_type::session_type) {
      processed = session_type_action(action.action_parameters);
    } else if (action.action_type == wire::action_type::kms_encryption) {
      processed = kms_action(action.action_parameters);
      if (processed.action_status == 0) {
        // Waits for the data key; its place in the list keeps the agent's order.
        kms_index_ = response.processed_client_actions.size();
        response.processed_client_actions.push_back(std::move(processed));
        continue;
      }
    } else {
      // The reference puts the code in ActionResult and leaves ActionStatus 0 (quirk Q8);
      // we send the documented status instead.
      processed = {action.action_type, kUnsupported, nullptr, "Unsupported action " + action.action_type};
    }
    if (!processed.error.empty()) response.errors.push_back(processed.error);
    response.processed_client_actions.push_back(std::move(processed));
  }
  if (!kms_key_id_) return response;
  waiting_ = std::move(response);
  return std::nullopt;
}

wire::ProcessedClientAction ClientHandshake::session_type_action(const wire::Json& parameters) {
  wire::SessionTypeRequest request;
  if (auto err = wire::parse(parameters, request))
    return {std::string(wire::action_type::session_type), kFailed, nullptr,
            "Failed to process action SessionType: " + err.message()};
  const std::string& name = request.session_type;
  SessionKind kind;
  if (name == "Standard_Stream" || name == "InteractiveCommands" || name == "NonInteractiveCommands") {
    kind = SessionKind::standard_stream;
  } else if (name == "Port") {
    kind = SessionKind::port;
  } else {
    return {std::string(wire::action_type::session_type), kFailed, nullptr,
            "Failed to process action SessionType: Unknown session type " + name};
  }
  session_type_ = SessionType{name, kind, request.properties};
  return {std::string(wire::action_type::session_type), kSuccess, nullptr, ""};
}

// Status 0: the action waits for a data key (kms_key_id_ set); otherwise it failed at once.
wire::ProcessedClientAction ClientHandshake::kms_action(const wire::Json& parameters) {
  const std::string type(wire::action_type::kms_encryption);
  if (config_.legacy_cli) {
    refusal_ =
        "Installed version of CLI does not support Session Manager encryption feature. Please upgrade to the "
        "latest version of your CLI (e.g., AWS CLI).";
    return {type, kFailed, nullptr, refusal_};
  }
  wire::KmsEncryptionRequest request;
  std::string reason;
  if (auto err = wire::parse(parameters, request)) reason = err.message();
  else if (request.kms_key_id.empty()) reason = "the agent named no KMS key";
  else if (kms_key_id_) reason = "the agent asked for KMS encryption twice";
  if (!reason.empty()) {
    refusal_ = "the agent requires KMS encryption, which failed: " + reason;
    return {type, kFailed, nullptr, "Failed to process action " + type + ": " + reason};
  }
  kms_key_id_ = request.kms_key_id;
  kms_challenge_ = request.challenge;
  return {type, 0, nullptr, ""};
}

CompletedHandshake ClientHandshake::on_data_key(KmsDataKey key) {
  std::unique_ptr<crypto::SessionCipher> cipher;
  std::string reason;
  // The reference does not check the size; a short key would make every message fail later.
  if (key.plaintext.size() != crypto::kDataKeySize)
    reason = "KMS returned a data key of " + std::to_string(key.plaintext.size()) + " bytes instead of " +
             std::to_string(crypto::kDataKeySize);
  else if (key.ciphertext_blob.empty())
    reason = "KMS returned no CiphertextBlob";
  else if (!(cipher = crypto::SessionCipher::make(crypto::CipherSide::plugin, key.plaintext, config_.nonces)))
    reason = "OpenSSL refused the data key";
  OPENSSL_cleanse(key.plaintext.data(), key.plaintext.size());
  if (!cipher) return on_data_key_failed(reason);
  // The challenge went into the data key's encryption context: say so, or an agent that
  // requires it refuses us, and one that does not decrypts without it (and fails).
  const wire::KmsEncryptionResponse result{key.ciphertext_blob, !kms_challenge_.empty()};
  CompletedHandshake done = complete_kms(
      {std::string(wire::action_type::kms_encryption), kSuccess, wire::to_json_value(result), ""});
  done.cipher = std::move(cipher);
  return done;
}

CompletedHandshake ClientHandshake::on_data_key_failed(const std::string& reason) {
  refusal_ = "the agent requires KMS encryption, which failed: " + reason;
  CompletedHandshake done = complete_kms({std::string(wire::action_type::kms_encryption), kFailed, nullptr,
                                          "Failed to process action KMSEncryption: " + reason});
  // §2.7: the bare reason goes in Errors, after whatever the other actions put there.
  done.response.errors.push_back(reason);
  return done;
}

CompletedHandshake ClientHandshake::complete_kms(wire::ProcessedClientAction action) {
  CompletedHandshake done;
  if (!waiting_) return done;  // nothing asked for a key: a caller bug, answered with nothing
  done.response = std::move(*waiting_);
  waiting_.reset();
  kms_key_id_.reset();
  kms_challenge_.clear();
  done.response.processed_client_actions.at(kms_index_) = std::move(action);
  return done;
}

}  // namespace ssm::channel
