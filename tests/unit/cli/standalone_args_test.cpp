// The standalone subcommands: what each asks StartSession for, -L and --parameters syntax,
// and bad arguments as one line with exit status 2.
#include "cli/standalone_args.h"

#include <gtest/gtest.h>

namespace ssm::cli {
namespace {

StandaloneParse parse(std::vector<std::string> args) { return parse_standalone_args(args); }

TEST(ForwardSpec, LocalHostRemote) {
  const auto f = parse_forward_spec("8080:localhost:80");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->bind_address, "");
  EXPECT_EQ(f->local_port, 8080);
  EXPECT_EQ(f->host, "localhost");
  EXPECT_EQ(f->remote_port, 80);
}

TEST(ForwardSpec, BindAddressAndBrackets) {
  auto f = parse_forward_spec("[::1]:0:[fd00::5]:443");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->bind_address, "::1");
  EXPECT_EQ(f->local_port, 0);
  EXPECT_EQ(f->host, "fd00::5");
  EXPECT_EQ(f->remote_port, 443);
  f = parse_forward_spec("*:5432:db.internal:5432");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->bind_address, "*");
  f = parse_forward_spec(":5432:db:5432");  // as ssh: empty bind address = every interface
  ASSERT_TRUE(f);
  EXPECT_EQ(f->bind_address, "*");
}

TEST(ForwardSpec, RejectsWhatSshRejects) {
  for (const char* bad : {"", "8080", "8080:host", "8080::80", "x:host:80", "8080:host:0", "8080:host:65536",
                          "70000:host:80", "8080:host:80x", "[::1:8080:h:80", "[::1]x:8080:h:80", "a:b:c:d:e"})
    EXPECT_FALSE(parse_forward_spec(bad)) << bad;
}

TEST(DynamicSpec, PortOrBindAddressAndPortAsSsh) {
  auto d = parse_dynamic_spec("1080");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->bind_address, "");
  EXPECT_EQ(d->port, 1080);
  d = parse_dynamic_spec("[::1]:0");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->bind_address, "::1");
  EXPECT_EQ(d->port, 0);
  d = parse_dynamic_spec(":1080");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->bind_address, "*");
  for (const char* bad : {"", "x", "1:2:3", "99999", "[::1"}) EXPECT_FALSE(parse_dynamic_spec(bad)) << bad;
}

TEST(StandaloneArgs, DynamicForwardsNeedNoLocalForward) {
  const auto r = parse({"port-forward", "--target", "i-1", "-D", "1080", "-D", "127.0.0.1:1081"});
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_EQ(r.command->dynamic_forwards.size(), 2u);
  EXPECT_TRUE(session_requests(*r.command).empty()) << "a SOCKS proxy opens sessions on demand";
}

TEST(StandaloneArgs, ADestinationOnTheNodeOrBeyondIt) {
  EXPECT_EQ(destination_request("i-1", "", "localhost", 80).document_name, "AWS-StartPortForwardingSession");
  const auto remote = destination_request("i-1", "", "db.internal", 5432);
  EXPECT_EQ(remote.document_name, "AWS-StartPortForwardingSessionToRemoteHost");
  EXPECT_EQ(remote.parameters.dump(), R"({"host":["db.internal"],"portNumber":["5432"]})");
  EXPECT_EQ(destination_request("i-1", "", "::1", 22, true).document_name,
            "AWS-StartPortForwardingSessionToRemoteHost") << "::1 named by a SOCKS client stays IPv6";
  EXPECT_FALSE(destination_request("i-1", "", "localhost", 80).parameters.contains("localPortNumber"));
}

TEST(SessionParameters, JsonAndShorthand) {
  auto p = parse_session_parameters(R"({"portNumber":["22"],"command":"uptime"})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->dump(), R"({"portNumber":["22"],"command":["uptime"]})");
  p = parse_session_parameters("portNumber=22,localPortNumber=9999");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->dump(), R"({"portNumber":["22"],"localPortNumber":["9999"]})");
  p = parse_session_parameters("command=ls,pwd,x=");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->dump(), R"({"command":["ls","pwd"],"x":[""]})");
  for (const char* bad : {"", "  ", "{", "[]", R"({"a":1})", R"({"a":[1]})", "novalue", "=x", ",a=1"})
    EXPECT_FALSE(parse_session_parameters(bad)) << bad;
}

