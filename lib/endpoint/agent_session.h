// lib/endpoint — the emulated SSM agent of one session (agent-side.md): its end of the
// reliable channel, the handshake it runs for Port and command sessions, the stream target
// behind it, the faults it injects, and the line it prints when the session ends. It outlives
// any one WebSocket: a resumed connection attaches to the same channel.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <openssl/evp.h>

#include "channel/data_channel.h"
#include "endpoint/config.h"
#include "endpoint/fault_injector.h"
#include "endpoint/session_registry.h"
#include "endpoint/stream_target.h"

namespace ssm::endpoint {

// One accepted data-channel WebSocket, as the session sees it.
class AgentLink {
 public:
  virtual ~AgentLink() = default;
  virtual void send(channel::Frame frame) = 0;
  virtual void close() = 0;   // abruptly, no close frame
  virtual void freeze() = 0;  // stop reading, writing and answering pings; keep the socket
};

struct EndpointStats {
  std::uint64_t sessions = 0;
  std::uint64_t messages_in = 0;
  std::uint64_t messages_out = 0;
  std::uint64_t retransmissions = 0;
  std::uint64_t faults = 0;
};

// Incremental SHA-256 of one direction's Output bytes.
class StreamDigest {
 public:
  StreamDigest();
  ~StreamDigest();
  StreamDigest(const StreamDigest&) = delete;
  StreamDigest& operator=(const StreamDigest&) = delete;
  void update(std::span<const std::uint8_t> bytes);
  std::string hex();  // finishes the digest
  std::uint64_t bytes() const { return bytes_; }

 private:
  EVP_MD_CTX* ctx_;
  std::uint64_t bytes_ = 0;
};

class AgentSession final : public std::enable_shared_from_this<AgentSession>,
                           private channel::FrameWriter,
                           private channel::ChannelHandler,
                           private TargetHost {
 public:
  AgentSession(boost::asio::any_io_executor ex, const SessionRecord& record, const EndpointConfig& config,
               EndpointStats& stats);
  ~AgentSession();

  // A connection whose OpenDataChannel carried this session's current token.
  void attach(std::shared_ptr<AgentLink> link, const std::string& client_version);
  void on_client_frame(std::span<const std::uint8_t> frame);
  void on_link_lost(AgentLink* link);
  // TerminateSession, or the endpoint shutting down.
  void terminate();
  bool ended() const { return ended_; }

  // Session type and properties the agent announces for a document (agent-side.md §2.2).
  static std::string session_type_for(const std::string& document, const wire::Json& parameters);
  static wire::Json port_properties(const std::string& document, const wire::Json& parameters);

 private:
  // channel::FrameWriter: every frame toward the client passes the fault injector.
  void write_frame(channel::Frame frame) override;
  // channel::ChannelHandler
  channel::Delivery on_data(const wire::ClientMessage& m) override;
  void on_channel_closed(const wire::ChannelClosed&) override {}
  void on_send_space() override;
  void on_all_acknowledged() override;
  void on_channel_failed(std::error_code ec, std::string_view reason) override;
  // TargetHost
  void send_output(std::span<const std::uint8_t> bytes) override;
  bool has_send_space() const override { return channel_.has_send_space(); }
  void retry_delivery() override { channel_.retry_delivery(); }
  void target_finished() override;
  void target_failed(const std::string& why) override;

  void begin();
  void send_handshake_request();
  channel::Delivery on_handshake_response(const wire::ClientMessage& m);
  void start_target();
  void send_channel_closed();
  void end(const std::string& why);
  void deliver(channel::Frame frame);  // after faults, to the link (maybe delayed)
  void flush_delayed();
  void count_data_frame();

  boost::asio::any_io_executor executor_;
  std::string id_;
  std::string document_;
  wire::Json parameters_;
  const EndpointConfig& config_;
  EndpointStats& stats_;
  FaultInjector faults_;
  channel::DataChannel channel_;
  std::shared_ptr<AgentLink> link_;
  std::unique_ptr<StreamTarget> target_;
  std::string session_type_;
  std::string client_version_;
  bool started_ = false;           // handshake sent or skipped
  bool handshake_done_ = false;
  bool target_started_ = false;
  bool finishing_ = false;         // target done; close once all is acked
  bool ended_ = false;
  std::chrono::steady_clock::time_point handshake_sent_;
  boost::asio::steady_timer handshake_timer_;
  boost::asio::steady_timer pause_timer_;
  boost::asio::steady_timer delay_timer_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, channel::Frame>> delayed_;
  channel::Frame held_;  // reordering: sent after the next frame
  std::uint64_t data_frames_sent_ = 0;
  bool disconnected_once_ = false, paused_once_ = false, frozen_ = false;
  StreamDigest in_digest_, out_digest_;
};

}  // namespace ssm::endpoint
