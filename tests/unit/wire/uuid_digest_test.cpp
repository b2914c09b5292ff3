#include <gtest/gtest.h>

#include <set>

#include "base/text.h"
#include "test_util.h"
#include "wire/digest.h"
#include "wire/uuid.h"

namespace ssm::wire {
namespace {

TEST(Uuid, ParsesAndPrintsLowercase) {
  auto u = Uuid::parse("DD01E56B-FF48-483E-A508-B5F073F31B16");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->to_string(), "dd01e56b-ff48-483e-a508-b5f073f31b16");
  EXPECT_EQ(base::hex_lower(u->bytes), "dd01e56bff48483ea508b5f073f31b16");
}

TEST(Uuid, WireOrderSwapsHalves) {
  auto u = *Uuid::parse("dd01e56b-ff48-483e-a508-b5f073f31b16");
  std::uint8_t wire[16];
  u.to_wire(wire);
  EXPECT_EQ(base::hex_lower(wire), "a508b5f073f31b16dd01e56bff48483e");
  EXPECT_EQ(Uuid::from_wire(wire), u);
}

TEST(Uuid, RejectsMalformedText) {
  for (const char* bad : {"", "dd01e56b-ff48-483e-a508-b5f073f31b1", "dd01e56bxff48-483e-a508-b5f073f31b16",
                          "gd01e56b-ff48-483e-a508-b5f073f31b16", "dd01e56b-ff48-483e-a508-b5f073f31b16-"})
    EXPECT_FALSE(Uuid::parse(bad)) << bad;
}

TEST(Uuid, RandomV4HasVersionAndVariant) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto u = Uuid::random_v4();
    EXPECT_TRUE(u.is_rfc4122());
    EXPECT_EQ(u.bytes[6] >> 4, 4);
    seen.insert(u.to_string());
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_FALSE(Uuid{}.is_rfc4122());
  EXPECT_TRUE(Uuid{}.is_nil());
}

TEST(Digest, Sha256OfPayload) {
  auto d = sha256(test::bytes_of("payload"));
  EXPECT_EQ(base::hex_lower(d), "239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5");
}

}  // namespace
}  // namespace ssm::wire
