// source:<bytes> — a fixed amount of pseudo-random output as fast as the window allows (or at
// the agent's pace with --pacing), then the end of the session. The bytes come from a
// xorshift64* generator, not from disk: the endpoint must never be the bottleneck.
#include <array>

#include <boost/asio/steady_timer.hpp>

#include "endpoint/targets.h"

namespace ssm::endpoint {
namespace {

using namespace std::chrono_literals;

class SourceTarget final : public StreamTarget, public std::enable_shared_from_this<SourceTarget> {
 public:
  SourceTarget(boost::asio::any_io_executor ex, TargetHost& host, std::uint64_t bytes, bool pacing)
      : host_(host), remaining_(bytes), pacing_(pacing), timer_(std::move(ex)) {}

  void start() override { pump(); }
  channel::Delivery on_input(std::span<const std::uint8_t>) override { return channel::Delivery::accepted; }
  void on_send_space() override {
    if (!ticking_) pump();
  }
  void stop() override {
    stopped_ = true;
    timer_.cancel();
  }

 private:
  // Unpaced, the window is filled in 16 KiB steps (16 messages); paced, the real agent reads
  // 1 KiB and sleeps 1 ms (agent-side.md §4.2, §6.2).
  static constexpr std::size_t kChunk = 16 * 1024;
  static constexpr std::size_t kPacedChunk = 1024;
  static constexpr auto kPace = 1ms;

  void pump() {
    while (!stopped_ && remaining_ > 0 && host_.has_send_space()) {
      send_chunk(pacing_ ? kPacedChunk : kChunk);
      if (pacing_) {
        ticking_ = true;
        timer_.expires_after(kPace);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->on_tick(ec); });
        return;
      }
    }
    // Otherwise a full window: on_send_space() resumes us.
    if (!stopped_ && remaining_ == 0 && !finished_) {
      finished_ = true;
      host_.target_finished();
    }
  }

  void on_tick(const boost::system::error_code& ec) {
    ticking_ = false;
    if (ec || stopped_) return;
    pump();
  }

  void send_chunk(std::size_t limit) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, limit));
    fill(n);
    remaining_ -= n;
    host_.send_output(std::span(buffer_.data(), n));
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
  boost::asio::steady_timer timer_;
  std::array<std::uint8_t, kChunk> buffer_{};
  std::uint64_t state_ = 0x9E3779B97F4A7C15ULL;
  bool ticking_ = false;  // a pacing timer is armed; it calls pump() itself
  bool stopped_ = false;
  bool finished_ = false;
};

}  // namespace

std::shared_ptr<StreamTarget> make_source_target(boost::asio::any_io_executor ex, TargetHost& host, std::uint64_t bytes,
                                                 bool pacing) {
  return std::make_shared<SourceTarget>(std::move(ex), host, bytes, pacing);
}

}  // namespace ssm::endpoint