TEST(StandaloneArgs, StartSessionRequestBody) {
  const auto r = parse({"start-session", "--target", "i-0123", "--document-name", "AWS-StartInteractiveCommand",
                        "--parameters", "command=uptime", "--reason", "audit", "--region", "eu-west-1"});
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_EQ(r.command->region, "eu-west-1");
  const auto requests = session_requests(*r.command);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(to_json(requests[0]),
            R"({"Target":"i-0123","DocumentName":"AWS-StartInteractiveCommand","Parameters":{"command":["uptime"]},)"
            R"("Reason":"audit"})");
}

TEST(StandaloneArgs, ShellAsksForTheDefaultDocument) {
  const auto r = parse({"shell", "--target", "i-0123", "--profile", "dev", "-q"});
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_EQ(r.command->profile, "dev");
  EXPECT_TRUE(r.command->quiet);
  EXPECT_EQ(to_json(session_requests(*r.command).at(0)), R"({"Target":"i-0123"})");
}

TEST(StandaloneArgs, CommonOptionsBeforeOrAfterTheSubcommand) {
  auto r = parse({"--endpoint-url", "http://127.0.0.1:1", "-v", "shell", "--target", "i-1"});
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_EQ(r.command->endpoint_url, "http://127.0.0.1:1");
  EXPECT_TRUE(r.command->verbose);
  r = parse({"shell", "--target", "i-1", "--endpoint-url", "http://127.0.0.1:2"});
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_EQ(r.command->endpoint_url, "http://127.0.0.1:2");
}

TEST(StandaloneArgs, PortForwardIsOneSessionPerForward) {
  const auto r = parse({"port-forward", "--target", "i-1", "-L", "8080:localhost:80", "-L",
                        "127.0.0.2:0:10.0.0.5:5432", "--local-forward", "*:2222:127.0.0.1:22"});
  ASSERT_TRUE(r.command) << r.error;
  const auto requests = session_requests(*r.command);
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(to_json(requests[0]),
            R"({"Target":"i-1","DocumentName":"AWS-StartPortForwardingSession",)"
            R"("Parameters":{"portNumber":["80"],"localPortNumber":["8080"]}})");
  EXPECT_EQ(requests[0].local_host, "");
  EXPECT_EQ(to_json(requests[1]),
            R"({"Target":"i-1","DocumentName":"AWS-StartPortForwardingSessionToRemoteHost",)"
            R"("Parameters":{"host":["10.0.0.5"],"portNumber":["5432"],"localPortNumber":["0"]}})");
  EXPECT_EQ(requests[1].local_host, "127.0.0.2");
  EXPECT_EQ(requests[2].document_name, "AWS-StartPortForwardingSession");
  EXPECT_EQ(requests[2].local_host, "0.0.0.0");
}

TEST(StandaloneArgs, SshProxyTakesSshsHostAndPort) {
  const auto r = parse({"ssh-proxy", "i-0abc", "2222"});
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_EQ(to_json(session_requests(*r.command).at(0)),
            R"({"Target":"i-0abc","DocumentName":"AWS-StartSSHSession","Parameters":{"portNumber":["2222"]}})");
}

