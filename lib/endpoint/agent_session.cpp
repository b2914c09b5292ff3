// The life of an emulated session: connections, the stream target, input, and the end
// (channel_closed, drain, close). The handshake is in agent_session_handshake.cpp, KMS in
// agent_session_kms.cpp, the injected faults in agent_session_faults.cpp.
#include "endpoint/agent_session.h"

#include "channel/client_handshake.h"
#include "endpoint/session_properties.h"
#include "endpoint/targets.h"

namespace ssm::endpoint {
namespace {

using namespace std::chrono_literals;

// After channel_closed the client normally hangs up; if not, the agent closes (§3.5).
constexpr auto kCloseDrain = 2s;
// Once ResumeSession has been called, the client's reconnect (dial, TLS, upgrade) gets this.
constexpr auto kResumeWindow = 30s;
// The first client version the agent runs smux for (agent-side.md §7).
constexpr std::string_view kMuxMinClient = "1.1.70";

channel::ChannelConfig agent_channel_config(const Faults& faults) {
  channel::ChannelConfig c;
  c.role = channel::kAgent;
  c.syn_on_first = true;
  c.send_window_bytes = 4 * 1024 * 1024;  // enough for loopback speed
  c.max_in_flight = 100000;               // the agent's outgoing capacity (agent-side.md §3.1)
  c.receive_window_messages = 100000;     // and its incoming one, counted in messages only
  c.receive_window_bytes = SIZE_MAX;
  if (faults.resend_oldest_per_tick) {
    // The real agent's whole policy: its RTO is the reference formula, with no floor (§3.1).
    c.resend = channel::ResendPolicy::oldest_per_tick;
    c.rtt.min_rto = std::chrono::milliseconds(0);
  }
  return c;
}

}  // namespace

AgentSession::AgentSession(boost::asio::any_io_executor ex, const SessionRecord& record, AgentContext context,
                           std::function<void()> on_ended)
    : executor_(ex),
      id_(record.id),
      document_(record.document),
      target_id_(record.target),
      kms_(record.kms),
      parameters_(record.parameters),
      ctx_(context),
      on_ended_(std::move(on_ended)),
      faults_(context.config.faults),
      channel_(ex, agent_channel_config(context.config.faults), static_cast<channel::FrameWriter&>(*this),
               static_cast<channel::ChannelHandler&>(*this)),
      handshake_timer_(ex),
      pause_timer_(ex),
      resume_timer_(ex),
      close_timer_(ex),
      limits_(ex, context.config.limits, [this](std::string output) {
        ctx_.out.event("service ended session=" + id_ + ": " + output);
        close_session(output);
      }) {
  channel_.detach();  // no connection until attach()
}

AgentSession::~AgentSession() {
  if (target_) target_->stop();
  if (delay_) delay_->clear();
}

// ---- connections --------------------------------------------------------------------------

void AgentSession::attach(std::shared_ptr<AgentLink> link, const std::string& client_id,
                          const std::string& client_version) {
  if (link_) link_->close();  // a resumed connection replaces a dead or frozen one
  link_ = std::move(link);
  frozen_ = false;
  if (!client_id.empty()) client_id_ = client_id;
  if (!client_version.empty()) client_version_ = client_version;
  resume_timer_.cancel();
  if (!delay_ && ctx_.config.faults.delay_ms > 0) {
    // Made here, not in the constructor: the sink needs weak_from_this().
    delay_ = std::make_shared<DelayLine>(executor_, std::chrono::milliseconds(ctx_.config.faults.delay_ms),
                                         [weak = weak_from_this()](channel::Frame f) {
                                           if (auto self = weak.lock()) self->send_to_link(std::move(f));
                                         });
  }
  channel_.attach();  // everything unacknowledged goes again
  if (paused_) {
    // A reconnect clears the agent's pause (agent-side.md §5); tell the client too.
    pause_timer_.cancel();
    end_pause({});
  }
  if (phase_ == Phase::fresh) begin();
}

void AgentSession::on_link_write_progress(const AgentLink* link) {
  if (link == link_.get()) channel_.on_writer_ready();  // which writes only while not congested()
}

void AgentSession::on_link_lost(const AgentLink* link) {
  if (!link || link != link_.get()) return;  // an older connection, already replaced
  link_.reset();
  channel_.detach();
  faults_.forget_held();
  if (delay_) delay_->clear();
  if (ended()) return;
  // The client may come back (ResumeSession); one that simply hung up does not.
  resume_timer_.expires_after(ctx_.config.resume_grace);
  resume_timer_.async_wait(
      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_resume_timeout(ec); });
}

void AgentSession::expect_resume() {
  if (ended() || link_) return;  // with a link, the new connection simply replaces it
  resume_timer_.expires_after(kResumeWindow);
  resume_timer_.async_wait(
      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_resume_timeout(ec); });
}

