// SigV4 against AWS's published test suite and the project's vectors
// (protocol-smux-kms-aws.md §3.6): every intermediate step, byte for byte.
#include <gtest/gtest.h>

#include "aws/sigv4.h"
#include "base/text.h"

namespace ssm::aws {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// The official suite: region us-east-1, service "service", 20150830T123600Z.
struct SuiteCase {
  const char* name;
  const char* method;
  std::vector<std::pair<std::string, std::string>> extra_headers;
  const char* body;
  const char* token;
  const char* signed_headers;
  const char* signature;
};

TEST(SigV4, OfficialTestSuite) {
  const SuiteCase cases[] = {
      {"get-vanilla", "GET", {}, "", "", "host;x-amz-date",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"post-vanilla", "POST", {}, "", "", "host;x-amz-date",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-x-www-form-urlencoded", "POST", {{"Content-Type", "application/x-www-form-urlencoded"}}, "Param1=value1", "",
       "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      {"get-vanilla-with-session-token", "GET", {}, "", "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
       "host;x-amz-date;x-amz-security-token", "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"},
  };
  for (const auto& c : cases) {
    SignableRequest r;
    r.method = c.method;
    r.headers = {{"Host", "example.amazonaws.com"}};
    for (const auto& h : c.extra_headers) r.headers.push_back(h);
    r.body = c.body;
    const std::string auth = sign(r, {"us-east-1", "service", "20150830T123600Z"}, {"AKIDEXAMPLE", kSecret, c.token});
    EXPECT_EQ(auth, std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                                "SignedHeaders=") +
                        c.signed_headers + ", Signature=" + c.signature)
        << c.name;
  }
}

TEST(SigV4, OfficialIntermediates) {
  SignableRequest r;
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Host", "example.amazonaws.com"},
               {"X-Amz-Date", "20150830T123600Z"}};
  r.body = "Param1=value1";
  EXPECT_EQ(sha256_hex(r.body), "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  EXPECT_EQ(sha256_hex(canonical_request(r)), "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
  auto key = signing_key(kSecret, "20150830", "us-east-1", "service");
  EXPECT_EQ(base::hex_lower(key), "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75");
  key = signing_key(kSecret, "20150830", "us-east-1", "iam");
  EXPECT_EQ(base::hex_lower(key), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

SignableRequest json_call(const char* host, const char* target, const char* body) {
  SignableRequest r;
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"Host", host}, {"X-Amz-Target", target}};
  r.body = body;
  return r;
}

constexpr const char* kSessionBody = R"({"SessionId":"alice-0123456789abcdef0"})";

TEST(SigV4, ExampleAResumeSession) {
  SignableRequest r = json_call("ssm.us-east-1.amazonaws.com", "AmazonSSM.ResumeSession", kSessionBody);
  const SigningScope scope{"us-east-1", "ssm", "20240115T093000Z"};
  EXPECT_EQ(sha256_hex(r.body), "b49524f6c436109a99e4dc07203ba97b9ff765c4dc05cc776f5218b09909234e");
  const std::string auth = sign(r, scope, {"AKIDEXAMPLE", kSecret, ""});
  EXPECT_EQ(canonical_request(SignableRequest{r.method, r.path, r.query,
                                              {r.headers.begin(), r.headers.end() - 1}, r.body}),
            "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:ssm.us-east-1.amazonaws.com\n"
            "x-amz-date:20240115T093000Z\nx-amz-target:AmazonSSM.ResumeSession\n\n"
            "content-type;host;x-amz-date;x-amz-target\n"
            "b49524f6c436109a99e4dc07203ba97b9ff765c4dc05cc776f5218b09909234e");
  const auto key = signing_key(kSecret, "20240115", "us-east-1", "ssm");
  EXPECT_EQ(base::hex_lower(key), "32d8d5b7f8807050198d46bf5e8fd32fcab9c799430f4138f9d49ca0605c1e84");
  EXPECT_EQ(auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/ssm/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            "Signature=6370daf4a366c567532c47625fa0e432cfb27ba11f40d63aded2b66e34d3ab71");
}

