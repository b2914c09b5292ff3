// The session cipher against every vector of protocol-smux-kms-aws.md §2.8, byte for byte,
// and its refusals: tampered, short, wrong key, bad key size.
#include <gtest/gtest.h>

#include <numeric>
#include <string>

#include "crypto/session_cipher.h"
#include "wire/payloads.h"

namespace ssm::crypto {
namespace {

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

// §2.8: Plaintext = 00 01 02 ... 3f.
std::vector<std::uint8_t> example_data_key() {
  std::vector<std::uint8_t> key(kDataKeySize);
  std::iota(key.begin(), key.end(), 0);
  return key;
}

// Always the nonce first, first+1, ..., first+11 (the examples' nonces).
NonceSource fixed_nonce(std::uint8_t first) {
  return [first](Nonce& n) {
    std::iota(n.begin(), n.end(), first);
    return true;
  };
}

std::unique_ptr<SessionCipher> cipher(CipherSide side, std::uint8_t nonce_first) {
  auto c = SessionCipher::make(side, example_data_key(), fixed_nonce(nonce_first));
  EXPECT_TRUE(c);
  return c;
}

const auto kHelloSealed = from_hex("000102030405060708090a0b343731cb25fb6b6d50e4ed83c749b851c5fa918ab5");
const auto kWorldSealed = from_hex("a0a1a2a3a4a5a6a7a8a9aaab91770e4121c6080b10624c6321fedb0bc82a192966d6ee");
constexpr std::string_view kChallengeRequest =
    R"({"Challenge":"sLGys7S1tre4ubq7qWRomNj4jWh/wfbArjntpLQNe+EhG7kCZvfjkz/ml3A1ehEJV+uQj51iwShf3efTHVwl9C8OdMd1sw1SZ/9Fma6K5f9BP70z3TlU+8AqKko="})";
constexpr std::string_view kChallengeResponse =
    R"({"Challenge":"wMHCw8TFxsfIycrLWqILwrdafdxCHD/ZSrmmarF9sOMokmBaQXZhw5bVzFKx/WB73ksVYceoX5a8m+KOqUgbBH7PWkIdA+ebZW3OR+yAJsAJonvXeFFnbuOC5Qw="})";

std::vector<std::uint8_t> challenge_plaintext() {
  std::string s;
  for (int i = 0; i < 4; ++i) s += "0123456789abcdef";
  return bytes(s);
}

TEST(SessionCipher, PluginSealsOutputWithTheSecondHalf) {
  auto plugin = cipher(CipherSide::plugin, 0x00);
  const auto sealed = plugin->seal(bytes("hello"));
  ASSERT_TRUE(sealed);
  EXPECT_EQ(*sealed, kHelloSealed);
  EXPECT_EQ(sealed->size(), 5 + kSealOverhead);

  auto agent = cipher(CipherSide::agent, 0x00);
  const Opened opened = agent->open(kHelloSealed);
  ASSERT_TRUE(opened) << describe(opened.error);
  EXPECT_EQ(opened.plaintext, bytes("hello"));
}

TEST(SessionCipher, AgentSealsOutputWithTheFirstHalf) {
  auto agent = cipher(CipherSide::agent, 0xa0);
  const auto sealed = agent->seal(bytes("world\r\n"));
  ASSERT_TRUE(sealed);
  EXPECT_EQ(*sealed, kWorldSealed);

  auto plugin = cipher(CipherSide::plugin, 0x00);
  const Opened opened = plugin->open(kWorldSealed);
  ASSERT_TRUE(opened) << describe(opened.error);
  EXPECT_EQ(opened.plaintext, bytes("world\r\n"));
}

TEST(SessionCipher, ChallengeRequestAndResponseOfTheWorkedExample) {
  // The agent's request: 64 bytes sealed with K[0..31] under nonce b0..bb.
  auto agent = cipher(CipherSide::agent, 0xb0);
  const auto request = agent->seal(challenge_plaintext());
  ASSERT_TRUE(request);
  EXPECT_EQ(wire::to_json(wire::EncryptionChallenge{*request}), kChallengeRequest);

  // The plugin opens it with K[0..31] and seals the same bytes with K[32..63] under c0..cb.
  wire::EncryptionChallenge received;
  ASSERT_FALSE(wire::parse(kChallengeRequest, received));
  auto plugin = cipher(CipherSide::plugin, 0xc0);
  const Opened answer = answer_challenge(*plugin, received.challenge);
  ASSERT_TRUE(answer) << describe(answer.error);
  EXPECT_EQ(wire::to_json(wire::EncryptionChallenge{answer.plaintext}), kChallengeResponse);

  // And the agent finds its 64 bytes in it.
  const Opened verified = agent->open(answer.plaintext);
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified.plaintext, challenge_plaintext());
}

TEST(SessionCipher, AnyChangedByteFailsAuthentication) {
  auto plugin = cipher(CipherSide::plugin, 0x00);
  for (std::size_t i = 0; i < kWorldSealed.size(); ++i) {  // nonce, ciphertext and tag alike
    auto tampered = kWorldSealed;
    tampered[i] ^= 0x01;
    const Opened opened = plugin->open(tampered);
    EXPECT_EQ(opened.error, OpenError::not_authentic) << "byte " << i;
    EXPECT_TRUE(opened.plaintext.empty());
  }
}

TEST(SessionCipher, TheWrongHalfFailsAuthentication) {
  // The plugin's own sealed output is not for the plugin to open.
  auto plugin = cipher(CipherSide::plugin, 0x00);
  EXPECT_EQ(plugin->open(kHelloSealed).error, OpenError::not_authentic);
}

TEST(SessionCipher, ShortPayloadsAreRefusedCleanly) {
  auto plugin = cipher(CipherSide::plugin, 0x00);
  for (std::size_t n : {0u, 1u, 11u, 12u, 27u}) {
    const std::vector<std::uint8_t> short_payload(n, 0xab);
    EXPECT_EQ(plugin->open(short_payload).error, OpenError::too_short) << n;
  }
  // 28 bytes is the size of a sealed empty plaintext: well-formed, but this one is not authentic.
  EXPECT_EQ(plugin->open(std::vector<std::uint8_t>(kSealOverhead, 0)).error, OpenError::not_authentic);
}

TEST(SessionCipher, EmptyPlaintextRoundTrips) {
  auto agent = cipher(CipherSide::agent, 0x10);
  auto plugin = cipher(CipherSide::plugin, 0x20);
  const auto sealed = agent->seal({});
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->size(), kSealOverhead);
  const Opened opened = plugin->open(*sealed);
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened.plaintext.empty());
}

