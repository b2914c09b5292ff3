// Where each service is reached: per-service variable, then AWS_ENDPOINT_URL, then the
// regional default; the StreamUrl moved by AWS_ENDPOINT_URL_SSMMESSAGES only.
#include <gtest/gtest.h>

#include <map>

#include "aws/service_endpoints.h"

namespace ssm::aws {
namespace {

base::GetEnv env(std::map<std::string, std::string> vars) { return base::Environment::of(std::move(vars)).get; }

const std::string kStream = "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/s-1?role=publish_subscribe";

TEST(ServiceEndpoints, ServiceVariableThenGlobalThenRegionalDefault) {
  EXPECT_EQ(service_endpoint_url("SSM", "ssm", "eu-west-1", env({})), "https://ssm.eu-west-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("SSM", "ssm", "cn-north-1", env({})), "https://ssm.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(service_endpoint_url("SSM", "ssm", "eu-west-1", env({{"AWS_ENDPOINT_URL", "http://all"}})), "http://all");
  EXPECT_EQ(service_endpoint_url("SSM", "ssm", "eu-west-1",
                                 env({{"AWS_ENDPOINT_URL", "http://all"}, {"AWS_ENDPOINT_URL_SSM", "http://ssm"}})),
            "http://ssm");
  // Another service's variable is not ours; an empty one counts as unset.
  EXPECT_EQ(service_endpoint_url("SSM", "ssm", "eu-west-1", env({{"AWS_ENDPOINT_URL_KMS", "http://kms"}})),
            "https://ssm.eu-west-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("SSM", "ssm", "eu-west-1", env({{"AWS_ENDPOINT_URL_SSM", ""}})),
            "https://ssm.eu-west-1.amazonaws.com");
}

TEST(ServiceEndpoints, StreamUrlIsUsedVerbatimWithoutTheSsmmessagesVariable) {
  EXPECT_EQ(stream_url_for_endpoint(kStream, env({})), kStream);
  EXPECT_EQ(stream_url_for_endpoint(kStream, env({{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}})), kStream);
  EXPECT_EQ(stream_url_for_endpoint(kStream, env({{"AWS_ENDPOINT_URL_SSMMESSAGES", ""}})), kStream);
}

TEST(ServiceEndpoints, SsmmessagesVariableMovesTheStreamKeepingPathAndQuery) {
  EXPECT_EQ(stream_url_for_endpoint(
                kStream, env({{"AWS_ENDPOINT_URL_SSMMESSAGES", "https://vpce-1.ssmmessages.us-east-1.vpce.amazonaws.com"}})),
            "wss://vpce-1.ssmmessages.us-east-1.vpce.amazonaws.com/v1/data-channel/s-1?role=publish_subscribe");
  EXPECT_EQ(stream_url_for_endpoint(kStream, env({{"AWS_ENDPOINT_URL_SSMMESSAGES", "http://127.0.0.1:8080/"}})),
            "ws://127.0.0.1:8080/v1/data-channel/s-1?role=publish_subscribe");
  EXPECT_EQ(stream_url_for_endpoint(kStream, env({{"AWS_ENDPOINT_URL_SSMMESSAGES", "https://[::1]:9443/proxy/"}})),
            "wss://[::1]:9443/proxy/v1/data-channel/s-1?role=publish_subscribe");
  EXPECT_EQ(stream_url_for_endpoint(kStream, env({{"AWS_ENDPOINT_URL_SSMMESSAGES", "ftp://nope"}})), "");
}

// aws ecs execute-command passes its ECS client's endpoint as the plugin's endpoint argument;
// ResumeSession and TerminateSession must go to SSM instead.
TEST(ServiceEndpoints, AnEcsEndpointArgumentMeansSsmsForEcsTargets) {
  const std::string ecs_target = "ecs:web_5a4c1f0e_5a4c1f0e-123";
  EXPECT_EQ(ssm_endpoint_argument("https://ecs.eu-west-1.amazonaws.com", ecs_target), "");
  EXPECT_EQ(ssm_endpoint_argument("https://ecs.cn-north-1.amazonaws.com.cn", ecs_target), "");
  // A local or custom endpoint answers both APIs (ssm-local-endpoint): kept.
  EXPECT_EQ(ssm_endpoint_argument("http://127.0.0.1:8080", ecs_target), "http://127.0.0.1:8080");
  EXPECT_EQ(ssm_endpoint_argument("https://ecs.example.com", ecs_target), "https://ecs.example.com");
  // Only ecs: targets: an instance session's endpoint argument is the user's SSM endpoint.
  EXPECT_EQ(ssm_endpoint_argument("https://ecs.eu-west-1.amazonaws.com", "i-0123456789abcdef0"),
            "https://ecs.eu-west-1.amazonaws.com");
  EXPECT_EQ(ssm_endpoint_argument("", ecs_target), "");
}

}  // namespace
}  // namespace ssm::aws
