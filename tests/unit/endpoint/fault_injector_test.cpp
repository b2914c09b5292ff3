#include <gtest/gtest.h>

#include "endpoint/fault_injector.h"
#include "wire/client_message.h"

namespace ssm::endpoint {
namespace {

channel::Frame frame(std::int64_t seq, std::string_view payload = "payload") {
  wire::ClientMessage m;
  m.message_type = std::string(wire::message_type::output_stream_data);
  m.created_date = 1503434274948;
  m.sequence_number = seq;
  m.message_id = wire::Uuid::random_v4();
  m.payload_type = wire::PayloadType::output;
  m.payload.assign(payload.begin(), payload.end());
  return std::make_shared<const std::vector<std::uint8_t>>(wire::encode(m));
}

std::int64_t seq_of(const channel::Frame& f) {
  wire::ClientMessage m;
  return wire::decode(*f, m) ? -1 : m.sequence_number;
}

std::string decisions(std::uint64_t seed, int percent, int n) {
  Faults f;
  f.seed = seed;
  FaultInjector injector(f);
  std::string s;
  for (int i = 0; i < n; ++i) s += injector.roll(percent) ? '1' : '0';
  return s;
}

TEST(FaultInjector, DecisionsArePinnedByTheSeed) {
  // Runs are repeatable: the same seed gives the same faults, on every platform (splitmix64;
  // the expected strings were computed by an independent implementation).
  EXPECT_EQ(decisions(7, 50, 32), "01110100010101001001111101111011");
  EXPECT_EQ(decisions(42, 10, 32), "00000001101000000001000000000010");
  EXPECT_NE(decisions(7, 50, 64), decisions(8, 50, 64));
  EXPECT_EQ(decisions(1, 0, 100), std::string(100, '0'));
  EXPECT_EQ(decisions(1, 100, 100), std::string(100, '1'));
}

TEST(FaultInjector, RateIsAboutThePercentage) {
  const std::string d = decisions(3, 5, 20000);
  const auto hits = std::count(d.begin(), d.end(), '1');
  EXPECT_GT(hits, 800);
  EXPECT_LT(hits, 1200);
}

TEST(FaultInjector, DropOutLosesEveryFrame) {
  Faults f;
  f.drop_out = 100;
  FaultInjector injector(f);
  int sent = 0;
  for (int i = 0; i < 10; ++i) injector.outgoing(frame(i), [&](channel::Frame) { ++sent; });
  EXPECT_EQ(sent, 0);
  EXPECT_EQ(injector.injected(), 10u);
}

TEST(FaultInjector, DuplicateSendsTwiceBothWays) {
  Faults f;
  f.duplicate = 100;
  FaultInjector injector(f);
  std::vector<std::int64_t> out;
  injector.outgoing(frame(4), [&](channel::Frame x) { out.push_back(seq_of(x)); });
  EXPECT_EQ(out, (std::vector<std::int64_t>{4, 4}));
  int in = 0;
  const auto f5 = frame(5);
  injector.incoming(*f5, [&](std::span<const std::uint8_t>) { ++in; });
  EXPECT_EQ(in, 2);
}

TEST(FaultInjector, ReorderHoldsAFrameBehindTheNext) {
  Faults f;
  f.reorder = 100;
  FaultInjector injector(f);
  std::vector<std::int64_t> out;
  const auto send = [&](channel::Frame x) { out.push_back(seq_of(x)); };
  injector.outgoing(frame(0), send);  // held
  EXPECT_TRUE(out.empty());
  injector.outgoing(frame(1), send);  // sent, then the held one
  injector.outgoing(frame(2), send);  // held again
  injector.outgoing(frame(3), send);
  EXPECT_EQ(out, (std::vector<std::int64_t>{1, 0, 3, 2}));
  injector.outgoing(frame(4), send);
  injector.forget_held();  // its connection went away
  injector.outgoing(frame(5), send);
  EXPECT_EQ(out.size(), 4u);  // 5 is held now, 4 is gone
}

TEST(FaultInjector, CorruptFlipsOnePayloadByteSoTheDigestCatchesIt) {
  Faults f;
  f.corrupt = 100;
  FaultInjector injector(f);
  const auto clean = frame(9, "some payload bytes");
  channel::Frame sent;
  injector.outgoing(clean, [&](channel::Frame x) { sent = x; });
  ASSERT_TRUE(sent);
  ASSERT_EQ(sent->size(), clean->size());
  int header_changes = 0, payload_changes = 0;
  for (std::size_t i = 0; i < clean->size(); ++i)
    if ((*clean)[i] != (*sent)[i]) ++(i < wire::kPayloadOffset ? header_changes : payload_changes);
  EXPECT_EQ(header_changes, 0);
  EXPECT_EQ(payload_changes, 1);
  wire::ClientMessage m;
  EXPECT_TRUE(wire::decode(*sent, m));  // the digest no longer matches
  EXPECT_FALSE(wire::decode(*clean, m));  // the original is untouched

  bool decoded = true;
  injector.incoming(*clean, [&](std::span<const std::uint8_t> x) { decoded = !wire::decode(x, m); });
  EXPECT_FALSE(decoded);

  // No payload, nothing to corrupt: the frame goes as it is.
  const auto empty = frame(10, "");
  injector.outgoing(empty, [&](channel::Frame x) { sent = x; });
  EXPECT_EQ(*sent, *empty);
}

channel::Frame typed(std::string_view type, std::int64_t seq) {
  wire::ClientMessage m;
  m.message_type = std::string(type);
  m.created_date = 1503434274948;
  m.sequence_number = seq;
  m.message_id = wire::Uuid::random_v4();
  m.payload_type = wire::PayloadType::output;
  m.payload = {'x'};
  return std::make_shared<const std::vector<std::uint8_t>>(wire::encode(m));
}

TEST(FaultInjector, DropNthOutLosesOneDataFrameOnceAndTimesTheCopyThatRepairsIt) {
  Faults f;
  f.drop_nth_out = 3;
  FaultInjector injector(f);
  std::vector<std::int64_t> out;
  const auto send = [&](channel::Frame x) { out.push_back(seq_of(x)); };
  injector.outgoing(frame(0), send);
  injector.outgoing(typed(wire::message_type::acknowledge, 0), send);  // not data: not counted
  injector.outgoing(frame(1), send);
  injector.outgoing(frame(2), send);  // the third data frame: lost
  injector.outgoing(frame(3), send);
  EXPECT_EQ(out, (std::vector<std::int64_t>{0, 0, 1, 3}));
  EXPECT_EQ(injector.drop_nth_out().sequence, 2);
  EXPECT_FALSE(injector.drop_nth_out().repaired_after);
  injector.outgoing(frame(2), send);  // the resend passes, and is the repair
  injector.outgoing(frame(4), send);
  EXPECT_EQ(out, (std::vector<std::int64_t>{0, 0, 1, 3, 2, 4}));
  ASSERT_TRUE(injector.drop_nth_out().repaired_after);
  EXPECT_GE(injector.drop_nth_out().repaired_after->count(), 0);
  EXPECT_EQ(injector.counts().dropped_data_out, 1u);
  EXPECT_EQ(injector.counts().dropped_data_in, 0u);
  EXPECT_EQ(injector.injected(), 1u);
  EXPECT_EQ(injector.drop_nth_in().sequence, -1);  // off
}

TEST(FaultInjector, DropNthInLosesTheNthIncomingDataFrame) {
  Faults f;
  f.drop_nth_in = 2;
  FaultInjector injector(f);
  std::vector<std::int64_t> in;
  const auto deliver = [&](std::span<const std::uint8_t> x) {
    wire::ClientMessage m;
    in.push_back(wire::decode(x, m) ? -1 : m.sequence_number);
  };
  for (std::int64_t seq : {0, 1, 2, 1}) {
    const auto fr = typed(wire::message_type::input_stream_data, seq);
    injector.incoming(*fr, deliver);
  }
  EXPECT_EQ(in, (std::vector<std::int64_t>{0, 2, 1}));
  EXPECT_EQ(injector.drop_nth_in().sequence, 1);
  EXPECT_TRUE(injector.drop_nth_in().repaired_after);
  EXPECT_EQ(injector.counts().dropped_data_in, 1u);
}

TEST(FaultInjector, CountsDropsAndCopiesByDirectionAndKind) {
  Faults f;
  f.drop_in = 100;
  FaultInjector in_only(f);
  for (auto type : {wire::message_type::input_stream_data, wire::message_type::acknowledge,
                    wire::message_type::acknowledge, wire::message_type::channel_closed}) {
    const auto fr = typed(type, 0);
    in_only.incoming(*fr, [](std::span<const std::uint8_t>) { FAIL(); });
  }
  EXPECT_EQ(in_only.counts().dropped_data_in, 1u);
  EXPECT_EQ(in_only.counts().dropped_acks_in, 2u);
  EXPECT_EQ(in_only.counts().dropped_data_out + in_only.counts().dropped_acks_out, 0u);
  EXPECT_EQ(in_only.injected(), 4u);  // the channel_closed too, though neither data nor ack

  Faults d;
  d.duplicate = 100;
  FaultInjector copies(d);
  const auto send = [](channel::Frame) {};
  copies.outgoing(typed(wire::message_type::output_stream_data, 0), send);
  copies.outgoing(typed(wire::message_type::acknowledge, 0), send);
  const auto fr = typed(wire::message_type::input_stream_data, 0);
  copies.incoming(*fr, [](std::span<const std::uint8_t>) {});
  EXPECT_EQ(copies.counts().copied_data_out, 1u);
  EXPECT_EQ(copies.counts().copied_data_in, 1u);
  EXPECT_EQ(copies.injected(), 3u);
}

TEST(FaultInjector, NoFaultsNoChange) {
  FaultInjector injector(Faults{});
  std::vector<std::int64_t> out;
  for (int i = 0; i < 100; ++i) injector.outgoing(frame(i), [&](channel::Frame x) { out.push_back(seq_of(x)); });
  ASSERT_EQ(out.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(out[i], i);
  EXPECT_EQ(injector.injected(), 0u);
}

}  // namespace
}  // namespace ssm::endpoint
