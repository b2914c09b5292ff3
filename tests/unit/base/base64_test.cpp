// Standard base64 with padding: RFC 4648's vectors, every length both ways, and the strict
// decoder's refusals.
#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/base64.h"

namespace ssm::base {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Base64, KnownVectors) {
  EXPECT_EQ(base64_encode(bytes_of("")), "");
  EXPECT_EQ(base64_encode(bytes_of("f")), "Zg==");
  EXPECT_EQ(base64_encode(bytes_of("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(bytes_of("foo")), "Zm9v");
  EXPECT_EQ(base64_encode(bytes_of("foobar")), "Zm9vYmFy");
  EXPECT_EQ(*base64_decode("Zm9vYmE="), bytes_of("fooba"));
  EXPECT_EQ(*base64_decode("Zg=="), bytes_of("f"));
  EXPECT_EQ(*base64_decode(""), bytes_of(""));
}

TEST(Base64, TextEncodesItsBytes) {
  // The proxy's Basic credential: base64("user:pass").
  EXPECT_EQ(base64_encode(std::string_view("user:pass")), "dXNlcjpwYXNz");
  EXPECT_EQ(base64_encode(std::string_view("us er:p@ss:w")), base64_encode(bytes_of("us er:p@ss:w")));
  EXPECT_EQ(base64_encode(std::string_view("")), "");
}

TEST(Base64, AllAlphabetAndHighBytes) {
  const std::vector<std::uint8_t> data = {0xfb, 0xff, 0xbf, 0x00, 0x10, 0x83};
  EXPECT_EQ(base64_encode(data), "+/+/ABCD");
  EXPECT_EQ(*base64_decode("+/+/ABCD"), data);
}

TEST(Base64, RoundTripsAllLengths) {
  std::vector<std::uint8_t> data;
  for (int n = 0; n < 70; ++n) {
    auto back = base64_decode(base64_encode(data));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, data);
    data.push_back(static_cast<std::uint8_t>(n * 37));
  }
}

TEST(Base64, RejectsAnythingButStrictPaddedStandardBase64) {
  for (const char* bad : {"Zg=",        // length not a multiple of 4
                          "Z===",       // too much padding
                          "Zm9v\n",     // white space
                          "Zm 9",       // white space inside
                          "Zg==Zg==",   // padding before the end
                          "Zg",         // padding missing
                          "Zm9-",       // URL-safe alphabet
                          "Zm9_",
                          "*QID",       // not base64 at all
                          "Zm=v"})      // '=' inside a group
    EXPECT_FALSE(base64_decode(bad)) << bad;
}

// RFC 4648 §10's vectors, in the URL-safe alphabet without padding, and bytes that use - and _.
TEST(Base64Url, EncodesWithoutPaddingAndDecodesStrictly) {
  EXPECT_EQ(base64url_encode(std::string_view("")), "");
  EXPECT_EQ(base64url_encode(std::string_view("f")), "Zg");
  EXPECT_EQ(base64url_encode(std::string_view("fo")), "Zm8");
  EXPECT_EQ(base64url_encode(std::string_view("foobar")), "Zm9vYmFy");
  const std::vector<std::uint8_t> specials = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64url_encode(specials), "-_-_");
  EXPECT_EQ(base64url_decode("-_-_"), specials);
  EXPECT_EQ(base64url_decode("Zm8"), (std::vector<std::uint8_t>{'f', 'o'}));
  for (const char* bad : {"Zm8=", "+/+/", "Z", "Zm 8"}) EXPECT_FALSE(base64url_decode(bad)) << bad;
}

}  // namespace
}  // namespace ssm::base