void AgentSession::on_resume_timeout(const boost::system::error_code& ec) {
  if (ec || link_) return;
  end("the client went away");
}

void AgentSession::terminate() {
  if (ended()) return;
  close_session();
}

void AgentSession::shutdown() {
  terminate();
  close_timer_.cancel();
  if (link_) link_->close_when_flushed();  // channel_closed first
  link_.reset();  // the connection no longer keeps us alive, nor we it
}

void AgentSession::start_target() {
  target_ = make_session_target();
  if (!target_) return end("unknown stream target " + ctx_.config.stream_target);
  phase_ = Phase::running;
  limits_.start();
  target_->start();
  retry_delivery();  // input kept during the handshake, then input held while we were starting
}

// What the agent starts for the session type (agent-side.md §4.1, §6): a Port session gets
// the --stream-target; shells and commands get real processes.
std::shared_ptr<StreamTarget> AgentSession::make_session_target() {
  const bool pacing = ctx_.config.faults.pacing;
  std::string command = first_parameter(parameters_, "command");
  if (command.empty()) command = first_parameter(parameters_, "commands");
  if (session_type_ == "Standard_Stream") return make_pty_target(executor_, *this, {ctx_.config.shell}, pacing);
  if (session_type_ == "InteractiveCommands")
    return make_pty_target(executor_, *this, {ctx_.config.shell, "-c", command}, pacing);
  if (session_type_ == "NonInteractiveCommands") {
    // Streams kept apart unless the request says otherwise: the exit code needs them so.
    const bool separate = first_parameter(parameters_, "separateOutputStream") != "false";
    return make_command_target(executor_, *this, command, separate);
  }
  const auto parsed = parse_target_spec(ctx_.config.stream_target);
  if (!parsed) return nullptr;
  // The properties the handshake announced also say where `agent` dials.
  const wire::Json properties = port_properties(document_, parameters_);
  const TargetSpec spec = for_port_session(*parsed, properties);
  // Port (§6.1): smux for LocalPortForwarding when both sides can, else basic mode, where
  // LocalPortForwarding redials the target for each local connection.
  const bool forwarding = properties.value("type", "") == "LocalPortForwarding";
  const bool mux = forwarding && !channel::version_greater(kMuxMinClient, client_version_) &&
                   channel::version_greater(ctx_.config.agent_version, channel::kMuxAfter);
  if (mux) return make_smux_server_target(executor_, *this, spec, pacing);
  return make_target(spec, executor_, *this, pacing, /*redial=*/forwarding);
}

// ---- input --------------------------------------------------------------------------------

channel::Delivery AgentSession::on_data(const wire::ClientMessage& m) {
  switch (phase_) {
    case Phase::handshake:
      if (m.payload_type == wire::PayloadType::handshake_response) return on_handshake_response(m);
      return on_pre_handshake_input(m);
    case Phase::challenge:
      if (m.payload_type == wire::PayloadType::enc_challenge_response) return on_challenge_response(m);
      return on_pre_handshake_input(m);
    case Phase::fresh:
    case Phase::starting:
      if (m.payload_type == wire::PayloadType::handshake_response) return channel::Delivery::accepted;  // a late copy
      return channel::Delivery::not_ready;  // after the handshake, before the target: held (§3.3)
    case Phase::running:
      // Input kept from the handshake goes first, to keep the order the client sent.
      if (!deliver_early_input()) return channel::Delivery::not_ready;
      if (phase_ != Phase::running) return channel::Delivery::accepted;  // it ended the session
      return on_running_data(m);
    case Phase::finishing:
    case Phase::ended:
      return channel::Delivery::accepted;  // nobody left to read it
  }
  return channel::Delivery::accepted;
}

channel::Delivery AgentSession::on_running_data(const wire::ClientMessage& m) {
  switch (m.payload_type) {
    case wire::PayloadType::output: {
      const auto d = target_->on_input(m.payload);
      if (d == channel::Delivery::accepted) {
        in_.update(m.payload);
        limits_.activity();
      }
      return d;
    }
    case wire::PayloadType::flag: {
      std::uint32_t flag = 0;
      if (wire::decode_flag(m.payload, flag)) return channel::Delivery::accepted;
      if (flag == static_cast<std::uint32_t>(wire::PortFlag::terminate_session)) target_finished();
      else target_->on_flag(static_cast<wire::PortFlag>(flag));
      return channel::Delivery::accepted;
    }
    case wire::PayloadType::size: {
      wire::TerminalSize size;
      // The agent leaves a bad Size unacked forever; a log line serves a test better.
      if (wire::parse(m.payload_text(), size)) ctx_.out.log("session " + id_ + ": ignored a malformed Size payload");
      else target_->on_size(size.cols, size.rows);
      return channel::Delivery::accepted;
    }
    default:
      return channel::Delivery::accepted;
  }
}

void AgentSession::on_channel_closed(const wire::ChannelClosed&) { end("the client closed the channel"); }

