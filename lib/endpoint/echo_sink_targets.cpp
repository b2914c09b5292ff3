// The two targets without I/O of their own.
#include "endpoint/targets.h"

namespace ssm::endpoint {
namespace {

class EchoTarget final : public StreamTarget {
 public:
  explicit EchoTarget(TargetHost& host) : host_(host) {}

  void start() override {}
  channel::Delivery on_input(std::span<const std::uint8_t> bytes) override {
    // Back-pressure: a full window holds the client's message unacked until there is room.
    if (stopped_ || !host_.has_send_space()) return channel::Delivery::not_ready;
    host_.send_output(bytes);
    return channel::Delivery::accepted;
  }
  void on_send_space() override {
    if (!stopped_) host_.retry_delivery();
  }
  void stop() override { stopped_ = true; }

 private:
  TargetHost& host_;
  bool stopped_ = false;
};

class SinkTarget final : public StreamTarget {
 public:
  void start() override {}
  channel::Delivery on_input(std::span<const std::uint8_t>) override { return channel::Delivery::accepted; }
  void stop() override {}
};

}  // namespace

std::shared_ptr<StreamTarget> make_echo_target(TargetHost& host) { return std::make_shared<EchoTarget>(host); }
std::shared_ptr<StreamTarget> make_sink_target() { return std::make_shared<SinkTarget>(); }

}  // namespace ssm::endpoint
