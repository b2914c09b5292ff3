// lib/wire — owns the Session Manager data-channel wire format: the 120-byte ClientMessage
// header with its SHA-256 payload digest (protocol.md §3), the message and payload type
// constants (§4.1), and, in payloads.h, every JSON payload as a struct. It knows nothing of
// sockets, time or sessions: callers pass in the creation time and sequence numbers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "wire/uuid.h"

namespace ssm::wire {

inline constexpr std::uint32_t kHeaderLength = 116;   // offset of PayloadLength
inline constexpr std::size_t kPayloadOffset = 120;    // first payload byte
inline constexpr std::size_t kMessageTypeLength = 32; // space padded

namespace message_type {
inline constexpr std::string_view input_stream_data = "input_stream_data";
inline constexpr std::string_view output_stream_data = "output_stream_data";
inline constexpr std::string_view acknowledge = "acknowledge";
inline constexpr std::string_view channel_closed = "channel_closed";
inline constexpr std::string_view start_publication = "start_publication";
inline constexpr std::string_view pause_publication = "pause_publication";
}  // namespace message_type

enum class PayloadType : std::uint32_t {
  undefined = 0,
  output = 1,
  error = 2,
  size = 3,
  parameter = 4,
  handshake_request = 5,
  handshake_response = 6,
  handshake_complete = 7,
  enc_challenge_request = 8,
  enc_challenge_response = 9,
  flag = 10,
  stderr_data = 11,
  exit_code = 12,
};

// Header Flags bits.
inline constexpr std::uint64_t kFlagSyn = 1;
inline constexpr std::uint64_t kFlagFin = 2;

// Values carried by a PayloadType::flag payload (a big-endian uint32).
enum class PortFlag : std::uint32_t {
  disconnect_to_port = 1,
  terminate_session = 2,
  connect_to_port_error = 3,
};

struct ClientMessage {
  std::string message_type;
  std::uint32_t schema_version = 1;
  std::uint64_t created_date = 0;  // Unix epoch milliseconds
  std::int64_t sequence_number = 0;
  std::uint64_t flags = 0;
  Uuid message_id;
  PayloadType payload_type = PayloadType::undefined;
  std::vector<std::uint8_t> payload;

  std::string_view payload_text() const {
    return {reinterpret_cast<const char*>(payload.data()), payload.size()};
  }
};

bool is_known_message_type(std::string_view type);

// Serialises with HeaderLength 116 and the SHA-256 of the payload. The message type must
// be at most 32 bytes (std::invalid_argument otherwise: a programming error, not input).
std::vector<std::uint8_t> encode(const ClientMessage& message);

// Parses and validates one frame from the peer (protocol.md §3.3, made strict: a frame whose
// lengths disagree with its size is rejected instead of read past). Never throws.
// start_publication and pause_publication skip content validation, as in the reference.
std::error_code decode(std::span<const std::uint8_t> frame, ClientMessage& out);

// PayloadType::flag payloads.
std::vector<std::uint8_t> encode_flag(PortFlag flag);

// Text as a payload's bytes (JSON payloads, status text), without a copy.
inline std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}
std::error_code decode_flag(std::span<const std::uint8_t> payload, std::uint32_t& flag);

}  // namespace ssm::wire