// ---- output and the end -------------------------------------------------------------------

void AgentSession::send_output(std::span<const std::uint8_t> bytes) {
  if (phase_ != Phase::running) return;
  out_.update(bytes);
  limits_.activity();
  channel_.send(wire::PayloadType::output, bytes);
}

void AgentSession::send_flag(wire::PortFlag flag) {
  if (phase_ == Phase::running) channel_.send(wire::PayloadType::flag, wire::encode_flag(flag));
}

void AgentSession::send_payload(wire::PayloadType type, std::span<const std::uint8_t> bytes) {
  if (phase_ == Phase::running) channel_.send(type, bytes);
}

void AgentSession::on_send_space() {
  if (target_ && !paused_) target_->on_send_space();
}

void AgentSession::target_finished() {
  if (phase_ != Phase::running) return;
  phase_ = Phase::finishing;
  target_->stop();
  if (channel_.all_acknowledged()) close_session();  // else on_all_acknowledged()
}

void AgentSession::target_failed(const std::string& why) {
  ctx_.out.log("session " + id_ + ": " + why);
  target_finished();
}

void AgentSession::on_all_acknowledged() {
  if (phase_ == Phase::finishing) close_session();
}

void AgentSession::on_channel_failed(std::error_code, std::string_view reason) { end(std::string(reason)); }

void AgentSession::close_session(const std::string& output) {
  wire::ChannelClosed closed;
  closed.message_id = wire::Uuid::random_v4().to_string();
  closed.created_date = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  closed.destination_id = client_id_.empty() ? id_ : client_id_;
  closed.session_id = id_;
  closed.output = output;
  // The service's message: it travels outside the agent's channel, so no faults apply.
  send_control(wire::message_type::channel_closed, wire::to_json(closed));
  end("closed");
}

void AgentSession::end(const std::string& why) {
  if (ended()) return;
  phase_ = Phase::ended;
  limits_.stop();
  if (target_) target_->stop();
  handshake_timer_.cancel();
  pause_timer_.cancel();
  resume_timer_.cancel();
  channel_.close();
  const auto& s = channel_.stats();
  ctx_.stats.messages_in += s.data_received;
  ctx_.stats.messages_out += s.data_sent;
  ctx_.stats.retransmissions += s.retransmissions;
  ctx_.stats.faults += faults_.injected();
  ctx_.out.event("session " + id_ + " ended: in=" + std::to_string(in_.bytes()) + " out=" +
                 std::to_string(out_.bytes()) + " in_sha256=" + in_.hex() + " out_sha256=" + out_.hex() +
                 end_line_counts());
  if (why != "closed") ctx_.out.log("session " + id_ + ": " + why);
  if (on_ended_) on_ended_();
  if (!link_) return;
  // Give the client a moment to read channel_closed and hang up, then hang up ourselves.
  close_timer_.expires_after(kCloseDrain);
  close_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->on_close_timer(ec); });
}

// After the digests, for scripts/bench: the data messages the agent sent (each once), resent
// and received (copies included), the duplicates among those, and what the fault injector
// lost or delivered twice each way ("in": client -> agent), and the agent's smoothed RTT and
// RTO at the end. The client's own resends are
// dup_in - copy_in + drop_in. With --drop-nth-*, which sequence number was lost and how many
// microseconds later a copy of it passed the same way (-1: never).
std::string AgentSession::end_line_counts() const {
  const auto& s = channel_.stats();
  const auto& f = faults_.counts();
  const auto n = [](std::uint64_t v) { return std::to_string(v); };
  const auto us = [](channel::Duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  };
  std::string line = " sent=" + n(s.data_sent) + " resent=" + n(s.retransmissions) + " received=" +
                     n(s.data_received) + " dup_in=" + n(s.duplicates) + " drop_in=" + n(f.dropped_data_in) +
                     " drop_out=" + n(f.dropped_data_out) + " drop_ack_in=" + n(f.dropped_acks_in) +
                     " drop_ack_out=" + n(f.dropped_acks_out) + " copy_in=" + n(f.copied_data_in) +
                     " copy_out=" + n(f.copied_data_out);
  const auto single = [&line](const char* way, const SingleDrop& d) {
    if (d.nth <= 0) return;
    const long long us =
        d.repaired_after ? std::chrono::duration_cast<std::chrono::microseconds>(*d.repaired_after).count() : -1;
    line += std::string(" nth_") + way + "_seq=" + std::to_string(d.sequence) + " nth_" + way +
            "_repair_us=" + std::to_string(us);
  };
  single("in", faults_.drop_nth_in());
  single("out", faults_.drop_nth_out());
  return line + " srtt_us=" + us(channel_.rtt().rtt()) + " rto_us=" + us(channel_.rtt().rto());
}

void AgentSession::on_close_timer(const boost::system::error_code& ec) {
  if (ec || !link_) return;
  link_->close();
  link_.reset();
}

}  // namespace ssm::endpoint
