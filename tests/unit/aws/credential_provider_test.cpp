// CredentialProvider: the cache and its refresh window, invalidate, callers sharing one
// resolution, callbacks never inline, destruction with a resolution under way; the plan's
// profile rules (loops, chains, unsupported settings); resolve_region.
#include <gtest/gtest.h>

#include "aws/credential_plan.h"
#include "loopback_http_server.h"

namespace ssm::aws {
namespace {

using namespace ssm::aws::testing;
using namespace std::chrono_literals;

class Provider : public ::testing::Test {
 protected:
  void SetUp() override { files.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = container.url() + "/creds"; }

  CredentialOptions options() {
    CredentialOptions o;
    o.env = files.env();
    o.now = [this] { return now; };
    return o;
  }

  // Credentials from the container that expire an hour after the fake clock's start.
  std::string document() const {
    const auto expires = std::chrono::system_clock::to_time_t(start + 1h);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&expires));
    return R"({"AccessKeyId":"AK)" + std::to_string(container.requests().size()) +
           R"(","SecretAccessKey":"s","Token":"t","Expiration":")" + text + "\"}";
  }

  ResolvedCredentials get(CredentialProvider& provider) {
    std::optional<ResolvedCredentials> result;
    provider.async_get([&](ResolvedCredentials r) { result = std::move(r); });
    EXPECT_FALSE(result) << "ran inline";
    EXPECT_TRUE(run_until(io, [&] { return result.has_value(); }));
    return result.value_or(ResolvedCredentials{});
  }

  asio::io_context io;
  TestEnvironment files;
  const std::chrono::system_clock::time_point start = std::chrono::system_clock::from_time_t(1'900'000'000);
  std::chrono::system_clock::time_point now = start;
  LoopbackHttpServer container{io, [this](const SeenRequest&) { return CannedReply{200, document()}; }};
};

TEST_F(Provider, CachesUntilTheRefreshWindowThenResolvesAgain) {
  CredentialProvider provider(io.get_executor(), options());
  EXPECT_EQ(get(provider).credentials->access_key_id, "AK1");
  now = start + 54min;  // six minutes left: still good
  EXPECT_EQ(get(provider).credentials->access_key_id, "AK1");
  EXPECT_EQ(container.requests().size(), 1u);
  now = start + 55min + 1s;  // inside kRefreshBefore
  EXPECT_EQ(get(provider).credentials->access_key_id, "AK2");
  EXPECT_EQ(container.requests().size(), 2u);
  provider.invalidate();
  EXPECT_EQ(get(provider).credentials->access_key_id, "AK3");
}

