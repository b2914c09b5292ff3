// ssm-local-endpoint: the Session Manager service and the SSM agent, emulated on loopback.
// A thin main: options in, one EndpointServer on one io_context, signals to stop it.
#include <csignal>
#include <iostream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "aws/credentials.h"
#include "endpoint/endpoint_server.h"
#include "endpoint/stream_target.h"

namespace {

using ssm::endpoint::EndpointConfig;
using ssm::endpoint::PreHandshakeInput;
using ssm::endpoint::ShellHandshake;

constexpr int kUsageError = 2;
// On SIGINT/SIGTERM, channel_closed frames get this long to reach their clients.
constexpr auto kStopDrain = std::chrono::milliseconds(200);

// Validators that check quietly: the type name ("PCT", "MS", "N") says what is expected.
CLI::Validator quiet(CLI::Validator v) { return v.description(""); }

// An option whose value is one of `modes`, stored as its enum (so that a bad value is
// "x not in {...}", not a mapping of names to numbers).
template <typename Mode>
CLI::Option* add_mode(CLI::App& app, const std::string& name, Mode& target, const std::map<std::string, Mode>& modes,
                      const std::string& default_name, const std::string& help) {
  std::vector<std::string> names;
  for (const auto& [mode_name, mode] : modes) names.push_back(mode_name);
  return app.add_option_function<std::string>(name, [&target, modes](const std::string& v) { target = modes.at(v); }, help)
      ->type_name("MODE")
      ->check(quiet(CLI::IsMember(names)))
      ->default_str(default_name);
}

// Which agent the endpoint plays around the handshake (agent-side.md §2).
void add_handshake_options(CLI::App& app, EndpointConfig& c) {
  auto* shells = add_mode<ShellHandshake>(
      app, "--shell-handshake", c.shell_handshake,
      {{"never", ShellHandshake::never}, {"kms", ShellHandshake::kms}, {"always", ShellHandshake::always}}, "kms",
      "whether Standard_Stream and InteractiveCommands sessions hand-shake: kms (the real agent):\n"
      "only with a KMS key; always: also without one, a SessionType-only handshake (newer agents);\n"
      "never: not even with one, the shell then runs unencrypted. Port and NonInteractiveCommands\n"
      "sessions always hand-shake");
  app.add_option_function<std::string>(
         "--handshake",
         [&c](const std::string& mode) {
           if (mode == "never") c.predates_handshake = true;
           else c.shell_handshake = mode == "always" ? ShellHandshake::always : ShellHandshake::kms;
         },
         "the older, coarser switch: auto = --shell-handshake kms, always = --shell-handshake\n"
         "always; never = an agent from before the handshake: no session hand-shakes without a KMS\n"
         "key, Port and NonInteractiveCommands ones included")
      ->type_name("MODE")
      ->check(quiet(CLI::IsMember({"auto", "always", "never"})))
      ->excludes(shells);
  add_mode<PreHandshakeInput>(
      app, "--pre-handshake-input", c.pre_handshake_input,
      {{"ack-and-drop", PreHandshakeInput::ack_and_drop},
       {"drop", PreHandshakeInput::drop},
       {"process", PreHandshakeInput::process}},
      "ack-and-drop",
      "input other than the HandshakeResponse or EncChallengeResponse the handshake waits for:\n"
      "ack-and-drop (the real agent): acked and discarded; drop: neither acked nor taken, so the\n"
      "channel stalls behind it (stricter agents); process: acked and kept for the session, which\n"
      "gets it in order once it starts");
  app.add_flag("--require-kms-challenge", c.require_kms_challenge,
               "a KMSEncryption result without \"ChallengeAcknowledgement\":true is a handshake error\n"
               "(the agent's RequireKMSChallengeResponse)");
}

// Durations are read as plain numbers, then made chrono values (see main).
struct DurationOptions {
  long resume_grace_ms = 0, idle_timeout_s = 0, max_duration_s = 0;
  std::vector<std::string> node_specs;  // --node, parsed once all are in
  long credentials_duration_s = 3600;
};

void add_options(CLI::App& app, EndpointConfig& c, DurationOptions& d) {
  app.add_option("--port", c.port, "TCP port for the API and the data channel (0: pick a free one)")
      ->capture_default_str();
  app.add_option("--bind", c.bind, "address to listen on")->capture_default_str();
  auto* tls = app.add_flag("--tls", c.tls, "serve https and wss with a test CA generated at start-up");
  app.add_option("--ca-out", c.ca_out, "with --tls: write the test CA certificate (PEM) here, for AWS_CA_BUNDLE")
      ->type_name("FILE")
      ->needs(tls);
  app.add_option("--agent-version", c.agent_version, "agent version announced in the handshake")
      ->type_name("VERSION")
      ->capture_default_str();
  add_handshake_options(app, c);
  app.add_option("--stream-target", c.stream_target,
                 "what a Port session's Output reaches: echo (sent back); sink (counted, hashed);\n"
                 "source:<bytes> (that much pseudo-random output, then the end);\n"
                 "dial:<host>:<port> (a TCP connection, bytes both ways);\n"
                 "agent (as dial:, to where the SSM agent connects: the session's `host` parameter,\n"
                 "localhost without one, and its `portNumber`, 22 for AWS-StartSSHSession)")
      ->type_name("TARGET")
      ->check([](const std::string& s) {
        return ssm::endpoint::parse_target_spec(s) ? std::string() : "unknown stream target " + s;
      })
      ->capture_default_str();
  app.add_option("--shell", c.shell, "shell for Standard_Stream sessions (on a pty), and the `-c` runner of "
                 "AWS-StartInteractiveCommand")
      ->capture_default_str();
  app.add_option("--kms-key-id", c.kms_key_id,
                 "encrypt every session with KMS (the handshake then runs, unless --shell-handshake never):\n"
                 "the agent asks the client for this key with a random Challenge, and decrypts the data key\n"
                 "with that challenge in the encryption context when the client acknowledges it; the\n"
                 "endpoint's own GenerateDataKey stand-in issues the data key")
      ->type_name("KEY");
  app.add_option("--kms-known-key", c.kms_known_keys,
                 "another key the KMS stand-in knows (repeatable); GenerateDataKey for any key it does not\n"
                 "know answers NotFoundException, as KMS does for a deleted key")
      ->type_name("KEY")
      ->allow_extra_args(false);  // one key per occurrence, occurrences accumulate
  app.add_option("--kms-agent-key-id", c.kms_agent_key_id,
                 "the key the agent asks the client for instead of --kms-key-id (one KMS does not know,\n"
                 "say: session preferences naming a deleted key); turns encryption on by itself")
      ->type_name("KEY");
  app.add_option("--resume-grace", d.resume_grace_ms,
                 "how long a session waits for its client to reconnect after its WebSocket goes away;\n"
                 "a ResumeSession call extends the wait to 30 s")
      ->type_name("MS")
      ->check(quiet(CLI::Range(0L, 3600L * 1000)))
      ->capture_default_str();

  app.add_option("--idle-timeout", d.idle_timeout_s,
                 "end a session after this many seconds without data either way, as the service's idle\n"
                 "session timeout does (channel_closed with the service's reason); 0: never")
      ->type_name("S")
      ->check(quiet(CLI::Range(0L, 7L * 24 * 3600)));
  app.add_option("--max-session-duration", d.max_duration_s,
                 "end every session this many seconds after it started, as the service's maximum session\n"
                 "duration does; 0: never")
      ->type_name("S")
      ->check(quiet(CLI::Range(0L, 7L * 24 * 3600)));

  auto& f = c.faults;
  const auto percent = quiet(CLI::Range(0, 100));
  const auto count = quiet(CLI::NonNegativeNumber);
  const char* faults = "Fault injection (all off by default; per-frame faults use a PRNG seeded by --seed)";
  const auto pct = [&](const char* name, int& value, const char* what) {
    app.add_option(name, value, what)->type_name("PCT")->check(percent)->group(faults);
  };
  pct("--drop-out", f.drop_out, "lose this percentage of agent->client frames");
  pct("--drop-in", f.drop_in, "lose this percentage of client->agent frames");
  pct("--duplicate", f.duplicate, "deliver frames twice (both ways)");
  pct("--reorder", f.reorder, "hold agent->client frames back and send them after the next one");
  pct("--corrupt", f.corrupt, "flip one payload byte, so that the digest check fails (both ways)");
  app.add_option("--delay", f.delay_ms, "latency added to agent->client frames")
      ->type_name("MS")
      ->check(quiet(CLI::Range(0, 60000)))
      ->group(faults);
  app.add_option("--drop-nth-out", f.drop_nth_out,
                 "lose the Nth agent->client data frame (resends included), once; the session's end line says\n"
                 "how many microseconds later a copy of it was sent (nth_out_repair_us)")
      ->type_name("N")
      ->check(count)
      ->group(faults);
  app.add_option("--drop-nth-in", f.drop_nth_in,
                 "lose the Nth client->agent data frame, once; nth_in_repair_us: until a copy of it arrived")
      ->type_name("N")
      ->check(count)
      ->group(faults);
  app.add_option("--disconnect-after", f.disconnect_after, "drop the WebSocket abruptly after N data frames sent")
      ->type_name("N")
      ->check(count)
      ->group(faults);
  app.add_option("--disconnects", f.disconnects, "... K times in all, every N data frames (default 1)")
      ->type_name("K")
      ->check(CLI::Range(1, 1000))
      ->group(faults);
  app.add_option("--pause-after", f.pause_after, "send pause_publication after N data frames sent (once)")
      ->type_name("N")
      ->check(count)
      ->group(faults);
  app.add_option("--pause-ms", f.pause_ms, "... and start_publication this much later")
      ->type_name("MS")
      ->check(quiet(CLI::Range(0, 3600 * 1000)))
      ->capture_default_str()
      ->group(faults);
  app.add_option("--freeze-after", f.freeze_after,
                 "after N data frames sent, stop reading, writing and answering pings (socket kept open)")
      ->type_name("N")
      ->check(count)
      ->group(faults);
  app.add_option("--kms-throttle", c.kms_throttle,
                 "answer the first N GenerateDataKey calls with ThrottlingException (HTTP 400)")
      ->type_name("N")
      ->check(quiet(CLI::Range(0, 1000000)))
      ->group(faults);
  app.add_flag("--refuse-kms-challenge", c.refuse_kms_challenge,
               "take an acknowledged KMS random challenge as wrong (kms:Decrypt with it fails), so that\n"
               "the handshake fails")
      ->group(faults);
  app.add_flag("--pacing", f.pacing, "send from sources at the real agent's pace: 1 KiB per 1 ms")->group(faults);
  add_mode<bool>(app, "--agent-resend", f.resend_oldest_per_tick, {{"adaptive", false}, {"oldest-per-tick", true}},
                 "adaptive",
                 "how the agent resends what the plugin did not acknowledge: adaptive (this project's channel:\n"
                 "the oldest on a timeout, the rest when later acks show them lost) or oldest-per-tick (the real\n"
                 "agent: only the oldest unacknowledged message, at most once per 100 ms)")
      ->group(faults);
  app.add_option("--seed", f.seed, "seed of the fault PRNG, for repeatable runs")->capture_default_str()->group(faults);
  app.add_flag("-v,--verbose", c.verbose, "diagnostics on stderr");

  const char* nodes = "Managed nodes (DescribeInstanceInformation, EC2 DescribeInstances)";
  app.add_option(
         "--node", d.node_specs,
         "a managed node: id,name,ip,platform,status[,Key=Value...] (repeatable); platform Linux,\n"
         "Windows or MacOS; status Online, ConnectionLost or Inactive; StartSession to a node that\n"
         "is not Online is refused with TargetNotConnected")
      ->type_name("SPEC")
      ->allow_extra_args(false)
      ->check([](const std::string& s) {
        return ssm::endpoint::parse_node_spec(s) ? std::string() : "expected id,name,ip,platform,status[,Key=Value...]";
      })
      ->group(nodes);

  const char* identity = "Identity services (SSO-OIDC, the SSO portal, Sign-In)";
  app.add_option("--identity-tokens", c.identity_tokens_file,
                 "a JSON file {\"sso_access_tokens\":[...], \"sso_refresh_tokens\":[...],\n"
                 "\"login_refresh_tokens\":[...]}: the tokens the SSO portal, SSO-OIDC CreateToken and\n"
                 "Sign-In CreateOAuth2Token accept at first (each refresh token once; they issue new ones)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile)
      ->group(identity);
  app.add_option("--credentials-duration", d.credentials_duration_s,
                 "lifetime of the credentials the SSO portal and Sign-In issue (Sign-In: at most 900)")
      ->type_name("S")
      ->check(quiet(CLI::Range(1L, 12L * 3600)))
      ->capture_default_str()
      ->group(identity);
  app.add_flag("--deny-describe-instances", [&c](std::int64_t) { c.describe_instances_allowed = false; },
               "refuse EC2 DescribeInstances with UnauthorizedOperation (no ec2:DescribeInstances)")
      ->group(nodes);
}

// --verify-sigv4: the key pair API calls must be signed with, from the endpoint's own
// environment or AWS files (never argv, where any user could read the secret).
bool load_expected_credentials(EndpointConfig& c) {
  const auto r = ssm::aws::resolve_credentials("", ssm::base::Environment::process().get);
  if (!r.credentials) {
    std::cerr << "ssm-local-endpoint: --verify-sigv4 needs credentials: " << r.error << "\n";
    return false;
  }
  c.expected_credentials = r.credentials;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "ssm-local-endpoint: the AWS Session Manager service and SSM agent, emulated on one local port.\n"
      "Serves the SSM API (StartSession, ResumeSession, TerminateSession) and the data-channel WebSocket\n"
      "for session-manager-plugin and for tests, and stands in for KMS (GenerateDataKey) and STS\n"
      "(AssumeRole), EC2 (DescribeInstances) and ECS (ExecuteCommand) on the same port. Prints a ready line, one line per ended session with byte counts\n"
      "and SHA-256 of the Output received and sent, one per KMS or STS call, and a summary on\n"
      "SIGINT/SIGTERM."};
  EndpointConfig config;
  DurationOptions durations{.resume_grace_ms = static_cast<long>(config.resume_grace.count()), .node_specs = {}, .credentials_duration_s = 3600};
  bool verify_sigv4 = false;
  add_options(app, config, durations);
  auto* verify = app.add_flag("--verify-sigv4", verify_sigv4,
               "require API calls signed (SigV4) with the key pair of the endpoint's own environment\n"
               "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS files), or with temporary credentials\n"
               "the STS stand-in issued (AssumeRole); otherwise any signature passes");
  app.add_flag("--assume-role-only", config.assume_role_only,
               "with --verify-sigv4: that key pair may only call STS AssumeRole (AccessDeniedException for\n"
               "anything else), so that sessions need the temporary credentials AssumeRole issues")
      ->needs(verify);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "ssm-local-endpoint: " << e.what() << " (see --help)\n";
    return kUsageError;
  }
  config.resume_grace = std::chrono::milliseconds(durations.resume_grace_ms);
  config.credentials_duration = std::chrono::seconds(durations.credentials_duration_s);
  for (const std::string& spec : durations.node_specs) config.nodes.push_back(*ssm::endpoint::parse_node_spec(spec));
  config.limits = {std::chrono::seconds(durations.idle_timeout_s), std::chrono::seconds(durations.max_duration_s)};
  if (verify_sigv4 && !load_expected_credentials(config)) return kUsageError;

  std::signal(SIGPIPE, SIG_IGN);  // a client hanging up mid-write is an error code, not a death
  boost::asio::io_context io(1);
  try {
    ssm::endpoint::EndpointServer server(io, config, ssm::endpoint::Diagnostics(std::cout, std::cerr, config.verbose));
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::steady_timer drain(io);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      server.stop();
      server.out().event(server.summary_line());
      drain.expires_after(kStopDrain);
      drain.async_wait([&](const boost::system::error_code&) { io.stop(); });
    });
    server.start();
    server.out().event(server.ready_line());
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "ssm-local-endpoint: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
