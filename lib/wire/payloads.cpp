#include "wire/payloads.h"

#include <charconv>

#include "base/base64.h"
#include "wire/errors.h"
#include "wire/json_fields.h"
#include "wire/uuid.h"

namespace ssm::wire {
namespace {



std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

std::string ParseError::message() const {
  if (!code) return {};
  if (field.empty()) return code.message();
  return code.message() + ": " + field;
}

std::string to_json(const OpenDataChannel& m) {
  Json j = Json::object();
  j["MessageSchemaVersion"] = m.message_schema_version;
  j["RequestId"] = m.request_id;
  j["TokenValue"] = m.token_value;
  j["ClientId"] = m.client_id;
  j["ClientVersion"] = m.client_version;
  return dump(j);
}

ParseError parse(std::string_view text, OpenDataChannel& out) {
  JsonFields f(text);
  OpenDataChannel m;
  f.string("MessageSchemaVersion", m.message_schema_version);
  f.string("RequestId", m.request_id);
  f.string("TokenValue", m.token_value);
  f.string("ClientId", m.client_id);
  f.string("ClientVersion", m.client_version, false);  // clients before 1.2.677.0 omit it
  if (!f.error()) out = std::move(m);
  return f.error();
}

namespace {

// JSON's integer grammar: -?(0|[1-9][0-9]*).
bool json_integer(std::string_view v) {
  if (!v.empty() && v.front() == '-') v.remove_prefix(1);
  if (v.empty() || (v.size() > 1 && v.front() == '0')) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

// Printable ASCII without quote or backslash: what ids and message types are made of.
bool simple_string(std::string_view v) {
  for (char c : v)
    if (c < 0x20 || c > 0x7e || c == '\\' || c == '"') return false;
  return true;
}

// The fast path for the one payload sent and received for every data message: the compact,
// flat form both the agent and we write, with exactly these keys and simple values. Anything
// else (other keys, other spellings, escapes, whitespace, non-ASCII) goes to the general
// parser, so both always agree.
bool parse_compact_ack(std::string_view t, Acknowledge& out) {
  Acknowledge m;
  bool have_seq = false;
  if (t.size() < 2 || t.front() != '{' || t.back() != '}') return false;
  t = t.substr(1, t.size() - 2);
  while (!t.empty()) {
    if (t.front() != '"') return false;
    const auto key_end = t.find('"', 1);
    if (key_end == std::string_view::npos || key_end + 1 >= t.size() || t[key_end + 1] != ':') return false;
    const std::string_view key = t.substr(1, key_end - 1);
    t.remove_prefix(key_end + 2);
    if (key == "AcknowledgedMessageType" || key == "AcknowledgedMessageId") {
      if (t.empty() || t.front() != '"') return false;
      const auto end = t.find('"', 1);
      if (end == std::string_view::npos) return false;
      const std::string_view value = t.substr(1, end - 1);
      if (!simple_string(value)) return false;
      (key == "AcknowledgedMessageType" ? m.acknowledged_message_type : m.acknowledged_message_id) = value;
      t.remove_prefix(end + 1);
    } else if (key == "AcknowledgedMessageSequenceNumber" || key == "IsSequentialMessage") {
      const std::string_view value = t.substr(0, t.find(','));
      t.remove_prefix(value.size());
      if (key == "IsSequentialMessage") {
        if (value != "true" && value != "false") return false;
        m.is_sequential_message = value == "true";
      } else {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (!json_integer(value) || ec != std::errc() || p != value.data() + value.size()) return false;
        m.acknowledged_message_sequence_number = n;
        have_seq = true;
      }
    } else {
      return false;  // any other key: the general parser decides
    }
    if (!t.empty()) {
      if (t.front() != ',') return false;
      t.remove_prefix(1);
      if (t.empty()) return false;
    }
  }
  if (!have_seq) return false;
  if (!m.acknowledged_message_id.empty() && !Uuid::parse(m.acknowledged_message_id)) return false;
  out = std::move(m);
  return true;
}

}  // namespace

std::string to_json(const Acknowledge& m) {
  if (simple_string(m.acknowledged_message_type) && simple_string(m.acknowledged_message_id)) {
    std::string s;
    s.reserve(176);
    s += R"({"AcknowledgedMessageType":")";
    s += m.acknowledged_message_type;
    s += R"(","AcknowledgedMessageId":")";
    s += m.acknowledged_message_id;
    s += R"(","AcknowledgedMessageSequenceNumber":)";
    s += std::to_string(m.acknowledged_message_sequence_number);
    s += m.is_sequential_message ? R"(,"IsSequentialMessage":true})" : R"(,"IsSequentialMessage":false})";
    return s;
  }
  Json j = Json::object();
  j["AcknowledgedMessageType"] = m.acknowledged_message_type;
  j["AcknowledgedMessageId"] = m.acknowledged_message_id;
  j["AcknowledgedMessageSequenceNumber"] = m.acknowledged_message_sequence_number;
  j["IsSequentialMessage"] = m.is_sequential_message;
  return dump(j);
}

ParseError parse(std::string_view text, Acknowledge& out) {
  if (parse_compact_ack(text, out)) return {};
  JsonFields f(text);
  Acknowledge m;
  f.string("AcknowledgedMessageType", m.acknowledged_message_type, false);
  f.string("AcknowledgedMessageId", m.acknowledged_message_id, false);
  f.int64("AcknowledgedMessageSequenceNumber", m.acknowledged_message_sequence_number);
  f.boolean("IsSequentialMessage", m.is_sequential_message, false);
  if (!f.error() && !m.acknowledged_message_id.empty() && !Uuid::parse(m.acknowledged_message_id))
    return {WireError::invalid_uuid, "AcknowledgedMessageId"};
  if (!f.error()) out = std::move(m);
  return f.error();
}

std::string to_json(const ChannelClosed& m) {
  Json j = Json::object();
  j["MessageId"] = m.message_id;
  j["CreatedDate"] = m.created_date;
  j["DestinationId"] = m.destination_id;
  j["SessionId"] = m.session_id;
  j["MessageType"] = m.message_type;
  j["SchemaVersion"] = m.schema_version;
  j["Output"] = m.output;
  return dump(j);
}

ParseError parse(std::string_view text, ChannelClosed& out) {
  JsonFields f(text);
  ChannelClosed m;
  f.string("MessageId", m.message_id, false);
  f.string("CreatedDate", m.created_date, false);
  f.string("DestinationId", m.destination_id, false);
  f.string("SessionId", m.session_id, false);
  f.string("MessageType", m.message_type, false);
  f.int64("SchemaVersion", m.schema_version, false);
  f.string("Output", m.output, false);
  if (!f.error() && m.message_type != "channel_closed") return {WireError::wrong_payload_type, "MessageType"};
  if (!f.error()) out = std::move(m);
  return f.error();
}

std::string to_json(const HandshakeRequest& m) {
  Json j = Json::object();
  j["AgentVersion"] = m.agent_version;
  j["RequestedClientActions"] = Json::array();
  for (const auto& a : m.requested_client_actions) {
    Json action;
    action["ActionType"] = a.action_type;
    action["ActionParameters"] = a.action_parameters;
    j["RequestedClientActions"].push_back(std::move(action));
  }
  return dump(j);
}

ParseError parse(std::string_view text, HandshakeRequest& out) {
  JsonFields f(text);
  HandshakeRequest m;
  f.string("AgentVersion", m.agent_version);
  Json actions;
  f.raw("RequestedClientActions", actions, false);
  if (f.error()) return f.error();
  if (!actions.is_null() && !actions.is_array()) return {WireError::wrong_field_type, "RequestedClientActions"};
  for (const auto& a : actions) {
    JsonFields af(a);
    RequestedClientAction action;
    af.string("ActionType", action.action_type);
    af.raw("ActionParameters", action.action_parameters, false);
    if (af.error()) return {af.error().code, "RequestedClientActions." + (af.error().field.empty() ? std::string("[]") : af.error().field)};
    m.requested_client_actions.push_back(std::move(action));
  }
  out = std::move(m);
  return {};
}

std::string to_json(const HandshakeResponse& m) {
  Json j = Json::object();
  j["ClientVersion"] = m.client_version;
  j["ProcessedClientActions"] = Json::array();
  for (const auto& a : m.processed_client_actions) {
    Json action;
    action["ActionType"] = a.action_type;
    action["ActionStatus"] = a.action_status;
    action["ActionResult"] = a.action_result;
    action["Error"] = a.error;
    j["ProcessedClientActions"].push_back(std::move(action));
  }
  if (m.errors.empty()) j["Errors"] = nullptr;
  else j["Errors"] = m.errors;
  return dump(j);
}

ParseError parse(std::string_view text, HandshakeResponse& out) {
  JsonFields f(text);
  HandshakeResponse m;
  f.string("ClientVersion", m.client_version, false);
  Json actions, errors;
  f.raw("ProcessedClientActions", actions, false);
  f.raw("Errors", errors, false);
  if (f.error()) return f.error();
  if (!actions.is_null() && !actions.is_array()) return {WireError::wrong_field_type, "ProcessedClientActions"};
  for (const auto& a : actions) {
    JsonFields af(a);
    ProcessedClientAction action;
    std::int64_t status = 0;
    af.string("ActionType", action.action_type);
    af.int64("ActionStatus", status);
    af.raw("ActionResult", action.action_result, false);
    af.string("Error", action.error, false);
    if (af.error()) return {af.error().code, "ProcessedClientActions." + af.error().field};
    action.action_status = static_cast<int>(status);
    m.processed_client_actions.push_back(std::move(action));
  }
  if (!errors.is_null()) {
    if (!errors.is_array()) return {WireError::wrong_field_type, "Errors"};
    for (const auto& e : errors) {
      if (!e.is_string()) return {WireError::wrong_field_type, "Errors"};
      m.errors.push_back(e.get<std::string>());
    }
  }
  out = std::move(m);
  return {};
}

std::string to_json(const HandshakeComplete& m) {
  Json j = Json::object();
  j["HandshakeTimeToComplete"] = m.handshake_time_to_complete;
  j["CustomerMessage"] = m.customer_message;
  return dump(j);
}

ParseError parse(std::string_view text, HandshakeComplete& out) {
  JsonFields f(text);
  HandshakeComplete m;
  f.int64("HandshakeTimeToComplete", m.handshake_time_to_complete, false);
  f.string("CustomerMessage", m.customer_message, false);
  if (!f.error()) out = std::move(m);
  return f.error();
}

std::string to_json(const EncryptionChallenge& m) {
  Json j = Json::object();
  j["Challenge"] = base::base64_encode(m.challenge);
  return dump(j);
}

ParseError parse(std::string_view text, EncryptionChallenge& out) {
  JsonFields f(text);
  std::string encoded;
  f.string("Challenge", encoded);
  if (f.error()) return f.error();
  auto bytes = base::base64_decode(encoded);
  if (!bytes) return {WireError::invalid_base64, "Challenge"};
  out.challenge = std::move(*bytes);
  return {};
}

std::string to_json(const TerminalSize& m) {
  Json j = Json::object();
  j["cols"] = m.cols;
  j["rows"] = m.rows;
  return dump(j);
}

ParseError parse(std::string_view text, TerminalSize& out) {
  JsonFields f(text);
  TerminalSize m;
  f.uint32("cols", m.cols);
  f.uint32("rows", m.rows);
  if (!f.error()) out = m;
  return f.error();
}

std::string to_json(const PortParameters& m) {
  Json j = Json::object();
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  put("portNumber", m.port_number);
  put("localPortNumber", m.local_port_number);
  put("localUnixSocket", m.local_unix_socket);
  put("localConnectionType", m.local_connection_type);
  put("type", m.type);
  return dump(j);
}

ParseError parse(std::string_view text, PortParameters& out) {
  JsonFields f(text);
  PortParameters m;
  f.string("portNumber", m.port_number, false);
  f.string("localPortNumber", m.local_port_number, false);
  f.string("localUnixSocket", m.local_unix_socket, false);
  f.string("localConnectionType", m.local_connection_type, false);
  f.string("type", m.type, false);
  if (!f.error()) out = std::move(m);
  return f.error();
}

Json to_json_value(const SessionTypeRequest& m) {
  Json j = Json::object();
  j["SessionType"] = m.session_type;
  j["Properties"] = m.properties;
  return j;
}

ParseError parse(const Json& value, SessionTypeRequest& out) {
  JsonFields f(value);
  SessionTypeRequest m;
  f.string("SessionType", m.session_type);
  f.raw("Properties", m.properties, false);
  if (!f.error()) out = std::move(m);
  return f.error();
}

Json to_json_value(const KmsEncryptionRequest& m) {
  Json j = Json::object();
  j["KMSKeyId"] = m.kms_key_id;
  if (!m.challenge.empty()) j["Challenge"] = m.challenge;
  return j;
}

ParseError parse(const Json& value, KmsEncryptionRequest& out) {
  JsonFields f(value);
  KmsEncryptionRequest m;
  f.string("KMSKeyId", m.kms_key_id);
  f.string("Challenge", m.challenge, false);
  if (!f.error()) out = std::move(m);
  return f.error();
}

Json to_json_value(const KmsEncryptionResponse& m) {
  Json j = Json::object();
  j["KMSCipherTextKey"] = m.kms_cipher_text_key;
  j["KMSCipherTextHash"] = nullptr;
  if (m.challenge_acknowledgement) j["ChallengeAcknowledgement"] = true;
  return j;
}

ParseError parse(const Json& value, KmsEncryptionResponse& out) {
  JsonFields f(value);
  KmsEncryptionResponse m;
  f.string("KMSCipherTextKey", m.kms_cipher_text_key);
  f.boolean("ChallengeAcknowledgement", m.challenge_acknowledgement, false);
  if (!f.error()) out = std::move(m);
  return f.error();
}

}  // namespace ssm::wire
