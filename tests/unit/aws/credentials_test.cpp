// The credential chain from files and an environment the test builds: order, profiles, the
// named-profile error, credential_process.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "aws/credentials.h"

namespace ssm::aws {
namespace {

class CredentialChain : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aws-creds-XXXXXX";
    dir_ = mkdtemp(tmpl);
    vars_["HOME"] = dir_;
    vars_["AWS_SHARED_CREDENTIALS_FILE"] = dir_ + "/credentials";
    vars_["AWS_CONFIG_FILE"] = dir_ + "/config";
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ + "/" + name) << text; }
  base::GetEnv env() {
    return [this](const std::string& n) -> std::optional<std::string> {
      auto it = vars_.find(n);
      return it == vars_.end() ? std::nullopt : std::optional(it->second);
    };
  }

  std::string dir_;
  std::map<std::string, std::string> vars_;
};

TEST_F(CredentialChain, EnvironmentComesFirstUnlessAProfileIsNamed) {
  write("credentials", "[default]\naws_access_key_id = AKFILE\naws_secret_access_key = s1\n"
                       "[dev]\naws_access_key_id=AKDEV\naws_secret_access_key=s2\naws_session_token=t2\n");
  vars_["AWS_ACCESS_KEY_ID"] = "AKENV";
  vars_["AWS_SECRET_ACCESS_KEY"] = "senv";
  vars_["AWS_SESSION_TOKEN"] = "tenv";
  auto r = resolve_credentials("", env());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.source, "environment");
  EXPECT_EQ(r.credentials->access_key_id, "AKENV");
  EXPECT_EQ(r.credentials->session_token, "tenv");

  r = resolve_credentials("dev", env());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.source, "shared credentials file");
  EXPECT_EQ(r.credentials->access_key_id, "AKDEV");
  EXPECT_EQ(r.credentials->session_token, "t2");

  vars_.erase("AWS_ACCESS_KEY_ID");
  r = resolve_credentials("", env());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "AKFILE");
}

TEST_F(CredentialChain, AwsProfileAndConfigFileSections) {
  write("config", "[default]\nregion = us-east-1\n[profile ops]\naws_access_key_id = AKOPS\naws_secret_access_key = s\n");
  vars_["AWS_PROFILE"] = "ops";
  const auto r = resolve_credentials("", env());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.source, "config file");
  EXPECT_EQ(r.credentials->access_key_id, "AKOPS");
}

TEST_F(CredentialChain, ANamedProfileThatDoesNotExistIsAnError) {
  write("credentials", "[default]\naws_access_key_id = AK\naws_secret_access_key = s\n");
  const auto r = resolve_credentials("nosuch", env());
  EXPECT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("nosuch"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("could not be found"), std::string::npos) << r.error;
}

TEST_F(CredentialChain, NothingAnywhereSaysWhereItLooked) {
  const auto r = resolve_credentials("", env());
  EXPECT_FALSE(r.credentials);
  EXPECT_NE(r.error.find(dir_ + "/credentials"), std::string::npos) << r.error;
}

TEST_F(CredentialChain, CredentialProcess) {
  write("proc.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKPROC\", \"SecretAccessKey\": \"sp\", "
                   "\"SessionToken\": \"tp\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n");
  write("fail.sh", "#!/bin/sh\nexit 3\n");
  write("config", "[profile p]\ncredential_process = sh " + dir_ + "/proc.sh\n[profile f]\ncredential_process = sh " +
                      dir_ + "/fail.sh\n");
  auto r = resolve_credentials("p", env());
  ASSERT_TRUE(r.credentials) << r.error;
  EXPECT_EQ(r.source, "credential_process");
  EXPECT_EQ(r.credentials->access_key_id, "AKPROC");
  EXPECT_EQ(r.credentials->session_token, "tp");

  r = resolve_credentials("f", env());
  EXPECT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("status 3"), std::string::npos) << r.error;
}

TEST_F(CredentialChain, ProfilesThatNeedTheNetworkSaySoSynchronously) {
  write("credentials", "[base]\naws_access_key_id = AK\naws_secret_access_key = s\n");
  write("config", "[profile dev]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = base\n");
  const auto r = resolve_credentials("dev", env());
  EXPECT_FALSE(r.credentials);
  EXPECT_NE(r.error.find("assume role arn:aws:iam::1:role/R needs the asynchronous credential provider"),
            std::string::npos)
      << r.error;
}

TEST(CredentialProcessOutput, RejectsWhatIsNotVersion1WithKeys) {
  std::string error;
  EXPECT_FALSE(parse_process_output("not json", error));
  EXPECT_FALSE(parse_process_output(R"({"Version":2,"AccessKeyId":"a","SecretAccessKey":"b"})", error));
  EXPECT_FALSE(parse_process_output(R"({"Version":1,"AccessKeyId":"a"})", error));
  EXPECT_TRUE(parse_process_output(R"({"Version":1,"AccessKeyId":"a","SecretAccessKey":"b"})", error));
  EXPECT_FALSE(parse_process_output(R"({"Version":1,"AccessKeyId":"a","SecretAccessKey":"b","Expiration":"x"})", error));
  const auto c = parse_process_output(
      R"({"Version":1,"AccessKeyId":"a","SecretAccessKey":"b","Expiration":"2030-01-01T00:00:00Z"})", error);
  ASSERT_TRUE(c && c->expiration) << error;
  EXPECT_EQ(*c->expiration, std::chrono::system_clock::from_time_t(1893456000));
}

TEST(Ini, SectionsKeysCommentsAndBlanks) {
  const auto ini = parse_ini("# c\n[default]\n  Region = eu-west-1 \n; x\n[profile a]\nk=v=w\n");
  EXPECT_EQ(ini.at("default").at("region"), "eu-west-1");
  EXPECT_EQ(ini.at("profile a").at("k"), "v=w");
}

}  // namespace
}  // namespace ssm::aws
