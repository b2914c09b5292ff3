// lib/session — one client session from connect to exit status: dials the stream URL,
// answers the handshake, picks the session kind from the session type, routes the agent's
// payloads to it, and turns every way a session can end into one line and an exit code.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "channel/client_handshake.h"
#include "session/channel_connection.h"
#include "session/session_kind.h"
#include "session/session_resumer.h"
#include "session/shell_session.h"
#include "session/upgrade_auth.h"

namespace ssm::session {

struct SessionSpec {
  std::string session_id;
  std::string stream_url;
  std::string token_value;
  std::string target;
  std::string document_name;  // from the StartSession request; "" for the default shell
  std::string region, profile;  // from the AWS CLI (argv); for API calls the region falls back to the environment
  std::string ssm_endpoint;     // the SSM endpoint URL the CLI used; "" for the default
  std::string client_version;
  bool legacy_cli = false;
  std::string ca_bundle;                    // AWS_CA_BUNDLE
  std::chrono::seconds keepalive{15};       // ping after this much silence
  // How long a message may stay unacknowledged before the session gives up (the reference:
  // 3000 resends x 100 ms); SSM_PLUGIN_RESEND_TIMEOUT_SECONDS.
  std::chrono::seconds resend_timeout{300};
  std::string local_host = "127.0.0.1";     // listener address for port forwarding (SSM_PLUGIN_LOCAL_HOST)
  bool quiet = false;             // no "Starting session" / "Exiting session" lines (-q)
  bool terminate_at_end = false;  // standalone: the plugin started the session, so it ends it
  // The AWS CLIs that pass the response in argv print their whole command line, token
  // included, when the plugin exits non-zero: TerminateSession first makes that token useless.
  bool terminate_on_failure = false;
};

// Exit statuses, as ssh uses them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitConnectionFailure = 255;

class ClientSession final : private channel::ChannelHandler,
                            private ConnectionEvents,
                            private KindEvents,
                            private ShellControl {
 public:
  // `credentials`: a provider shared with the caller (standalone sessions share one); null
  // makes one for this session from spec.profile.
  ClientSession(boost::asio::any_io_executor ex, SessionSpec spec,
                std::shared_ptr<aws::CredentialProvider> credentials = nullptr);
  ~ClientSession();

  void start();
  // A terminating signal from the user (SIGINT, SIGTERM, SIGHUP).
  void on_signal(int signo);
  bool done() const { return exit_code_.has_value(); }
  // The exit status is decided (possibly with TerminateSession still on its way): events from
  // the channel, the connection and the kind no longer matter.
  bool over() const { return done() || ending_; }
  int exit_code() const { return exit_code_.value_or(kExitConnectionFailure); }

 private:
  // channel::ChannelHandler
  channel::Delivery on_data(const wire::ClientMessage& message) override;
  void on_channel_closed(const wire::ChannelClosed& closed) override;
  void on_send_space() override;
  void on_all_acknowledged() override;
  void on_channel_failed(std::error_code ec, std::string_view reason) override;
  // ConnectionEvents
  void on_connected() override;
  void on_connection_lost(transport::CloseReason reason, std::string_view message) override;
  // KindEvents
  void on_kind_done(int exit_code) override;
  void on_kind_failed(const std::string& message) override;
  void terminate_session(std::function<void(bool terminated)> done) override;
  // ShellControl
  void on_user_terminate() override;

  channel::Delivery on_handshake_request(const wire::ClientMessage& m);
  void on_kms_data_key(std::optional<channel::KmsDataKey> key, const std::string& error);
  void send_handshake_response(const wire::HandshakeResponse& response);
  channel::Delivery on_enc_challenge(const wire::ClientMessage& m);
  channel::Delivery on_handshake_complete(const wire::ClientMessage& m);
  void start_kind();
  void status(std::string_view text);
  void connect();
  // TerminateSession (when there are credentials and a region), then `then` with whether it
  // succeeded; `then` runs in every case.
  void call_terminate_session(std::function<void(bool terminated)> then);

  // `~.` waits this long for TerminateSession before leaving anyway.
  static constexpr std::chrono::seconds kTerminateCallTimeout{5};
  void fail(const std::string& message, int exit_code = kExitConnectionFailure);
  void end(int exit_code);     // closes everything; TerminateSession first if terminate_at_end
  void finish(int exit_code);  // the exit status, final

  boost::asio::any_io_executor executor_;
  SessionSpec spec_;
  std::string client_id_;  // one per process, kept across reconnects
  channel::ClientHandshake handshake_;
  ChannelConnection connection_;
  std::unique_ptr<SessionKind> kind_;
  bool handshake_seen_ = false;
  std::optional<std::string> closing_text_;  // printed after the kind flushed its output
  std::optional<int> exit_code_;
  bool terminating_ = false;     // TerminateSession on its way
  bool giving_up_ = false;       // resend budget spent: TerminateSession, then fail
  bool ever_connected_ = false;  // only a session that was up is resumed
  bool ending_ = false;          // the exit status is decided; TerminateSession goes first
  // TerminateSession was (or is being) called, for `~.`, a spent resend budget or the end.
  bool terminate_called() const { return terminating_ || giving_up_ || ending_; }
  std::string lost_because_;     // why the connection dropped, for the final error
  std::shared_ptr<aws::CredentialProvider> credentials_;  // one cache for the upgrade, resumes, KMS, TerminateSession
  SessionResumer resumer_;
  UpgradeAuth upgrade_auth_;
};

}  // namespace ssm::session
