// ClientMessage codec against protocol.md §3.4 (Examples A–D), byte for byte, both ways, and
// every malformed-frame rule of §3.3.
#include <gtest/gtest.h>

#include "base/text.h"
#include "test_util.h"
#include "wire/client_message.h"
#include "wire/digest.h"
#include "wire/errors.h"

namespace ssm::wire {
namespace {

using test::bytes_of;
using test::from_hex;

constexpr std::uint64_t kCreated = 1503434274948;  // 0x0000015E0BAA7884
const Uuid kId = *Uuid::parse("dd01e56b-ff48-483e-a508-b5f073f31b16");
const Uuid kAckId = *Uuid::parse("0f0e0d0c-0b0a-4908-8706-050403020100");

constexpr std::string_view kExampleA =
    "00000074696e7075745f73747265616d5f64617461202020202020202020202020202020000000010000015e0baa7884"
    "00000000000000010000000000000000a508b5f073f31b16dd01e56bff48483e239f59ed55e737c77147cf55ad0c1b03"
    "0b6d7ee748a7426952f9b852d5a935e500000001000000077061796c6f6164";
constexpr std::string_view kExampleC =
    "00000074696e7075745f73747265616d5f64617461202020202020202020202020202020000000010000015e0baa7884"
    "0000000000000007000000000000000087060504030201000f0e0d0c0b0a4908b40711a88c7039756fb8a73827eabe2c"
    "0fe5a0346ca7e0a104adc0fc764f528d0000000a0000000400000001";
constexpr std::string_view kExampleD =
    "00000074696e7075745f73747265616d5f64617461202020202020202020202020202020000000010000015e0baa7884"
    "00000000000000010000000000000002a508b5f073f31b16dd01e56bff48483e239f59ed55e737c77147cf55ad0c1b03"
    "0b6d7ee748a7426952f9b852d5a935e500000000000000077061796c6f6164";
constexpr std::string_view kExampleBHeader =
    "0000007461636b6e6f776c65646765202020202020202020202020202020202020202020000000010000015e0baa7884"
    "0000000000000000000000000000000387060504030201000f0e0d0c0b0a4908e27c5d76907e7769eeb0bb854be46b26"
    "5df4087b53def781552e1c580d3d8f7400000000000000b0";
constexpr std::string_view kExampleBPayload =
    R"({"AcknowledgedMessageType":"output_stream_data","AcknowledgedMessageId":"dd01e56b-ff48-483e-a508-b5f073f31b16","AcknowledgedMessageSequenceNumber":5,"IsSequentialMessage":true})";

ClientMessage example_a() {
  ClientMessage m;
  m.message_type = "input_stream_data";
  m.created_date = kCreated;
  m.sequence_number = 1;
  m.message_id = kId;
  m.payload_type = PayloadType::output;
  m.payload = bytes_of("payload");
  return m;
}

TEST(ClientMessage, EncodesExampleA) { EXPECT_EQ(base::hex_lower(encode(example_a())), kExampleA); }

TEST(ClientMessage, DecodesExampleA) {
  ClientMessage m;
  ASSERT_FALSE(decode(from_hex(kExampleA), m));
  EXPECT_EQ(m.message_type, "input_stream_data");
  EXPECT_EQ(m.schema_version, 1u);
  EXPECT_EQ(m.created_date, kCreated);
  EXPECT_EQ(m.sequence_number, 1);
  EXPECT_EQ(m.flags, 0u);
  EXPECT_EQ(m.message_id, kId);
  EXPECT_EQ(m.payload_type, PayloadType::output);
  EXPECT_EQ(m.payload_text(), "payload");
}

TEST(ClientMessage, EncodesAndDecodesExampleB) {
  ClientMessage m;
  m.message_type = "acknowledge";
  m.created_date = kCreated;
  m.sequence_number = 0;
  m.flags = kFlagSyn | kFlagFin;
  m.message_id = kAckId;
  m.payload = bytes_of(kExampleBPayload);
  ASSERT_EQ(m.payload.size(), 176u);
  const auto encoded = encode(m);
  ASSERT_EQ(encoded.size(), 296u);
  EXPECT_EQ(base::hex_lower(std::vector<std::uint8_t>(encoded.begin(), encoded.begin() + 120)), kExampleBHeader);
  EXPECT_EQ(std::string(encoded.begin() + 120, encoded.end()), kExampleBPayload);

  ClientMessage back;
  ASSERT_FALSE(decode(encoded, back));
  EXPECT_EQ(back.message_type, "acknowledge");
  EXPECT_EQ(back.flags, 3u);
  EXPECT_EQ(back.message_id, kAckId);
  EXPECT_EQ(back.payload_text(), kExampleBPayload);
}

TEST(ClientMessage, EncodesAndDecodesExampleC) {
  ClientMessage m;
  m.message_type = "input_stream_data";
  m.created_date = kCreated;
  m.sequence_number = 7;
  m.message_id = kAckId;
  m.payload_type = PayloadType::flag;
  m.payload = encode_flag(PortFlag::disconnect_to_port);
  EXPECT_EQ(base::hex_lower(encode(m)), kExampleC);

  ClientMessage back;
  ASSERT_FALSE(decode(from_hex(kExampleC), back));
  std::uint32_t flag = 0;
  ASSERT_FALSE(decode_flag(back.payload, flag));
  EXPECT_EQ(flag, 1u);
  EXPECT_EQ(back.sequence_number, 7);
}

TEST(ClientMessage, RoundTripsExampleD) {
  ClientMessage m = example_a();
  m.flags = 2;
  m.payload_type = PayloadType::undefined;
  const auto encoded = encode(m);
  EXPECT_EQ(base::hex_lower(encoded), kExampleD);
  ClientMessage back;
  ASSERT_FALSE(decode(encoded, back));
  EXPECT_EQ(back.message_type, m.message_type);
  EXPECT_EQ(back.schema_version, m.schema_version);
  EXPECT_EQ(back.created_date, m.created_date);
  EXPECT_EQ(back.sequence_number, m.sequence_number);
  EXPECT_EQ(back.flags, m.flags);
  EXPECT_EQ(back.message_id, m.message_id);
  EXPECT_EQ(back.payload, m.payload);
}

TEST(ClientMessage, MessageTypeIsSpacePaddedNotNul) {
  const auto encoded = encode(example_a());
  for (std::size_t i = 4 + 17; i < 36; ++i) EXPECT_EQ(encoded[i], 0x20) << i;
}

TEST(ClientMessage, EmptyPayloadCarriesDigestOfNothing) {
  ClientMessage m = example_a();
  m.payload.clear();
  const auto encoded = encode(m);
  EXPECT_EQ(base::hex_lower(std::vector<std::uint8_t>(encoded.begin() + 80, encoded.begin() + 112)),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ClientMessage back;
  EXPECT_FALSE(decode(encoded, back));
  EXPECT_TRUE(back.payload.empty());
}

TEST(ClientMessage, NegativeAndLargeSequenceNumbersSurvive) {
  ClientMessage m = example_a();
  for (std::int64_t seq : {std::int64_t{-1}, std::int64_t{1} << 40, INT64_MAX}) {
    m.sequence_number = seq;
    ClientMessage back;
    ASSERT_FALSE(decode(encode(m), back));
    EXPECT_EQ(back.sequence_number, seq);
  }
}

TEST(ClientMessage, TooLongMessageTypeIsAProgrammingError) {
  ClientMessage m = example_a();
  m.message_type = std::string(33, 'x');
  EXPECT_THROW(encode(m), std::invalid_argument);
}

TEST(ClientMessage, DecodesNulPaddedType) {
  auto frame = from_hex(kExampleA);
  for (std::size_t i = 4 + 17; i < 36; ++i) frame[i] = 0;
  ClientMessage m;
  ASSERT_FALSE(decode(frame, m));
  EXPECT_EQ(m.message_type, "input_stream_data");
}

// ---- malformed frames: each rule gets its own error --------------------------------------

std::error_code decode_error(const std::vector<std::uint8_t>& frame) {
  ClientMessage m;
  return decode(frame, m);
}

TEST(ClientMessageErrors, TruncatedFrames) {
  const auto frame = from_hex(kExampleA);
  for (std::size_t n : {0u, 1u, 4u, 36u, 80u, 119u})
    EXPECT_EQ(decode_error({frame.begin(), frame.begin() + n}), WireError::frame_too_short) << n;
  // Header complete but payload cut short.
  EXPECT_EQ(decode_error({frame.begin(), frame.end() - 1}), WireError::payload_length_past_end);
}

TEST(ClientMessageErrors, HeaderLength) {
  auto frame = from_hex(kExampleA);
  frame[3] = 0;
  EXPECT_EQ(decode_error(frame), WireError::header_length_zero);
  frame[3] = 100;
  EXPECT_EQ(decode_error(frame), WireError::header_length_too_small);
  frame[0] = 0xff;  // a huge length must not be used to index
  EXPECT_EQ(decode_error(frame), WireError::header_length_past_end);
  frame[0] = 0;
  frame[3] = 0xfc;  // 252 + 4 > 127
  EXPECT_EQ(decode_error(frame), WireError::header_length_past_end);
}

TEST(ClientMessageErrors, PayloadLength) {
  auto frame = from_hex(kExampleA);
  frame[116] = 0xff;  // 4 GiB claimed
  EXPECT_EQ(decode_error(frame), WireError::payload_length_past_end);
  frame[116] = 0;
  frame[119] = 3;  // fewer than the 7 bytes present
  EXPECT_EQ(decode_error(frame), WireError::trailing_bytes);
}

TEST(ClientMessageErrors, MessageType) {
  auto frame = from_hex(kExampleA);
  std::fill(frame.begin() + 4, frame.begin() + 36, ' ');
  EXPECT_EQ(decode_error(frame), WireError::message_type_missing);
  frame[4] = 'x';
  EXPECT_EQ(decode_error(frame), WireError::unknown_message_type);
}

TEST(ClientMessageErrors, CreatedDateMissing) {
  auto frame = from_hex(kExampleA);
  std::fill(frame.begin() + 40, frame.begin() + 48, 0);
  EXPECT_EQ(decode_error(frame), WireError::created_date_missing);
}

TEST(ClientMessageErrors, NilMessageId) {
  auto frame = from_hex(kExampleA);
  std::fill(frame.begin() + 64, frame.begin() + 80, 0);
  EXPECT_EQ(decode_error(frame), WireError::invalid_uuid);
}

TEST(ClientMessageErrors, CorruptedPayloadOrDigest) {
  auto frame = from_hex(kExampleA);
  frame.back() ^= 1;
  EXPECT_EQ(decode_error(frame), WireError::digest_mismatch);
  frame.back() ^= 1;
  frame[90] ^= 0x80;
  EXPECT_EQ(decode_error(frame), WireError::digest_mismatch);
}

TEST(ClientMessageErrors, PublicationMessagesSkipValidation) {
  // protocol.md §3.5: a start_publication with no header length, date or digest is valid.
  std::vector<std::uint8_t> frame(120, 0);
  const std::string type = "start_publication";
  std::copy(type.begin(), type.end(), frame.begin() + 4);
  ClientMessage m;
  ASSERT_FALSE(decode(frame, m));
  EXPECT_EQ(m.message_type, "start_publication");
}

TEST(Flag, RejectsWrongSize) {
  std::uint32_t flag = 0;
  EXPECT_EQ(decode_flag(bytes_of("abc"), flag), WireError::wrong_payload_type);
  EXPECT_EQ(decode_flag(bytes_of("abcde"), flag), WireError::wrong_payload_type);
}

TEST(Errors, HaveReadableMessages) {
  EXPECT_EQ(std::error_code(WireError::header_length_zero).message(), "HeaderLength cannot be zero");
  EXPECT_STREQ(std::error_code(WireError::digest_mismatch).category().name(), "ssm.wire");
}

}  // namespace
}  // namespace ssm::wire
