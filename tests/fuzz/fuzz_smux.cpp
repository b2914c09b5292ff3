// libFuzzer: smux frames from the agent, split at a point the input chooses. The client must
// never crash, and must report the same frames however the bytes are cut.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "mux/mux_client.h"

namespace {

struct Trace final : ssm::mux::MuxEvents {
  std::string log;
  void on_stream_data(std::uint32_t sid, std::span<const std::uint8_t> d) override {
    log += "D" + std::to_string(sid) + ":" + std::string(d.begin(), d.end());
  }
  void on_stream_fin(std::uint32_t sid) override { log += "F" + std::to_string(sid); }
  void on_mux_error(std::error_code ec) override { log += "E" + std::to_string(ec.value()); }
};

std::string run(std::span<const std::uint8_t> bytes, std::size_t cut, std::vector<std::uint8_t>& out) {
  Trace t;
  ssm::mux::MuxClient c(t);
  for (int i = 0; i < 4; ++i) c.open();  // streams 3, 5, 7, 9 exist
  c.receive(bytes.first(cut));
  c.receive(bytes.subspan(cut));
  out = c.outbound();
  return t.log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  const std::size_t cut = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);
  std::vector<std::uint8_t> out_whole, out_cut;
  if (run(bytes, bytes.size(), out_whole) != run(bytes, cut, out_cut) || out_whole != out_cut) std::abort();
  return 0;
}
