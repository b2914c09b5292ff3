#include "mux/mux_client.h"

#include <algorithm>

namespace ssm::mux {

std::uint32_t MuxClient::open() {
  if (last_id_ > UINT32_MAX - 2) return 0;  // ids are never reused: a new session is needed
  last_id_ += 2;
  streams_.insert(last_id_);
  append_frame(outbound_, Command::syn, last_id_);
  return last_id_;
}

void MuxClient::write(std::uint32_t sid, std::span<const std::uint8_t> data) {
  if (!streams_.contains(sid)) return;
  while (!data.empty()) {
    const std::size_t n = std::min(data.size(), kMaxFrameSize);
    append_frame(outbound_, Command::psh, sid, data.first(n));
    data = data.subspan(n);
  }
}

void MuxClient::close(std::uint32_t sid) {
  if (streams_.erase(sid) == 0) return;
  append_frame(outbound_, Command::fin, sid);
}

void MuxClient::send_keepalive() { append_frame(outbound_, Command::nop, 0); }

void MuxClient::receive(std::span<const std::uint8_t> bytes) {
  if (failed_) return;
  parser_.feed(bytes);
  Frame f;
  std::error_code ec;
  while (parser_.next(f, ec)) {
    activity_ = true;
    switch (f.command) {
      case Command::psh:
        if (streams_.contains(f.stream_id) && !f.data.empty()) events_.on_stream_data(f.stream_id, f.data);
        break;  // data for a closed or unknown stream is discarded
      case Command::fin:
        if (streams_.contains(f.stream_id)) events_.on_stream_fin(f.stream_id);
        break;
      case Command::syn:
        // The agent never opens streams; refuse one instead of queueing it forever (§1.7).
        if (!streams_.contains(f.stream_id)) append_frame(outbound_, Command::fin, f.stream_id);
        break;
      case Command::nop:
        break;
    }
    if (failed_) return;
  }
  if (ec) {
    failed_ = true;
    events_.on_mux_error(ec);
  }
}

}  // namespace ssm::mux
