// The AWS CLI's positional contract (protocol.md §1.1–1.2, protocol-updates.md §1), one test
// per row of the table in cli/plugin_args.h, then every error.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "cli/plugin_args.h"

namespace ssm::cli {
namespace {

const std::string kToken = "SECRET-TOKEN-123";
const std::string kStreamUrl = "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/s-1?role=publish_subscribe";
const std::string kResponse =
    R"({"SessionId":"s-1","StreamUrl":")" + kStreamUrl + R"(","TokenValue":")" + kToken + R"("})";
const std::string kParams =
    R"({"Target":"i-0123","DocumentName":"AWS-StartPortForwardingSession","Parameters":{"portNumber":["80"],"localPortNumber":["56789"]}})";
const std::string kEndpoint = "https://ssm.us-east-1.amazonaws.com";

// An environment in a map, recording what the parser did with it.
struct FakeEnvironment {
  std::map<std::string, std::string> vars;
  std::vector<std::string> reads;
  std::vector<std::string> unsets;

  base::Environment interface() {
    return {[this](const std::string& name) -> std::optional<std::string> {
              reads.push_back(name);
              auto it = vars.find(name);
              if (it == vars.end()) return std::nullopt;
              return it->second;
            },
            [this](const std::string& name) {
              unsets.push_back(name);
              vars.erase(name);
            }};
  }
};

ParsedArgs parse(const std::vector<std::string>& args, FakeEnvironment& env) {
  return parse_plugin_args(args, env.interface());
}

ParsedArgs parse(const std::vector<std::string>& args) {
  FakeEnvironment env;
  return parse(args, env);
}

std::string response_with(const std::string& session_id_json, const std::string& stream_url_json,
                          const std::string& token_json) {
  return R"({"SessionId":)" + session_id_json + R"(,"StreamUrl":)" + stream_url_json + R"(,"TokenValue":)" +
         token_json + "}";
}

// ---- argc 1–3 ----------------------------------------------------------------------------

TEST(PluginArgs, NoArgumentsShowTheInstalledMessage) {
  const auto p = parse({});
  EXPECT_EQ(p.action, Action::show_installed);
  EXPECT_EQ(p.text, "\nThe Session Manager plugin was installed successfully. Use the AWS CLI to start a session.\n\n");
  EXPECT_EQ(p.exit_code, 0);
}

TEST(PluginArgs, VersionOnlyForTheExactFlag) {
  const auto p = parse({"--version"});
  EXPECT_EQ(p.action, Action::show_version);
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_TRUE(p.text.empty());
  for (std::string near : {"--Version", "-version", "--version ", "version"})
    EXPECT_EQ(parse({near}).action, Action::unknown_operation) << near;
}

TEST(PluginArgs, OneOrTwoArgumentsAreAnUnknownOperation) {
  for (const auto& args : {std::vector<std::string>{"foo"}, std::vector<std::string>{"--version", "x"},
                           std::vector<std::string>{kResponse, "us-east-1"}}) {
    FakeEnvironment env;
    const auto p = parse(args, env);
    EXPECT_EQ(p.action, Action::unknown_operation);
    EXPECT_EQ(p.text, "\nUnknown operation " + args[0] + ". \nUse session-manager-plugin --version to check the version.\n\n");
    EXPECT_EQ(p.exit_code, 2);
    EXPECT_TRUE(env.reads.empty());
  }
}

TEST(PluginArgs, UnknownOperationNamesAnEnvironmentVariableWithoutReadingIt) {
  FakeEnvironment env;
  env.vars["AWS_SSM_START_SESSION_RESPONSE"] = kResponse;
  const auto p = parse({"AWS_SSM_START_SESSION_RESPONSE", "us-east-1"}, env);
  EXPECT_EQ(p.action, Action::unknown_operation);
  EXPECT_TRUE(env.reads.empty());
  EXPECT_TRUE(env.unsets.empty());
}

// ---- argc ≥ 4 ----------------------------------------------------------------------------

TEST(PluginArgs, OperationOtherThanStartSessionIsInvalid) {
  for (std::string operation : {"ResumeSession", "startsession", "StartSession ", ""}) {
    const auto p = parse({kResponse, "us-east-1", operation, "", kParams, kEndpoint});
    EXPECT_EQ(p.action, Action::invalid_operation) << operation;
    EXPECT_EQ(p.text, "Invalid Operation");
    EXPECT_EQ(p.exit_code, 2);
  }
}

TEST(PluginArgs, InvalidOperationStillConsumesTheVariable) {
  FakeEnvironment env;
  env.vars["AWS_SSM_START_SESSION_RESPONSE"] = kResponse;
  const auto p = parse({"AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "TerminateSession"}, env);
  EXPECT_EQ(p.action, Action::invalid_operation);
  EXPECT_TRUE(env.vars.empty());
}

TEST(PluginArgs, InvalidOperationIsReportedBeforeABadResponse) {
  EXPECT_EQ(parse({"not json", "r", "Other"}).action, Action::invalid_operation);
  EXPECT_EQ(parse({"AWS_SSM_START_SESSION_RESPONSE", "r", "Other"}).action, Action::invalid_operation);
}

TEST(PluginArgs, FourArgumentsAreTheLegacyCliForm) {
  const auto p = parse({kResponse, "us-east-1", "StartSession"});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_EQ(p.exit_code, 0);
  const SessionRequest& r = p.request;
  EXPECT_TRUE(r.legacy_cli);
  EXPECT_EQ(r.session_id, "s-1");
  EXPECT_EQ(r.stream_url, kStreamUrl);
  EXPECT_EQ(r.token_value, kToken);
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.profile, "");
  EXPECT_EQ(r.target, "");
  EXPECT_EQ(r.document_name, "");
  EXPECT_EQ(r.parameters, wire::Json::object());
  EXPECT_EQ(r.ssm_endpoint, "");
  EXPECT_FALSE(r.response_from_env);
}

TEST(PluginArgs, FiveArgumentsAddTheProfile) {
  const auto p = parse({kResponse, "eu-west-1", "StartSession", "dev"});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_FALSE(p.request.legacy_cli);
  EXPECT_EQ(p.request.region, "eu-west-1");
  EXPECT_EQ(p.request.profile, "dev");
  EXPECT_EQ(p.request.target, "");
}

TEST(PluginArgs, SixArgumentsAddTheRequestParameters) {
  const auto p = parse({kResponse, "eu-west-1", "StartSession", "", kParams});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_FALSE(p.request.legacy_cli);
  EXPECT_EQ(p.request.profile, "");
  EXPECT_EQ(p.request.target, "i-0123");
  EXPECT_EQ(p.request.document_name, "AWS-StartPortForwardingSession");
  EXPECT_EQ(p.request.parameters["localPortNumber"][0], "56789");
  EXPECT_EQ(p.request.ssm_endpoint, "");
}

TEST(PluginArgs, SevenArgumentsAreTheCurrentCliForm) {
  const auto p = parse({kResponse, "us-east-1", "StartSession", "prof", kParams, kEndpoint});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  const SessionRequest& r = p.request;
  EXPECT_FALSE(r.legacy_cli);
  EXPECT_EQ(r.session_id, "s-1");
  EXPECT_EQ(r.stream_url, kStreamUrl);
  EXPECT_EQ(r.token_value, kToken);
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.profile, "prof");
  EXPECT_EQ(r.target, "i-0123");
  EXPECT_EQ(r.document_name, "AWS-StartPortForwardingSession");
  EXPECT_EQ(r.parameters, wire::Json::parse(R"({"portNumber":["80"],"localPortNumber":["56789"]})"));
  EXPECT_EQ(r.ssm_endpoint, kEndpoint);
  EXPECT_FALSE(r.response_from_env);
}

TEST(PluginArgs, EightOrMoreArgumentsIgnoreTheRest) {
  const auto p = parse({kResponse, "us-east-1", "StartSession", "", kParams, kEndpoint, "extra", "not json {"});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_EQ(p.request.ssm_endpoint, kEndpoint);
  EXPECT_FALSE(p.request.legacy_cli);
}

TEST(PluginArgs, EmptyProfileRegionAndEndpointAreKeptEmpty) {
  const auto p = parse({kResponse, "", "StartSession", "", kParams, ""});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_EQ(p.request.region, "");
  EXPECT_EQ(p.request.ssm_endpoint, "");
}

// ---- the response JSON ---------------------------------------------------------------------

TEST(PluginArgs, ResponseKeysAreCaseInsensitiveAndUnknownKeysIgnored) {
  const auto p = parse({R"({"sessionid":"s-2","STREAMURL":"ws://127.0.0.1:1/x","tokenValue":"t",)"
                        R"("ResponseMetadata":{"RequestId":"r","HTTPStatusCode":200},"Extra":[1,2]})",
                        "r", "StartSession"});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_EQ(p.request.session_id, "s-2");
  EXPECT_EQ(p.request.stream_url, "ws://127.0.0.1:1/x");
  EXPECT_EQ(p.request.token_value, "t");
}

TEST(PluginArgs, StreamUrlSchemeIsCaseInsensitive) {
  const auto p = parse({response_with(R"("s")", R"("WSS://h/x")", R"("t")"), "r", "StartSession"});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_EQ(p.request.stream_url, "WSS://h/x");  // verbatim
}

TEST(PluginArgs, RequestKeysAreCaseInsensitiveAndOddOptionalFieldsIgnored) {
  const auto p = parse({kResponse, "r", "StartSession", "",
                        R"({"target":"mi-1","documentname":7,"parameters":"x","Reason":"because"})"});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_EQ(p.request.target, "mi-1");
  EXPECT_EQ(p.request.document_name, "");
  EXPECT_EQ(p.request.parameters, wire::Json::object());
}

TEST(PluginArgs, EmptyTargetIsAString) {
  const auto p = parse({kResponse, "r", "StartSession", "", R"({"Target":""})"});
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_EQ(p.request.target, "");
}

// ---- the environment-variable hand-off -------------------------------------------------------

TEST(PluginArgs, ResponseFromTheEnvironmentIsReadThenUnset) {
  FakeEnvironment env;
  env.vars["AWS_SSM_START_SESSION_RESPONSE"] = kResponse;
  env.vars["OTHER"] = "kept";
  const auto p = parse({"AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession", "", kParams, kEndpoint}, env);
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_TRUE(p.request.response_from_env);
  EXPECT_EQ(p.request.token_value, kToken);
  EXPECT_EQ(p.request.target, "i-0123");
  EXPECT_EQ(env.reads, std::vector<std::string>{"AWS_SSM_START_SESSION_RESPONSE"});
  EXPECT_EQ(env.unsets, std::vector<std::string>{"AWS_SSM_START_SESSION_RESPONSE"});
  EXPECT_EQ(env.vars, (std::map<std::string, std::string>{{"OTHER", "kept"}}));
}

TEST(PluginArgs, AnyNameWithThePrefixIsAVariable) {
  FakeEnvironment env;
  env.vars["AWS_SSM_START_SESSION_RESPONSE_42"] = kResponse;
  const auto p = parse({"AWS_SSM_START_SESSION_RESPONSE_42", "r", "StartSession"}, env);
  ASSERT_EQ(p.action, Action::start_session) << p.text;
  EXPECT_TRUE(p.request.response_from_env);
  EXPECT_TRUE(p.request.legacy_cli);
  EXPECT_TRUE(env.vars.empty());
}

TEST(PluginArgs, ThePrefixIsCaseSensitive) {
  FakeEnvironment env;
  env.vars["aws_ssm_start_session_response"] = kResponse;
  const auto p = parse({"aws_ssm_start_session_response", "r", "StartSession"}, env);
  EXPECT_EQ(p.action, Action::usage_error);
  EXPECT_EQ(p.text, "Cannot perform start session: the StartSession response is not valid JSON");
  EXPECT_TRUE(env.reads.empty());
  EXPECT_EQ(env.vars.size(), 1u);
}

TEST(PluginArgs, MissingVariableIsAnError) {
  FakeEnvironment env;
  const auto p = parse({"AWS_SSM_START_SESSION_RESPONSE", "r", "StartSession", "", kParams, kEndpoint}, env);
  EXPECT_EQ(p.action, Action::usage_error);
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_EQ(p.text, "Cannot perform start session: environment variable AWS_SSM_START_SESSION_RESPONSE is not set");
  EXPECT_TRUE(env.unsets.empty());
}

TEST(PluginArgs, EchoedVariableNamesStayOnOneLine) {
  const auto p = parse({"AWS_SSM_START_SESSION_RESPONSE\nX\r", "r", "StartSession"});
  EXPECT_EQ(p.text, "Cannot perform start session: environment variable AWS_SSM_START_SESSION_RESPONSE?X? is not set");
}

TEST(PluginArgs, BadResponseInTheVariableIsConsumedAndReported) {
  FakeEnvironment env;
  env.vars["AWS_SSM_START_SESSION_RESPONSE"] = "";
  const auto p = parse({"AWS_SSM_START_SESSION_RESPONSE", "r", "StartSession"}, env);
  EXPECT_EQ(p.text, "Cannot perform start session: the StartSession response is not valid JSON");
  EXPECT_TRUE(env.vars.empty());
}

// ---- errors --------------------------------------------------------------------------------

struct ErrorCase {
  std::vector<std::string> args;
  std::string message;  // after "Cannot perform start session: "
};

std::vector<ErrorCase> error_cases() {
  const std::string t = '"' + kToken + '"';
  const std::string url = R"("wss://h/x")";
  return {
      {{"WRONG_ENV_NAME", "r", "StartSession"}, "the StartSession response is not valid JSON"},
      {{R"({"SessionId":"s","TokenValue":)" + t, "r", "StartSession"}, "the StartSession response is not valid JSON"},
      {{"{\"TokenValue\":" + t + ",}", "r", "StartSession"}, "the StartSession response is not valid JSON"},
      {{"[" + t + "]", "r", "StartSession"}, "the StartSession response is not a JSON object"},
      {{t, "r", "StartSession"}, "the StartSession response is not a JSON object"},
      {{"null", "r", "StartSession"}, "the StartSession response is not a JSON object"},
      {{R"({"StreamUrl":)" + url + R"(,"TokenValue":)" + t + "}", "r", "StartSession"},
       "the StartSession response has no SessionId"},
      {{R"({"SessionId":"s","TokenValue":)" + t + "}", "r", "StartSession"},
       "the StartSession response has no StreamUrl"},
      {{R"({"SessionId":"s","StreamUrl":)" + url + "}", "r", "StartSession"},
       "the StartSession response has no TokenValue"},
      {{response_with("null", url, t), "r", "StartSession"}, "the StartSession response has no SessionId"},
      {{response_with("7", url, t), "r", "StartSession"}, "the StartSession response's SessionId is not a string"},
      {{response_with(R"("s")", "{}", t), "r", "StartSession"},
       "the StartSession response's StreamUrl is not a string"},
      {{response_with(R"("s")", url, "[" + t + "]"), "r", "StartSession"},
       "the StartSession response's TokenValue is not a string"},
      {{response_with(R"("s")", url, "{\"v\":" + t + "}"), "r", "StartSession"},
       "the StartSession response's TokenValue is not a string"},
      {{response_with(R"("")", url, t), "r", "StartSession"}, "the StartSession response has an empty SessionId"},
      {{response_with(R"("s")", R"("")", t), "r", "StartSession"},
       "the StartSession response has an empty StreamUrl"},
      {{response_with(R"("s")", R"("https://h/x")", t), "r", "StartSession"},
       "the StartSession response's StreamUrl is not a ws:// or wss:// URL"},
      {{response_with(R"("s")", R"("h/ws://")", t), "r", "StartSession"},
       "the StartSession response's StreamUrl is not a ws:// or wss:// URL"},
      {{response_with(R"("s")", url, R"("")"), "r", "StartSession"},
       "the StartSession response has an empty TokenValue"},
      {{kResponse, "r", "StartSession", "", "not json " + kToken},
       "the StartSession request (argument 5) is not valid JSON"},
      {{kResponse, "r", "StartSession", "", ""}, "the StartSession request (argument 5) is not valid JSON"},
      {{kResponse, "r", "StartSession", "", "[" + t + "]"},
       "the StartSession request (argument 5) is not a JSON object"},
      {{kResponse, "r", "StartSession", "", R"({"DocumentName":"AWS-StartSSHSession"})"},
       "the StartSession request (argument 5) has no Target"},
      {{kResponse, "r", "StartSession", "", R"({"Target":null})"},
       "the StartSession request (argument 5) has no Target"},
      {{kResponse, "r", "StartSession", "", R"({"Target":["i-1"]})"},
       "the StartSession request (argument 5)'s Target is not a string"},
  };
}

TEST(PluginArgs, OversizedAndDeeplyNestedInputIsRefused) {
  const std::string deep = R"({"SessionId":"s","StreamUrl":"wss://h/","TokenValue":")" + kToken + R"(","x":)" +
                           std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(parse({deep, "r", "StartSession"}).text, "Cannot perform start session: the StartSession response nests too deeply");
  const std::string deep_params = R"({"Target":"i-1","Parameters":)" + std::string(5000, '[') + std::string(5000, ']') + "}";
  EXPECT_EQ(parse({kResponse, "r", "StartSession", "", deep_params}).text,
            "Cannot perform start session: the StartSession request (argument 5) nests too deeply");
  const std::string huge = R"({"SessionId":"s","StreamUrl":"wss://h/","TokenValue":")" + std::string(wire::kMaxJsonPayload, 'T') + R"("})";
  EXPECT_EQ(parse({huge, "r", "StartSession"}).text, "Cannot perform start session: the StartSession response is too large");
}

TEST(PluginArgs, EveryErrorIsOneLineWithExitStatus2) {
  for (const ErrorCase& c : error_cases()) {
    SCOPED_TRACE(c.message);
    const auto p = parse(c.args);
    EXPECT_EQ(p.action, Action::usage_error);
    EXPECT_EQ(p.exit_code, 2);
    EXPECT_EQ(p.text, "Cannot perform start session: " + c.message);
  }
}

TEST(PluginArgs, NoErrorMessageContainsTheToken) {
  FakeEnvironment env;
  for (ErrorCase c : error_cases()) {
    // The same inputs through the environment variable too.
    for (bool via_env : {false, true}) {
      if (via_env) {
        env.vars["AWS_SSM_START_SESSION_RESPONSE"] = c.args[0];
        c.args[0] = "AWS_SSM_START_SESSION_RESPONSE";
      }
      const auto p = parse(c.args, env);
      EXPECT_EQ(p.action, Action::usage_error);
      EXPECT_EQ(p.text.find(kToken), std::string::npos) << p.text;
      EXPECT_EQ(p.text.find('\n'), std::string::npos) << p.text;
      EXPECT_TRUE(p.request.token_value.empty());  // no half-filled request escapes either
    }
  }
}

}  // namespace
}  // namespace ssm::cli
