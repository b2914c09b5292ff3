// dial:<host>:<port> — the agent's basic port mode (agent-side.md §6.2): one TCP connection
// per session, dialled right after the handshake, bytes copied both ways with back-pressure:
// the socket is not read while the channel cannot take more, and client input is held
// unacked while too much of it waits to be written to the socket.
// With `redial` (basic mode for LocalPortForwarding, an old client or agent): DisconnectToPort
// or the target's EOF closes the connection, and the next Output from the client dials a new
// one, as the agent does (§6.2) — one local connection after another over one session.
#include <array>
#include <deque>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "endpoint/targets.h"

namespace ssm::endpoint {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

class DialTarget final : public StreamTarget, public std::enable_shared_from_this<DialTarget> {
 public:
  DialTarget(asio::any_io_executor ex, TargetHost& host, std::string address, std::string port, bool pacing,
             bool redial)
      : host_(host),
        address_(std::move(address)),
        port_(std::move(port)),
        pacing_(pacing),
        redial_(redial),
        resolver_(ex),
        socket_(ex),
        pace_timer_(ex) {}

  void start() override { dial(); }

  void dial() {
    dialing_ = true;
    resolver_.async_resolve(address_, port_, asio::ip::resolver_base::numeric_service,
                            [self = shared_from_this()](const error_code& ec, tcp::resolver::results_type r) {
                              self->on_resolve(ec, std::move(r));
                            });
  }

  channel::Delivery on_input(std::span<const std::uint8_t> bytes) override {
    // Not connected yet: the agent does not ack (agent-side.md §6.2), the client resends.
    if (hanging_up_) return channel::Delivery::not_ready;  // the next connection's bytes wait
    if (!stopped_ && redial_ && !connected_ && !dialing_) dial();  // the next local connection
    if (stopped_ || !connected_ || pending_ >= kMaxPending) return channel::Delivery::not_ready;
    queue_.emplace_back(bytes.begin(), bytes.end());
    pending_ += bytes.size();
    write_next();
    return channel::Delivery::accepted;
  }

  bool on_input_end() override {
    if (stopped_ || (!writing_ && queue_.empty())) return true;
    input_ended_ = true;  // on_write finishes once the queue is written
    return false;
  }

  void on_flag(wire::PortFlag flag) override {
    // Basic mode without a type (SSH): the close ends the session (agent-side.md §6.2).
    if (flag == wire::PortFlag::disconnect_to_port && !stopped_ && redial_) {
      // Everything the client sent before the flag reaches the target first.
      hanging_up_ = true;
      if (!writing_ && queue_.empty()) hang_up();
      return;
    }
    if (flag == wire::PortFlag::disconnect_to_port && !stopped_) {
      stop();
      host_.target_failed("the client disconnected from port " + port_);
    }
  }

  void on_send_space() override {
    if (read_paused_ && !stopped_) {
      read_paused_ = false;
      read_next();
    }
  }

  void stop() override {
    stopped_ = true;
    error_code ignored;
    resolver_.cancel();
    pace_timer_.cancel();
    socket_.close(ignored);
  }

 private:
  // Client bytes accepted but not yet written to the socket.
  static constexpr std::size_t kMaxPending = 256 * 1024;
  // Paced reads are one message each, as the agent's; unpaced, 64 KiB at a time.
  static constexpr std::size_t kPacedRead = 1024;
  static constexpr auto kPace = 1ms;

  void on_resolve(const error_code& ec, tcp::resolver::results_type results) {
    if (stopped_) return;
    if (ec) return fail_to_connect("cannot resolve " + address_ + ": " + ec.message());
    asio::async_connect(socket_, results, [self = shared_from_this()](const error_code& ec2, const tcp::endpoint&) {
      self->on_connect(ec2);
    });
  }

  void on_connect(const error_code& ec) {
    dialing_ = false;
    if (stopped_) return;
    if (ec) return fail_to_connect("cannot connect to " + address_ + ":" + port_ + ": " + ec.message());
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    connected_ = true;
    ++generation_;
    read_next();
    host_.retry_delivery();  // input held while dialling
  }

  void fail_to_connect(const std::string& why) {
    host_.send_flag(wire::PortFlag::connect_to_port_error);
    stop();
    host_.target_failed(why);
  }

