// The AWS CLI's positional contract (protocol.md §1.1–1.2, protocol-updates.md §1).
#include <gtest/gtest.h>

#include <map>

#include "cli/plugin_args.h"

namespace ssm::cli {
namespace {

constexpr const char* kToken = "SECRET-TOKEN-123";
const std::string kResponse = std::string(R"({"SessionId":"s-1","StreamUrl":"wss://h/v1/data-channel/s-1?role=publish_subscribe","TokenValue":")") + kToken + R"("})";
const std::string kParams = R"({"Target":"i-0123","DocumentName":"AWS-StartSSHSession","Parameters":{"portNumber":["22"]}})";

struct FakeEnv {
  std::map<std::string, std::string> vars;
  Environment env() {
    return {[this](const std::string& n) -> std::optional<std::string> {
              auto it = vars.find(n);
              return it == vars.end() ? std::nullopt : std::optional(it->second);
            },
            [this](const std::string& n) { vars.erase(n); }};
  }
};

ParsedArgs parse(std::vector<std::string> args, FakeEnv* fake = nullptr) {
  FakeEnv local;
  return parse_plugin_args(args, (fake ? fake : &local)->env());
}

TEST(PluginArgs, NoArgumentsPrintsTheInstalledMessage) {
  auto p = parse({});
  EXPECT_EQ(p.action, Action::show_installed);
  EXPECT_EQ(p.text, "\nThe Session Manager plugin was installed successfully. Use the AWS CLI to start a session.\n\n");
  EXPECT_EQ(p.exit_code, 0);
}

TEST(PluginArgs, Version) { EXPECT_EQ(parse({"--version"}).action, Action::show_version); }

TEST(PluginArgs, UnknownOperationForOneOrTwoArguments) {
  for (auto args : {std::vector<std::string>{"foo"}, std::vector<std::string>{"--version", "x"}}) {
    auto p = parse(args);
    EXPECT_EQ(p.action, Action::unknown_operation);
    EXPECT_EQ(p.text, "\nUnknown operation " + args[0] + ". \nUse session-manager-plugin --version to check the version.\n\n");
    EXPECT_EQ(p.exit_code, 2);
  }
}

TEST(PluginArgs, InvalidOperation) {
  auto p = parse({kResponse, "us-east-1", "ResumeSession"});
  EXPECT_EQ(p.action, Action::invalid_operation);
  EXPECT_EQ(p.text, "Invalid Operation");
}

TEST(PluginArgs, LegacyFourArgumentForm) {
  auto p = parse({kResponse, "us-east-1", "StartSession"});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_TRUE(p.request.legacy_cli);
  EXPECT_EQ(p.request.session_id, "s-1");
  EXPECT_EQ(p.request.token_value, kToken);
  EXPECT_EQ(p.request.region, "us-east-1");
  EXPECT_TRUE(p.request.profile.empty());
  EXPECT_TRUE(p.request.target.empty());
  EXPECT_TRUE(p.request.ssm_endpoint.empty());
}

TEST(PluginArgs, FiveAndSixArgumentForms) {
  auto five = parse({kResponse, "eu-west-1", "StartSession", "dev"});
  ASSERT_EQ(five.action, Action::start_session);
  EXPECT_FALSE(five.request.legacy_cli);
  EXPECT_EQ(five.request.profile, "dev");
  auto six = parse({kResponse, "eu-west-1", "StartSession", "", kParams});
  ASSERT_EQ(six.action, Action::start_session);
  EXPECT_EQ(six.request.target, "i-0123");
  EXPECT_TRUE(six.request.ssm_endpoint.empty());
}

TEST(PluginArgs, SevenArgumentFormOfTheCurrentCli) {
  auto p = parse({kResponse, "us-east-1", "StartSession", "prof", kParams, "https://ssm.us-east-1.amazonaws.com"});
  ASSERT_EQ(p.action, Action::start_session);
  EXPECT_EQ(p.request.stream_url, "wss://h/v1/data-channel/s-1?role=publish_subscribe");
  EXPECT_EQ(p.request.target, "i-0123");
  EXPECT_EQ(p.request.document_name, "AWS-StartSSHSession");
  EXPECT_EQ(p.request.parameters["Parameters"]["portNumber"][0], "22");
  EXPECT_EQ(p.request.ssm_endpoint, "https://ssm.us-east-1.amazonaws.com");
  EXPECT_FALSE(p.request.response_from_env);
}

TEST(PluginArgs, ExtraArgumentsAreIgnored) {
  auto p = parse({kResponse, "us-east-1", "StartSession", "", kParams, "https://e", "extra", "more"});
  ASSERT_EQ(p.action, Action::start_session);
  EXPECT_EQ(p.request.ssm_endpoint, "https://e");
}

TEST(PluginArgs, ResponseKeysAreCaseInsensitiveAndUnknownKeysIgnored) {
  auto p = parse({R"({"sessionid":"s-2","STREAMURL":"ws://127.0.0.1:1/x","tokenValue":"t","ResponseMetadata":{"x":1}})",
                  "r", "StartSession"});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_EQ(p.request.session_id, "s-2");
  EXPECT_EQ(p.request.token_value, "t");
}

TEST(PluginArgs, ResponseFromEnvironmentIsReadThenUnset) {
  FakeEnv env;
  env.vars["AWS_SSM_START_SESSION_RESPONSE"] = kResponse;
  auto p = parse({"AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession", "", kParams, "https://e"}, &env);
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_TRUE(p.request.response_from_env);
  EXPECT_EQ(p.request.token_value, kToken);
  EXPECT_FALSE(env.vars.contains("AWS_SSM_START_SESSION_RESPONSE"));
}

TEST(PluginArgs, AnyVariableWithThePrefixIsAName) {
  FakeEnv env;
  env.vars["AWS_SSM_START_SESSION_RESPONSE_42"] = kResponse;
  auto p = parse({"AWS_SSM_START_SESSION_RESPONSE_42", "r", "StartSession"}, &env);
  ASSERT_EQ(p.action, Action::start_session);
  EXPECT_TRUE(env.vars.empty());
}

TEST(PluginArgs, MissingVariable) {
  auto p = parse({"AWS_SSM_START_SESSION_RESPONSE", "r", "StartSession"});
  EXPECT_EQ(p.action, Action::usage_error);
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_NE(p.text.find("AWS_SSM_START_SESSION_RESPONSE is not set"), std::string::npos);
}

TEST(PluginArgs, ErrorsAreOneLineExit2AndNeverShowTheToken) {
  const std::string t = kToken;
  const std::vector<std::vector<std::string>> bad = {
      {"WRONG_ENV_NAME", "r", "StartSession"},
      {"{\"SessionId\":\"s\",\"TokenValue\":\"" + t + "\"", "r", "StartSession"},  // truncated JSON
      {"[\"" + t + "\"]", "r", "StartSession"},
      {"{\"StreamUrl\":\"wss://h/\",\"TokenValue\":\"" + t + "\"}", "r", "StartSession"},
      {"{\"SessionId\":\"s\",\"TokenValue\":\"" + t + "\"}", "r", "StartSession"},
      {"{\"SessionId\":\"s\",\"StreamUrl\":\"wss://h/\"}", "r", "StartSession"},
      {"{\"SessionId\":\"s\",\"StreamUrl\":\"https://h/\",\"TokenValue\":\"" + t + "\"}", "r", "StartSession"},
      {"{\"SessionId\":7,\"StreamUrl\":\"wss://h/\",\"TokenValue\":\"" + t + "\"}", "r", "StartSession"},
      {"{\"SessionId\":\"s\",\"StreamUrl\":\"wss://h/\",\"TokenValue\":[\"" + t + "\"]}", "r", "StartSession"},
      {"{\"SessionId\":\"\",\"StreamUrl\":\"wss://h/\",\"TokenValue\":\"" + t + "\"}", "r", "StartSession"},
      {"{\"SessionId\":\"s\",\"StreamUrl\":\"wss://h/\",\"TokenValue\":\"\"}", "r", "StartSession"},
      {kResponse, "r", "StartSession", "", "not json " + t},
      {kResponse, "r", "StartSession", "", "{\"DocumentName\":\"x\"}"},
      {kResponse, "r", "StartSession", "", "{\"Target\":5}"},
      {kResponse, "r", "StartSession", "", "[]"},
  };
  for (const auto& args : bad) {
    auto p = parse(args);
    EXPECT_EQ(p.action, Action::usage_error) << args[0];
    EXPECT_EQ(p.exit_code, 2);
    EXPECT_EQ(p.text.find('\n'), std::string::npos) << p.text;
    EXPECT_EQ(p.text.find(t), std::string::npos) << p.text;
    EXPECT_EQ(p.text.rfind("Cannot perform start session: ", 0), 0u) << p.text;
  }
}

TEST(PluginArgs, ErrorsSayWhatIsWrong) {
  auto missing = parse({R"({"SessionId":"s","StreamUrl":"wss://h/"})", "r", "StartSession"});
  EXPECT_EQ(missing.text, "Cannot perform start session: the StartSession response has no TokenValue");
  auto target = parse({kResponse, "r", "StartSession", "", "{}"});
  EXPECT_EQ(target.text, "Cannot perform start session: the StartSession parameters has no Target");
}

}  // namespace
}  // namespace ssm::cli
