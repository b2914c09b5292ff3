// lib/channel — the client's half of the session handshake (protocol.md §6): answers the
// agent's HandshakeRequest action by action, learns the session type and the agent version,
// and falls back to a shell session for agents that send no handshake (§6.6). A KMSEncryption
// action (protocol-smux-kms-aws.md §2) needs a data key from KMS before the response can go:
// the response then waits, and whoever can call KMS completes it; an agent's random challenge
// is acknowledged in the action's result. Pure logic.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/session_cipher.h"
#include "wire/payloads.h"

namespace ssm::channel {

enum class SessionKind { standard_stream, port };

struct SessionType {
  std::string name;  // as the agent sent it: Standard_Stream, InteractiveCommands, ...
  SessionKind kind = SessionKind::standard_stream;
  wire::Json properties;  // only Port sessions read it
};

struct HandshakeConfig {
  std::string client_version;
  // The 4-argument legacy CLI form: encryption must be refused (protocol.md §6.3).
  bool legacy_cli = false;
  // Where the session cipher's nonces come from; tests inject fixed ones.
  crypto::NonceSource nonces = crypto::random_nonces();
};

// What KMS GenerateDataKey answered (§2.2).
struct KmsDataKey {
  std::vector<std::uint8_t> plaintext;  // must be the 64-byte data key
  std::string ciphertext_blob;          // standard base64, passed to the agent unchanged
};

// The finished HandshakeResponse, and with a successful KMSEncryption action the cipher to
// install before sending it: encryption is on from that response on (§2.5).
struct CompletedHandshake {
  wire::HandshakeResponse response;
  std::unique_ptr<crypto::SessionCipher> cipher;
};

// §6.7: true when `agent` is strictly greater than `threshold`; false when either is not a
// dotted list of integers or their lengths differ.
bool version_greater(std::string_view agent, std::string_view threshold);

// Agent-version gates (protocol.md §6.7, §12).
inline constexpr std::string_view kTerminateFlagAfter = "2.3.722.0";
inline constexpr std::string_view kMuxAfter = "3.0.196.0";
inline constexpr std::string_view kSmuxKeepAliveOffAfter = "3.1.1511.0";

class ClientHandshake {
 public:
  explicit ClientHandshake(HandshakeConfig config) : config_(std::move(config)) {}

  // The response, or nullopt when it waits for a data key: kms_key_id() then names the key
  // the agent asked for, and the caller finishes with on_data_key or on_data_key_failed.
  std::optional<wire::HandshakeResponse> on_request(const wire::HandshakeRequest& request);
  const std::optional<std::string>& kms_key_id() const { return kms_key_id_; }
  // The agent's random challenge (base64, as sent) for the KMS action waiting for its key;
  // "" when the agent sent none. It goes into GenerateDataKey's encryption context as
  // aws:ssm:RandomChallenge, and the action result acknowledges it (agent-side.md §2.2).
  const std::string& kms_challenge() const { return kms_challenge_; }
  CompletedHandshake on_data_key(KmsDataKey key);
  CompletedHandshake on_data_key_failed(const std::string& reason);

  // The agent's first data message when no handshake happened: a shell (§6.6).
  void assume_shell() { session_type_ = SessionType{"Standard_Stream", SessionKind::standard_stream, nullptr}; }

  const std::optional<SessionType>& session_type() const { return session_type_; }
  const std::string& agent_version() const { return agent_version_; }
  // Set when the agent asked for something this client refused or could not do (KMS
  // encryption in the legacy form, or without a data key): the session cannot go on.
  const std::string& refusal() const { return refusal_; }

 private:
  wire::ProcessedClientAction session_type_action(const wire::Json& parameters);
  wire::ProcessedClientAction kms_action(const wire::Json& parameters);
  CompletedHandshake complete_kms(wire::ProcessedClientAction action);

  HandshakeConfig config_;
  std::optional<SessionType> session_type_;
  std::string agent_version_;
  std::string refusal_;
  // A response waiting for KMS, and where in it the KMSEncryption action goes.
  std::optional<wire::HandshakeResponse> waiting_;
  std::size_t kms_index_ = 0;
  std::optional<std::string> kms_key_id_;
  std::string kms_challenge_;
};

}  // namespace ssm::channel
