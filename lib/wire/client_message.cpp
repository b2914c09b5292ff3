#include "wire/client_message.h"

#include <algorithm>
#include <stdexcept>

#include "wire/bytes.h"
#include "wire/digest.h"
#include "wire/errors.h"

namespace ssm::wire {
namespace {

// Fixed field offsets (protocol.md §3.1).
constexpr std::size_t kOffMessageType = 4;
constexpr std::size_t kOffSchemaVersion = 36;
constexpr std::size_t kOffCreatedDate = 40;
constexpr std::size_t kOffSequenceNumber = 48;
constexpr std::size_t kOffFlags = 56;
constexpr std::size_t kOffMessageId = 64;
constexpr std::size_t kOffDigest = 80;
constexpr std::size_t kOffPayloadType = 112;
constexpr std::size_t kOffPayloadLength = 116;

bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Bytes 4..35 with NULs, then whitespace, trimmed at both ends (protocol.md §3.3 rule 1).
std::string parse_message_type(std::span<const std::uint8_t> frame) {
  std::string_view raw(reinterpret_cast<const char*>(frame.data() + kOffMessageType), kMessageTypeLength);
  auto trim = [](std::string_view s, auto pred) {
    while (!s.empty() && pred(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && pred(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  raw = trim(raw, [](unsigned char c) { return c == 0; });
  raw = trim(raw, is_space);
  return std::string(raw);
}

}  // namespace

bool is_known_message_type(std::string_view type) {
  return type == message_type::input_stream_data || type == message_type::output_stream_data ||
         type == message_type::acknowledge || type == message_type::channel_closed ||
         type == message_type::start_publication || type == message_type::pause_publication;
}

std::vector<std::uint8_t> encode(const ClientMessage& m) {
  if (m.message_type.size() > kMessageTypeLength)
    throw std::invalid_argument("message type longer than 32 bytes");
  std::vector<std::uint8_t> out(kPayloadOffset + m.payload.size());
  std::span<std::uint8_t> s(out);
  write_be<std::uint32_t>(s, 0, kHeaderLength);
  std::fill(out.begin() + kOffMessageType, out.begin() + kOffMessageType + kMessageTypeLength, ' ');
  std::copy(m.message_type.begin(), m.message_type.end(), out.begin() + kOffMessageType);
  write_be<std::uint32_t>(s, kOffSchemaVersion, m.schema_version);
  write_be<std::uint64_t>(s, kOffCreatedDate, m.created_date);
  write_be<std::int64_t>(s, kOffSequenceNumber, m.sequence_number);
  write_be<std::uint64_t>(s, kOffFlags, m.flags);
  m.message_id.to_wire(out.data() + kOffMessageId);
  const Sha256 digest = sha256(m.payload);
  std::copy(digest.begin(), digest.end(), out.begin() + kOffDigest);
  write_be<std::uint32_t>(s, kOffPayloadType, static_cast<std::uint32_t>(m.payload_type));
  write_be<std::uint32_t>(s, kOffPayloadLength, static_cast<std::uint32_t>(m.payload.size()));
  std::copy(m.payload.begin(), m.payload.end(), out.begin() + kPayloadOffset);
  return out;
}

std::error_code decode(std::span<const std::uint8_t> frame, ClientMessage& out) {
  if (frame.size() < kPayloadOffset) return WireError::frame_too_short;
  ClientMessage m;
  m.message_type = parse_message_type(frame);
  m.schema_version = read_be<std::uint32_t>(frame, kOffSchemaVersion);
  m.created_date = read_be<std::uint64_t>(frame, kOffCreatedDate);
  m.sequence_number = read_be<std::int64_t>(frame, kOffSequenceNumber);
  m.flags = read_be<std::uint64_t>(frame, kOffFlags);
  m.message_id = Uuid::from_wire(frame.data() + kOffMessageId);
  m.payload_type = static_cast<PayloadType>(read_be<std::uint32_t>(frame, kOffPayloadType));

  // Publication control messages skip every content check in the reference; they carry
  // nothing we use, so their payload is not read at all.
  if (m.message_type == message_type::start_publication ||
      m.message_type == message_type::pause_publication) {
    out = std::move(m);
    return {};
  }

  const std::uint32_t header_length = read_be<std::uint32_t>(frame, 0);
  if (header_length == 0) return WireError::header_length_zero;
  if (header_length < kHeaderLength) return WireError::header_length_too_small;
  const std::uint64_t payload_start = std::uint64_t{header_length} + 4;
  if (payload_start > frame.size()) return WireError::header_length_past_end;
  const std::uint64_t available = frame.size() - payload_start;
  const std::uint32_t payload_length = read_be<std::uint32_t>(frame, kOffPayloadLength);
  if (payload_length > available) return WireError::payload_length_past_end;
  if (payload_length < available) return WireError::trailing_bytes;

  if (m.message_type.empty()) return WireError::message_type_missing;
  if (!is_known_message_type(m.message_type)) return WireError::unknown_message_type;
  if (m.created_date == 0) return WireError::created_date_missing;
  // Only the nil id is refused: ids from the service are not promised to be version 4.
  if (m.message_id.is_nil()) return WireError::invalid_uuid;

  const auto payload = frame.subspan(static_cast<std::size_t>(payload_start), payload_length);
  if (payload_length != 0) {
    const Sha256 digest = sha256(payload);
    if (!std::equal(digest.begin(), digest.end(), frame.begin() + kOffDigest))
      return WireError::digest_mismatch;
  }
  m.payload.assign(payload.begin(), payload.end());
  out = std::move(m);
  return {};
}

std::vector<std::uint8_t> encode_flag(PortFlag flag) {
  std::vector<std::uint8_t> out(4);
  write_be<std::uint32_t>(out, 0, static_cast<std::uint32_t>(flag));
  return out;
}

std::error_code decode_flag(std::span<const std::uint8_t> payload, std::uint32_t& flag) {
  if (payload.size() != 4) return WireError::wrong_payload_type;
  flag = read_be<std::uint32_t>(payload, 0);
  return {};
}

}  // namespace ssm::wire