TEST(StandaloneArgs, TargetsMayBeNamesOrLeftOutAndListTakesItsOptions) {
  auto r = parse({"ssh-proxy", "web-1", "22", "--pick", "first"});
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_EQ(r.command->target, "web-1");  // a name: resolved before the session, not here
  EXPECT_TRUE(r.command->pick_first);
  r = parse({"ssh-proxy"});  // the same for ssh-proxy, to port 22
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_EQ(r.command->target, "");
  EXPECT_EQ(r.command->ssh_port, 22);
  r = parse({"ssh-proxy", "web-1"});
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_EQ(r.command->ssh_port, 22);
  r = parse({"shell"});  // no target: a pick list on a terminal, decided when it runs
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_EQ(r.command->target, "");
  EXPECT_FALSE(r.command->pick_first);
  r = parse({"list", "--json", "--filter", "tag:Role=web", "--region", "eu-west-1"});
  ASSERT_TRUE(r.command) << r.error;
  EXPECT_EQ(r.command->subcommand, Subcommand::list);
  EXPECT_TRUE(r.command->json);
  EXPECT_EQ(r.command->filter, "tag:Role=web");
  EXPECT_EQ(r.command->region, "eu-west-1");
  EXPECT_TRUE(session_requests(*r.command).empty());
  EXPECT_TRUE(is_standalone_command_line(std::vector<std::string>{"list"}));
}

TEST(StandaloneArgs, BadArgumentsAreOneLineAndExitTwo) {
  const std::vector<std::vector<std::string>> bad = {
      {"shell", "--target", "web", "--pick", "last"},     // no such pick mode
      {"list", "--json", "extra"},                        // list takes no positional
      {"port-forward", "--target", "i-1"},                // no -L
      {"port-forward", "--target", "i-1", "-L", "8080"},  // bad -L
      {"start-session", "--target", "i-1", "--parameters", "{"},
      {"ssh-proxy", "i-1", "port"},
      {"shell", "--target", "i-1", "--bogus"},
      {"--region", "x"},  // no subcommand
  };
  for (const auto& args : bad) {
    const auto r = parse(args);
    EXPECT_FALSE(r.command) << args.at(0);
    EXPECT_EQ(r.exit_code, 2) << args.at(0);
    EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
    EXPECT_EQ(r.error.rfind("session-manager-plugin: ", 0), 0u) << r.error;
  }
}

TEST(StandaloneArgs, HelpListsTheSubcommandsAndExitsZero) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"}, {"port-forward", "--help"}}) {
    const auto r = parse(args);
    EXPECT_FALSE(r.command);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.error.empty());
    EXPECT_NE(r.out.find("--profile NAME"), std::string::npos) << r.out;
  }
  EXPECT_NE(parse({"port-forward", "--help"}).out.find("-L,--local-forward"), std::string::npos);
  const auto top = parse({"--help"});
  for (const char* name : {"start-session", "shell", "port-forward", "ssh-proxy", "ProxyCommand"})
    EXPECT_NE(top.out.find(name), std::string::npos) << name;
}

TEST(StandaloneArgs, CommandLinesThatGoToTheStandaloneParser) {
  using Args = std::vector<std::string>;
  for (const Args& args : {Args{"shell"}, Args{"--help"}, Args{"-h"}, Args{"--profile", "dev", "shell"},
                           Args{"--region=eu-west-1", "ssh-proxy"}, Args{"-q", "port-forward"}, Args{"-v"}})
    EXPECT_TRUE(is_standalone_command_line(args)) << args.at(0);
  for (const Args& args : {Args{}, Args{"--version"}, Args{"--Version"}, Args{"bogus"}, Args{"-x"},
                           Args{"AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession"},
                           Args{"{\"SessionId\":\"s\"}", "us-east-1", "StartSession"}})
    EXPECT_FALSE(is_standalone_command_line(args)) << (args.empty() ? "(none)" : args.at(0));
}

TEST(StandaloneArgs, SubcommandNamesNeverClashWithTheCliContract) {
  for (const char* name : {"start-session", "shell", "port-forward", "ssh-proxy"}) EXPECT_TRUE(is_standalone_subcommand(name));
  for (const char* other : {"--version", "AWS_SSM_START_SESSION_RESPONSE", "{\"SessionId\":\"s\"}", "", "Shell"})
    EXPECT_FALSE(is_standalone_subcommand(other));
}

}  // namespace
}  // namespace ssm::cli
