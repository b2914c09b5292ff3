#include "endpoint/agent_session.h"

#include <boost/asio/post.hpp>
#include <cstring>
#include <iostream>

#include "wire/payloads.h"

namespace ssm::endpoint {
namespace {

using namespace std::chrono_literals;

// agent-side.md §2.3: the agent waits this long for the HandshakeResponse.
constexpr auto kHandshakeTimeout = 15s;
// After channel_closed, the client normally hangs up; if not, the agent closes (§3.5).
constexpr auto kCloseDrain = 2s;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::uint64_t unix_millis() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

bool is_type(const channel::Frame& f, std::string_view type) {
  return f->size() >= 4 + type.size() && std::memcmp(f->data() + 4, type.data(), type.size()) == 0;
}

channel::Frame control_frame(std::string_view type, const std::string& payload = {}) {
  wire::ClientMessage m;
  m.message_type = std::string(type);
  m.created_date = unix_millis();
  m.flags = wire::kFlagSyn | wire::kFlagFin;
  m.message_id = wire::Uuid::random_v4();
  m.payload.assign(payload.begin(), payload.end());
  return std::make_shared<const std::vector<std::uint8_t>>(wire::encode(m));
}

// First value of a StartSession parameter ({"portNumber": ["22"]}), or "".
std::string parameter(const wire::Json& parameters, const char* name) {
  auto it = parameters.find(name);
  if (it == parameters.end()) return {};
  if (it->is_array() && !it->empty() && (*it)[0].is_string()) return (*it)[0].get<std::string>();
  if (it->is_string()) return it->get<std::string>();
  return {};
}

channel::ChannelConfig agent_channel_config() {
  channel::ChannelConfig c;
  c.role = channel::kAgent;
  c.syn_on_first = true;
  c.send_window = 4096;
  c.receive_window = 100000;  // the agent's incoming capacity
  return c;
}

}  // namespace

// ---- digest -------------------------------------------------------------------------------

StreamDigest::StreamDigest() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
StreamDigest::~StreamDigest() { EVP_MD_CTX_free(ctx_); }

void StreamDigest::update(std::span<const std::uint8_t> bytes) {
  EVP_DigestUpdate(ctx_, bytes.data(), bytes.size());
  bytes_ += bytes.size();
}

std::string StreamDigest::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx_, md, &n);
  static constexpr char d[] = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < n; ++i) {
    s.push_back(d[md[i] >> 4]);
    s.push_back(d[md[i] & 15]);
  }
  return s;
}

// ---- session ------------------------------------------------------------------------------

AgentSession::AgentSession(boost::asio::any_io_executor ex, const SessionRecord& record, const EndpointConfig& config,
                           EndpointStats& stats)
    : executor_(ex),
      id_(record.id),
      document_(record.document),
      parameters_(record.parameters),
      config_(config),
      stats_(stats),
      faults_(config.faults),
      channel_(ex, agent_channel_config(), static_cast<channel::FrameWriter&>(*this),
               static_cast<channel::ChannelHandler&>(*this)),
      handshake_timer_(ex),
      pause_timer_(ex),
      delay_timer_(ex) {
  channel_.detach();
}

AgentSession::~AgentSession() {
  if (target_) target_->stop();
}

std::string AgentSession::session_type_for(const std::string& document, const wire::Json& parameters) {
  if (document == "AWS-StartSSHSession" || document.rfind("AWS-StartPortForwardingSession", 0) == 0) return "Port";
  if (document == "AWS-StartInteractiveCommand") return "InteractiveCommands";
  if (document == "AWS-StartNonInteractiveCommand") return "NonInteractiveCommands";
  if (!parameter(parameters, "portNumber").empty()) return "Port";
  return "Standard_Stream";
}

wire::Json AgentSession::port_properties(const std::string& document, const wire::Json& parameters) {
  wire::Json p = wire::Json::object();
  if (document.rfind("AWS-StartPortForwardingSession", 0) == 0) {
    const std::string local = parameter(parameters, "localPortNumber");
    p["localPortNumber"] = local.empty() ? "0" : local;
    p["portNumber"] = parameter(parameters, "portNumber");
    p["type"] = "LocalPortForwarding";
    const std::string host = parameter(parameters, "host");
    if (!host.empty()) p["host"] = host;
  } else {
    const std::string port = parameter(parameters, "portNumber");
    p["portNumber"] = port.empty() ? "22" : port;
  }
  return p;
}

void AgentSession::attach(std::shared_ptr<AgentLink> link, const std::string& client_version) {
  if (link_) link_->close();
  link_ = std::move(link);
  if (!client_version.empty()) client_version_ = client_version;
  frozen_ = false;
  channel_.attach();
  if (!started_) begin();
}

void AgentSession::begin() {
  started_ = true;
  ++stats_.sessions;
  session_type_ = session_type_for(document_, parameters_);
  const bool handshake = config_.handshake == "always" ||
                         (config_.handshake == "auto" && (session_type_ == "Port" || session_type_ == "NonInteractiveCommands"));
  if (!handshake) {
    handshake_done_ = true;
    start_target();
    return;
  }
  send_handshake_request();
}