TEST_F(Provider, CredentialsWithoutExpirationStayAndFailuresAreNotCached) {
  files.vars.erase("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  files.vars["AWS_EC2_METADATA_DISABLED"] = "true";
  CredentialProvider provider(io.get_executor(), options());
  EXPECT_FALSE(get(provider).credentials);
  files.write("credentials", "[default]\naws_access_key_id = AKSTATIC\naws_secret_access_key = s\n");
  EXPECT_EQ(get(provider).credentials->access_key_id, "AKSTATIC");
  files.write("credentials", "[default]\naws_access_key_id = AKCHANGED\naws_secret_access_key = s\n");
  now = start + 24h * 365;
  EXPECT_EQ(get(provider).credentials->access_key_id, "AKSTATIC");
  provider.invalidate();
  EXPECT_EQ(get(provider).credentials->access_key_id, "AKCHANGED");
}

TEST_F(Provider, CallersWhileResolvingShareOneResolution) {
  CredentialProvider provider(io.get_executor(), options());
  std::vector<std::string> keys;
  for (int i = 0; i < 3; ++i)
    provider.async_get([&](ResolvedCredentials r) { keys.push_back(r.credentials ? r.credentials->access_key_id : r.error); });
  ASSERT_TRUE(run_until(io, [&] { return keys.size() == 3; }));
  EXPECT_EQ(keys, (std::vector<std::string>{"AK1", "AK1", "AK1"}));
  EXPECT_EQ(container.requests().size(), 1u);
}

TEST_F(Provider, DestroyedWithAResolutionUnderWayNeverCallsBack) {
  bool called = false;
  auto provider = std::make_unique<CredentialProvider>(io.get_executor(), options());
  provider->async_get([&](ResolvedCredentials) { called = true; });
  ASSERT_TRUE(run_until(io, [&] { return !container.requests().empty(); }));
  provider.reset();
  ASSERT_TRUE(run_until(io, [&] { return container.replies() == 1; }));
  io.restart();
  io.run_for(100ms);  // the client's completion, had it been delivered
  EXPECT_FALSE(called);

  // And with a cached answer already posted.
  provider = std::make_unique<CredentialProvider>(io.get_executor(), options());
  std::optional<ResolvedCredentials> first;
  provider->async_get([&](ResolvedCredentials r) { first = r; });
  ASSERT_TRUE(run_until(io, [&] { return first.has_value(); }));
  provider->async_get([&](ResolvedCredentials) { called = true; });
  provider.reset();
  io.restart();
  io.poll();
  EXPECT_FALSE(called);
}

TEST_F(Provider, ACallerMayDestroyTheProviderFromItsCallback) {
  auto provider = std::make_unique<CredentialProvider>(io.get_executor(), options());
  int calls = 0;
  provider->async_get([&](ResolvedCredentials) {
    ++calls;
    provider.reset();
  });
  provider->async_get([&](ResolvedCredentials) { ++calls; });
  ASSERT_TRUE(run_until(io, [&] { return calls > 0; }));
  io.restart();
  io.poll();
  EXPECT_EQ(calls, 1);
}

TEST(ResolveRegion, ExplicitThenEnvironmentThenProfile) {
  TestEnvironment files;
  files.write("config", "[default]\nregion = eu-north-1\n[profile p]\nregion = sa-east-1\n");
  EXPECT_EQ(resolve_region("", "", files.env()), "eu-north-1");
  EXPECT_EQ(resolve_region("", "p", files.env()), "sa-east-1");
  files.vars["AWS_DEFAULT_REGION"] = "us-west-1";
  EXPECT_EQ(resolve_region("", "p", files.env()), "us-west-1");
  files.vars["AWS_REGION"] = "us-west-2";
  EXPECT_EQ(resolve_region("", "p", files.env()), "us-west-2");
  EXPECT_EQ(resolve_region("ap-east-1", "p", files.env()), "ap-east-1");
  EXPECT_EQ(resolve_region("", "nosuch", TestEnvironment().env()), "");
}

class Plan : public ::testing::Test {
 protected:
  CredentialPlan plan(const std::string& profile) { return plan_credentials(profile, files.env(), SharedConfig(files.env())); }
  TestEnvironment files;
};

TEST_F(Plan, SourceProfileLoopsAreRefused) {
  files.write("config", "[profile a]\nrole_arn = arn:a\nsource_profile = b\n[profile b]\nrole_arn = arn:b\nsource_profile = a\n");
  const auto p = plan("a");
  EXPECT_NE(p.error.find("source_profile loop (a -> b -> a)"), std::string::npos) << p.error;
}

TEST_F(Plan, ARoleAssumedWithTheProfilesOwnKeys) {
  files.write("credentials", "[self]\naws_access_key_id = AK\naws_secret_access_key = s\n");
  files.write("config", "[profile self]\nrole_arn = arn:self\nsource_profile = self\n");
  const auto p = plan("self");
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.base.kind, BaseSource::Kind::static_keys);
  EXPECT_EQ(p.base.name, "shared credentials file");
  ASSERT_EQ(p.roles.size(), 1u);
  EXPECT_EQ(p.roles[0].role_arn, "arn:self");
}

TEST_F(Plan, SettingsThePluginCannotHonourAreErrors) {
  files.write("config",
              "[profile mfa]\nrole_arn = arn:m\nsource_profile = k\nmfa_serial = arn:mfa\n"
              "[profile k]\naws_access_key_id = AK\naws_secret_access_key = s\n"
              "[profile src]\nrole_arn = arn:s\ncredential_source = Lambda\n"
              "[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n"
              "[profile dangling]\nrole_arn = arn:d\nsource_profile = ghost\n"
              "[profile empty]\nrole_arn = arn:e\nsource_profile = bare\n[profile bare]\nregion = x\n"
              "[profile duration]\nrole_arn = arn:d\nsource_profile = k\nduration_seconds = 1h\n");
  EXPECT_NE(plan("mfa").error.find("mfa_serial"), std::string::npos);
  EXPECT_NE(plan("src").error.find("unknown credential_source Lambda"), std::string::npos);
  EXPECT_NE(plan("sso").error.find("profile sso: sso_session corp has no [sso-session corp] section"), std::string::npos);
  EXPECT_NE(plan("dangling").error.find("source_profile ghost could not be found"), std::string::npos);
  EXPECT_NE(plan("empty").error.find("profile bare (source_profile of empty) has no credentials"), std::string::npos);
  EXPECT_NE(plan("duration").error.find("duration_seconds 1h"), std::string::npos);
}

