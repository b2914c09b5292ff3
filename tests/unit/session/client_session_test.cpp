// The session coordinator with no sockets: the orderings agents produce (a handshake before
// any output, after early input, twice, during a resume; HandshakeComplete resent; the KMS
// random challenge with and without RequireKMSChallengeResponse; KMS failing, throttled or
// answering late; signals), with the messages sent and the exit status asserted.
#include <csignal>

#include "base/base64.h"
#include "crypto/session_cipher.h"
#include "session_harness.h"

namespace ssm::session {
namespace {

using namespace ssm::session::testing;
using namespace std::chrono_literals;
using wire::PayloadType;

const wire::Json kPortProperties{{"portNumber", "80"}, {"type", "LocalPortForwarding"}, {"localPortNumber", "0"}};

std::vector<std::uint8_t> key_bytes() {
  std::vector<std::uint8_t> key(crypto::kDataKeySize);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return key;
}

aws::DataKeyOutcome a_data_key() { return {aws::DataKey{key_bytes(), "QkxPQg=="}, {}}; }

wire::HandshakeResponse response_in(const wire::ClientMessage& m) {
  EXPECT_EQ(m.payload_type, PayloadType::handshake_response);
  wire::HandshakeResponse r;
  EXPECT_FALSE(wire::parse(m.payload_text(), r)) << m.payload_text();
  return r;
}

TEST(ClientSession, APlainShellHoldsInputUntilTheAgentsFirstOutput) {
  Harness h;
  h.start();
  EXPECT_EQ(h.phase(), Phase::connecting);
  h.open();
  EXPECT_EQ(h.phase(), Phase::awaiting_agent);
  ASSERT_NE(h.kind(), nullptr);  // a shell document's shell starts at once
  h.kind()->type_input("ls\r");
  EXPECT_TRUE(h.data_sent().empty()) << "nothing goes before the agent showed whether it hand-shakes";
  h.from_agent(h.agent.output("$ "));
  EXPECT_EQ(h.phase(), Phase::running);
  EXPECT_EQ(h.types_sent(), (std::vector{PayloadType::size, PayloadType::output}));
  EXPECT_EQ(h.kind()->outputs, (std::vector<std::string>{"$ "}));
  EXPECT_NE(h.out.find("Starting session with SessionId: s-test"), std::string::npos);
}

TEST(ClientSession, ARefusedTokenIsNotPrecededByTheStartingLine) {
  Harness h;
  h.start();
  h.open();  // the shell runs locally, but the service has not shown that it took the token
  EXPECT_EQ(h.out.find("Starting session"), std::string::npos);
  h.socket().closed = true;
  h.socket().listener.on_closed(transport::CloseReason::token_rejected, "the service rejected the session token");
  h.settle();
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_EQ(h.out.find("Starting session"), std::string::npos) << h.out;
  EXPECT_EQ(h.err, "session-manager-plugin: the service rejected the session token\n");
}

TEST(ClientSession, AnAgentSilentForASecondStillGetsTheStartingLine) {
  Harness h;
  h.start();
  h.open();
  h.run_for(ClientSession::kAgentSilence + std::chrono::milliseconds(100));
  EXPECT_NE(h.out.find("Starting session with SessionId: s-test"), std::string::npos);
}

TEST(ClientSession, AKindThatCannotTakeItsLocalSideFailsBeforeAnnouncingTheSession) {
  Harness h("AWS-StartPortForwardingSession");
  h.kinds->prepare_error = "cannot listen on 127.0.0.1:80: Address already in use";
  h.start();
  h.open();
  h.from_agent(h.agent.handshake_request(Agent::request("Port", kPortProperties)));
  h.from_agent(h.agent.handshake_complete());
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_EQ(h.out.find("Starting session"), std::string::npos) << h.out;
  EXPECT_EQ(h.err, "session-manager-plugin: cannot listen on 127.0.0.1:80: Address already in use\n");
}

TEST(ClientSession, AHandshakeBeforeAnyOutputGetsOnlyItsAnswerThenTheHeldInput) {
  Harness h;
  h.start();
  h.open();
  h.kind()->type_input("ls\r");
  h.from_agent(h.agent.handshake_request(Agent::request("Standard_Stream")));
  EXPECT_EQ(h.phase(), Phase::handshaking);
  ASSERT_EQ(h.types_sent(), (std::vector{PayloadType::handshake_response}));
  EXPECT_EQ(h.data_sent()[0].sequence_number, 0) << "the answer is not queued behind input";
  h.kind()->type_input("pwd\r");  // typed during the handshake: kept, not sent
  EXPECT_EQ(h.data_sent().size(), 1u);
  h.from_agent(h.agent.handshake_complete());
  EXPECT_EQ(h.phase(), Phase::running);
  EXPECT_EQ(h.types_sent(), (std::vector{PayloadType::handshake_response, PayloadType::size, PayloadType::output,
                                         PayloadType::output}));
  EXPECT_EQ(h.data_sent()[2].payload_text(), "ls\r");
  EXPECT_EQ(h.data_sent()[3].payload_text(), "pwd\r");
  EXPECT_EQ(h.kinds->made.size(), 1u);
}

TEST(ClientSession, AfterTheAgentsSilenceInputGoesAndIsSentAgainIfAHandshakeFollows) {
  Harness h;
  h.start();
  h.open();
  h.kind()->type_input("x");
  h.run_for(ClientSession::kAgentSilence + 200ms);
  EXPECT_EQ(h.types_sent(), (std::vector{PayloadType::size, PayloadType::output}));
  // A late handshake (agent-side.md §2.5): the agent threw that input away; it goes again.
  h.from_agent(h.agent.handshake_request(Agent::request("Standard_Stream")));
  h.from_agent(h.agent.handshake_complete());
  EXPECT_EQ(h.phase(), Phase::running);
  EXPECT_EQ(h.types_sent(), (std::vector{PayloadType::size, PayloadType::output, PayloadType::handshake_response,
                                         PayloadType::size, PayloadType::output}));
}

TEST(ClientSession, APortSessionSendsNothingAndStartsNothingBeforeTheHandshake) {
  Harness h("AWS-StartPortForwardingSession");
  h.start();
  h.open();
  EXPECT_EQ(h.kind(), nullptr);
  h.run_for(ClientSession::kAgentSilence + 200ms);  // no silence rule for documents that hand-shake
  EXPECT_TRUE(h.data_sent().empty());
  h.from_agent(h.agent.handshake_request(Agent::request("Port", kPortProperties)));
  const auto response = response_in(h.data_sent().at(0));
  ASSERT_EQ(response.processed_client_actions.size(), 1u);
  EXPECT_EQ(response.processed_client_actions[0].action_status, 1);
  EXPECT_EQ(h.kind(), nullptr);
  h.from_agent(h.agent.handshake_complete());
  ASSERT_NE(h.kind(), nullptr);
  EXPECT_EQ(h.kind()->type.kind, channel::SessionKind::port);
  EXPECT_EQ(h.phase(), Phase::running);
}

TEST(ClientSession, AgentDataDuringAHandshakeWaitsForItsEnd) {
  Harness h("AWS-StartNonInteractiveCommand");
  h.start();
  h.open();
  h.from_agent(h.agent.handshake_request(Agent::request("NonInteractiveCommands")));
  // Out of order on purpose: the output overtakes HandshakeComplete on the wire.
  const auto complete = h.agent.handshake_complete();
  h.from_agent(h.agent.output("early"));
  EXPECT_EQ(h.kind(), nullptr);
  h.from_agent(complete);
  ASSERT_NE(h.kind(), nullptr);
  EXPECT_EQ(h.kind()->outputs, (std::vector<std::string>{"early"}));
}

TEST(ClientSession, ARepeatedHandshakeRequestIsAnsweredAfresh) {
  Harness h("AWS-StartPortForwardingSession");
  h.start();
  h.open();
  h.from_agent(h.agent.handshake_request(Agent::request("Port", kPortProperties)));
  h.from_agent(h.agent.handshake_request(Agent::request("Port", kPortProperties)));
  EXPECT_EQ(h.types_sent(), (std::vector{PayloadType::handshake_response, PayloadType::handshake_response}));
  h.from_agent(h.agent.handshake_complete());
  EXPECT_EQ(h.phase(), Phase::running);
  EXPECT_EQ(h.kinds->made.size(), 1u);
}

TEST(ClientSession, HandshakeCompleteResentOrRepeatedIsTakenOnce) {
  Harness h("AWS-StartPortForwardingSession");
  h.start();
  h.open();
  h.from_agent(h.agent.handshake_request(Agent::request("Port", kPortProperties)));
  const auto complete = h.agent.handshake_complete("hello");
  h.from_agent(complete);
  h.from_agent(complete);  // the same message again (a retransmission): a duplicate
  h.from_agent(h.agent.handshake_complete("hello"));  // a second one, numbered anew
  EXPECT_EQ(h.phase(), Phase::running);
  EXPECT_EQ(h.kinds->made.size(), 1u);
  EXPECT_EQ(h.kind()->started, 1);
  EXPECT_TRUE(h.err.empty()) << h.err;
}

TEST(ClientSession, AHandshakeCompleteWithoutARequestFails) {
  Harness h("AWS-StartPortForwardingSession");
  h.start();
  h.open();
  h.from_agent(h.agent.handshake_complete());
  EXPECT_TRUE(h.session->done());
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_EQ(h.err, "session-manager-plugin: the agent completed a handshake it never started\n");
}

// ---- KMS ----------------------------------------------------------------------------------

struct KmsAgent {
  // Runs a KMS handshake up to the data-key call; returns the call.
  static FakeControlPlane::DataKeyCall& begin(Harness& h, std::string challenge) {
    h.start();
    h.open();
    h.kind()->type_input("id\r");
    h.from_agent(h.agent.handshake_request(Agent::request("Standard_Stream", nullptr, "alias/ssm", challenge)));
    EXPECT_TRUE(h.data_sent().empty()) << "the answer waits for the key";
    EXPECT_EQ(h.plane->data_keys.size(), 1u);
    return h.plane->data_keys.front();
  }
};

TEST(ClientSessionKms, TheRandomChallengeGoesIntoTheContextAndIsAcknowledged) {
  Harness h;
  const std::string challenge = base::base64_encode(std::vector<std::uint8_t>(16, 0xab));
  auto& call = KmsAgent::begin(h, challenge);
  EXPECT_EQ(call.key_id, "alias/ssm");
  EXPECT_EQ(call.context, (aws::EncryptionContext{{"aws:ssm:SessionId", "s-test"},
                                                  {"aws:ssm:TargetId", "i-0123456789abcdef0"},
                                                  {"aws:ssm:RandomChallenge", challenge}}));
  call.done(a_data_key());
  h.settle();
  const auto response = response_in(h.data_sent().at(0));
  ASSERT_EQ(response.processed_client_actions.size(), 2u);
  const auto& kms = response.processed_client_actions[1];
  EXPECT_EQ(kms.action_status, 1);
  EXPECT_EQ(kms.action_result["KMSCipherTextKey"], "QkxPQg==");
  EXPECT_EQ(kms.action_result["ChallengeAcknowledgement"], true);

  // The encryption challenge, sealed by the agent's half of the key, answered by ours.
  auto agent_cipher = crypto::SessionCipher::make(crypto::CipherSide::agent, key_bytes());
  const std::vector<std::uint8_t> secret(crypto::kChallengeSize, 0x42);
  const auto sealed = agent_cipher->seal(secret);
  h.from_agent(h.agent.data(PayloadType::enc_challenge_request, wire::to_json(wire::EncryptionChallenge{*sealed})));
  ASSERT_EQ(h.data_sent().size(), 2u);
  wire::EncryptionChallenge answer;
  ASSERT_FALSE(wire::parse(h.data_sent()[1].payload_text(), answer));
  const auto opened = agent_cipher->open(answer.challenge);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened.plaintext, secret);

