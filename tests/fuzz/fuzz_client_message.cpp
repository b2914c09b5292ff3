// libFuzzer: ClientMessage decoding of arbitrary bytes. Decoding must never crash, read out of
// bounds or throw; whatever decodes must encode and decode again to the same fields.
#include <cstdint>
#include <cstdlib>

#include "wire/client_message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ssm::wire;
  ClientMessage m;
  if (decode({data, size}, m)) return 0;
  std::uint32_t flag = 0;
  (void)decode_flag(m.payload, flag);
  if (m.message_type.size() > kMessageTypeLength) std::abort();
  const auto again = encode(m);
  ClientMessage back;
  if (decode(again, back)) {
    // Only publication messages skip validation, so only they may fail to round-trip
    // (their date or id may be zero).
    if (m.message_type != message_type::start_publication && m.message_type != message_type::pause_publication)
      std::abort();
    return 0;
  }
  if (back.message_type != m.message_type || back.sequence_number != m.sequence_number || back.flags != m.flags ||
      back.created_date != m.created_date || !(back.message_id == m.message_id) || back.payload_type != m.payload_type ||
      back.schema_version != m.schema_version || back.payload != m.payload)
    std::abort();
  return 0;
}
