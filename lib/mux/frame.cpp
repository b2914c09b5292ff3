#include "mux/frame.h"

#include <string>

namespace ssm::mux {
namespace {

class MuxCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "ssm.mux"; }
  std::string message(int ev) const override {
    switch (static_cast<MuxError>(ev)) {
      case MuxError::wrong_version: return "smux frame with a version other than 1";
      case MuxError::unknown_command: return "smux frame with an unknown command";
    }
    return "smux error";
  }
};

}  // namespace

const std::error_category& mux_category() noexcept {
  static const MuxCategory category;
  return category;
}

void append_frame(std::vector<std::uint8_t>& out, Command command, std::uint32_t sid, std::span<const std::uint8_t> data) {
  const auto length = static_cast<std::uint16_t>(data.size());
  const std::uint8_t header[kHeaderSize] = {
      kVersion,
      static_cast<std::uint8_t>(command),
      static_cast<std::uint8_t>(length & 0xff),
      static_cast<std::uint8_t>(length >> 8),
      static_cast<std::uint8_t>(sid & 0xff),
      static_cast<std::uint8_t>(sid >> 8 & 0xff),
      static_cast<std::uint8_t>(sid >> 16 & 0xff),
      static_cast<std::uint8_t>(sid >> 24 & 0xff)};
  out.insert(out.end(), header, header + kHeaderSize);
  out.insert(out.end(), data.begin(), data.end());
}

void FrameParser::feed(std::span<const std::uint8_t> bytes) {
  // Compact lazily: drop what earlier frames consumed once it is most of the buffer.
  if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

bool FrameParser::next(Frame& frame, std::error_code& ec) {
  if (error_) {
    ec = error_;
    return false;
  }
  ec.clear();
  const std::size_t available = buffer_.size() - consumed_;
  if (available < kHeaderSize) return false;
  const std::uint8_t* h = buffer_.data() + consumed_;
  if (h[0] != kVersion) {
    ec = error_ = MuxError::wrong_version;
    return false;
  }
  if (h[1] > static_cast<std::uint8_t>(Command::nop)) {
    ec = error_ = MuxError::unknown_command;
    return false;
  }
  const auto command = static_cast<Command>(h[1]);
  const std::size_t length = h[2] | std::size_t{h[3]} << 8;
  const std::uint32_t sid = h[4] | std::uint32_t{h[5]} << 8 | std::uint32_t{h[6]} << 16 | std::uint32_t{h[7]} << 24;
  // Only PSH carries data; the reference reads nothing after SYN, FIN and NOP whatever
  // their length field says, and so must we to stay in step.
  const std::size_t body = command == Command::psh ? length : 0;
  if (available < kHeaderSize + body) return false;
  frame = {command, sid, {h + kHeaderSize, body}};
  consumed_ += kHeaderSize + body;
  return true;
}

}  // namespace ssm::mux
