#include "endpoint/stream_target.h"

#include <array>
#include <deque>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace ssm::endpoint {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Every input comes straight back.
class EchoTarget final : public StreamTarget {
 public:
  explicit EchoTarget(TargetHost& host) : host_(host) {}
  void start() override {}
  channel::Delivery on_input(std::span<const std::uint8_t> bytes) override {
    if (!host_.has_send_space()) return channel::Delivery::not_ready;  // back-pressure
    host_.send_output(bytes);
    return channel::Delivery::accepted;
  }
  void on_send_space() override { host_.retry_delivery(); }

 private:
  TargetHost& host_;
};

// Input is counted and hashed by the session; nothing comes back.
class SinkTarget final : public StreamTarget {
 public:
  void start() override {}
  channel::Delivery on_input(std::span<const std::uint8_t>) override { return channel::Delivery::accepted; }
};

// `remaining` bytes of fast pseudo-random output, then the end of the session.
class SourceTarget final : public StreamTarget {
 public:
  SourceTarget(asio::any_io_executor ex, TargetHost& host, std::uint64_t bytes, bool pacing)
      : host_(host), remaining_(bytes), pacing_(pacing), timer_(ex) {}

  void start() override { pump(); }
  channel::Delivery on_input(std::span<const std::uint8_t>) override { return channel::Delivery::accepted; }
  void on_send_space() override {
    if (!pacing_) pump();
  }
  void stop() override {
    stopped_ = true;
    timer_.cancel();
  }

 private:
  // The real agent reads 1 KiB and sleeps 1 ms (agent-side.md §4.2); unpaced, we fill the
  // window in 16 KiB steps.
  static constexpr std::size_t kChunk = 16 * 1024;
  static constexpr std::size_t kPacedChunk = 1024;

  void pump() {
    while (!stopped_ && remaining_ > 0 && host_.has_send_space()) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, pacing_ ? kPacedChunk : kChunk));
      fill(n);
      remaining_ -= n;
      host_.send_output(std::span(buffer_.data(), n));
      if (pacing_) {
        timer_.expires_after(std::chrono::milliseconds(1));
        timer_.async_wait([this](const boost::system::error_code& ec) {
          if (!ec) pump();
        });
        return;
      }
    }
    if (!stopped_ && remaining_ == 0 && !finished_) {
      finished_ = true;
      host_.target_finished();
    } else if (pacing_ && !stopped_ && remaining_ > 0 && !host_.has_send_space()) {
      timer_.expires_after(std::chrono::milliseconds(1));
      timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) pump();
      });
    }
  }

  void fill(std::size_t n) {
    for (std::size_t i = 0; i < n; i += 8) {  // xorshift64*
      state_ ^= state_ >> 12;
      state_ ^= state_ << 25;
      state_ ^= state_ >> 27;
      const std::uint64_t v = state_ * 0x2545F4914F6CDD1DULL;
      for (std::size_t k = 0; k < 8 && i + k < n; ++k) buffer_[i + k] = static_cast<std::uint8_t>(v >> (8 * k));
    }
  }

  TargetHost& host_;
  std::uint64_t remaining_;
  bool pacing_;
  asio::steady_timer timer_;
  std::array<std::uint8_t, kChunk> buffer_{};
  std::uint64_t state_ = 0x9E3779B97F4A7C15ULL;
  bool stopped_ = false;
  bool finished_ = false;
};

// One TCP connection to host:port, bridged both ways with back-pressure.
class DialTarget final : public StreamTarget {
 public:
  DialTarget(asio::any_io_executor ex, TargetHost& host, std::string address, std::string port)
      : host_(host), address_(std::move(address)), port_(std::move(port)), resolver_(ex), socket_(ex) {}

  void start() override {
    resolver_.async_resolve(address_, port_, [this](const boost::system::error_code& ec, tcp::resolver::results_type r) {
      if (stopped_) return;
      if (ec) return host_.target_failed("cannot resolve " + address_ + ": " + ec.message());
      asio::async_connect(socket_, r, [this](const boost::system::error_code& ec2, const tcp::endpoint&) {
        if (stopped_) return;
        if (ec2) return host_.target_failed("cannot connect to " + address_ + ":" + port_ + ": " + ec2.message());
        socket_.set_option(tcp::no_delay(true));
        connected_ = true;
        read_next();
        write_next();
        host_.retry_delivery();
      });
    });
  }

  channel::Delivery on_input(std::span<const std::uint8_t> bytes) override {
    if (!connected_ || pending_ > kMaxPending) return channel::Delivery::not_ready;
    queue_.emplace_back(bytes.begin(), bytes.end());
    pending_ += bytes.size();
    write_next();
    return channel::Delivery::accepted;
  }

  void on_send_space() override {
    if (read_paused_) {
      read_paused_ = false;
      read_next();
    }
  }

  void stop() override {
    stopped_ = true;
    boost::system::error_code ignored;
    resolver_.cancel();
    socket_.close(ignored);
  }

 private:
  static constexpr std::size_t kMaxPending = 1 << 20;

  void read_next() {
    socket_.async_read_some(asio::buffer(buffer_), [this](const boost::system::error_code& ec, std::size_t n) {
      if (stopped_) return;
      if (ec) return host_.target_finished();  // the target closed: end of session
      host_.send_output(std::span(buffer_.data(), n));
      if (host_.has_send_space()) read_next();
      else read_paused_ = true;
    });
  }

  void write_next() {
    if (writing_ || queue_.empty() || !connected_) return;
    writing_ = true;
    asio::async_write(socket_, asio::buffer(queue_.front()), [this](const boost::system::error_code& ec, std::size_t n) {
      writing_ = false;
      if (stopped_) return;
      if (ec) return host_.target_finished();
      pending_ -= n;
      queue_.pop_front();
      write_next();
      host_.retry_delivery();
    });
  }

  TargetHost& host_;
  std::string address_, port_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  std::array<std::uint8_t, 64 * 1024> buffer_{};
  std::deque<std::vector<std::uint8_t>> queue_;
  std::size_t pending_ = 0;
  bool connected_ = false, writing_ = false, read_paused_ = false, stopped_ = false;
};

}  // namespace

bool valid_target_spec(const std::string& spec) {
  if (spec == "echo" || spec == "sink") return true;
  if (spec.rfind("source:", 0) == 0) {
    const std::string n = spec.substr(7);
    return !n.empty() && n.find_first_not_of("0123456789") == std::string::npos && n.size() < 19;
  }
  if (spec.rfind("dial:", 0) == 0) {
    const auto colon = spec.rfind(':');
    return colon > 5 && colon + 1 < spec.size();
  }
  return false;
}

std::unique_ptr<StreamTarget> make_target(const std::string& spec, asio::any_io_executor ex, TargetHost& host,
                                          bool pacing, std::string& error) {
  if (!valid_target_spec(spec)) {
    error = "unknown stream target " + spec;
    return nullptr;
  }
  if (spec == "echo") return std::make_unique<EchoTarget>(host);
  if (spec == "sink") return std::make_unique<SinkTarget>();
  if (spec.rfind("source:", 0) == 0) return std::make_unique<SourceTarget>(ex, host, std::stoull(spec.substr(7)), pacing);
  const auto colon = spec.rfind(':');
  std::string address = spec.substr(5, colon - 5);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  return std::make_unique<DialTarget>(ex, host, address, spec.substr(colon + 1));
}

}  // namespace ssm::endpoint
