// Which handshake each session type gets from each agent the endpoint can play.
#include <gtest/gtest.h>

#include "endpoint/handshake_policy.h"

namespace ssm::endpoint {
namespace {

EndpointConfig agent(ShellHandshake shells, std::string kms_key = "") {
  EndpointConfig c;
  c.shell_handshake = shells;
  c.kms_key_id = std::move(kms_key);
  return c;
}

constexpr auto kNone = SessionHandshake::none;
constexpr auto kType = SessionHandshake::session_type;
constexpr auto kKms = SessionHandshake::kms;

TEST(HandshakePolicy, TheRealAgentHandShakesForShellsOnlyWithKms) {
  const auto plain = agent(ShellHandshake::kms), kms = agent(ShellHandshake::kms, "alias/k");
  EXPECT_EQ(handshake_for("Standard_Stream", plain), kNone);
  EXPECT_EQ(handshake_for("InteractiveCommands", plain), kNone);
  EXPECT_EQ(handshake_for("NonInteractiveCommands", plain), kType);
  EXPECT_EQ(handshake_for("Port", plain), kType);
  EXPECT_EQ(handshake_for("Standard_Stream", kms), kKms);
  EXPECT_EQ(handshake_for("InteractiveCommands", kms), kKms);
  EXPECT_EQ(handshake_for("NonInteractiveCommands", kms), kKms);
  EXPECT_EQ(handshake_for("Port", kms), kKms);
}

TEST(HandshakePolicy, ShellsAlwaysOrNever) {
  EXPECT_EQ(handshake_for("Standard_Stream", agent(ShellHandshake::always)), kType);
  EXPECT_EQ(handshake_for("InteractiveCommands", agent(ShellHandshake::always)), kType);
  EXPECT_EQ(handshake_for("Standard_Stream", agent(ShellHandshake::always, "alias/k")), kKms);
  EXPECT_EQ(handshake_for("Standard_Stream", agent(ShellHandshake::never, "alias/k")), kNone);
  EXPECT_EQ(handshake_for("InteractiveCommands", agent(ShellHandshake::never, "alias/k")), kNone);
  // Commands and ports hand-shake whatever the shells do.
  EXPECT_EQ(handshake_for("NonInteractiveCommands", agent(ShellHandshake::never)), kType);
  EXPECT_EQ(handshake_for("Port", agent(ShellHandshake::never, "alias/k")), kKms);
}

TEST(HandshakePolicy, AnAgentFromBeforeTheHandshakeOnlyHandShakesForKms) {
  EndpointConfig old = agent(ShellHandshake::kms);
  old.predates_handshake = true;
  EXPECT_EQ(handshake_for("Port", old), kNone);
  EXPECT_EQ(handshake_for("NonInteractiveCommands", old), kNone);
  EXPECT_EQ(handshake_for("Standard_Stream", old), kNone);
  old.kms_agent_key_id = "alias/gone";  // the key the agent asks for turns encryption on too
  EXPECT_EQ(handshake_for("Port", old), kKms);
}

}  // namespace
}  // namespace ssm::endpoint
