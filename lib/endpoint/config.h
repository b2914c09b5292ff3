// lib/endpoint — owns the local Session Manager endpoint: the SSM JSON 1.1 API (StartSession,
// ResumeSession, TerminateSession), the data-channel WebSocket server (ws and wss with a
// generated test CA), and the agent emulator behind it (agent-side.md), with fault injection.
// It knows nothing of the client's sessions; it shares only lib/wire, lib/channel and the
// write-coalescing layer of lib/transport.
//
// This file: what the command line configures.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aws/sigv4.h"
#include "endpoint/node_directory.h"
#include "endpoint/service_limits.h"

namespace ssm::endpoint {

struct Faults {
  int drop_out = 0;           // percent of agent->client frames lost
  int drop_in = 0;            // percent of client->agent frames lost
  int duplicate = 0;          // percent of frames delivered twice (both ways)
  int reorder = 0;            // percent of agent->client frames held back behind the next one
  int corrupt = 0;            // percent of frames with one payload byte flipped (both ways)
  int delay_ms = 0;           // latency added to agent->client frames
  long drop_nth_out = 0;      // lose the Nth agent->client data frame, once (0: off) ...
  long drop_nth_in = 0;       // ... the Nth client->agent one; the end line says when it was repaired
  long disconnect_after = 0;  // drop the WebSocket after this many data frames sent ...
  int disconnects = 1;        // ... this many times, every disconnect_after frames
  long pause_after = 0;       // send pause_publication after this many data frames sent (once)
  int pause_ms = 1000;        // ... and start_publication this much later
  long freeze_after = 0;      // stop all I/O on the connection after this many data frames
  bool pacing = false;        // the real agent's pace: 1 KiB per 1 ms from sources
  // --agent-resend oldest-per-tick: resend as the real agent does, only the oldest unacked
  // message once per 100 ms (agent-side.md §3.2), instead of this project's channel policy.
  bool resend_oldest_per_tick = false;
  std::uint64_t seed = 1;

  // Faults that touch individual frames (the others are events on a counter).
  bool per_frame() const {
    return drop_out || drop_in || duplicate || reorder || corrupt || delay_ms || drop_nth_out || drop_nth_in;
  }
};

// --shell-handshake: whether Standard_Stream and InteractiveCommands sessions hand-shake
// (Port and NonInteractiveCommands always do, agent-side.md §2.1).
enum class ShellHandshake {
  never,   // not even with a KMS key: the shell runs unencrypted
  kms,     // only with a KMS key: the real agent
  always,  // also without one, a SessionType-only handshake (newer agents, protocol.md §6.8)
};

// --pre-handshake-input: what the agent does with in-order input other than the
// HandshakeResponse / EncChallengeResponse it waits for (agent-side.md §2.5).
enum class PreHandshakeInput {
  ack_and_drop,  // acks and discards it: the real agent
  drop,          // neither acks nor takes it, so the channel stalls behind it: stricter agents
  process,       // acks it and keeps it for the target, delivered in order once that starts
};

struct EndpointConfig {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;
  bool tls = false;
  std::string ca_out;  // where to write the test CA certificate (PEM)
  std::string agent_version = "3.3.987.0";
  ShellHandshake shell_handshake = ShellHandshake::kms;
  // --handshake never: an agent from before the handshake (protocol.md §6.6), where only a
  // KMS key makes a session hand-shake, Port and NonInteractiveCommands ones included.
  bool predates_handshake = false;
  PreHandshakeInput pre_handshake_input = PreHandshakeInput::ack_and_drop;
  std::string stream_target = "echo";  // Port sessions: echo, sink, source:<bytes>, dial:<host>:<port>, agent
  std::string shell = "sh";            // Standard_Stream's shell, and InteractiveCommands' `-c` runner
  // --kms-key-id: every session asks for KMS encryption with this key (and so hand-shakes),
  // as the agent does when the session preferences carry a KMS key. Empty: no encryption.
  std::string kms_key_id;
  // --kms-known-key: more keys the KMS stand-in knows besides kms_key_id; any other KeyId is
  // KMS's NotFoundException.
  std::vector<std::string> kms_known_keys;
  // --kms-agent-key-id: the key the agent names in its handshake instead of kms_key_id, so
  // that a test can have it ask for a key KMS does not know (a deleted key in the session
  // preferences). Also turns encryption on by itself.
  std::string kms_agent_key_id;
  // --kms-throttle: the first this many GenerateDataKey calls get ThrottlingException.
  int kms_throttle = 0;
  // --require-kms-challenge: a KMSEncryption result without ChallengeAcknowledgement is a
  // handshake error (the agent's RequireKMSChallengeResponse).
  bool require_kms_challenge = false;
  // --refuse-kms-challenge (a fault): an acknowledged challenge is taken as wrong, as if
  // kms:Decrypt with it in the context had failed, so the handshake fails.
  bool refuse_kms_challenge = false;
  // How long a session whose WebSocket went away waits for the client to come back before
  // it ends. A ResumeSession call stretches the wait (see AgentSession::expect_resume).
  std::chrono::milliseconds resume_grace{1000};
  // --idle-timeout, --max-session-duration: the service ends sessions as its preferences say.
  SessionLimits limits;
  Faults faults;
  // --verify-sigv4: API calls must be signed with this key pair (taken from the endpoint's own
  // credential chain, never from argv).
  std::optional<aws::Credentials> expected_credentials;
  // --assume-role-only: that key pair may call STS AssumeRole and nothing else, so that only
  // the temporary credentials it issues open sessions (proof that a client used them).
  bool assume_role_only = false;
  // --node: the managed nodes DescribeInstanceInformation knows; --deny-describe-instances
  // refuses EC2's DescribeInstances (a caller without ec2:DescribeInstances).
  std::vector<FakeNode> nodes;
  bool describe_instances_allowed = true;
  // --identity-tokens: the SSO and sign-in tokens the identity stand-ins accept at first;
  // --credentials-duration: how long the credentials they issue last.
  std::string identity_tokens_file;
  std::chrono::seconds credentials_duration{3600};
  bool verbose = false;

  // The key the agent asks the client to encrypt with; empty: no encryption.
  const std::string& agent_kms_key_id() const { return kms_agent_key_id.empty() ? kms_key_id : kms_agent_key_id; }
};

}  // namespace ssm::endpoint
