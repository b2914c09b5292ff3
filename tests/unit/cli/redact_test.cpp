#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "log/log.h"

namespace ssm::log {
namespace {

TEST(Redact, JsonSecrets) {
  EXPECT_EQ(redact(R"({"SessionId":"s","TokenValue":"abc\"def","StreamUrl":"wss://x"})"),
            R"({"SessionId":"s","TokenValue":"<redacted>","StreamUrl":"wss://x"})");
  EXPECT_EQ(redact(R"({"SecretAccessKey": "wJalr", "SessionToken":"IQoJ"})"),
            R"({"SecretAccessKey": "<redacted>", "SessionToken":"<redacted>"})");
  EXPECT_EQ(redact(R"("CiphertextBlob":"AQID","Plaintext":"BAUG")"), R"("CiphertextBlob":"<redacted>","Plaintext":"<redacted>")");
}

TEST(Redact, SignaturesAndTokensInHeadersAndQueries) {
  EXPECT_EQ(redact("Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ssm/aws4_request, "
                   "SignedHeaders=host;x-amz-date, Signature=0123abcdef"),
            "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ssm/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=<redacted>");
  EXPECT_EQ(redact("wss://h/x?X-Amz-Signature=abc123&X-Amz-Security-Token=tok%2F&role=p"),
            "wss://h/x?X-Amz-Signature=<redacted>&X-Amz-Security-Token=<redacted>&role=p");
  EXPECT_EQ(redact("X-Amz-Security-Token: IQoJb3JpZ2lu"), "X-Amz-Security-Token: <redacted>");
  EXPECT_EQ(redact("aws_secret_access_key = wJalrXUtnFEMI\naws_session_token=IQo"),
            "aws_secret_access_key = <redacted>\naws_session_token=<redacted>");
  EXPECT_EQ(redact("nothing secret here"), "nothing secret here");
}

TEST(Logging, OffByDefaultThenFilteredByLevelAndRedacted) {
  configure("", Level::info);
  EXPECT_FALSE(enabled(Level::error));
  const std::string path = ::testing::TempDir() + "ssm-log-test.log";
  std::remove(path.c_str());
  configure(path, Level::info);
  EXPECT_FALSE(enabled(Level::debug));
  EXPECT_TRUE(enabled(Level::warn));
  SSM_LOG(debug, "hidden line");
  SSM_LOG(info, R"(visible {"TokenValue":"SECRET-TOKEN-123"})");
  configure("", Level::off);
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  EXPECT_EQ(text.find("hidden"), std::string::npos);
  EXPECT_NE(text.find(" INFO visible {\"TokenValue\":\"<redacted>\"}"), std::string::npos) << text;
  EXPECT_EQ(text.find("SECRET-TOKEN-123"), std::string::npos);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ssm::log