void AgentSession::send_handshake_request() {
  wire::SessionTypeRequest type{session_type_, session_type_ == "Port" ? port_properties(document_, parameters_) : wire::Json()};
  wire::HandshakeRequest request;
  request.agent_version = config_.agent_version;
  request.requested_client_actions.push_back({std::string(wire::action_type::session_type), wire::to_json_value(type)});
  handshake_sent_ = std::chrono::steady_clock::now();
  channel_.send(wire::PayloadType::handshake_request, bytes_of(wire::to_json(request)));
  handshake_timer_.expires_after(kHandshakeTimeout);
  handshake_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec && !self->handshake_done_)
      self->end("Handshake timed out. Please ensure that you have the latest version of the session manager plugin.");
  });
}

channel::Delivery AgentSession::on_handshake_response(const wire::ClientMessage& m) {
  if (handshake_done_) return channel::Delivery::accepted;  // a late duplicate
  wire::HandshakeResponse response;
  if (auto err = wire::parse(m.payload_text(), response)) {
    end("Encountered error while initiating handshake. " + err.message());
    return channel::Delivery::accepted;
  }
  client_version_ = response.client_version;
  for (const auto& action : response.processed_client_actions) {
    if (action.action_status != static_cast<int>(wire::ActionStatus::success)) {
      end("Encountered error while initiating handshake. " + action.action_type + " failed on client with status " +
          std::to_string(action.action_status) + " error: " + action.error);
      return channel::Delivery::accepted;
    }
  }
  handshake_done_ = true;
  handshake_timer_.cancel();
  wire::HandshakeComplete complete;
  complete.handshake_time_to_complete =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - handshake_sent_).count();
  // Posted: the HandshakeResponse is acked first, then HandshakeComplete goes out.
  boost::asio::post(executor_, [self = shared_from_this(), complete] {
    if (self->ended_) return;
    self->channel_.send(wire::PayloadType::handshake_complete, bytes_of(wire::to_json(complete)));
    self->start_target();
  });
  return channel::Delivery::accepted;
}

void AgentSession::start_target() {
  std::string error;
  target_ = make_target(config_.stream_target, executor_, *this, config_.faults.pacing, error);
  if (!target_) return end(error);
  target_started_ = true;
  target_->start();
  channel_.retry_delivery();
}

channel::Delivery AgentSession::on_data(const wire::ClientMessage& m) {
  if (ended_) return channel::Delivery::accepted;
  if (m.payload_type == wire::PayloadType::handshake_response) return on_handshake_response(m);
  if (!handshake_done_) return channel::Delivery::accepted;  // §2.5: acked and discarded
  if (!target_started_) return channel::Delivery::not_ready;
  switch (m.payload_type) {
    case wire::PayloadType::output: {
      const auto d = target_->on_input(m.payload);
      if (d == channel::Delivery::accepted) in_digest_.update(m.payload);
      return d;
    }
    case wire::PayloadType::flag: {
      std::uint32_t flag = 0;
      if (!wire::decode_flag(m.payload, flag) && flag == static_cast<std::uint32_t>(wire::PortFlag::terminate_session))
        target_finished();
      return channel::Delivery::accepted;
    }
    default:
      return channel::Delivery::accepted;  // sizes and the rest: nothing to do for a stream
  }
}

// ---- target host --------------------------------------------------------------------------

void AgentSession::send_output(std::span<const std::uint8_t> bytes) {
  if (ended_) return;
  out_digest_.update(bytes);
  channel_.send(wire::PayloadType::output, bytes);
}

void AgentSession::on_send_space() {
  if (target_) target_->on_send_space();
}

void AgentSession::target_finished() {
  if (finishing_ || ended_) return;
  finishing_ = true;
  if (channel_.all_acknowledged()) send_channel_closed();
}

void AgentSession::target_failed(const std::string& why) {
  channel_.send(wire::PayloadType::flag, wire::encode_flag(wire::PortFlag::connect_to_port_error));
  std::cerr << "ssm-local-endpoint: session " << id_ << ": " << why << "\n";
  target_finished();
}

void AgentSession::on_all_acknowledged() {
  if (finishing_ && !ended_) send_channel_closed();
}

void AgentSession::on_channel_failed(std::error_code, std::string_view reason) { end(std::string(reason)); }

void AgentSession::terminate() {
  if (!ended_) send_channel_closed();
}

void AgentSession::send_channel_closed() {
  wire::ChannelClosed closed;
  closed.message_id = wire::Uuid::random_v4().to_string();
  closed.created_date = std::to_string(unix_millis());
  closed.session_id = id_;
  // The service's message travels over a healthy connection: no faults are applied to it.
  if (link_ && !frozen_) link_->send(control_frame(wire::message_type::channel_closed, wire::to_json(closed)));
  end("closed");
}