TEST(SessionCipher, DataKeyMustBeSixtyFourBytes) {
  auto key = example_data_key();
  key.pop_back();
  EXPECT_FALSE(SessionCipher::make(CipherSide::plugin, key));
  key.resize(65);
  EXPECT_FALSE(SessionCipher::make(CipherSide::plugin, key));
}

TEST(SessionCipher, NoNonceNoSeal) {
  auto c = SessionCipher::make(CipherSide::plugin, example_data_key(), [](Nonce&) { return false; });
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->seal(bytes("x")));
}

TEST(SessionCipher, RandomNoncesDifferPerMessage) {
  auto plugin = SessionCipher::make(CipherSide::plugin, example_data_key());
  auto agent = SessionCipher::make(CipherSide::agent, example_data_key());
  ASSERT_TRUE(plugin && agent);
  const auto a = plugin->seal(bytes("same")), b = plugin->seal(bytes("same"));
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(agent->open(*a).plaintext, bytes("same"));
  EXPECT_EQ(agent->open(*b).plaintext, bytes("same"));
}

TEST(SessionCipher, AChallengeThatDoesNotOpenIsNotAnswered) {
  auto plugin = cipher(CipherSide::plugin, 0xc0);
  EXPECT_EQ(answer_challenge(*plugin, kHelloSealed).error, OpenError::not_authentic);
  EXPECT_EQ(answer_challenge(*plugin, std::vector<std::uint8_t>(5)).error, OpenError::too_short);
}

}  // namespace
}  // namespace ssm::crypto