  // Basic mode's local connection closed (or the target did): this connection is over, the
  // session is not. Handlers of the old connection see another generation and keep quiet.
  void hang_up() {
    const bool flushed = std::exchange(hanging_up_, false);
    ++generation_;
    connected_ = false;
    read_paused_ = false;
    // A write in flight still points at the front entry: it goes when its handler runs.
    if (writing_) {
      queue_.erase(queue_.begin() + 1, queue_.end());
      stale_front_ = true;
    } else {
      queue_.clear();
    }
    pending_ = 0;
    error_code ignored;
    socket_.close(ignored);
    if (flushed) host_.retry_delivery();  // input held meanwhile dials the next connection
  }

  void read_next() {
    const std::size_t n = pacing_ ? kPacedRead : buffer_.size();
    socket_.async_read_some(asio::buffer(buffer_.data(), n),
                            [self = shared_from_this(), g = generation_](const error_code& ec, std::size_t got) {
                              if (g == self->generation_) self->on_read(ec, got);
                            });
  }

  void on_read(const error_code& ec, std::size_t n) {
    if (stopped_) return;
    if (ec && redial_) return hang_up();
    if (ec == asio::error::eof) return finish();
    if (ec) return fail("reading from " + address_ + ":" + port_ + ": " + ec.message());
    host_.send_output(std::span(buffer_.data(), n));
    if (pacing_) {
      pace_timer_.expires_after(kPace);
      pace_timer_.async_wait([self = shared_from_this()](const error_code& e) { self->on_paced(e); });
      return;
    }
    continue_reading();
  }

  void on_paced(const error_code& ec) {
    if (ec || stopped_) return;
    continue_reading();
  }

  void continue_reading() {
    if (host_.has_send_space()) read_next();
    else read_paused_ = true;  // the channel is full: leave the bytes in the socket
  }

  void write_next() {
    if (writing_ || queue_.empty()) return;
    writing_ = true;
    asio::async_write(socket_, asio::buffer(queue_.front()),
                      [self = shared_from_this(), g = generation_](const error_code& ec, std::size_t n) {
                        if (g != self->generation_) {
                          self->writing_ = false;
                          if (std::exchange(self->stale_front_, false)) self->queue_.pop_front();
                          return self->write_next();  // the new connection's bytes, if any
                        }
                        self->on_write(ec, n);
                      });
  }

  void on_write(const error_code& ec, std::size_t n) {
    writing_ = false;
    if (stopped_) return;
    if (ec && redial_) return hang_up();
    if (ec) return fail("writing to " + address_ + ":" + port_ + ": " + ec.message());
    pending_ -= n;
    queue_.pop_front();
    if (hanging_up_ && queue_.empty()) return hang_up();
    if (input_ended_ && queue_.empty()) return finish();
    write_next();
    host_.retry_delivery();
  }

  void finish() {
    stop();
    host_.target_finished();
  }

  void fail(const std::string& why) {
    stop();
    host_.target_failed(why);
  }

  TargetHost& host_;
  std::string address_, port_;
  bool pacing_, redial_;
  std::uint64_t generation_ = 0;  // one per connection
  bool dialing_ = false;
  bool stale_front_ = false;
  bool hanging_up_ = false;
  bool input_ended_ = false;  // smux FIN came: finish once the queue is written  // DisconnectToPort came: close once the queue is written  // queue_.front() belongs to a connection that is gone
  tcp::resolver resolver_;
  tcp::socket socket_;
  asio::steady_timer pace_timer_;
  std::array<std::uint8_t, 64 * 1024> buffer_{};
  std::deque<std::vector<std::uint8_t>> queue_;
  std::size_t pending_ = 0;
  bool connected_ = false, writing_ = false, read_paused_ = false, stopped_ = false;
};

}  // namespace

std::shared_ptr<StreamTarget> make_dial_target(asio::any_io_executor ex, TargetHost& host, std::string address,
                                               std::string port, bool pacing, bool redial) {
  return std::make_shared<DialTarget>(std::move(ex), host, std::move(address), std::move(port), pacing, redial);
}

}  // namespace ssm::endpoint
