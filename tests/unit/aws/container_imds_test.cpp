// The container endpoint and instance metadata (IMDSv2) against loopback servers, reached
// through the chain as the plugin reaches them: headers, token flow, disabled and
// unreachable services, and errors that name the source without a secret.
#include <gtest/gtest.h>

#include "aws/container_credentials.h"
#include "aws/credential_document.h"
#include "aws/imds_credentials.h"
#include "loopback_http_server.h"

namespace ssm::aws {
namespace {

using namespace ssm::aws::testing;

const std::string kDocument =
    R"({"Code":"Success","AccessKeyId":"ASIADOC","SecretAccessKey":"doc-secret","Token":"doc-token","Expiration":"2031-05-06T07:08:09Z"})";

class EndpointSources : public ::testing::Test {
 protected:
  CredentialOptions options(const std::string& profile = "") {
    CredentialOptions o;
    o.profile = profile;
    o.env = files.env();
    return o;
  }

  asio::io_context io;
  TestEnvironment files;
  std::function<CannedReply(const SeenRequest&)> answer = [](const SeenRequest&) { return CannedReply{200, kDocument}; };
  LoopbackHttpServer server{io, [this](const SeenRequest& r) { return answer(r); }};
};

TEST_F(EndpointSources, ContainerFullUriWithTokenFile) {
  files.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/v1/credentials?id=1";
  files.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = files.write("token", "file-token\n");
  files.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "env-token";  // the file wins
  const auto r = resolve_once(io, options());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.source, "container credentials");
  EXPECT_EQ(r.credentials->access_key_id, "ASIADOC");
  EXPECT_EQ(r.credentials->session_token, "doc-token");
  EXPECT_EQ(r.credentials->expiration, parse_timestamp("2031-05-06T07:08:09Z"));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].method, "GET");
  EXPECT_EQ(server.requests()[0].target, "/v1/credentials?id=1");
  EXPECT_EQ(server.requests()[0].header("authorization"), "file-token");
}

TEST_F(EndpointSources, ContainerForCredentialSourceEcsContainerWithTokenVariable) {
  files.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/creds";
  files.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "env-token";
  files.vars["AWS_ENDPOINT_URL_STS"] = server.url() + "/sts";
  files.write("config", "[profile task]\nrole_arn = arn:aws:iam::1:role/T\ncredential_source = EcsContainer\n");
  answer = [](const SeenRequest& r) {
    if (r.target == "/creds") return CannedReply{200, kDocument};
    return CannedReply{200, "<Credentials><AccessKeyId>AKT</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
                            "<SessionToken>t</SessionToken></Credentials>"};
  };
  const auto r = resolve_once(io, options("task"));
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "AKT");
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[0].header("authorization"), "env-token");
  EXPECT_NE(server.requests()[1].header("authorization").find("Credential=ASIADOC/"), std::string::npos);
  EXPECT_EQ(server.requests()[1].header("x-amz-security-token"), "doc-token");
}

TEST_F(EndpointSources, ContainerFailureNamesTheUrlAndHidesTheBodyAndToken) {
  files.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/creds";
  files.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "env-token";
  answer = [](const SeenRequest&) { return CannedReply{500, "oops doc-secret env-token"}; };
  const auto r = resolve_once(io, options());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("container credentials at " + server.url() + "/creds: HTTP 500"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("doc-secret"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("env-token"), std::string::npos) << r.error;
}

TEST_F(EndpointSources, ContainerRelativeUriGoesToTheEcsAddressAndPlainHttpElsewhereIsRefused) {
  files.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://example.com/creds";
  auto r = resolve_once(io, options());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("container credentials at http://example.com/creds: plain http is allowed only"), std::string::npos)
      << r.error;
  // The relative URI wins over the full one and is appended to the ECS agent's address; the
  // variable is checked before anything is sent, so this never leaves the machine.
  files.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
  files.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "bad\r\ntoken";
  r = resolve_once(io, options());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("container credentials at http://169.254.170.2/v2/credentials/abc: "), std::string::npos)
      << r.error;
  EXPECT_EQ(r.error.find("bad"), std::string::npos) << r.error;
}

