// lib/mux — owns smux v1, the multiplexing the agent speaks inside the data channel for
// local port forwarding (protocol-smux-kms-aws.md §1): little-endian frame headers, stream
// ids 3, 5, 7, ..., reassembly of frames from an arbitrary byte stream, and the client's
// stream table. It knows nothing of WebSockets, sessions or time: the owner carries the bytes
// and runs the keep-alive timers.
//
// This file: the frame codec and the reassembling parser.
#pragma once

#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

namespace ssm::mux {

inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 8;
inline constexpr std::size_t kMaxFrameSize = 32768;  // largest PSH payload we write
inline constexpr std::uint32_t kFirstClientStream = 3;

enum class Command : std::uint8_t { syn = 0, fin = 1, psh = 2, nop = 3 };

struct Frame {
  Command command;
  std::uint32_t stream_id;
  std::span<const std::uint8_t> data;  // valid until the next call into the parser
};

enum class MuxError { wrong_version = 1, unknown_command };
const std::error_category& mux_category() noexcept;
inline std::error_code make_error_code(MuxError e) noexcept { return {static_cast<int>(e), mux_category()}; }

// Appends one frame; data only for PSH, at most 65535 bytes.
void append_frame(std::vector<std::uint8_t>& out, Command command, std::uint32_t stream_id,
                  std::span<const std::uint8_t> data = {});

// Frames out of a byte stream cut anywhere.
class FrameParser {
 public:
  void feed(std::span<const std::uint8_t> bytes);
  // The next complete frame; false when more bytes are needed or on error (check `ec`).
  // A protocol error is final: the stream cannot be resynchronised.
  bool next(Frame& frame, std::error_code& ec);
  std::size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  std::vector<std::uint8_t> buffer_;
  std::size_t consumed_ = 0;
  std::error_code error_;
};

}  // namespace ssm::mux

template <>
struct std::is_error_code_enum<ssm::mux::MuxError> : std::true_type {};
