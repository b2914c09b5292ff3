#include "wire/uuid.h"

#include <sys/random.h>

#include <cerrno>
#include <span>
#include <stdexcept>

#include "base/text.h"

namespace ssm::wire {

std::optional<Uuid> Uuid::parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid u;
  std::size_t out = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int hi = base::hex_value(text[i]);
    const int lo = base::hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    u.bytes[out++] = static_cast<std::uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return u;
}

namespace {

// Message ids only need to be unique, not secret: a xoshiro256** generator seeded once per
// thread from the kernel costs a few nanoseconds per id instead of half a microsecond, and ids
// are made for every message and every ack. The seed comes from getrandom(2), not OpenSSL,
// whose generator would first start its providers and load its configuration (milliseconds).
class IdGenerator {
 public:
  IdGenerator() {
    auto* out = reinterpret_cast<unsigned char*>(s_);
    for (std::size_t got = 0; got < sizeof s_;) {
      const ssize_t n = getrandom(out + got, sizeof s_ - got, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("getrandom failed");
      got += static_cast<std::size_t>(n);
    }
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace

Uuid Uuid::random_v4() {
  thread_local IdGenerator generator;
  Uuid u;
  for (int half = 0; half < 2; ++half) {
    const std::uint64_t v = generator.next();
    for (int i = 0; i < 8; ++i) u.bytes[half * 8 + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
  u.bytes[6] = static_cast<std::uint8_t>((u.bytes[6] & 0x0f) | 0x40);
  u.bytes[8] = static_cast<std::uint8_t>((u.bytes[8] & 0x3f) | 0x80);
  return u;
}

std::string Uuid::to_string() const {
  const std::span<const std::uint8_t> b(bytes);
  return base::hex_lower(b.subspan(0, 4)) + '-' + base::hex_lower(b.subspan(4, 2)) + '-' +
         base::hex_lower(b.subspan(6, 2)) + '-' + base::hex_lower(b.subspan(8, 2)) + '-' + base::hex_lower(b.subspan(10));
}

bool Uuid::is_nil() const {
  for (auto b : bytes)
    if (b != 0) return false;
  return true;
}

bool Uuid::is_rfc4122() const {
  const int version = bytes[6] >> 4;
  return (bytes[8] & 0xc0) == 0x80 && version >= 1 && version <= 8;
}

void Uuid::to_wire(std::uint8_t* out16) const {
  for (int i = 0; i < 8; ++i) {
    out16[i] = bytes[8 + i];
    out16[8 + i] = bytes[i];
  }
}

Uuid Uuid::from_wire(const std::uint8_t* in16) {
  Uuid u;
  for (int i = 0; i < 8; ++i) {
    u.bytes[8 + i] = in16[i];
    u.bytes[i] = in16[8 + i];
  }
  return u;
}

}  // namespace ssm::wire
