// Secret masking of log lines (log/redact.h).
#include <gtest/gtest.h>

#include "log/redact.h"

namespace ssm::log {
namespace {

TEST(Redact, TextWithoutSecretsIsUnchanged) {
  for (std::string text : {"", "nothing secret here", R"({"SessionId":"s-1","StreamUrl":"wss://h/x"})",
                           "Credential=AKIDEXAMPLE/20260101/us-east-1/ssm/aws4_request", "Token", "\"Token\""})
    EXPECT_EQ(redact(text), text);
}

TEST(Redact, EveryJsonSecretKey) {
  for (std::string key : {"TokenValue", "Token", "SecretAccessKey", "SessionToken", "secretAccessKey", "sessionToken",
                          "CiphertextBlob", "Plaintext", "KMSCipherTextKey"}) {
    EXPECT_EQ(redact(R"({"a":"b",")" + key + R"(":"SECRET-1","c":"d"})"),
              R"({"a":"b",")" + key + R"(":"<redacted>","c":"d"})")
        << key;
  }
}

TEST(Redact, JsonKeysInAnyCaseAndSpacing) {
  EXPECT_EQ(redact(R"({"tokenvalue" :  "abc"})"), R"({"tokenvalue" :  "<redacted>"})");
  EXPECT_EQ(redact(R"({"SECRETACCESSKEY":"abc"})"), R"({"SECRETACCESSKEY":"<redacted>"})");
}

TEST(Redact, EscapedQuotesInsideTheValueAreHiddenToo) {
  EXPECT_EQ(redact(R"({"SessionId":"s","TokenValue":"abc\"def","StreamUrl":"wss://x"})"),
            R"({"SessionId":"s","TokenValue":"<redacted>","StreamUrl":"wss://x"})");
}

TEST(Redact, JsonInsideAJsonString) {
  EXPECT_EQ(redact(R"({"Payload":"{\"TokenValue\":\"abc\",\"x\":1}"})"),
            R"({"Payload":"{\"TokenValue\":\"<redacted>\",\"x\":1}"})");
}

TEST(Redact, TruncatedValueIsHiddenToTheEnd) {
  EXPECT_EQ(redact(R"({"TokenValue":"abcdef)"), R"({"TokenValue":"<redacted>)");
}

TEST(Redact, OnlyWholeKeysWithStringValues) {
  EXPECT_EQ(redact(R"({"TokenValueHint":"x","MyToken":"y","Token":null,"Plaintext":3})"),
            R"({"TokenValueHint":"x","MyToken":"y","Token":null,"Plaintext":3})");
}

TEST(Redact, EveryOccurrence) {
  EXPECT_EQ(redact(R"([{"Token":"a"},{"Token":"b"},{"TokenValue":"c"}])"),
            R"([{"Token":"<redacted>"},{"Token":"<redacted>"},{"TokenValue":"<redacted>"}])");
}

TEST(Redact, AuthorizationHeaderKeepsEverythingButTheSignature) {
  EXPECT_EQ(redact("Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ssmmessages/aws4_request, "
                   "SignedHeaders=host;x-amz-date, Signature=0123abcdef"),
            "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ssmmessages/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=<redacted>");
}

TEST(Redact, PresignedQueryParameters) {
  EXPECT_EQ(redact("wss://h/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Fus-east-1"
                   "&X-Amz-Signature=abc123&X-Amz-Security-Token=tok%2F&role=p"),
            "wss://h/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Fus-east-1"
            "&X-Amz-Signature=<redacted>&X-Amz-Security-Token=<redacted>&role=p");
}

TEST(Redact, SecurityTokenAndSignatureHeaders) {
  EXPECT_EQ(redact("X-Amz-Security-Token: IQoJb3JpZ2lu"), "X-Amz-Security-Token: <redacted>");
  EXPECT_EQ(redact("x-amz-security-token:IQoJ\r\nHost: h"), "x-amz-security-token:<redacted>\r\nHost: h");
}

TEST(Redact, CredentialsFileAndEnvironmentLines) {
  EXPECT_EQ(redact("[default]\naws_access_key_id = AKID\naws_secret_access_key = wJalrXUtnFEMI\n"
                   "aws_session_token=IQo\naws_security_token =  old"),
            "[default]\naws_access_key_id = AKID\naws_secret_access_key = <redacted>\n"
            "aws_session_token=<redacted>\naws_security_token =  <redacted>");
  EXPECT_EQ(redact("AWS_SECRET_ACCESS_KEY=wJalr AWS_SESSION_TOKEN=IQo AWS_REGION=us-east-1"),
            "AWS_SECRET_ACCESS_KEY=<redacted> AWS_SESSION_TOKEN=<redacted> AWS_REGION=us-east-1");
  EXPECT_EQ(redact("aws_session_token_expiry = 2026"), "aws_session_token_expiry = 2026");
}

}  // namespace
}  // namespace ssm::log