  h.from_agent(h.agent.handshake_complete("This session is encrypted using AWS KMS."));
  EXPECT_EQ(h.phase(), Phase::running);
  EXPECT_NE(h.out.find("This session is encrypted using AWS KMS.\n"), std::string::npos);
  // The input typed before the handshake goes now, sealed.
  ASSERT_EQ(h.types_sent().size(), 4u);
  const auto typed = agent_cipher->open(h.data_sent()[3].payload);
  ASSERT_TRUE(typed);
  EXPECT_EQ(std::string(typed.plaintext.begin(), typed.plaintext.end()), "id\r");
}

TEST(ClientSessionKms, WithoutAChallengeNothingIsAcknowledged) {
  Harness h;
  auto& call = KmsAgent::begin(h, "");
  EXPECT_EQ(call.context.size(), 2u);
  call.done(a_data_key());
  h.settle();
  const auto response = response_in(h.data_sent().at(0));
  EXPECT_FALSE(response.processed_client_actions.at(1).action_result.contains("ChallengeAcknowledgement"));
}

TEST(ClientSessionKms, AFailedOrThrottledKmsCallIsReportedThenEndsWithOneLineAnd255) {
  for (const std::string why : {"GenerateDataKey failed: AccessDeniedException: no (HTTP 400)",
                                "GenerateDataKey failed: ThrottlingException: slow (HTTP 400) (after 3 attempts)"}) {
    Harness h;
    KmsAgent::begin(h, "c2VjcmV0").done({std::nullopt, why});
    h.settle();
    const auto response = response_in(h.data_sent().at(0));
    EXPECT_EQ(response.processed_client_actions.at(1).action_status, 2);
    EXPECT_EQ(response.errors, (std::vector<std::string>{why}));
    EXPECT_FALSE(h.session->done()) << "the agent must get our answer first";
    h.ack_all();
    EXPECT_TRUE(h.session->done());
    EXPECT_EQ(h.session->exit_code(), 255);
    EXPECT_EQ(h.err, "session-manager-plugin: the agent requires KMS encryption, which failed: " + why + "\n");
  }
}

TEST(ClientSessionKms, AKeyForAReplacedRequestIsNotUsed) {
  Harness h;
  auto first = KmsAgent::begin(h, "Zmlyc3Q=").done;
  h.from_agent(h.agent.handshake_request(Agent::request("Standard_Stream", nullptr, "alias/ssm", "c2Vjb25k")));
  ASSERT_EQ(h.plane->data_keys.size(), 2u);
  first(a_data_key());  // slow: the agent has asked again meanwhile
  h.settle();
  EXPECT_TRUE(h.data_sent().empty());
  h.plane->data_keys.back().done(a_data_key());
  h.settle();
  EXPECT_EQ(h.types_sent(), (std::vector{PayloadType::handshake_response}));
  EXPECT_EQ(h.phase(), Phase::handshaking);
}

TEST(ClientSessionKms, KmsTooSlowForTheAgentIsOneLineAnd255) {
  Harness h;
  h.spec.handshake_step_timeout = 1s;
  auto late = KmsAgent::begin(h, "c2VjcmV0").done;
  h.run_for(1500ms);
  EXPECT_TRUE(h.session->done());
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_EQ(h.err, "session-manager-plugin: KMS did not answer GenerateDataKey within 1 s\n");
  late(a_data_key());  // the answer after the end is dropped
  h.settle();
  EXPECT_TRUE(h.data_sent().empty());
}

TEST(ClientSession, AHandshakeThatNeverCompletesIsOneLineAnd255) {
  Harness h("AWS-StartPortForwardingSession");
  h.spec.handshake_step_timeout = 1s;
  h.start();
  h.open();
  h.from_agent(h.agent.handshake_request(Agent::request("Port", kPortProperties)));
  h.ack_all();
  h.run_for(1500ms);
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_EQ(h.err,
            "session-manager-plugin: the agent did not complete the handshake within 1 s of its last handshake "
            "message\n");
}

TEST(ClientSessionKms, TheAgentEndingTheSessionDuringTheHandshakeIsOneLineAnd255) {
  Harness h;
  KmsAgent::begin(h, "c2VjcmV0").done(a_data_key());
  h.settle();
  // An agent that requires the challenge and did not get it cancels; the service closes.
  h.from_agent(Agent::channel_closed("Encountered error while initiating handshake."));
  EXPECT_TRUE(h.session->done());
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_EQ(h.err,
            "session-manager-plugin: the service closed the session during the handshake: Encountered error while "
            "initiating handshake.\n");
  EXPECT_EQ(h.out.find("Exiting session"), std::string::npos);
}

TEST(ClientSessionKms, TheLegacyCliRefusesEncryptionAndEndsWith255) {
  Harness h;
  h.spec.legacy_cli = true;
  h.start();
  h.open();
  h.from_agent(h.agent.handshake_request(Agent::request("Standard_Stream", nullptr, "alias/ssm")));
  EXPECT_TRUE(h.plane->data_keys.empty());
  EXPECT_EQ(response_in(h.data_sent().at(0)).processed_client_actions.at(1).action_status, 2);
  h.ack_all();
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_NE(h.err.find("does not support Session Manager encryption"), std::string::npos);
}

// ---- resume -------------------------------------------------------------------------------

TEST(ClientSession, AHandshakeDuringAResumeHoldsInputAgain) {
  Harness h;
  h.start();
  h.open();
  h.from_agent(h.agent.output("$ "));
  h.lose();
  EXPECT_EQ(h.phase(), Phase::resuming);
  ASSERT_EQ(h.plane->resumes.size(), 1u);
  h.resume_to("ws://127.0.0.1:2/again");
  EXPECT_EQ(h.dialed.back(), "ws://127.0.0.1:2/again");
  h.open();
  EXPECT_EQ(h.phase(), Phase::running);
  // The agent restarts its handshake on the new connection.
  h.from_agent(h.agent.handshake_request(Agent::request("Standard_Stream")));
  EXPECT_EQ(h.phase(), Phase::handshaking);
  h.kind()->type_input("held");
  const auto before = h.data_sent().size();
  h.from_agent(h.agent.handshake_complete());
  EXPECT_EQ(h.phase(), Phase::running);
  EXPECT_EQ(h.data_sent().size(), before + 1);
  EXPECT_EQ(h.data_sent().back().payload_text(), "held");
}

TEST(ClientSession, ALossDuringTheHandshakeResumesIntoTheHandshake) {
  Harness h("AWS-StartPortForwardingSession");
  h.start();
  h.open();
  h.from_agent(h.agent.handshake_request(Agent::request("Port", kPortProperties)));
  h.lose();
  h.resume_to("ws://127.0.0.1:2/x");
  h.open();
  EXPECT_EQ(h.phase(), Phase::handshaking);
  h.from_agent(h.agent.handshake_complete());
  EXPECT_EQ(h.phase(), Phase::running);
}

TEST(ClientSession, ALossBeforeTheAgentSpokeResumesAndStillWaitsForItsSilence) {
  Harness h;
  h.start();
  h.open();
  h.kind()->type_input("x");
  h.lose();
  h.resume_to("ws://127.0.0.1:2/x");
  h.open();
  EXPECT_EQ(h.phase(), Phase::awaiting_agent);
  EXPECT_TRUE(h.data_sent().empty());
  h.run_for(ClientSession::kAgentSilence + 200ms);
  EXPECT_EQ(h.types_sent(), (std::vector{PayloadType::size, PayloadType::output}));
}

TEST(ClientSession, ARefusedResumeIsOneLineAnd255) {
  Harness h;
  h.start();
  h.open();
  h.from_agent(h.agent.output("$ "));
  h.lose();
  h.plane->resumes.front()({false, 400, {}, "DoesNotExistException: gone (HTTP 400)", aws::Credentials{"AK", "SK", ""}});
  h.settle();
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_EQ(h.err, "session-manager-plugin: the peer went away; ResumeSession failed: DoesNotExistException: gone (HTTP 400)\n")
      << "a resume refused at once shows only its outcome";
}

TEST(ClientSession, AnUntrustedCertificateWhileResumingEndsTheResumeAtOnce) {
  Harness h;
  h.start();
  h.open();
  h.from_agent(h.agent.output("$ "));
  h.lose();
  h.resume_to("wss://127.0.0.1:2/again");
  ASSERT_TRUE(h.dialing());
  h.socket().closed = true;
  h.socket().listener.on_closed(transport::CloseReason::certificate_rejected,
                                "TLS certificate verification failed for 127.0.0.1: self-signed certificate");
  h.settle();
  EXPECT_EQ(h.phase(), Phase::closed);
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_TRUE(h.plane->resumes.empty()) << "not asked again";
  EXPECT_NE(h.err.find("session-manager-plugin: the peer went away; TLS certificate verification failed for 127.0.0.1: "
                       "self-signed certificate\n"),
            std::string::npos)
      << h.err;
}

TEST(ClientSession, AConnectionRefusedWhileResumingIsTriedAgain) {
  Harness h;
  h.start();
  h.open();
  h.from_agent(h.agent.output("$ "));
  h.lose();
  h.resume_to("ws://127.0.0.1:2/again");
  ASSERT_TRUE(h.dialing());
  h.socket().closed = true;
  h.socket().listener.on_closed(transport::CloseReason::connect_failed, "cannot connect to 127.0.0.1:2: Connection refused");
  h.run_for(std::chrono::seconds(3));
  EXPECT_EQ(h.phase(), Phase::resuming);
  EXPECT_EQ(h.plane->resumes.size(), 1u) << "a transient failure is asked again";
}

TEST(ClientSession, ALostConnectionIsSaidWithinASecondAndItsResumeToo) {
  Harness h;
  h.start();
  h.open();
  h.from_agent(h.agent.output("$ "));
  h.lose();
  EXPECT_EQ(h.phase(), Phase::resuming);
  EXPECT_EQ(h.err, "");
  h.run_for(ClientSession::kResumeNoticeDelay + std::chrono::milliseconds(100));
  EXPECT_EQ(h.err, "session-manager-plugin: the connection was lost (the peer went away); resuming the session, for up to 60 s\n");
  h.resume_to("ws://127.0.0.1:2/again");
  h.open();
  EXPECT_EQ(h.phase(), Phase::running);
  EXPECT_NE(h.err.find("session-manager-plugin: session resumed\n"), std::string::npos) << h.err;
}

TEST(ClientSession, ResumingGivesUpAfterTheResumeTimeoutWhateverIsInFlight) {
  Harness h;
  h.spec.resume_timeout = std::chrono::milliseconds(200);
  h.start();
  h.open();
  h.from_agent(h.agent.output("$ "));
  h.lose();
  ASSERT_EQ(h.plane->resumes.size(), 1u);  // and never answered: a frozen service
  h.run_for(std::chrono::milliseconds(400));
  EXPECT_EQ(h.phase(), Phase::closed);
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_NE(h.err.find("session-manager-plugin: gave up resuming after 0.2 s: the peer went away\n"), std::string::npos)
      << h.err;
}

// ---- endings and signals ------------------------------------------------------------------

TEST(ClientSession, ChannelClosedWhileRunningEndsWith0AfterTheKindFlushed) {
  Harness h;
  h.start();
  h.open();
  h.from_agent(h.agent.output("$ "));
  h.kind()->done_on_finish = false;
  h.from_agent(Agent::channel_closed(""));
  EXPECT_EQ(h.phase(), Phase::finishing);
  EXPECT_EQ(h.out.find("Exiting"), std::string::npos) << "printed after the kind's own output";
  h.kind()->events.on_kind_done(0);
  EXPECT_TRUE(h.session->done());
  EXPECT_EQ(h.session->exit_code(), 0);
  EXPECT_NE(h.out.find("\n\nExiting session with sessionId: s-test.\n\n"), std::string::npos);
}

TEST(ClientSession, TheServicesReasonForEndingAStdioSessionGoesToStderr) {
  Harness h;
  h.kinds->data_on_stdout = true;
  h.start();
  h.open();
  h.from_agent(h.agent.output("data"));
  h.from_agent(Agent::channel_closed("Your session timed out due to inactivity and has been terminated."));
  EXPECT_EQ(h.session->exit_code(), 0);
  EXPECT_EQ(h.out, "") << "stdout is the data";
  EXPECT_EQ(h.err, "session-manager-plugin: Your session timed out due to inactivity and has been terminated.\n");
}

TEST(ClientSession, ChannelClosedBeforeTheAgentSpokeIsAFailure) {
  Harness h;
  h.start();
  h.open();
  h.from_agent(Agent::channel_closed("TargetNotConnected"));
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_EQ(h.err, "session-manager-plugin: the service closed the session before the agent started it: TargetNotConnected\n");
}

TEST(ClientSession, ASignalEndsEveryPhaseUnlessTheKindTakesIt) {
  {
    Harness h;
    h.start();  // connecting
    h.session->on_signal(SIGINT);
    EXPECT_EQ(h.session->exit_code(), 130);
  }
  {
    Harness h;
    h.start();
    h.open();
    h.from_agent(h.agent.handshake_request(Agent::request("Standard_Stream")));
    h.session->on_signal(SIGTERM);  // handshaking
    EXPECT_EQ(h.session->exit_code(), 128 + SIGTERM);
  }
  {
    Harness h;
    h.start();
    h.open();
    h.from_agent(h.agent.output("$ "));
    h.kind()->takes_signals = true;  // a shell sends Ctrl-C to the remote side
    h.session->on_signal(SIGINT);
    EXPECT_EQ(h.phase(), Phase::running);
  }
}

TEST(ClientSession, WhileTerminateSessionIsOnItsWayCtrlCLeavesAndAHangupWaits) {
  for (int signo : {SIGINT, SIGHUP}) {
    Harness h;
    h.spec.terminate_at_end = true;
    h.start();
    h.open();
    h.from_agent(h.agent.output("$ "));
    h.kind()->events.on_kind_done(3);
    EXPECT_EQ(h.phase(), Phase::ending);
    EXPECT_EQ(h.plane->calls.back(), "TerminateSession s-test");
    h.session->on_signal(signo);
    EXPECT_EQ(h.session->done(), signo == SIGINT);
    if (signo == SIGHUP) {
      h.plane->terminates.front()({true, 200, "{}", {}, std::nullopt});
      h.settle();
      EXPECT_TRUE(h.session->done());
    }
    EXPECT_EQ(h.session->exit_code(), 3);
  }
}

TEST(ClientSession, ASpentResendBudgetTerminatesTheSessionThenFails) {
  Harness h("AWS-StartPortForwardingSession");
  h.spec.resend_timeout = 1s;
  h.start();
  h.open();
  h.from_agent(h.agent.handshake_request(Agent::request("Port", kPortProperties)));
  h.from_agent(h.agent.handshake_complete());
  h.kind()->type_input("never acknowledged");
  h.run_for(2500ms);
  EXPECT_EQ(h.phase(), Phase::ending);
  EXPECT_EQ(h.plane->calls.back(), "TerminateSession s-test");
  EXPECT_EQ(h.err.rfind("session-manager-plugin: ", 0), 0u);
  h.plane->terminates.front()({false, 0, {}, "unreachable", std::nullopt});
  h.settle();
  EXPECT_EQ(h.session->exit_code(), 255);
}

TEST(ClientSession, TheUsersEscapeTerminatesTheSessionAndEndsAsSshDoes) {
  Harness h;
  h.start();
  h.open();
  h.from_agent(h.agent.output("$ "));
  h.kind()->control.on_user_terminate();
  EXPECT_EQ(h.phase(), Phase::ending);
  EXPECT_TRUE(h.kind()->aborted) << "the terminal is given back before the line is printed";
  h.plane->terminates.front()({true, 200, "{}", {}, std::nullopt});
  h.settle();
  EXPECT_EQ(h.session->exit_code(), 255);
  EXPECT_NE(h.err.find("Connection to "), std::string::npos) << h.err;
  EXPECT_NE(h.err.find(" closed.\n"), std::string::npos) << h.err;
}

TEST(ClientSession, ABasicPortSessionsTerminateWaitsForChannelClosed) {
  Harness h("AWS-StartPortForwardingSession");
  h.start();
  h.open();
  h.from_agent(h.agent.handshake_request(Agent::request("Port", kPortProperties)));
  h.from_agent(h.agent.handshake_complete());
  std::optional<bool> answered;
  h.kind()->events.terminate_session([&](bool ok) { answered = ok; });
  EXPECT_EQ(h.phase(), Phase::terminating);
  h.kind()->events.terminate_session([&](bool ok) { EXPECT_FALSE(ok); });  // asked already
  h.plane->terminates.front()({true, 200, "{}", {}, std::nullopt});
  h.settle();
  EXPECT_EQ(answered, true);
  h.from_agent(Agent::channel_closed(""));
  EXPECT_EQ(h.session->exit_code(), 0);
  EXPECT_EQ(h.plane->calls.size(), 1u) << "TerminateSession once";
}

}  // namespace
}  // namespace ssm::session
