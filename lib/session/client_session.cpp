#include "session/client_session.h"

#include <csignal>

#include <cstdlib>

#include "aws/credentials.h"
#include "aws/json_client.h"
#include "aws/service_endpoints.h"
#include "crypto/session_cipher.h"
#include "log/log.h"
#include "session/basic_port_session.h"
#include "session/console.h"
#include "session/kms_key_exchange.h"
#include "session/mux_port_session.h"
#include "session/shell_session.h"
#include "session/stream_session.h"
#include "wire/payloads.h"

namespace ssm::session {
namespace {

// Documents that always run a shell or a command on a pty. The agent runs no handshake for
// them (agent-side.md §2.1), so the reference learns the session type only from the first
// output and reads no input until then: a command that waits for input before printing
// anything (`head -n 2` fed from a file) would wait forever. For these the shell starts as
// soon as the channel is open.
bool is_shell_document(const std::string& name) {
  return name.empty() || name == "SSM-SessionManagerRunShell" || name == "AWS-StartInteractiveCommand";
}

channel::ChannelConfig client_channel_config(const SessionSpec& spec) {
  channel::ChannelConfig c;
  c.role = channel::kClient;
  c.resend_budget = spec.resend_timeout;
  return c;
}

}  // namespace

ClientSession::ClientSession(boost::asio::any_io_executor ex, SessionSpec spec,
                             std::shared_ptr<aws::CredentialProvider> credentials)
    : executor_(ex),
      spec_(std::move(spec)),
      client_id_(wire::Uuid::random_v4().to_string()),
      handshake_({spec_.client_version, spec_.legacy_cli}),
      connection_(ex, client_channel_config(spec_), static_cast<channel::ChannelHandler&>(*this),
                  static_cast<ConnectionEvents&>(*this)),
      credentials_(credentials ? std::move(credentials)
                               : std::make_shared<aws::CredentialProvider>(
                                     ex, aws::CredentialOptions{.profile = spec_.profile,
                                                                .ca_bundle = spec_.ca_bundle,
                                                                .region = spec_.region})),
      resumer_(ex, spec_, *credentials_),
      upgrade_auth_(spec_.region, aws::process_environment()) {
  // The upgrade is signed for argv's region verbatim (protocol-updates.md §2.2); the plugin's
  // own API calls fall back, as the SDK does, to AWS_REGION, AWS_DEFAULT_REGION, the profile.
  spec_.region = aws::resolve_region(spec_.region, spec_.profile, aws::process_environment());
}

ClientSession::~ClientSession() {
  if (kind_) kind_->abort();
  connection_.close();
}

void ClientSession::start() {
  if (!upgrade_auth_.wants_credentials(spec_.stream_url)) return connect();
  credentials_->async_get([this](aws::ResolvedCredentials found) {
    if (over()) return;
    upgrade_auth_.start(found);
    connect();
  });
}


void ClientSession::connect() {
  transport::ConnectOptions options;
  options.url = aws::stream_url_for_endpoint(spec_.stream_url, aws::process_environment());
  if (options.url.empty()) return fail("AWS_ENDPOINT_URL_SSMMESSAGES is not an http(s) or ws(s) URL");
  options.open_message = wire::to_json(wire::OpenDataChannel{
      "1.0", wire::Uuid::random_v4().to_string(), spec_.token_value, client_id_, spec_.client_version});
  options.ca_bundle = spec_.ca_bundle;
  options.keepalive = spec_.keepalive;
  options.headers.emplace_back("User-Agent", "session-manager-plugin/" + spec_.client_version);
  for (auto& header : upgrade_auth_.headers_for(options.url)) options.headers.push_back(std::move(header));
  connection_.connect(std::move(options));
}

// ---- connection ---------------------------------------------------------------------------

void ClientSession::on_connected() {
  if (ever_connected_) SSM_LOG(info, "data channel resumed");
  ever_connected_ = true;
  resumer_.connected();
  if (kind_ || !is_shell_document(spec_.document_name)) return;
  // Whether this agent hand-shakes (a KMS-encrypted shell) shows only in its first message;
  // until then the shell's input (its first Size included) may be thrown away: keep a copy.
  connection_.channel().journal_input();
  handshake_.assume_shell();
  start_kind();
}

void ClientSession::on_connection_lost(transport::CloseReason reason, std::string_view message) {
  if (over()) return;
  if (resumer_.active()) return;  // a reconnect attempt failed while resuming: it is counted there
  if (giving_up_) return;         // TerminateSession is on its way; the failure follows it
  std::string why(message);
  if (const auto invalid = connection_.channel().stats().dropped_invalid; invalid > 0)
    why += " (" + std::to_string(invalid) + " malformed frames from it were dropped)";
  // A session that never came up, or whose token was refused, is not resumed; `~.` is
  // leaving anyway.
  if (!ever_connected_ || reason == transport::CloseReason::token_rejected) return fail(why);
  if (terminating_) return end(kExitOk);
  // We refused the agent's handshake (e.g. KMS failed): the agent cancels the session, and
  // the reason for that is ours, not the lost connection.
  if (!handshake_.refusal().empty()) return fail(handshake_.refusal());
  SSM_LOG(info, "data channel lost (" + why + "); resuming");
  lost_because_ = why;
  resumer_.resume([this](std::optional<SessionResumer::Fresh> fresh, const std::string& error) {
    if (over()) return;
    if (!fresh) return fail(lost_because_ + "; " + error);
    spec_.stream_url = fresh->stream_url;
    spec_.token_value = fresh->token;
    upgrade_auth_.update(fresh->credentials);
    connect();
  });
}

// ---- channel ------------------------------------------------------------------------------

channel::Delivery ClientSession::on_data(const wire::ClientMessage& m) {
  if (over()) return channel::Delivery::accepted;
  switch (m.payload_type) {
    case wire::PayloadType::handshake_request:
      return on_handshake_request(m);
    case wire::PayloadType::handshake_complete:
      return on_handshake_complete(m);
    case wire::PayloadType::enc_challenge_request:
      return on_enc_challenge(m);
    default:
      break;
  }
  // The agent started without a handshake: the input sent so far reached it.
  if (!handshake_seen_) connection_.channel().forget_input();
  if (!kind_) {
    if (handshake_seen_) return channel::Delivery::not_ready;  // held until HandshakeComplete
    // An agent that sends no handshake starts with shell output (protocol.md §6.6).
    handshake_.assume_shell();
    start_kind();
    if (!kind_) return channel::Delivery::accepted;
  }
  return kind_->on_output(m);
}

channel::Delivery ClientSession::on_handshake_request(const wire::ClientMessage& m) {
  handshake_seen_ = true;
  // Until HandshakeComplete the agent discards input (agent-side.md §2.5): hold it back.
  connection_.channel().hold_input();
  wire::HandshakeRequest request;
  if (auto err = wire::parse(m.payload_text(), request)) {
    fail("the agent sent an unreadable handshake request (" + err.message() + ")");
    return channel::Delivery::accepted;
  }
  if (auto response = handshake_.on_request(request)) {
    send_handshake_response(*response);
    return channel::Delivery::accepted;
  }
  // KMS encryption: the response waits for the data key (protocol-smux-kms-aws.md §2.2). The
  // request is acknowledged now, as every handshake message is; the agent sends nothing more
  // until it has our response.
  SSM_LOG(info, "the agent requires KMS encryption; calling GenerateDataKey");
  async_generate_data_key(executor_, spec_, *credentials_, *handshake_.kms_key_id(),
                          [this](std::optional<channel::KmsDataKey> key, const std::string& error) {
                            on_kms_data_key(std::move(key), error);
                          });
  return channel::Delivery::accepted;
}

void ClientSession::on_kms_data_key(std::optional<channel::KmsDataKey> key, const std::string& error) {
  if (over()) return;
  channel::CompletedHandshake completed =
      key ? handshake_.on_data_key(std::move(*key)) : handshake_.on_data_key_failed(error);
  if (completed.cipher) {
    // §2.5: on from the successful result on, so before the response goes out.
    connection_.channel().set_cipher(std::move(completed.cipher));
    SSM_LOG(info, "KMS encryption is on");
  } else {
    SSM_LOG(warn, handshake_.refusal());
  }
  // A failed action is reported to the agent, which cancels the session; once it has our
  // response (acknowledged) the refusal ends ours (on_all_acknowledged).
  send_handshake_response(completed.response);
}

void ClientSession::send_handshake_response(const wire::HandshakeResponse& response) {
  connection_.channel().send(wire::PayloadType::handshake_response, wire::as_bytes(wire::to_json(response)));
}

// §2.6: prove to the agent that both directions work with the data key.
channel::Delivery ClientSession::on_enc_challenge(const wire::ClientMessage& m) {
  crypto::SessionCipher* cipher = connection_.channel().cipher();
  if (!cipher) {
    fail("the agent sent an encryption challenge, but no KMS data key was agreed");
    return channel::Delivery::accepted;
  }
  wire::EncryptionChallenge challenge;
  if (auto err = wire::parse(m.payload_text(), challenge)) {
    fail("the agent sent an unreadable encryption challenge (" + err.message() + ")");
    return channel::Delivery::accepted;
  }
  crypto::Opened answer = crypto::answer_challenge(*cipher, challenge.challenge);
  if (!answer) {
    fail("the agent's encryption challenge does not decrypt with the KMS data key: " +
         std::string(crypto::describe(answer.error)));
    return channel::Delivery::accepted;
  }
  const std::string json = wire::to_json(wire::EncryptionChallenge{std::move(answer.plaintext)});
  connection_.channel().send(wire::PayloadType::enc_challenge_response, wire::as_bytes(json));
  return channel::Delivery::accepted;
}

channel::Delivery ClientSession::on_handshake_complete(const wire::ClientMessage& m) {
  wire::HandshakeComplete complete;
  (void)wire::parse(m.payload_text(), complete);  // only the customer message is used
  if (!handshake_.refusal().empty()) {
    fail(handshake_.refusal());
    return channel::Delivery::accepted;
  }
  if (!handshake_.session_type()) {
    fail("unable to determine SessionType");
    return channel::Delivery::accepted;
  }
  if (kind_) {
    // Started early for a shell document (a KMS session hand-shakes too): it must be one.
    if (handshake_.session_type()->kind == channel::SessionKind::port) {
      fail("the agent started a Port session for the shell document " + spec_.document_name);
      return channel::Delivery::accepted;
    }
  } else {
    start_kind();
  }
  if (!complete.customer_message.empty()) status(complete.customer_message + "\n");
  // What the agent discarded while hand-shaking goes again, now sealed if KMS is on.
  connection_.channel().replay_input();
  connection_.channel().retry_delivery();
  return channel::Delivery::accepted;
}

void ClientSession::start_kind() {
  const auto& type = *handshake_.session_type();
  KindEvents& events = *this;
  if (type.kind == channel::SessionKind::port) {
    wire::PortParameters port;
    (void)wire::parse(type.properties.is_object() ? type.properties.dump() : std::string("{}"), port);
    if (port.type == "LocalPortForwarding") {
      PortSessionConfig config{spec_.session_id, port, spec_.local_host, handshake_.agent_version()};
      // Agents after 3.0.196.0 speak smux; older ones forward one connection at a time.
      if (channel::version_greater(handshake_.agent_version(), channel::kMuxAfter))
        kind_ = std::make_unique<MuxPortSession>(executor_, connection_.channel(), events, std::move(config));
      else
        kind_ = std::make_unique<BasicPortSession>(executor_, connection_.channel(), events, std::move(config));
      status("\nStarting session with SessionId: " + spec_.session_id + "\n");
      kind_->start();
      return;
    }
    // No `type`: standard-stream forwarding over stdin/stdout (SSH ProxyCommand).
    kind_ = std::make_unique<StreamSession>(executor_, connection_.channel(), events,
                                            StreamOptions{.end_on_input_eof = true});
  } else {
    ShellControl& control = *this;
    kind_ = std::make_unique<ShellSession>(executor_, connection_.channel(), events, control,
                                           ShellOptions{.interactive = type.name != "NonInteractiveCommands"});
  }
  // Printed once the session kind is known, so that a failed start shows one line only
  // and a stdio session never shows it (the AWS plugin's copy vanishes in the SSH stream).
  status("\nStarting session with SessionId: " + spec_.session_id + "\n");
  kind_->start();
}

void ClientSession::on_channel_closed(const wire::ChannelClosed& closed) {
  if (over()) return;
  SSM_LOG(info, "the service closed the channel");
  closing_text_ = closed.output.empty()
                      ? "\n\nExiting session with sessionId: " + spec_.session_id + ".\n\n"
                      : "\n\nSessionId: " + spec_.session_id + " : " + closed.output + "\n\n";
  connection_.close();
  if (kind_) kind_->finish(kExitOk);
  else on_kind_done(kExitOk);
}

void ClientSession::on_send_space() {
  if (kind_) kind_->on_send_space();
}

void ClientSession::on_all_acknowledged() {
  if (kind_) kind_->on_all_acknowledged();
  if (!handshake_.refusal().empty() && !over()) fail(handshake_.refusal());
}

void ClientSession::on_channel_failed(std::error_code ec, std::string_view reason) {
  if (ec != std::errc::timed_out || over() || terminate_called()) return fail(std::string(reason));
  // The resend budget ran out: as the reference, TerminateSession before giving up, so that
  // the agent does not keep a session nobody can reach (protocol-smux-kms-aws.md §3.1).
  giving_up_ = true;
  call_terminate_session([this, why = std::string(reason)](bool) { fail(why); });
}

// ---- ending -------------------------------------------------------------------------------

void ClientSession::on_kind_done(int exit_code) {
  if (closing_text_) status(*closing_text_);
  end(exit_code);
}

void ClientSession::on_kind_failed(const std::string& message) { fail(message); }

void ClientSession::on_signal(int signo) {
  if (done()) return;
  // While TerminateSession is on its way: Ctrl-C or SIGTERM leave at once; a hangup does not
  // (ssh sends its ProxyCommand SIGHUP after a normal end, and nobody waits for the call).
  if (ending_) {
    if (signo != SIGHUP) finish(128 + signo);
    return;
  }
  if (kind_ && kind_->on_signal(signo)) return;
  end(128 + signo);
}

void ClientSession::on_user_terminate() {
  // `~.`: as the reference, TerminateSession, then exit 0 printing nothing. Without
  // credentials the agent ends the session on its own once the connection is gone.
  if (terminate_called() || over()) return;
  terminating_ = true;
  call_terminate_session([this](bool) { end(kExitOk); });
}

void ClientSession::terminate_session(std::function<void(bool terminated)> done) {
  if (over()) return;
  if (terminate_called()) return done(false);
  terminating_ = true;
  call_terminate_session(std::move(done));
}

void ClientSession::call_terminate_session(std::function<void(bool terminated)> then) {
  credentials_->async_get([this, then = std::move(then)](aws::ResolvedCredentials found) {
    if (done()) return;
    if (!found.credentials || spec_.region.empty()) {
      SSM_LOG(info, "TerminateSession not called: " + (found.credentials ? std::string("no region") : found.error));
      return then(false);
    }
    aws::JsonCall call = session_call(spec_, "TerminateSession", *found.credentials);
    call.timeout = kTerminateCallTimeout;
    aws::async_json_call(executor_, std::move(call), [this, then](aws::JsonResult r) {
      if (done()) return;
      if (!r.ok) SSM_LOG(warn, "TerminateSession failed: " + r.error);
      then(r.ok);
    });
  });
}


void ClientSession::status(std::string_view text) {
  if (spec_.quiet) return;
  // Where stdout is the data stream (SSH ProxyCommand, command output) status lines would
  // corrupt it, and ssh prints none: they are left out. Errors still go to stderr.
  if (kind_ && kind_->stdout_is_data()) return;
  print_out(text);
}

void ClientSession::fail(const std::string& message, int exit_code) {
  if (over()) return;
  print_err("session-manager-plugin: " + message + "\n");
  end(exit_code);
}

void ClientSession::end(int exit_code) {
  if (over()) return;
  if (kind_) kind_->abort();
  connection_.close();
  const bool terminate = spec_.terminate_at_end || (spec_.terminate_on_failure && exit_code != kExitOk);
  if (!terminate || terminate_called()) return finish(exit_code);
  // A standalone session was started by us: end it at the service too, or it lingers there
  // (and on the agent) until it times out. See also SessionSpec::terminate_on_failure.
  ending_ = true;
  call_terminate_session([this, exit_code](bool) { finish(exit_code); });
}

void ClientSession::finish(int exit_code) {
  if (!done()) exit_code_ = exit_code;
}

}  // namespace ssm::session
