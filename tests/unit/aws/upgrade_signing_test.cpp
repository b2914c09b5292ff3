// The WebSocket upgrade's signature (protocol-updates.md §2): vectors that botocore's
// SigV4Auth produces for the same GET, and the reference's query and path rules where
// botocore differs ('+' read as a space, escaped paths escaped again).
#include <gtest/gtest.h>

#include "aws/upgrade_signing.h"

namespace ssm::aws {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::int64_t k20240115T093000Z = 1705311000;
constexpr const char* kStreamUrl =
    "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/alice-0123456789abcdef0"
    "?role=publish_subscribe&cell-number=AAEAAQ";

std::string header(const HeaderList& h, const std::string& name) {
  for (const auto& [n, v] : h)
    if (n == name) return v;
  return "<absent>";
}

// The canonical request's third line.
std::string canonical_query(std::string_view target) {
  const std::string c = canonical_request(signable_from_target("GET", target));
  const auto first = c.find('\n'), second = c.find('\n', first + 1), third = c.find('\n', second + 1);
  return c.substr(second + 1, third - second - 1);
}

std::string canonical_path(std::string_view target) {
  const std::string c = canonical_request(signable_from_target("GET", target));
  const auto first = c.find('\n'), second = c.find('\n', first + 1);
  return c.substr(first + 1, second - first - 1);
}

TEST(UpgradeSigning, MatchesBotocoreWithLongTermKey) {
  const auto h = sign_stream_upgrade(kStreamUrl, "us-east-1", {"AKIDEXAMPLE", kSecret, {}}, k20240115T093000Z);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->size(), 2u);
  EXPECT_EQ(header(*h, "X-Amz-Date"), "20240115T093000Z");
  EXPECT_EQ(header(*h, "X-Amz-Security-Token"), "<absent>");
  EXPECT_EQ(header(*h, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/ssmmessages/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=67ccefece8eff5df1ed8e93ffe6ed6204d68dc4697eae79440f5edfded901914");
}

TEST(UpgradeSigning, MatchesBotocoreWithSessionToken) {
  const auto h = sign_stream_upgrade(kStreamUrl, "us-east-1",
                                     {"AKIDEXAMPLE", kSecret, "IQoJb3JpZ2luX2VjEXAMPLETOKEN=="}, k20240115T093000Z);
  ASSERT_TRUE(h);
  EXPECT_EQ(header(*h, "X-Amz-Security-Token"), "IQoJb3JpZ2luX2VjEXAMPLETOKEN==");
  EXPECT_EQ(header(*h, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/ssmmessages/aws4_request, "
            "SignedHeaders=host;x-amz-date;x-amz-security-token, "
            "Signature=26a1c4dbdc42df343ce2d36ed17e1cd043ba40c9b1b978740700d094b66dcb88");
}

TEST(UpgradeSigning, EmptyRegionStaysInTheScope) {
  const auto h = sign_stream_upgrade(kStreamUrl, "", {"AKIDEXAMPLE", kSecret, {}}, k20240115T093000Z);
  ASSERT_TRUE(h);
  EXPECT_NE(header(*h, "Authorization").find("Credential=AKIDEXAMPLE/20240115//ssmmessages/aws4_request,"),
            std::string::npos);
}

TEST(UpgradeSigning, UnparsableUrlIsNotSigned) {
  EXPECT_FALSE(sign_stream_upgrade("not a url", "us-east-1", {"AKIDEXAMPLE", kSecret, {}}, k20240115T093000Z));
}

TEST(UpgradeSigning, QueryIsFormDecodedThenEncoded) {
  // cell-number values are base64-like: raw '+' is a space to the reference, '/' and '='
  // are escaped; keys and values are sorted.
  EXPECT_EQ(canonical_query("/v1/data-channel/s?role=publish_subscribe&cell-number=ab+c/d=="),
            "cell-number=ab%20c%2Fd%3D%3D&role=publish_subscribe");
  EXPECT_EQ(canonical_query("/p?b=2&a=%7e&b=1&flag"), "a=~&b=1&b=2&flag=");
}

TEST(UpgradeSigning, QueryPiecesThatDoNotParseAreLeftOut) {
  EXPECT_EQ(canonical_query("/p?a=%zz&b=1&c=2;d=3&&e=%4"), "b=1");
}

TEST(UpgradeSigning, PathIsEscapedOnceMore) {
  EXPECT_EQ(canonical_path("/v1/data-channel/a@b+c=d,e:f?role=publish_subscribe"),
            "/v1/data-channel/a%40b%2Bc%3Dd%2Ce%3Af");
  EXPECT_EQ(canonical_path("/v1/data-channel/a%2Fb"), "/v1/data-channel/a%252Fb");
  EXPECT_EQ(canonical_path("?x=1"), "/");
}

TEST(UpgradeSigning, PresignedUrlsAreRecognisedByTheirKeys) {
  const std::string base = "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/s?role=publish_subscribe";
  for (const char* key : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
                          "X-Amz-Signature", "X-Amz-Security-Token"})
    EXPECT_TRUE(is_presigned_url(base + "&" + key + "=v")) << key;
  EXPECT_FALSE(is_presigned_url(base));
  EXPECT_FALSE(is_presigned_url(base + "&x-amz-signature=v")) << "keys are case-sensitive";
  EXPECT_FALSE(is_presigned_url(base + "&X-Amz-Signaturex=v"));
  EXPECT_FALSE(is_presigned_url("::not a url?X-Amz-Signature=v"));
}

}  // namespace
}  // namespace ssm::aws
