// Standard_Stream shells and InteractiveCommands (agent-side.md §4.1–4.4): the process runs on
// a new pty. Output payloads are typed into it raw, Size payloads resize it (the kernel then
// sends SIGWINCH to its foreground job), and what it prints goes back in messages of at most
// 1 KiB. When the pty reports the end (EIO once no process holds it any more) and the
// process has been reaped, the session ends; the agent sends no exit code for these types.
#include <sys/ioctl.h>
#include <unistd.h>

#include <fcntl.h>

#include "endpoint/child_process.h"
#include "endpoint/fd_streams.h"
#include "endpoint/targets.h"

namespace ssm::endpoint {
namespace {

using namespace std::chrono_literals;

// The agent's pace: it sleeps 1 ms after each read and 1 s before the first (§4.2).
constexpr auto kPacedReadGap = 1ms;
constexpr auto kPacedFirstRead = 1s;

class PtyTarget final : public StreamTarget, public std::enable_shared_from_this<PtyTarget> {
 public:
  PtyTarget(boost::asio::any_io_executor ex, TargetHost& host, std::vector<std::string> argv, bool pacing)
      : ex_(std::move(ex)), host_(host), argv_(std::move(argv)), pacing_(pacing) {}
  ~PtyTarget() override { stop(); }

  void start() override {
    ChildStreams streams;
    std::string error;
    child_ = ChildProcess::start_on_pty(ex_, argv_, streams, error);
    if (!child_) {
      host_.send_output(wire::as_bytes("cannot start " + (argv_.empty() ? std::string() : argv_.back()) + ": " + error + "\r\n"));
      return host_.target_failed(error);
    }
    terminal_ = streams.terminal;
    // One descriptor each way: an epoll set takes a descriptor once.
    const int input = ::fcntl(terminal_, F_DUPFD_CLOEXEC, 0);
    std::weak_ptr<PtyTarget> weak = weak_from_this();
    writer_ = std::make_shared<FdWriter>(ex_, input, [weak] {
      if (auto self = weak.lock(); self && !self->stopped_) self->host_.retry_delivery();
    });
    reader_ = std::make_shared<FdReader>(
        ex_, terminal_,
        FdReader::Events{
            .data = [this](std::span<const std::uint8_t> b) { host_.send_output(b); },
            .may_read = [this] { return host_.has_send_space(); },
            .end = [this] { on_terminal_end(); },
        },
        pacing_ ? std::chrono::milliseconds(kPacedReadGap) : 0ms,
        pacing_ ? std::chrono::milliseconds(kPacedFirstRead) : 0ms);
    reader_->start();
  }

  channel::Delivery on_input(std::span<const std::uint8_t> bytes) override {
    if (stopped_ || !writer_) return channel::Delivery::accepted;
    return writer_->accept(bytes) ? channel::Delivery::accepted : channel::Delivery::not_ready;
  }

  void on_size(std::uint32_t cols, std::uint32_t rows) override {
    if (stopped_ || terminal_ < 0) return;
    winsize ws{};
    ws.ws_col = static_cast<unsigned short>(cols);  // truncated to 16 bits, as the agent does
    ws.ws_row = static_cast<unsigned short>(rows);
    ::ioctl(terminal_, TIOCSWINSZ, &ws);
  }

  void on_send_space() override {
    if (reader_ && !stopped_) reader_->resume();
  }

  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    if (reader_) reader_->stop();  // closes the terminal
    if (writer_) writer_->stop();
    terminal_ = -1;
    child_.reset();  // kills what still runs, and reaps it
  }

 private:
  // The reader calls these only before stop(); the target outlives its reader's events.
  void on_terminal_end() {
    std::weak_ptr<PtyTarget> weak = weak_from_this();
    child_->async_wait_exit([weak](int) {
      if (auto self = weak.lock(); self && !self->stopped_) self->host_.target_finished();
    });
  }

  boost::asio::any_io_executor ex_;
  TargetHost& host_;
  std::vector<std::string> argv_;
  bool pacing_;
  std::unique_ptr<ChildProcess> child_;
  std::shared_ptr<FdReader> reader_;
  std::shared_ptr<FdWriter> writer_;
  int terminal_ = -1;  // owned by reader_
  bool stopped_ = false;
};

}  // namespace

std::shared_ptr<StreamTarget> make_pty_target(boost::asio::any_io_executor ex, TargetHost& host,
                                              std::vector<std::string> argv, bool pacing) {
  return std::make_shared<PtyTarget>(std::move(ex), host, std::move(argv), pacing);
}

}  // namespace ssm::endpoint
