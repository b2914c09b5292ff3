#include "wire/errors.h"

#include <string>

namespace ssm::wire {
namespace {

class WireCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "ssm.wire"; }
  std::string message(int ev) const override {
    switch (static_cast<WireError>(ev)) {
      case WireError::frame_too_short: return "frame shorter than the 120-byte message header";
      case WireError::header_length_zero: return "HeaderLength cannot be zero";
      case WireError::header_length_too_small: return "HeaderLength smaller than 116";
      case WireError::header_length_past_end: return "HeaderLength points past the end of the frame";
      case WireError::payload_length_past_end: return "PayloadLength runs past the end of the frame";
      case WireError::trailing_bytes: return "frame has bytes beyond PayloadLength";
      case WireError::message_type_missing: return "MessageType is missing";
      case WireError::message_type_too_long: return "MessageType longer than 32 bytes";
      case WireError::unknown_message_type: return "unknown MessageType";
      case WireError::created_date_missing: return "CreatedDate is missing";
      case WireError::digest_mismatch: return "payload digest does not match its SHA-256";
      case WireError::invalid_uuid: return "invalid UUID";
      case WireError::invalid_json: return "payload is not valid JSON";
      case WireError::missing_field: return "JSON field missing";
      case WireError::wrong_field_type: return "JSON field has the wrong type";
      case WireError::wrong_payload_type: return "payload does not belong to this message or payload type";
      case WireError::invalid_base64: return "invalid base64";
    }
    return "unknown wire error";
  }
};

}  // namespace

const std::error_category& wire_category() noexcept {
  static const WireCategory category;
  return category;
}

}  // namespace ssm::wire
