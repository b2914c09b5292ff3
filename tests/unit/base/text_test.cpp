// ASCII case and hex: only 'A'..'Z' fold, bytes >= 0x80 never do; hex is two lowercase digits
// a byte, and every digit reads back in either case.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "base/text.h"

namespace ssm::base {
namespace {

TEST(AsciiLower, FoldsOnlyAsciiCapitals) {
  EXPECT_EQ(ascii_lower("X-Amz-Date"), "x-amz-date");
  EXPECT_EQ(ascii_lower("HTTPS://Host:443"), "https://host:443");
  EXPECT_EQ(ascii_lower(""), "");
  EXPECT_EQ(ascii_lower("@[`{"), "@[`{");  // the neighbours of 'A'..'Z' and 'a'..'z'
  EXPECT_EQ(ascii_lower("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // UTF-8 "Été": the É stays
  EXPECT_EQ(ascii_lower('Q'), 'q');
  EXPECT_EQ(ascii_lower('q'), 'q');
  EXPECT_EQ(ascii_lower('\xC9'), '\xC9');
}

TEST(Iequals, IgnoresAsciiCaseOnly) {
  EXPECT_TRUE(iequals("Host", "host"));
  EXPECT_TRUE(iequals("SESSIONID", "SessionId"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("host", "hosts"));
  EXPECT_FALSE(iequals("host", "h0st"));
  EXPECT_FALSE(iequals("@", "`"));  // 0x40 and 0x60 differ by the case bit but are not letters
  EXPECT_FALSE(iequals("\xC9", "\xE9"));
}

TEST(IstartsWith, PrefixInAnyCase) {
  EXPECT_TRUE(istarts_with("WSS://ssmmessages", "wss://"));
  EXPECT_TRUE(istarts_with("ws://", "WS://"));
  EXPECT_TRUE(istarts_with("anything", ""));
  EXPECT_FALSE(istarts_with("ws:/", "ws://"));
  EXPECT_FALSE(istarts_with("https://", "wss://"));
}

TEST(HexLower, TwoLowercaseDigitsAByte) {
  EXPECT_EQ(hex_lower(std::vector<std::uint8_t>{}), "");
  EXPECT_EQ(hex_lower(std::vector<std::uint8_t>{0x00, 0x0a, 0xab, 0xff}), "000aabff");
  std::array<std::uint8_t, 256> all{};
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
  const std::string text = hex_lower(all);
  ASSERT_EQ(text.size(), 512u);
  EXPECT_EQ(text.substr(0, 8), "00010203");
  EXPECT_EQ(text.substr(504), "fcfdfeff");
  EXPECT_EQ(text.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(HexValue, EveryDigitInEitherCaseAndNothingElse) {
  for (char c = '0'; c <= '9'; ++c) EXPECT_EQ(hex_value(c), c - '0');
  for (char c = 'a'; c <= 'f'; ++c) EXPECT_EQ(hex_value(c), c - 'a' + 10);
  for (char c = 'A'; c <= 'F'; ++c) EXPECT_EQ(hex_value(c), c - 'A' + 10);
  for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '\xff'}) EXPECT_EQ(hex_value(c), -1) << int(c);
  // hex_lower's output reads back.
  const std::string text = hex_lower(std::vector<std::uint8_t>{0x5e, 0xc0});
  EXPECT_EQ(hex_value(text[0]) << 4 | hex_value(text[1]), 0x5e);
  EXPECT_EQ(hex_value(text[2]) << 4 | hex_value(text[3]), 0xc0);
}

}  // namespace
}  // namespace ssm::base
