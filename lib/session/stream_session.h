// lib/session — the simplest session kind: stdin to the agent as Output payloads, agent
// payloads to stdout: the stdio port mode (SSH ProxyCommand), where stdin EOF ends the
// session once everything sent is acknowledged. Bytes pass unchanged both ways (the lone
// 0x0A -> 0x0D rewrite belongs to shell input only).
#pragma once

#include <optional>

#include "session/local_stream.h"
#include "session/session_kind.h"

namespace ssm::session {

struct StreamOptions {
  bool end_on_input_eof = false;  // stdio port mode
};

class StreamSession final : public SessionKind, private InputSink, private OutputListener {
 public:
  StreamSession(boost::asio::any_io_executor ex, channel::DataChannel& channel, KindEvents& events,
                StreamOptions options);

  void start() override;
  channel::Delivery on_output(const wire::ClientMessage& message) override;
  void on_output_end() override { stdout_.flush(); }
  void on_send_space() override;
  void on_all_acknowledged() override;
  void finish(int exit_code) override;
  void abort() override;
  bool stdout_is_data() const override { return options_.end_on_input_eof; }

 private:
  bool on_input(std::span<const std::uint8_t> bytes) override;
  void on_input_end(std::error_code ec) override;
  void on_output_drained() override;
  void on_output_error(std::error_code ec) override;
  void on_output_flushed() override;
  void maybe_done();

  channel::DataChannel& channel_;
  KindEvents& events_;
  StreamOptions options_;
  LocalReader stdin_;
  LocalWriter stdout_;
  bool input_ended_ = false;
  std::optional<int> finishing_;  // exit code once finish() was called
  bool done_ = false;
};

}  // namespace ssm::session
