// Microbenchmarks of the per-message work on the data path (not tests: nothing is asserted).
// Run: build/release/tests/bench/wire_bench
#include <benchmark/benchmark.h>

#include "wire/client_message.h"
#include "wire/payloads.h"

namespace ssm::wire {
namespace {

ClientMessage data_message(std::size_t n) {
  ClientMessage m;
  m.message_type = "output_stream_data";
  m.created_date = 1503434274948;
  m.sequence_number = 42;
  m.message_id = Uuid::random_v4();
  m.payload_type = PayloadType::output;
  m.payload.assign(n, 0x5a);
  return m;
}

void BM_Encode1KiB(benchmark::State& state) {
  const auto m = data_message(1024);
  for (auto _ : state) benchmark::DoNotOptimize(encode(m));
  state.SetBytesProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_Encode1KiB);

void BM_Decode1KiB(benchmark::State& state) {
  const auto frame = encode(data_message(1024));
  for (auto _ : state) {
    ClientMessage out;
    benchmark::DoNotOptimize(decode(frame, out));
  }
  state.SetBytesProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_Decode1KiB);

void BM_AckRoundTrip(benchmark::State& state) {
  const Acknowledge a{"output_stream_data", Uuid::random_v4().to_string(), 12345, true};
  for (auto _ : state) {
    Acknowledge back;
    benchmark::DoNotOptimize(parse(to_json(a), back));
  }
}
BENCHMARK(BM_AckRoundTrip);

void BM_RandomUuid(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Uuid::random_v4());
}
BENCHMARK(BM_RandomUuid);

}  // namespace
}  // namespace ssm::wire

BENCHMARK_MAIN();