TEST(SigV4, ExampleBTerminateSessionWithToken) {
  SignableRequest r = json_call("ssm.eu-west-1.amazonaws.com", "AmazonSSM.TerminateSession", kSessionBody);
  const std::string auth =
      sign(r, {"eu-west-1", "ssm", "20240115T093000Z"}, {"ASIAEXAMPLEEXAMPLE01", kSecret, "IQoJb3JpZ2luX2VjEXAMPLETOKEN=="});
  EXPECT_NE(auth.find("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "), std::string::npos);
  EXPECT_NE(auth.find("Signature=3366c422c7bb1480601774050a414dca9c08e6d1a2b8c886e81caabf41230137"), std::string::npos)
      << auth;
  bool has_token = false;
  for (const auto& [name, value] : r.headers) has_token |= name == "X-Amz-Security-Token" && value == "IQoJb3JpZ2luX2VjEXAMPLETOKEN==";
  EXPECT_TRUE(has_token);
}

TEST(SigV4, ExampleCGenerateDataKey) {
  SignableRequest r = json_call(
      "kms.us-east-1.amazonaws.com", "TrentService.GenerateDataKey",
      R"({"EncryptionContext":{"aws:ssm:SessionId":"alice-0123456789abcdef0","aws:ssm:TargetId":"i-0123456789abcdef0"},"KeyId":"alias/session-key","NumberOfBytes":64})");
  EXPECT_EQ(sha256_hex(r.body), "99030dfa296376d147e44a8c04fc16a39aa81812549a9100180678c3e6372862");
  const std::string auth = sign(r, {"us-east-1", "kms", "20240115T093000Z"}, {"AKIDEXAMPLE", kSecret, ""});
  EXPECT_NE(auth.find("Signature=5500fb72344f11a5adcca5ca9e3a61e8f9b2d3ddd7879bb1439564c3bf02ba54"), std::string::npos)
      << auth;
}

TEST(SigV4, QueryStringsAreEncodedAndSorted) {
  SignableRequest r;
  r.method = "GET";
  r.path = "/v1/data-channel/s-1";
  r.query = {{"role", "publish_subscribe"}, {"a b", "x/y"}};
  r.headers = {{"Host", "h"}};
  const std::string c = canonical_request(r);
  EXPECT_EQ(c.substr(0, c.find("\nhost")), "GET\n/v1/data-channel/s-1\na%20b=x%2Fy&role=publish_subscribe");
}

TEST(SigV4, AmzDateIsUtc) { EXPECT_EQ(amz_date(1440938160), "20150830T123600Z"); }

TEST(SigV4, AmzDateAcrossTheCalendar) {
  EXPECT_EQ(amz_date(0), "19700101T000000Z");
  EXPECT_EQ(amz_date(-1), "19691231T235959Z");
  EXPECT_EQ(amz_date(951868799), "20000229T235959Z");  // a leap day in a century year
  EXPECT_EQ(amz_date(1709251199), "20240229T235959Z");
  EXPECT_EQ(amz_date(2147483648), "20380119T031408Z");  // past 32-bit time_t
}

TEST(SigV4, KeysLongerThanAnHmacBlockAreHashedFirst) {
  // "AWS4" + a 70-character secret is 74 bytes, over SHA-256's 64-byte block (RFC 2104);
  // the expected key is Python's hmac module's.
  const auto key = signing_key(std::string(70, 'x'), "20150830", "us-east-1", "iam");
  EXPECT_EQ(base::hex_lower(key), "c5136e8b4984083fd6bc1b09dd9008c16eb66b4a07b5e94fbdf395f905e2ff04");
}

TEST(SigV4, HeaderValuesAreTrimmedAndCollapsed) {
  SignableRequest r;
  r.headers = {{"Host", "h"}, {"My-Header1", "  a   b   c  "}};
  EXPECT_NE(canonical_request(r).find("\nmy-header1:a b c\n"), std::string::npos);
}

}  // namespace
}  // namespace ssm::aws

#include "aws/json_client.h"

namespace ssm::aws {
namespace {

TEST(AwsErrors, OneReadableLine) {
  EXPECT_EQ(describe_aws_error(400, R"({"__type":"com.amazonaws.ssm#InvalidDocument","message":"no such doc"})"),
            "InvalidDocument: no such doc (HTTP 400)");
  EXPECT_EQ(describe_aws_error(403, R"({"__type":"UnrecognizedClientException","Message":"bad token"})"),
            "UnrecognizedClientException: bad token (HTTP 403)");
  EXPECT_EQ(describe_aws_error(502, "<html>"), "HTTP error (HTTP 502)");
}

}  // namespace
}  // namespace ssm::aws
