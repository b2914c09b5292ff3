// libFuzzer: ClientMessage decoding of arbitrary bytes (protocol.md §3). decode() must never
// crash, read out of bounds or throw (an exception escaping here terminates, which libFuzzer
// reports with the throw site's stack). Whatever decodes must satisfy the framing rules of
// §3.3 as made strict by lib/wire, and must encode and decode again to the same fields.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "wire/client_message.h"
#include "wire/digest.h"

namespace {

using namespace ssm::wire;

// A violated invariant: say which, then trap so that libFuzzer keeps the input.
#define CHECK(cond)                                                               \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::fprintf(stderr, "fuzz_client_message: invariant failed: %s\n", #cond); \
      __builtin_trap();                                                           \
    }                                                                             \
  } while (0)

std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

bool same_fields(const ClientMessage& a, const ClientMessage& b) {
  return a.message_type == b.message_type && a.schema_version == b.schema_version &&
         a.created_date == b.created_date && a.sequence_number == b.sequence_number && a.flags == b.flags &&
         a.message_id == b.message_id && a.payload_type == b.payload_type && a.payload == b.payload;
}

bool is_publication(const ClientMessage& m) {
  return m.message_type == message_type::start_publication || m.message_type == message_type::pause_publication;
}

bool trimmed(std::string_view s) {
  auto edge = [](unsigned char c) { return c == 0 || c == ' ' || (c >= '\t' && c <= '\r'); };
  return s.empty() || (!edge(static_cast<unsigned char>(s.front())) && !edge(static_cast<unsigned char>(s.back())));
}

void check_flag(std::span<const std::uint8_t> payload) {
  std::uint32_t flag = 0;
  if (decode_flag(payload, flag)) return;
  CHECK(payload.size() == 4);
  CHECK(flag == be32(payload.data()));
  CHECK(std::ranges::equal(encode_flag(static_cast<PortFlag>(flag)), payload));
}

void check(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  // Any bytes may arrive as a flag payload, not only those of a well-formed message.
  check_flag(input.first(std::min<std::size_t>(size, 4)));

  ClientMessage m;
  if (decode(input, m)) return;
  CHECK(size >= kPayloadOffset);
  CHECK(m.message_type.size() <= kMessageTypeLength);
  CHECK(trimmed(m.message_type));
  check_flag(m.payload);

  // Fields at fixed offsets (§3.1) are taken from there, whatever HeaderLength says.
  CHECK(m.schema_version == be32(data + 36));
  CHECK(static_cast<std::uint32_t>(m.payload_type) == be32(data + 112));

  const std::uint32_t header_length = be32(data);
  if (is_publication(m)) {
    // Not validated and the payload is not read (client_message.h).
    CHECK(m.payload.empty());
  } else {
    CHECK(is_known_message_type(m.message_type));
    CHECK(m.created_date != 0);
    CHECK(!m.message_id.is_nil());
    CHECK(header_length >= kHeaderLength);
    // Strict framing: the payload is exactly what follows the header, no more, no less.
    CHECK(std::uint64_t{header_length} + 4 + m.payload.size() == size);
    if (header_length == kHeaderLength) CHECK(m.payload.size() + kPayloadOffset == size);
    CHECK(be32(data + kHeaderLength) == m.payload.size());
    CHECK(std::ranges::equal(m.payload, input.subspan(header_length + 4)));
    // One byte less or more than the frame must not decode.
    ClientMessage shorter;
    CHECK(decode(input.first(size - 1), shorter));
  }

  const std::vector<std::uint8_t> encoded = encode(m);
  CHECK(encoded.size() == kPayloadOffset + m.payload.size());
  CHECK(be32(encoded.data()) == kHeaderLength);
  // Schema version, date, sequence number, flags, id, payload type and length are copied verbatim.
  CHECK(std::equal(data + 36, data + 80, encoded.begin() + 36));
  CHECK(std::equal(data + 112, data + 116, encoded.begin() + 112));
  if (!is_publication(m) && header_length == kHeaderLength && !m.payload.empty()) {
    // A checked digest is re-encoded as it came, and so is the whole frame but for the padding
    // of the message type.
    CHECK(std::equal(data + 80, data + 112, encoded.begin() + 80));
    CHECK(std::equal(data + 80, data + size, encoded.begin() + 80));
  }

  ClientMessage back;
  CHECK(!decode(encoded, back));
  CHECK(same_fields(m, back));
  CHECK(encode(back) == encoded);

  if (!is_publication(m)) {
    std::vector<std::uint8_t> longer = encoded;
    longer.push_back(0);
    ClientMessage extra;
    CHECK(decode(longer, extra));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check(data, size);
  // A mutated payload almost never matches its digest, which would leave everything after the
  // digest check to the seeds alone: check a copy whose digest is made to match as well.
  if (size >= kPayloadOffset) {
    const std::uint64_t start = std::uint64_t{be32(data)} + 4;
    if (start >= kPayloadOffset && start <= size) {
      std::vector<std::uint8_t> fixed(data, data + size);
      const Sha256 digest = sha256(std::span<const std::uint8_t>(fixed).subspan(start));
      std::copy(digest.begin(), digest.end(), fixed.begin() + 80);
      if (!std::equal(fixed.begin(), fixed.end(), data)) check(fixed.data(), fixed.size());
    }
  }
  return 0;
}
