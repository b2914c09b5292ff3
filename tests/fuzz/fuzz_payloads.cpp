// libFuzzer: every JSON payload parser of lib/wire (payloads.h) and base64_decode. The first
// byte picks the parser (modulo 13, the table below), the rest is the text. Parsers must never
// throw or crash (an escaping exception terminates, and libFuzzer reports it with the throw
// site's stack); what parses must encode, parse again to the same fields and encode to the
// same text.
//
// The compact Acknowledge fast path must agree with the general parser: the same text behind
// one leading space (still JSON, but past the fast path) must give the same verdict and fields.
// Inputs of bugs found this way (deep nesting, fast-path disagreements) are regression seeds.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/base64.h"
#include "wire/payloads.h"

namespace {

using namespace ssm::wire;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::fprintf(stderr, "fuzz_payloads: invariant failed: %s\n", #cond);  \
      __builtin_trap();                                                      \
    }                                                                        \
  } while (0)

bool same(const OpenDataChannel& a, const OpenDataChannel& b) {
  return a.message_schema_version == b.message_schema_version && a.request_id == b.request_id &&
         a.token_value == b.token_value && a.client_id == b.client_id && a.client_version == b.client_version;
}
bool same(const Acknowledge& a, const Acknowledge& b) {
  return a.acknowledged_message_type == b.acknowledged_message_type &&
         a.acknowledged_message_id == b.acknowledged_message_id &&
         a.acknowledged_message_sequence_number == b.acknowledged_message_sequence_number &&
         a.is_sequential_message == b.is_sequential_message;
}
bool same(const ChannelClosed& a, const ChannelClosed& b) {
  return a.message_id == b.message_id && a.created_date == b.created_date && a.destination_id == b.destination_id &&
         a.session_id == b.session_id && a.message_type == b.message_type && a.schema_version == b.schema_version &&
         a.output == b.output;
}
bool same(const HandshakeRequest& a, const HandshakeRequest& b) {
  if (a.agent_version != b.agent_version || a.requested_client_actions.size() != b.requested_client_actions.size())
    return false;
  for (std::size_t i = 0; i < a.requested_client_actions.size(); ++i) {
    const auto &x = a.requested_client_actions[i], &y = b.requested_client_actions[i];
    if (x.action_type != y.action_type || x.action_parameters != y.action_parameters) return false;
  }
  return true;
}
bool same(const HandshakeResponse& a, const HandshakeResponse& b) {
  if (a.client_version != b.client_version || a.errors != b.errors ||
      a.processed_client_actions.size() != b.processed_client_actions.size())
    return false;
  for (std::size_t i = 0; i < a.processed_client_actions.size(); ++i) {
    const auto &x = a.processed_client_actions[i], &y = b.processed_client_actions[i];
    if (x.action_type != y.action_type || x.action_status != y.action_status || x.action_result != y.action_result ||
        x.error != y.error)
      return false;
  }
  return true;
}
bool same(const HandshakeComplete& a, const HandshakeComplete& b) {
  return a.handshake_time_to_complete == b.handshake_time_to_complete && a.customer_message == b.customer_message;
}
bool same(const EncryptionChallenge& a, const EncryptionChallenge& b) { return a.challenge == b.challenge; }
bool same(const TerminalSize& a, const TerminalSize& b) { return a.cols == b.cols && a.rows == b.rows; }
bool same(const PortParameters& a, const PortParameters& b) {
  return a.port_number == b.port_number && a.local_port_number == b.local_port_number &&
         a.local_unix_socket == b.local_unix_socket && a.local_connection_type == b.local_connection_type &&
         a.type == b.type;
}
bool same(const SessionTypeRequest& a, const SessionTypeRequest& b) {
  return a.session_type == b.session_type && a.properties == b.properties;
}
bool same(const KmsEncryptionRequest& a, const KmsEncryptionRequest& b) { return a.kms_key_id == b.kms_key_id; }
bool same(const KmsEncryptionResponse& a, const KmsEncryptionResponse& b) {
  return a.kms_cipher_text_key == b.kms_cipher_text_key;
}

