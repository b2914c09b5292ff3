// libFuzzer: every JSON payload parser of lib/wire. The first byte picks the parser, the rest
// is the text. Parsers must never throw or crash; what parses must encode and parse again.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/base64.h"
#include "wire/payloads.h"

namespace {

using namespace ssm::wire;

template <typename T>
void round_trip(std::string_view text) {
  T value;
  if (parse(text, value)) return;
  T again;
  if (parse(to_json(value), again)) std::abort();
}

template <typename T>
void from_value(std::string_view text) {
  const Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return;
  T value;
  (void)parse(j, value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 13) {
    case 0: round_trip<OpenDataChannel>(text); break;
    case 1: round_trip<Acknowledge>(text); break;
    case 2: round_trip<ChannelClosed>(text); break;
    case 3: round_trip<HandshakeRequest>(text); break;
    case 4: round_trip<HandshakeResponse>(text); break;
    case 5: round_trip<HandshakeComplete>(text); break;
    case 6: round_trip<EncryptionChallenge>(text); break;
    case 7: round_trip<TerminalSize>(text); break;
    case 8: round_trip<PortParameters>(text); break;
    case 9: from_value<SessionTypeRequest>(text); break;
    case 10: from_value<KmsEncryptionRequest>(text); break;
    case 11: from_value<KmsEncryptionResponse>(text); break;
    case 12: {
      auto bytes = base64_decode(text);
      if (bytes && base64_decode(base64_encode(*bytes)) != bytes) std::abort();
      break;
    }
  }
  return 0;
}
