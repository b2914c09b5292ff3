// NonInteractiveCommands (agent-side.md §4.5): the command line split shell-style and exec'd
// without a shell, on pipes, never a pty. Input is not typed into it: a first byte 0x03 or
// 0x1C becomes SIGINT or SIGQUIT, everything else is dropped.
//  - separate streams: stdout as Output and stderr as StdErr, streamed while it runs, then
//    `EXIT_CODE: <n>` once both pipes are closed and the process is reaped;
//  - otherwise: both into one stream, sent once the process has exited; no exit code.
#include <csignal>
#include <unistd.h>

#include "endpoint/child_process.h"
#include "endpoint/fd_streams.h"
#include "endpoint/targets.h"

namespace ssm::endpoint {
namespace {

using namespace std::chrono_literals;

class CommandTarget final : public StreamTarget, public std::enable_shared_from_this<CommandTarget> {
 public:
  CommandTarget(boost::asio::any_io_executor ex, TargetHost& host, std::string line, bool separate)
      : ex_(std::move(ex)), host_(host), line_(std::move(line)), separate_(separate) {}
  ~CommandTarget() override { stop(); }

  void start() override {
    const std::vector<std::string> argv = split_command_line(line_);
    if (argv.empty()) return fail_to_start(line_.empty() ? "no command given" : "unbalanced quotes in the command");
    ChildStreams streams;
    std::string error;
    child_ = ChildProcess::start_with_pipes(ex_, argv, /*merge_errors=*/!separate_, streams, error);
    if (!child_) return fail_to_launch(error);
    ::close(streams.input);  // commands read no input here: they see EOF at once
    out_ = make_reader(streams.output, [this](std::span<const std::uint8_t> b) {
      if (separate_) host_.send_output(b);
      else collected_.insert(collected_.end(), b.begin(), b.end());
    });
    if (separate_) {
      err_ = make_reader(streams.errors, [this](std::span<const std::uint8_t> b) {
        host_.send_payload(wire::PayloadType::stderr_data, b);
      });
    }
    std::weak_ptr<CommandTarget> weak = weak_from_this();
    child_->async_wait_exit([weak](int status) {
      if (auto self = weak.lock(); self && !self->stopped_) {
        self->exit_status_ = status;
        self->finish_when_done();
      }
    });
    out_->start();
    if (err_) err_->start();
  }

  channel::Delivery on_input(std::span<const std::uint8_t> bytes) override {
    if (!stopped_ && child_ && !bytes.empty()) {
      if (bytes[0] == 0x03) child_->signal(SIGINT);
      else if (bytes[0] == 0x1c) child_->signal(SIGQUIT);
    }
    return channel::Delivery::accepted;
  }

  void on_send_space() override {
    if (stopped_) return;
    if (out_) out_->resume();
    if (err_) err_->resume();
  }

  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    if (out_) out_->stop();
    if (err_) err_->stop();
    child_.reset();
  }

 private:
  template <typename OnData>
  std::shared_ptr<FdReader> make_reader(int fd, OnData on_data) {
    ++open_streams_;
    auto reader = std::make_shared<FdReader>(
        ex_, fd,
        FdReader::Events{
            .data = std::move(on_data),
            .may_read = [this] { return !separate_ || host_.has_send_space(); },
            .end =
                [this] {
                  --open_streams_;
                  finish_when_done();
                },
        },
        0ms, 0ms);
    return reader;
  }

  void finish_when_done() {
    if (stopped_ || open_streams_ > 0 || !exit_status_) return;
    if (separate_) host_.send_payload(wire::PayloadType::exit_code, wire::as_bytes("EXIT_CODE: " + std::to_string(*exit_status_)));
    else if (!collected_.empty()) host_.send_output(collected_);
    host_.target_finished();
  }

  // Preparing failed: the agent's text, as StdErr (§4.5 "Start failures").
  void fail_to_start(const std::string& why) {
    host_.send_payload(wire::PayloadType::stderr_data, wire::as_bytes("Unable to start command: " + why + "\n"));
    host_.target_finished();
  }

  // Launching failed: in separate mode the exit code first, then the error text.
  void fail_to_launch(const std::string& why) {
    if (separate_) host_.send_payload(wire::PayloadType::exit_code, wire::as_bytes("EXIT_CODE: 1"));
    host_.send_payload(wire::PayloadType::stderr_data, wire::as_bytes(why + "\n"));
    host_.target_finished();
  }

  boost::asio::any_io_executor ex_;
  TargetHost& host_;
  std::string line_;
  bool separate_;
  std::unique_ptr<ChildProcess> child_;
  std::shared_ptr<FdReader> out_, err_;
  int open_streams_ = 0;
  std::optional<int> exit_status_;
  std::vector<std::uint8_t> collected_;  // without separate streams: sent after the exit
  bool stopped_ = false;
};

}  // namespace

std::shared_ptr<StreamTarget> make_command_target(boost::asio::any_io_executor ex, TargetHost& host,
                                                  std::string command_line, bool separate_streams) {
  return std::make_shared<CommandTarget>(std::move(ex), host, std::move(command_line), separate_streams);
}

}  // namespace ssm::endpoint