void AgentSession::end(const std::string& why) {
  if (ended_) return;
  ended_ = true;
  if (target_) target_->stop();
  handshake_timer_.cancel();
  pause_timer_.cancel();
  channel_.close();
  const auto& s = channel_.stats();
  stats_.messages_in += s.data_received;
  stats_.messages_out += s.data_sent;
  stats_.retransmissions += s.retransmissions;
  stats_.faults += faults_.injected;
  std::cout << "session " << id_ << " ended: in=" << in_digest_.bytes() << " out=" << out_digest_.bytes()
            << " in_sha256=" << in_digest_.hex() << " out_sha256=" << out_digest_.hex() << " retransmissions="
            << s.retransmissions << " reason=" << (why == "closed" ? "closed" : "error") << std::endl;
  if (why != "closed") std::cerr << "ssm-local-endpoint: session " << id_ << ": " << why << "\n";
  // Give the client a moment to read channel_closed and hang up, then hang up ourselves.
  handshake_timer_.expires_after(kCloseDrain);
  handshake_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec && self->link_) self->link_->close();
  });
}

void AgentSession::on_link_lost(AgentLink* link) {
  if (link != link_.get()) return;
  link_.reset();
  channel_.detach();
  handshake_timer_.cancel();
  if (ended_) return;
  // A disconnect we injected is for the client to recover from (ResumeSession); any other
  // loss ends the session, as the client hung up.
  if (!disconnected_once_ || data_frames_sent_ == 0) end("closed");
}

// ---- faults -------------------------------------------------------------------------------

void AgentSession::on_client_frame(std::span<const std::uint8_t> frame) {
  if (frozen_) return;
  if (faults_.roll(config_.faults.drop_in)) {
    ++faults_.injected;
    return;
  }
  if (faults_.roll(config_.faults.corrupt)) {
    ++faults_.injected;
    std::vector<std::uint8_t> copy(frame.begin(), frame.end());
    faults_.corrupt(copy);
    channel_.on_frame(copy);
    return;
  }
  channel_.on_frame(frame);
  if (faults_.roll(config_.faults.duplicate)) {
    ++faults_.injected;
    channel_.on_frame(frame);
  }
}

void AgentSession::write_frame(channel::Frame frame) {
  if (!link_ || frozen_) return;
  if (is_type(frame, wire::message_type::output_stream_data)) count_data_frame();
  if (faults_.roll(config_.faults.drop_out)) {
    ++faults_.injected;
    return;
  }
  if (faults_.roll(config_.faults.corrupt)) {
    ++faults_.injected;
    auto copy = std::make_shared<std::vector<std::uint8_t>>(*frame);
    faults_.corrupt(*copy);
    frame = copy;
  }
  if (!held_ && faults_.roll(config_.faults.reorder)) {
    ++faults_.injected;
    held_ = frame;
    return;
  }
  deliver(frame);
  if (held_) deliver(std::exchange(held_, nullptr));
  if (faults_.roll(config_.faults.duplicate)) {
    ++faults_.injected;
    deliver(frame);
  }
}

void AgentSession::deliver(channel::Frame frame) {
  if (config_.faults.delay_ms <= 0) {
    if (link_) link_->send(std::move(frame));
    return;
  }
  delayed_.emplace_back(std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.faults.delay_ms), std::move(frame));
  if (delayed_.size() == 1) flush_delayed();
}

void AgentSession::flush_delayed() {
  const auto now = std::chrono::steady_clock::now();
  while (!delayed_.empty() && delayed_.front().first <= now) {
    if (link_ && !frozen_) link_->send(delayed_.front().second);
    delayed_.pop_front();
  }
  if (delayed_.empty()) return;
  delay_timer_.expires_at(delayed_.front().first);
  delay_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->flush_delayed();
  });
}

void AgentSession::count_data_frame() {
  ++data_frames_sent_;
  const Faults& f = config_.faults;
  auto self = shared_from_this();
  if (f.disconnect_after > 0 && !disconnected_once_ && data_frames_sent_ >= static_cast<std::uint64_t>(f.disconnect_after)) {
    disconnected_once_ = true;
    ++faults_.injected;
    boost::asio::post(executor_, [self] {
      if (self->link_) self->link_->close();
      self->on_link_lost(self->link_.get());
    });
  }
  if (f.pause_after > 0 && !paused_once_ && data_frames_sent_ >= static_cast<std::uint64_t>(f.pause_after)) {
    paused_once_ = true;
    ++faults_.injected;
    boost::asio::post(executor_, [self] {
      if (!self->link_) return;
      self->link_->send(control_frame(wire::message_type::pause_publication));
      self->channel_.pause();  // the agent stops sending too (agent-side.md §5)
      self->pause_timer_.expires_after(std::chrono::milliseconds(self->config_.faults.pause_ms));
      self->pause_timer_.async_wait([self](const boost::system::error_code& ec) {
        if (ec || !self->link_) return;
        self->link_->send(control_frame(wire::message_type::start_publication));
        self->channel_.resume_publication();
      });
    });
  }
  if (f.freeze_after > 0 && !frozen_ && data_frames_sent_ >= static_cast<std::uint64_t>(f.freeze_after)) {
    ++faults_.injected;
    boost::asio::post(executor_, [self] {
      self->frozen_ = true;
      if (self->link_) self->link_->freeze();
    });
  }
}

}  // namespace ssm::endpoint