TEST_F(Plan, IdentityCenterAndConsoleSignInProfiles) {
  files.write("config",
              "[profile dev]\nsso_session = corp\nsso_account_id = 111\nsso_role_name = Dev\n"
              "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
              "[profile old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-2\n"
              "sso_account_id = 222\nsso_role_name = Ops\n"
              "[profile half]\nsso_session = corp\nsso_account_id = 111\n"
              "[profile noregion]\nsso_start_url = https://x\nsso_account_id = 1\nsso_role_name = r\n"
              "[profile console]\nlogin_session = arn:aws:iam::111:user/alice\nregion = us-west-2\n"
              "[profile role-on-sso]\nrole_arn = arn:aws:iam::333:role/Admin\nsource_profile = dev\n");
  const auto dev = plan("dev");
  ASSERT_EQ(dev.error, "");
  EXPECT_EQ(dev.base.kind, BaseSource::Kind::sso);
  EXPECT_EQ(dev.base.sso.cache_key(), "corp");  // the session's name, not its URL
  EXPECT_EQ(dev.base.sso.start_url, "https://corp.awsapps.com/start");
  EXPECT_EQ(dev.base.sso.region, "eu-west-1");
  EXPECT_EQ(dev.base.sso.account_id, "111");
  EXPECT_EQ(dev.base.sso.role_name, "Dev");

  const auto old = plan("old");
  ASSERT_EQ(old.error, "");
  EXPECT_EQ(old.base.sso.cache_key(), "https://old.awsapps.com/start");  // legacy: the URL
  EXPECT_EQ(old.base.sso.region, "us-east-2");

  EXPECT_NE(plan("half").error.find("need sso_account_id and sso_role_name"), std::string::npos);
  EXPECT_NE(plan("noregion").error.find("sso_start_url needs sso_region"), std::string::npos);

  const auto console = plan("console");
  ASSERT_EQ(console.error, "");
  EXPECT_EQ(console.base.kind, BaseSource::Kind::login);
  EXPECT_EQ(console.base.login.session, "arn:aws:iam::111:user/alice");
  EXPECT_EQ(console.base.login.region, "us-west-2");

  // An SSO profile as the source of a role, as the AWS CLI allows.
  const auto role = plan("role-on-sso");
  ASSERT_EQ(role.error, "");
  EXPECT_EQ(role.base.kind, BaseSource::Kind::sso);
  ASSERT_EQ(role.roles.size(), 1u);
  EXPECT_EQ(role.roles[0].role_arn, "arn:aws:iam::333:role/Admin");
}

TEST_F(Plan, TheSharedFilesAreReadOnFirstUseNotBefore) {
  // A chain the environment satisfies never opens them: SharedConfig reads at the first
  // profile lookup, so a file written after it was made is what that lookup sees.
  const SharedConfig config(files.env());
  files.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  files.vars["AWS_SECRET_ACCESS_KEY"] = "s";
  EXPECT_EQ(plan_credentials("", files.env(), config).base.name, "environment");
  files.write("credentials", "[late]\naws_access_key_id = AKIDLATE\naws_secret_access_key = s\n");
  const auto late = config.profile("late");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->get("aws_access_key_id"), "AKIDLATE");
}

TEST_F(Plan, AnEmptyNamedProfileFallsBackToTheContainerOrInstanceMetadata) {
  files.write("config", "[profile regiononly]\nregion = eu-west-1\n");
  auto p = plan("regiononly");
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.base.kind, BaseSource::Kind::instance_metadata);
  EXPECT_TRUE(p.base.last_resort);
  files.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/x";
  p = plan("regiononly");
  EXPECT_EQ(p.base.kind, BaseSource::Kind::container);
}

}  // namespace
}  // namespace ssm::aws