// parse → to_json → parse gives the same fields, and to_json is then a fixed point. Not
// `exact`: only that the encoding parses again.
template <typename T>
bool round_trip(std::string_view text, T& value, bool exact = true) {
  if (parse(text, value)) return false;
  const std::string encoded = to_json(value);
  T again;
  const ParseError err = parse(encoded, again);
  if (err) std::fprintf(stderr, "fuzz_payloads: re-parse of %s failed: %s\n", encoded.c_str(), err.message().c_str());
  CHECK(!err);
  if (!exact) return true;
  CHECK(same(value, again));
  CHECK(to_json(again) == encoded);
  return true;
}

// The same for the structs that travel as an already parsed JSON value (ActionParameters).
template <typename T>
bool value_round_trip(const Json& json, T& value) {
  if (parse(json, value)) return false;
  const Json encoded = to_json_value(value);
  T again;
  CHECK(!parse(encoded, again));
  CHECK(same(value, again));
  // And through text, as they travel inside a HandshakeRequest.
  const Json reparsed = Json::parse(encoded.dump(), nullptr, false);
  CHECK(!reparsed.is_discarded());
  T third;
  CHECK(!parse(reparsed, third));
  CHECK(same(value, third));
  return true;
}

template <typename T>
void from_text_value(std::string_view text) {
  const Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return;
  T value;
  value_round_trip(j, value);
}

// What the client does with a HandshakeRequest (lib/channel/client_handshake.cpp and
// lib/session/client_session.cpp): each action's parameters, and a Port session's properties.
void actions(const HandshakeRequest& request) {
  for (const auto& action : request.requested_client_actions) {
    if (action.action_type == action_type::session_type) {
      SessionTypeRequest type;
      if (!value_round_trip(action.action_parameters, type)) continue;
      PortParameters port;
      if (type.properties.is_object()) round_trip(type.properties.dump(), port);
    } else if (action.action_type == action_type::kms_encryption) {
      KmsEncryptionRequest kms;
      value_round_trip(action.action_parameters, kms);
    }
  }
}

void acknowledge(std::string_view text) {
  Acknowledge value;
  const bool ok = round_trip(text, value, true);
  // A leading space keeps the text valid JSON but sends it past the compact fast path.
  const std::string general = " " + std::string(text);
  Acknowledge other;
  const bool other_ok = !parse(general, other);
  CHECK(ok == other_ok);
  if (ok) CHECK(same(value, other));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 13) {
    case 0: { OpenDataChannel v; round_trip(text, v); break; }
    case 1: acknowledge(text); break;
    case 2: { ChannelClosed v; round_trip(text, v); break; }
    case 3: { HandshakeRequest v; if (round_trip(text, v)) actions(v); break; }
    case 4: { HandshakeResponse v; round_trip(text, v); break; }
    case 5: { HandshakeComplete v; round_trip(text, v); break; }
    case 6: { EncryptionChallenge v; round_trip(text, v); break; }
    case 7: { TerminalSize v; round_trip(text, v); break; }
    case 8: { PortParameters v; round_trip(text, v); break; }
    case 9: from_text_value<SessionTypeRequest>(text); break;
    case 10: from_text_value<KmsEncryptionRequest>(text); break;
    case 11: from_text_value<KmsEncryptionResponse>(text); break;
    case 12: {
      const auto bytes = ssm::base::base64_decode(text);
      if (!bytes) break;
      CHECK(bytes->size() == text.size() / 4 * 3 - (text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0));
      const std::string encoded = ssm::base::base64_encode(*bytes);
      CHECK(encoded.size() == text.size());
      CHECK(ssm::base::base64_decode(encoded) == bytes);
      break;
    }
  }
  return 0;
}
