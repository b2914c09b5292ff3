#include <gtest/gtest.h>

#include "endpoint/session_properties.h"
#include "endpoint/stream_target.h"

namespace ssm::endpoint {
namespace {

wire::Json params(const char* json) { return wire::Json::parse(json); }

TEST(SessionProperties, SessionTypeFollowsTheDocument) {
  const wire::Json none = wire::Json::object();
  EXPECT_EQ(session_type_for("", none), "Standard_Stream");
  EXPECT_EQ(session_type_for("SSM-SessionManagerRunShell", none), "Standard_Stream");
  EXPECT_EQ(session_type_for("AWS-StartSSHSession", none), "Port");
  EXPECT_EQ(session_type_for("AWS-StartPortForwardingSession", none), "Port");
  EXPECT_EQ(session_type_for("AWS-StartPortForwardingSessionToRemoteHost", none), "Port");
  EXPECT_EQ(session_type_for("AWS-StartInteractiveCommand", none), "InteractiveCommands");
  EXPECT_EQ(session_type_for("AWS-StartNonInteractiveCommand", none), "NonInteractiveCommands");
  EXPECT_EQ(session_type_for("My-Tunnel", params(R"({"portNumber":["80"]})")), "Port");
  EXPECT_EQ(session_type_for("", params(R"({"portNumber":["80"]})")), "Port");
}

TEST(SessionProperties, PortPropertiesAreStringsFromTheParameters) {
  EXPECT_EQ(port_properties("AWS-StartSSHSession", params(R"({"portNumber":["2222"]})")).dump(), R"({"portNumber":"2222"})");
  EXPECT_EQ(port_properties("AWS-StartSSHSession", wire::Json::object()).dump(), R"({"portNumber":"22"})");
  EXPECT_EQ(port_properties("", params(R"({"portNumber":["8080"]})")).dump(), R"({"portNumber":"8080"})");
  EXPECT_EQ(port_properties("AWS-StartPortForwardingSession", params(R"({"portNumber":["80"]})")).dump(),
            R"({"localPortNumber":"0","portNumber":"80","type":"LocalPortForwarding"})");
  EXPECT_EQ(port_properties("AWS-StartPortForwardingSession",
                            params(R"({"portNumber":["80"],"localPortNumber":["8080"]})"))
                .dump(),
            R"({"localPortNumber":"8080","portNumber":"80","type":"LocalPortForwarding"})");
  EXPECT_EQ(port_properties("AWS-StartPortForwardingSessionToRemoteHost",
                            params(R"({"portNumber":["5432"],"localPortNumber":["15432"],"host":["db.internal"]})"))
                .dump(),
            R"({"localPortNumber":"15432","portNumber":"5432","type":"LocalPortForwarding","host":"db.internal"})");
}

TEST(SessionProperties, FirstParameterTakesListsAndBareStrings) {
  EXPECT_EQ(first_parameter(params(R"({"a":["1","2"]})"), "a"), "1");
  EXPECT_EQ(first_parameter(params(R"({"a":"3"})"), "a"), "3");
  EXPECT_EQ(first_parameter(params(R"({"a":[]})"), "a"), "");
  EXPECT_EQ(first_parameter(params(R"({"a":[4]})"), "a"), "");
  EXPECT_EQ(first_parameter(params(R"({})"), "a"), "");
  EXPECT_EQ(first_parameter(params(R"([1])"), "a"), "");
}

TEST(StreamTargetSpec, Parses) {
  EXPECT_EQ(parse_target_spec("echo")->kind, TargetSpec::Kind::echo);
  EXPECT_EQ(parse_target_spec("sink")->kind, TargetSpec::Kind::sink);
  const auto source = parse_target_spec("source:104857600");
  ASSERT_TRUE(source);
  EXPECT_EQ(source->kind, TargetSpec::Kind::source);
  EXPECT_EQ(source->bytes, 104857600u);
  EXPECT_EQ(parse_target_spec("source:0")->bytes, 0u);
  const auto dial = parse_target_spec("dial:127.0.0.1:22");
  ASSERT_TRUE(dial);
  EXPECT_EQ(dial->host, "127.0.0.1");
  EXPECT_EQ(dial->port, "22");
  EXPECT_EQ(parse_target_spec("dial:[::1]:80")->host, "::1");
  EXPECT_EQ(parse_target_spec("dial:localhost:8080")->host, "localhost");
  EXPECT_EQ(parse_target_spec("agent")->kind, TargetSpec::Kind::agent);
  for (auto bad : {"", "echo2", "agent:", "agent:127.0.0.1:22", "agents", "source:", "source:-1", "source:1e9", "source:99999999999999999999", "dial:", "dial:host",
                   "dial:host:", "dial::22", "dial:host:ssh"})
    EXPECT_FALSE(parse_target_spec(bad)) << bad;
}

// Where `--stream-target agent` dials, from the properties the handshake announces.
TargetSpec agent_destination(const char* document, const char* parameters) {
  return for_port_session(*parse_target_spec("agent"), port_properties(document, params(parameters)));
}

TEST(StreamTargetSpec, AgentDialsWhereTheDocumentPoints) {
  struct Case {
    const char* document;
    const char* parameters;
    const char* host;
    const char* port;
  };
  for (const Case& c : {
           Case{"AWS-StartPortForwardingSession", R"({"portNumber":["8080"],"localPortNumber":["0"]})", "localhost",
                "8080"},
           Case{"AWS-StartPortForwardingSessionToRemoteHost", R"({"portNumber":["5432"],"host":["db.internal"]})",
                "db.internal", "5432"},
           Case{"AWS-StartPortForwardingSessionToRemoteHost", R"({"portNumber":["80"],"host":["::1"]})", "::1", "80"},
           Case{"AWS-StartSSHSession", R"({"portNumber":["2222"]})", "localhost", "2222"},
           Case{"AWS-StartSSHSession", "{}", "localhost", "22"},
           Case{"My-Tunnel", R"({"portNumber":["9000"]})", "localhost", "9000"},
           // Only the remote-host document's host counts, as only it announces one.
           Case{"AWS-StartSSHSession", R"({"portNumber":["22"],"host":["elsewhere"]})", "localhost", "22"},
       }) {
    const TargetSpec t = agent_destination(c.document, c.parameters);
    EXPECT_EQ(t.kind, TargetSpec::Kind::dial) << c.document << " " << c.parameters;
    EXPECT_EQ(t.host, c.host) << c.document << " " << c.parameters;
    EXPECT_EQ(t.port, c.port) << c.document << " " << c.parameters;
  }
  // No port: an empty one, which the dial then fails to reach.
  EXPECT_EQ(agent_destination("AWS-StartPortForwardingSession", "{}").port, "");
}

TEST(StreamTargetSpec, OtherTargetsIgnoreTheSession) {
  const wire::Json properties = port_properties("AWS-StartPortForwardingSessionToRemoteHost",
                                                params(R"({"portNumber":["5432"],"host":["db.internal"]})"));
  const TargetSpec dial = for_port_session(*parse_target_spec("dial:10.0.0.1:80"), properties);
  EXPECT_EQ(dial.kind, TargetSpec::Kind::dial);
  EXPECT_EQ(dial.host, "10.0.0.1");
  EXPECT_EQ(dial.port, "80");
  EXPECT_EQ(for_port_session(*parse_target_spec("echo"), properties).kind, TargetSpec::Kind::echo);
  const TargetSpec source = for_port_session(*parse_target_spec("source:5"), properties);
  EXPECT_EQ(source.kind, TargetSpec::Kind::source);
  EXPECT_EQ(source.bytes, 5u);
}

}  // namespace
}  // namespace ssm::endpoint