TEST_F(EndpointSources, ImdsV2TokenThenRoleThenCredentials) {
  files.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = server.url() + "/";
  answer = [](const SeenRequest& r) {
    if (r.target == "/latest/api/token") return CannedReply{200, "IMDS-TOKEN"};
    if (r.target == "/latest/meta-data/iam/security-credentials/") return CannedReply{200, "web-role\n"};
    if (r.target == "/latest/meta-data/iam/security-credentials/web-role") return CannedReply{200, kDocument};
    return CannedReply{404, ""};
  };
  const auto r = resolve_once(io, options());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.source, "instance metadata");
  EXPECT_EQ(r.credentials->access_key_id, "ASIADOC");
  ASSERT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.requests()[0].method, "PUT");
  EXPECT_EQ(server.requests()[0].header("x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  for (std::size_t i : {1u, 2u}) {
    EXPECT_EQ(server.requests()[i].method, "GET");
    EXPECT_EQ(server.requests()[i].header("x-aws-ec2-metadata-token"), "IMDS-TOKEN");
  }
  EXPECT_EQ(server.requests()[2].target, "/latest/meta-data/iam/security-credentials/web-role");
}

TEST_F(EndpointSources, ImdsWithoutARoleAndWithARefusedToken) {
  files.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = server.url();
  answer = [](const SeenRequest& r) { return CannedReply{r.method == "PUT" ? 200u : 404u, "T"}; };
  auto r = resolve_once(io, options());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("instance metadata: no IAM role is attached"), std::string::npos) << r.error;

  answer = [](const SeenRequest&) { return CannedReply{403, ""}; };
  r = resolve_once(io, options());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("instance metadata: the session token request was refused (HTTP 403)"), std::string::npos) << r.error;
}

TEST_F(EndpointSources, ImdsDisabledSendsNothing) {
  files.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = server.url();
  files.vars["AWS_EC2_METADATA_DISABLED"] = "TRUE";
  auto r = resolve_once(io, options());
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("Unable to locate credentials"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("instance metadata is disabled"), std::string::npos) << r.error;

  files.write("config", "[profile ec2]\nrole_arn = arn:aws:iam::1:role/E\ncredential_source = Ec2InstanceMetadata\n");
  r = resolve_once(io, options("ec2"));
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("profile ec2: instance metadata: disabled by AWS_EC2_METADATA_DISABLED"), std::string::npos)
      << r.error;
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(EndpointSources, ImdsNotReachableFailsFastAndSaysWhereItLooked) {
  files.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:" + std::to_string(closed_port(io));
  const auto started = std::chrono::steady_clock::now();
  const auto r = resolve_once(io, options());
  EXPECT_LT(std::chrono::steady_clock::now() - started, kImdsAttemptTimeout * 2);
  ASSERT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("Unable to locate credentials: none in the environment, " + files.dir() + "/credentials"),
            std::string::npos)
      << r.error;
  EXPECT_NE(r.error.find("instance metadata: not reachable"), std::string::npos) << r.error;
}

TEST(CredentialDocument, TimestampsAndRejections) {
  EXPECT_EQ(parse_timestamp("2024-05-01T12:00:00+02:00"), parse_timestamp("2024-05-01T10:00:00Z"));
  EXPECT_EQ(parse_timestamp("2024-05-01T10:00:00.999999Z"), parse_timestamp("2024-05-01T10:00:00Z"));
  EXPECT_EQ(parse_timestamp("1970-01-01T00:01:00Z"), std::chrono::system_clock::from_time_t(60));
  EXPECT_EQ(parse_timestamp("2024-05-01T05:30:00-0430"), parse_timestamp("2024-05-01T10:00:00Z"));
  EXPECT_FALSE(parse_timestamp("2024-05-01"));
  EXPECT_FALSE(parse_timestamp("2024-05-01T10:00:00Zjunk"));
  EXPECT_FALSE(parse_timestamp("2024-05-01T10:00:00"));
  EXPECT_FALSE(parse_timestamp("2024-13-01T00:00:00Z"));
  std::string error;
  EXPECT_FALSE(parse_credential_document(R"({"Code":"Failed","AccessKeyId":"a","SecretAccessKey":"b"})", error));
  EXPECT_FALSE(parse_credential_document(R"({"AccessKeyId":"a","SecretAccessKey":"b","Expiration":"soon"})", error));
  const auto c = parse_credential_document(R"({"AccessKeyId":"a","SecretAccessKey":"b"})", error);
  ASSERT_TRUE(c) << error;
  EXPECT_FALSE(c->expiration);
}

}  // namespace
}  // namespace ssm::aws
