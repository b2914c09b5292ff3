// lib/endpoint — the emulated SSM agent of one session (agent-side.md): its end of the
// reliable channel (DataChannel, agent role), the handshake it runs when handshake_for() says
// so, and what it does with input meanwhile (agent_session_handshake.cpp); KMS encryption,
// its random and encryption challenges, and the session cipher (agent_session_kms.cpp); the
// stream target behind it, the faults it injects, and the line it prints when the session
// ends. It outlives any one WebSocket: a resumed connection re-attaches to the same channel,
// sequence numbers intact.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "channel/data_channel.h"
#include "endpoint/agent_link.h"
#include "endpoint/delay_line.h"
#include "endpoint/fault_injector.h"
#include "endpoint/handshake_policy.h"
#include "endpoint/kms_stand_in.h"
#include "endpoint/session_registry.h"
#include "endpoint/stream_digest.h"
#include "endpoint/stream_target.h"

namespace ssm::endpoint {

class AgentSession final : public std::enable_shared_from_this<AgentSession>,
                           private channel::FrameWriter,
                           private channel::ChannelHandler,
                           private TargetHost {
 public:
  // `on_ended` runs once, when the session is over (the registry marks it so).
  AgentSession(boost::asio::any_io_executor ex, const SessionRecord& record, AgentContext context,
               std::function<void()> on_ended);
  ~AgentSession();

  // A connection whose OpenDataChannel carried this session's current token. The first one
  // starts the agent; a later one replaces the previous connection (resume).
  void attach(std::shared_ptr<AgentLink> link, const std::string& client_id, const std::string& client_version);
  void on_client_frame(std::span<const std::uint8_t> frame);
  void on_link_lost(const AgentLink* link);
  // The link wrote some of what it held: data waiting for room goes (FrameWriter::congested).
  void on_link_write_progress(const AgentLink* link);
  // ResumeSession was called: the client is reconnecting, wait for it a while longer.
  void expect_resume();
  // TerminateSession: channel_closed to the client, then the end.
  void terminate();
  // The endpoint is stopping: terminate, and let go of the connection.
  void shutdown();
  bool ended() const { return phase_ == Phase::ended; }

 private:
  // How every handshake failure the agent reports begins (agent-side.md §2.3).
  static constexpr std::string_view kHandshakeError = "Encountered error while initiating handshake. ";
  // What the link may hold unwritten before new data waits (congested()): about what a
  // socket's send buffer holds, which is where the real agent's blocking writes wait.
  static constexpr std::size_t kLinkQueueBytes = 128 * 1024;

  enum class Phase {
    fresh,      // no client yet
    handshake,  // HandshakeRequest sent, waiting for the response
    challenge,  // KMS: EncChallengeRequest sent, waiting for the response
    starting,   // handshake done; HandshakeComplete and the target are next
    running,    // the target is up
    finishing,  // the target is done; channel_closed once the client has acked everything
    ended,
  };

  // channel::FrameWriter: every frame toward the client passes the fault injector.
  void write_frame(channel::Frame frame) override;
  // As the real agent, whose writes block: new data waits while the socket is backed up,
  // rather than queueing in front of retransmissions and inflating the RTT it measures.
  bool congested() const override;
  // channel::ChannelHandler
  channel::Delivery on_data(const wire::ClientMessage& m) override;
  void on_channel_closed(const wire::ChannelClosed&) override;
  void on_send_space() override;
  void on_all_acknowledged() override;
  void on_channel_failed(std::error_code ec, std::string_view reason) override;
  // TargetHost
  void send_output(std::span<const std::uint8_t> bytes) override;
  void send_flag(wire::PortFlag flag) override;
  void send_payload(wire::PayloadType type, std::span<const std::uint8_t> bytes) override;
  bool has_send_space() const override { return channel_.has_send_space() && !paused_; }
  void retry_delivery() override;
  void target_finished() override;
  void target_failed(const std::string& why) override;

  // Session life (agent_session_handshake.cpp up to the target's start).
  void begin();
  void send_handshake_request();
  void on_handshake_timeout(const boost::system::error_code& ec);
  channel::Delivery on_handshake_response(const wire::ClientMessage& m);
  void complete_handshake(std::chrono::nanoseconds took);
  // Input other than the answer the handshake waits for (--pre-handshake-input).
  channel::Delivery on_pre_handshake_input(const wire::ClientMessage& m);
  // Input kept by --pre-handshake-input process, to the target in order; false while the
  // target is not ready for all of it.
  bool deliver_early_input();
  // KMS encryption (agent_session_kms.cpp).
  bool kms_on() const { return handshake_ == SessionHandshake::kms; }
  // The KMSEncryption action's parameters, with a fresh random challenge; nullopt when no
  // randomness can be had.
  std::optional<wire::KmsEncryptionRequest> kms_encryption_request();
  bool install_data_key(const wire::HandshakeResponse& response);
  void send_challenge();
  void on_challenge_timeout(const boost::system::error_code& ec);
  channel::Delivery on_challenge_response(const wire::ClientMessage& m);
  // Ends a session the handshake failed, saying why on the endpoint's output.
  void cancel(const std::string& why);
  // The same from inside a delivery: the message is acknowledged first, as the agent does,
  // so that the client learns its answer arrived (and can say why the session ends).
  void cancel_after_ack(const std::string& why);
  void start_target();
  std::shared_ptr<StreamTarget> make_session_target();
  channel::Delivery on_running_data(const wire::ClientMessage& m);
  // channel_closed (with the service's words, when it ends the session itself), then the end.
  void close_session(const std::string& output = {});
  void end(const std::string& why);
  std::string end_line_counts() const;  // the end line's figures after its digests
  void on_resume_timeout(const boost::system::error_code& ec);
  void on_close_timer(const boost::system::error_code& ec);

  // Frames toward the client.
  void send_to_link(channel::Frame frame);
  void send_control(std::string_view type, const std::string& payload = {});

  // Fault events counted on data frames sent.
  void count_data_frame();
  void inject_disconnect();
  void inject_pause();
  void end_pause(const boost::system::error_code& ec);
  void inject_freeze();

  boost::asio::any_io_executor executor_;
  std::string id_, document_;
  std::string target_id_;  // StartSession's Target: the agent's own instance id
  std::shared_ptr<KmsStandIn> kms_;
  std::vector<std::uint8_t> challenge_;  // the 64 bytes the client must send back sealed
  std::string kms_challenge_;            // the random challenge of the KMSEncryption action (base64)
  wire::Json parameters_;
  AgentContext ctx_;
  std::function<void()> on_ended_;
  FaultInjector faults_;
  channel::DataChannel channel_;
  std::shared_ptr<AgentLink> link_;
  std::shared_ptr<StreamTarget> target_;
  std::shared_ptr<DelayLine> delay_;  // only with --delay
  Phase phase_ = Phase::fresh;
  SessionHandshake handshake_ = SessionHandshake::none;
  std::deque<wire::ClientMessage> early_input_;  // --pre-handshake-input process
  std::string session_type_, client_id_, client_version_;
  std::chrono::steady_clock::time_point handshake_sent_;
  boost::asio::steady_timer handshake_timer_, pause_timer_, resume_timer_, close_timer_;
  ServiceLimits limits_;
  std::uint64_t data_frames_sent_ = 0;
  int disconnects_done_ = 0;
  bool pause_done_ = false, freeze_done_ = false;
  bool paused_ = false;  // publication paused by an injected pause_publication
  bool frozen_ = false;  // the current connection plays dead
  StreamDigest in_, out_;
};

}  // namespace ssm::endpoint
