// JSON payloads: exact compact encodings in the reference's key order (protocol.md §2.2, §4,
// §6, §7.3), the reference test fixtures of §3.5, and each malformed case.
#include <gtest/gtest.h>

#include "wire/errors.h"
#include "wire/payloads.h"

namespace ssm::wire {
namespace {

TEST(OpenDataChannelJson, EncodesInReferenceOrder) {
  OpenDataChannel m{"1.0", "11111111-1111-4111-8111-111111111111", "tok", "22222222-2222-4222-8222-222222222222", "1.2.835.0"};
  EXPECT_EQ(to_json(m),
            R"({"MessageSchemaVersion":"1.0","RequestId":"11111111-1111-4111-8111-111111111111","TokenValue":"tok","ClientId":"22222222-2222-4222-8222-222222222222","ClientVersion":"1.2.835.0"})");
  OpenDataChannel back;
  ASSERT_FALSE(parse(to_json(m), back));
  EXPECT_EQ(back.token_value, "tok");
  EXPECT_EQ(back.client_version, "1.2.835.0");
}

TEST(OpenDataChannelJson, TokenIsRequired) {
  OpenDataChannel m;
  auto err = parse(R"({"MessageSchemaVersion":"1.0","RequestId":"a","ClientId":"b"})", m);
  EXPECT_EQ(err.code, WireError::missing_field);
  EXPECT_EQ(err.field, "TokenValue");
}

TEST(AcknowledgeJson, EncodesExampleBPayload) {
  Acknowledge a{"output_stream_data", "dd01e56b-ff48-483e-a508-b5f073f31b16", 5, true};
  EXPECT_EQ(to_json(a),
            R"({"AcknowledgedMessageType":"output_stream_data","AcknowledgedMessageId":"dd01e56b-ff48-483e-a508-b5f073f31b16","AcknowledgedMessageSequenceNumber":5,"IsSequentialMessage":true})");
}

TEST(AcknowledgeJson, RoundTripsReferenceFixture) {
  Acknowledge a{"input_stream_data", "dd01e56b-ff48-483e-a508-b5f073f31b16", 2, true};
  Acknowledge back;
  ASSERT_FALSE(parse(to_json(a), back));
  EXPECT_EQ(back.acknowledged_message_type, "input_stream_data");
  EXPECT_EQ(back.acknowledged_message_id, a.acknowledged_message_id);
  EXPECT_EQ(back.acknowledged_message_sequence_number, 2);
  EXPECT_TRUE(back.is_sequential_message);
}

TEST(AcknowledgeJson, KeysAreCaseInsensitiveAndOrderFree) {
  Acknowledge back;
  ASSERT_FALSE(parse(R"({"isSequentialMessage":false,"acknowledgedmessagesequencenumber":9,"Extra":[1]})", back));
  EXPECT_EQ(back.acknowledged_message_sequence_number, 9);
  EXPECT_FALSE(back.is_sequential_message);
}

TEST(AcknowledgeJson, Malformed) {
  Acknowledge a;
  EXPECT_EQ(parse("{", a).code, WireError::invalid_json);
  EXPECT_EQ(parse("[1,2]", a).code, WireError::invalid_json);
  EXPECT_EQ(parse("", a).code, WireError::invalid_json);
  EXPECT_EQ(parse(R"({"AcknowledgedMessageType":"acknowledge"})", a).code, WireError::missing_field);
  auto err = parse(R"({"AcknowledgedMessageSequenceNumber":"5"})", a);
  EXPECT_EQ(err.code, WireError::wrong_field_type);
  EXPECT_EQ(err.field, "AcknowledgedMessageSequenceNumber");
  EXPECT_EQ(parse(R"({"AcknowledgedMessageSequenceNumber":1.5})", a).code, WireError::wrong_field_type);
  EXPECT_EQ(parse(R"({"AcknowledgedMessageSequenceNumber":18446744073709551615})", a).code, WireError::wrong_field_type);
  EXPECT_EQ(parse(R"({"AcknowledgedMessageSequenceNumber":1,"AcknowledgedMessageId":"not-a-uuid"})", a).code,
            WireError::invalid_uuid);
  EXPECT_EQ(parse(R"({"AcknowledgedMessageSequenceNumber":1,"IsSequentialMessage":"yes"})", a).code,
            WireError::wrong_field_type);
}

TEST(AcknowledgeJson, FastPathAgreesWithTheGeneralParser) {
  // The compact form takes a fast path; near misses must get the general parser's verdict.
  Acknowledge a;
  ASSERT_FALSE(parse(R"({"AcknowledgedMessageType":"input_stream_data","AcknowledgedMessageId":"dd01e56b-ff48-483e-a508-b5f073f31b16","AcknowledgedMessageSequenceNumber":42,"IsSequentialMessage":true})", a));
  EXPECT_EQ(a.acknowledged_message_sequence_number, 42);
  EXPECT_EQ(a.acknowledged_message_type, "input_stream_data");
  ASSERT_FALSE(parse(R"({"AcknowledgedMessageSequenceNumber":-3,"Extra":"x"})", a));
  EXPECT_EQ(a.acknowledged_message_sequence_number, -3);
  ASSERT_FALSE(parse(R"({"AcknowledgedMessageSequenceNumber": 7})", a));  // whitespace: general path
  EXPECT_EQ(a.acknowledged_message_sequence_number, 7);
  ASSERT_FALSE(parse(R"({"AcknowledgedMessageType":"a\u0062","AcknowledgedMessageSequenceNumber":8})", a));
  EXPECT_EQ(a.acknowledged_message_type, "ab");
  EXPECT_EQ(parse(R"({"AcknowledgedMessageSequenceNumber":5,"X":tru})", a).code, WireError::invalid_json);
  EXPECT_EQ(parse(R"({"AcknowledgedMessageSequenceNumber":5,})", a).code, WireError::invalid_json);
  EXPECT_EQ(parse(R"({"AcknowledgedMessageSequenceNumber":5.5})", a).code, WireError::wrong_field_type);
  EXPECT_EQ(parse(R"({"AcknowledgedMessageSequenceNumber":"5"})", a).code, WireError::wrong_field_type);
  EXPECT_EQ(parse(R"({"AcknowledgedMessageSequenceNumber":5,"AcknowledgedMessageId":"zz"})", a).code, WireError::invalid_uuid);
  EXPECT_EQ(parse("{\"AcknowledgedMessageType\":\"a\tb\",\"AcknowledgedMessageSequenceNumber\":5}", a).code,
            WireError::invalid_json);  // a raw control character is not JSON
  // Found by fuzz_payloads (tests/fuzz/known_bugs): other spellings and forms of the keys and
  // values must get the general parser's verdict.
  ASSERT_FALSE(parse(R"({"AcknowledgedMessageSequenceNumber":5,"acknowledgedmessagetype":"x"})", a));
  EXPECT_EQ(a.acknowledged_message_type, "x");
  ASSERT_FALSE(parse(R"({"AcknowledgedMessageSequenceNumber":5,"Acknowledged\u004dessageType":"y"})", a));
  EXPECT_EQ(a.acknowledged_message_type, "y");
  EXPECT_EQ(parse(R"({"AcknowledgedMessageSequenceNumber":05})", a).code, WireError::invalid_json);
  EXPECT_EQ(parse("{\"AcknowledgedMessageSequenceNumber\":5,\"AcknowledgedMessageType\":\"\xff\"}", a).code,
            WireError::invalid_json);
}

TEST(Json, DeepNestingIsRefusedBeforeParsing) {
  // Found by fuzz_payloads: copying a value nested 10,000 deep overflowed the stack.
  HandshakeRequest r;
  const std::string deep = R"({"AgentVersion":"3","RequestedClientActions":[{"ActionType":"x","ActionParameters":)" +
                           std::string(10000, '[') + std::string(10000, ']') + "}]}";
  EXPECT_EQ(parse(deep, r).code, WireError::invalid_json);
  const std::string fine = R"({"AgentVersion":"3","RequestedClientActions":[{"ActionType":"x","ActionParameters":)" +
                           std::string(50, '[') + std::string(50, ']') + "}]}";
  EXPECT_FALSE(parse(fine, r));
  // Brackets inside strings do not count.
  TerminalSize t;
  EXPECT_FALSE(parse(R"({"cols":1,"rows":2,"x":")" + std::string(1000, '[') + R"("})", t));
}

TEST(AcknowledgeJson, HugeInputIsRefusedBeforeParsing) {
  Acknowledge a;
  std::string huge(kMaxJsonPayload + 1, ' ');
  EXPECT_EQ(parse(huge, a).code, WireError::invalid_json);
}

TEST(ChannelClosedJson, DecodesReferenceFixture) {
  ChannelClosed c;
  ASSERT_FALSE(parse(
      R"({"MessageType":"channel_closed","MessageId":"dd01e56b-ff48-483e-a508-b5f073f31b16","CreatedDate":"1503434274948","SessionId":"sessionId_01234567890abcedf","SchemaVersion":1,"Output":"payload"})",
      c));
  EXPECT_EQ(c.message_id, "dd01e56b-ff48-483e-a508-b5f073f31b16");
  EXPECT_EQ(c.created_date, "1503434274948");
  EXPECT_EQ(c.session_id, "sessionId_01234567890abcedf");
  EXPECT_EQ(c.schema_version, 1);
  EXPECT_EQ(c.output, "payload");
}

TEST(ChannelClosedJson, RoundTripsAndRejectsOtherTypes) {
  ChannelClosed c;
  c.session_id = "s-1";
  c.output = "bye";
  ChannelClosed back;
  ASSERT_FALSE(parse(to_json(c), back));
  EXPECT_EQ(back.output, "bye");
  EXPECT_EQ(parse(R"({"MessageType":"acknowledge","Output":"x"})", back).code, WireError::wrong_payload_type);
  EXPECT_EQ(parse(R"({"MessageType":"channel_closed","Output":7})", back).code, WireError::wrong_field_type);
}

TEST(HandshakeRequestJson, KeepsActionParametersRaw) {
  HandshakeRequest r;
  ASSERT_FALSE(parse(
      R"({"AgentVersion":"3.0","RequestedClientActions":[{"ActionType":"start","ActionParameters":{"name": "richard"}}]})",
      r));
  EXPECT_EQ(r.agent_version, "3.0");
  ASSERT_EQ(r.requested_client_actions.size(), 1u);
  EXPECT_EQ(r.requested_client_actions[0].action_type, "start");
  EXPECT_EQ(r.requested_client_actions[0].action_parameters.dump(), R"({"name":"richard"})");
}

TEST(HandshakeRequestJson, SessionTypeAndKmsActions) {
  HandshakeRequest r;
  ASSERT_FALSE(parse(R"({"AgentVersion":"3.2.582.0","RequestedClientActions":[
      {"ActionType":"SessionType","ActionParameters":{"SessionType":"Port","Properties":{"portNumber":"8080","type":"LocalPortForwarding"}}},
      {"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"arn:aws:kms:us-east-1:1:key/x"}}]})",
                     r));
  ASSERT_EQ(r.requested_client_actions.size(), 2u);
  SessionTypeRequest st;
  ASSERT_FALSE(parse(r.requested_client_actions[0].action_parameters, st));
  EXPECT_EQ(st.session_type, "Port");
  PortParameters pp;
  ASSERT_FALSE(parse(st.properties.dump(), pp));
  EXPECT_EQ(pp.port_number, "8080");
  EXPECT_EQ(pp.type, "LocalPortForwarding");
  KmsEncryptionRequest kms;
  ASSERT_FALSE(parse(r.requested_client_actions[1].action_parameters, kms));
  EXPECT_EQ(kms.kms_key_id, "arn:aws:kms:us-east-1:1:key/x");
}

// The random challenge (agent-side.md §2.2–2.3): the agent's request carries it, a client
// that put it into its encryption context says so in its result; both stay absent for
// peers from before it.
TEST(KmsEncryptionJson, ChallengeAndItsAcknowledgement) {
  EXPECT_EQ(to_json_value(KmsEncryptionRequest{"alias/k"}).dump(), R"({"KMSKeyId":"alias/k"})");
  EXPECT_EQ(to_json_value(KmsEncryptionRequest{"alias/k", "AAECAwQFBgcICQoLDA0ODw=="}).dump(),
            R"({"KMSKeyId":"alias/k","Challenge":"AAECAwQFBgcICQoLDA0ODw=="})");
  KmsEncryptionRequest request;
  ASSERT_FALSE(parse(Json::parse(R"({"KMSKeyId":"alias/k","Challenge":"AAECAwQFBgcICQoLDA0ODw=="})"), request));
  EXPECT_EQ(request.challenge, "AAECAwQFBgcICQoLDA0ODw==");
  ASSERT_FALSE(parse(Json::parse(R"({"KMSKeyId":"alias/k"})"), request));
  EXPECT_EQ(request.challenge, "");
  EXPECT_EQ(parse(Json::parse(R"({"KMSKeyId":"alias/k","Challenge":16})"), request).code, WireError::wrong_field_type);

  EXPECT_EQ(to_json_value(KmsEncryptionResponse{"YmxvYg=="}).dump(),
            R"({"KMSCipherTextKey":"YmxvYg==","KMSCipherTextHash":null})");
  EXPECT_EQ(to_json_value(KmsEncryptionResponse{"YmxvYg==", true}).dump(),
            R"({"KMSCipherTextKey":"YmxvYg==","KMSCipherTextHash":null,"ChallengeAcknowledgement":true})");
  KmsEncryptionResponse response;
  ASSERT_FALSE(parse(Json::parse(R"({"KMSCipherTextKey":"YmxvYg==","ChallengeAcknowledgement":true})"), response));
  EXPECT_TRUE(response.challenge_acknowledgement);
  ASSERT_FALSE(parse(Json::parse(R"({"KMSCipherTextKey":"YmxvYg==","ChallengeAcknowledgement":null})"), response));
  EXPECT_FALSE(response.challenge_acknowledgement);
  ASSERT_FALSE(parse(Json::parse(R"({"KMSCipherTextKey":"YmxvYg==","challengeacknowledgement":true})"), response));
  EXPECT_TRUE(response.challenge_acknowledgement);  // Go's case-insensitive keys
  EXPECT_EQ(parse(Json::parse(R"({"KMSCipherTextKey":"YmxvYg==","ChallengeAcknowledgement":"true"})"), response).code,
            WireError::wrong_field_type);
}

TEST(HandshakeRequestJson, Malformed) {
  HandshakeRequest r;
  EXPECT_EQ(parse(R"({"RequestedClientActions":[]})", r).code, WireError::missing_field);
  EXPECT_EQ(parse(R"({"AgentVersion":3})", r).code, WireError::wrong_field_type);
  EXPECT_EQ(parse(R"({"AgentVersion":"3","RequestedClientActions":{}})", r).code, WireError::wrong_field_type);
  EXPECT_EQ(parse(R"({"AgentVersion":"3","RequestedClientActions":[5]})", r).code, WireError::wrong_field_type);
  EXPECT_EQ(parse(R"({"AgentVersion":"3","RequestedClientActions":[{"ActionType":1}]})", r).code,
            WireError::wrong_field_type);
  SessionTypeRequest st;
  EXPECT_EQ(parse(Json::parse(R"({"Properties":{}})"), st).code, WireError::missing_field);
  EXPECT_EQ(parse(Json::parse(R"("Port")"), st).code, WireError::wrong_field_type);
}

TEST(HandshakeResponseJson, EncodesReferenceShapes) {
  HandshakeResponse r;
  r.client_version = "1.2.0.0";
  r.processed_client_actions.push_back({"SessionType", 1, nullptr, ""});
  EXPECT_EQ(to_json(r),
            R"({"ClientVersion":"1.2.0.0","ProcessedClientActions":[{"ActionType":"SessionType","ActionStatus":1,"ActionResult":null,"Error":""}],"Errors":null})");

  HandshakeResponse empty;
  empty.client_version = "1.2.835.0";
  EXPECT_EQ(to_json(empty), R"({"ClientVersion":"1.2.835.0","ProcessedClientActions":[],"Errors":null})");

  HandshakeResponse kms;
  kms.client_version = "1.2.0.0";
  kms.processed_client_actions.push_back(
      {"KMSEncryption", 1, to_json_value(KmsEncryptionResponse{"Y2lwaGVyLXRleHQta2V5"}), ""});
  EXPECT_EQ(to_json(kms),
            R"({"ClientVersion":"1.2.0.0","ProcessedClientActions":[{"ActionType":"KMSEncryption","ActionStatus":1,"ActionResult":{"KMSCipherTextKey":"Y2lwaGVyLXRleHQta2V5","KMSCipherTextHash":null},"Error":""}],"Errors":null})");

  HandshakeResponse failed;
  failed.client_version = "1";
  failed.processed_client_actions.push_back({"Foo", 0, nullptr, "Unsupported action Foo"});
  failed.errors.push_back("Unsupported action Foo");
  HandshakeResponse back;
  ASSERT_FALSE(parse(to_json(failed), back));
  ASSERT_EQ(back.errors.size(), 1u);
  EXPECT_EQ(back.processed_client_actions[0].error, "Unsupported action Foo");
  EXPECT_EQ(parse(R"({"Errors":[1]})", back).code, WireError::wrong_field_type);
}

TEST(HandshakeCompleteJson, DurationIsNanoseconds) {
  HandshakeComplete c;
  ASSERT_FALSE(parse(R"({"HandshakeTimeToComplete": 1000000, "CustomerMessage": "Handshake Complete"})", c));
  EXPECT_EQ(c.handshake_time_to_complete, 1000000);
  EXPECT_EQ(c.customer_message, "Handshake Complete");
  EXPECT_EQ(parse(R"({"CustomerMessage": 5})", c).code, WireError::wrong_field_type);
}

TEST(EncryptionChallengeJson, Base64WithPadding) {
  EncryptionChallenge c{{0x01, 0x02, 0x03, 0xfa}};
  EXPECT_EQ(to_json(c), R"({"Challenge":"AQID+g=="})");
  EncryptionChallenge back;
  ASSERT_FALSE(parse(to_json(c), back));
  EXPECT_EQ(back.challenge, c.challenge);
  EXPECT_EQ(parse(R"({"Challenge":"AQID+g="})", back).code, WireError::invalid_base64);
  EXPECT_EQ(parse(R"({"Challenge":"*QID"})", back).code, WireError::invalid_base64);
  EXPECT_EQ(parse(R"({})", back).code, WireError::missing_field);
}

TEST(TerminalSizeJson, ColsThenRows) {
  EXPECT_EQ(to_json(TerminalSize{80, 24}), R"({"cols":80,"rows":24})");
  TerminalSize t;
  ASSERT_FALSE(parse(R"({"rows":50,"cols":132})", t));
  EXPECT_EQ(t.cols, 132u);
  EXPECT_EQ(t.rows, 50u);
  EXPECT_EQ(parse(R"({"cols":-1,"rows":2})", t).code, WireError::wrong_field_type);
  EXPECT_EQ(parse(R"({"cols":4294967296,"rows":2})", t).code, WireError::wrong_field_type);
  EXPECT_EQ(parse(R"({"cols":1})", t).code, WireError::missing_field);
}

TEST(PortParametersJson, AllStringsOptional) {
  PortParameters p;
  ASSERT_FALSE(parse(R"({"portNumber":"22"})", p));
  EXPECT_EQ(p.port_number, "22");
  EXPECT_TRUE(p.type.empty());
  ASSERT_FALSE(parse(R"({"PortNumber":"80","LocalPortNumber":"0","localConnectionType":"unix","localUnixSocket":"/tmp/s"})", p));
  EXPECT_EQ(p.local_port_number, "0");
  EXPECT_EQ(p.local_unix_socket, "/tmp/s");
  EXPECT_EQ(parse(R"({"portNumber":22})", p).code, WireError::wrong_field_type);
  EXPECT_EQ(to_json(PortParameters{"22", "", "", "", ""}), R"({"portNumber":"22"})");
  EXPECT_EQ(to_json(PortParameters{}), "{}");  // found by fuzz_payloads: was "null"
}

TEST(ParseErrorText, NamesTheField) {
  TerminalSize t;
  auto err = parse(R"({"cols":"x","rows":1})", t);
  EXPECT_EQ(err.message(), "JSON field has the wrong type: cols");
}

}  // namespace
}  // namespace ssm::wire
