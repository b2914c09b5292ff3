// lib/wire — every JSON payload of the data channel as a struct, with a compact encoder that
// keeps the reference's key order and a decoder for untrusted text (protocol.md §2.2, §4–7).
// Decoders match keys case-insensitively, as Go's encoding/json does, ignore unknown keys,
// never throw, and say which field was missing or of the wrong type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssm::wire {

// Order-preserving, so that encoders keep the reference's key order.
using Json = nlohmann::ordered_json;

// Larger JSON payloads are refused before parsing: nothing legitimate comes close.
inline constexpr std::size_t kMaxJsonPayload = 1 << 20;
// Deeper nesting is refused before parsing: copying or destroying a parsed value recurses
// once per level, and no payload of the protocol nests more than a few levels.
inline constexpr std::size_t kMaxJsonDepth = 64;

struct ParseError {
  std::error_code code;
  std::string field;  // the offending key, empty when the whole text is at fault
  explicit operator bool() const { return static_cast<bool>(code); }
  std::string message() const;
};

// §2.2 — the first (text) frame on every connection.
struct OpenDataChannel {
  std::string message_schema_version = "1.0";
  std::string request_id;
  std::string token_value;
  std::string client_id;
  std::string client_version;
};

// §4.2
struct Acknowledge {
  std::string acknowledged_message_type;
  std::string acknowledged_message_id;
  std::int64_t acknowledged_message_sequence_number = 0;
  bool is_sequential_message = true;
};

// §4.3
struct ChannelClosed {
  std::string message_id;
  std::string created_date;  // a string in the reference model
  std::string destination_id;
  std::string session_id;
  std::string message_type = "channel_closed";
  std::int64_t schema_version = 1;
  std::string output;
};

// §6.1
struct RequestedClientAction {
  std::string action_type;
  Json action_parameters;  // kept raw, interpreted per action type
};
struct HandshakeRequest {
  std::string agent_version;
  std::vector<RequestedClientAction> requested_client_actions;
};

// Action types and statuses (§6.1–6.3).
namespace action_type {
inline constexpr std::string_view session_type = "SessionType";
inline constexpr std::string_view kms_encryption = "KMSEncryption";
}  // namespace action_type
enum class ActionStatus : int { success = 1, failed = 2, unsupported = 3 };

struct SessionTypeRequest {
  std::string session_type;
  Json properties;  // arbitrary; only Port sessions read it
};
struct KmsEncryptionRequest {
  std::string kms_key_id;
  // "Challenge": base64 of 16 random bytes, fresh per session (agent-side.md §2.2); agents
  // before the random challenge omit it, and so does the encoder when it is empty. The
  // braces keep `KmsEncryptionRequest{key}` free of missing-initializer warnings.
  std::string challenge{};
};
struct KmsEncryptionResponse {
  std::string kms_cipher_text_key;  // base64 of the KMS CiphertextBlob
  // "ChallengeAcknowledgement": the client put the request's Challenge into the encryption
  // context as aws:ssm:RandomChallenge, so the agent must decrypt with it. Encoded only when
  // true, as a client that knows nothing of the challenge sends nothing.
  bool challenge_acknowledgement = false;
};

// §6.5
struct ProcessedClientAction {
  std::string action_type;
  int action_status = 0;
  Json action_result;  // null unless the action returns something
  std::string error;
};
struct HandshakeResponse {
  std::string client_version;
  std::vector<ProcessedClientAction> processed_client_actions;
  std::vector<std::string> errors;  // encoded as null when empty
};

struct HandshakeComplete {
  std::int64_t handshake_time_to_complete = 0;  // nanoseconds
  std::string customer_message;
};

// §6.4 — the same shape for the request (agent→client) and the response.
struct EncryptionChallenge {
  std::vector<std::uint8_t> challenge;  // base64 on the wire
};

// §7.3
struct TerminalSize {
  std::uint32_t cols = 0;
  std::uint32_t rows = 0;
};

// §8.1 — the Properties of a Port SessionType action. All values are strings.
struct PortParameters {
  std::string port_number;
  std::string local_port_number;
  std::string local_unix_socket;
  std::string local_connection_type;
  std::string type;
};

std::string to_json(const OpenDataChannel&);
std::string to_json(const Acknowledge&);
std::string to_json(const ChannelClosed&);
std::string to_json(const HandshakeRequest&);
std::string to_json(const HandshakeResponse&);
std::string to_json(const HandshakeComplete&);
std::string to_json(const EncryptionChallenge&);
std::string to_json(const TerminalSize&);
std::string to_json(const PortParameters&);
Json to_json_value(const SessionTypeRequest&);
Json to_json_value(const KmsEncryptionRequest&);
Json to_json_value(const KmsEncryptionResponse&);

ParseError parse(std::string_view text, OpenDataChannel& out);
ParseError parse(std::string_view text, Acknowledge& out);
ParseError parse(std::string_view text, ChannelClosed& out);
ParseError parse(std::string_view text, HandshakeRequest& out);
ParseError parse(std::string_view text, HandshakeResponse& out);
ParseError parse(std::string_view text, HandshakeComplete& out);
ParseError parse(std::string_view text, EncryptionChallenge& out);
ParseError parse(std::string_view text, TerminalSize& out);
ParseError parse(std::string_view text, PortParameters& out);
// Action parameters arrive already parsed inside a HandshakeRequest.
ParseError parse(const Json& value, SessionTypeRequest& out);
ParseError parse(const Json& value, KmsEncryptionRequest& out);
ParseError parse(const Json& value, KmsEncryptionResponse& out);

}  // namespace ssm::wire
