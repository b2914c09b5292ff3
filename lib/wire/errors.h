// lib/wire — errors of decoding untrusted bytes into protocol messages.
// Every decoder in this folder reports failure as a std::error_code of this category and
// never throws past its own boundary.
#pragma once

#include <system_error>

namespace ssm::wire {

enum class WireError {
  frame_too_short = 1,      // fewer than the 120 bytes of a ClientMessage header
  header_length_zero,       // HeaderLength field is 0
  header_length_too_small,  // HeaderLength below 116 would overlap the fixed fields
  header_length_past_end,   // payload would start beyond the end of the frame
  payload_length_past_end,  // PayloadLength claims more bytes than the frame holds
  trailing_bytes,           // the frame holds more bytes than PayloadLength says
  message_type_missing,
  message_type_too_long,
  unknown_message_type,
  created_date_missing,
  digest_mismatch,
  invalid_uuid,
  invalid_json,
  missing_field,
  wrong_field_type,
  wrong_payload_type,       // e.g. an ack payload inside a non-acknowledge message
  invalid_base64,
};

const std::error_category& wire_category() noexcept;

inline std::error_code make_error_code(WireError e) noexcept {
  return {static_cast<int>(e), wire_category()};
}

}  // namespace ssm::wire

template <>
struct std::is_error_code_enum<ssm::wire::WireError> : std::true_type {};
