#include <gtest/gtest.h>

#include "channel/receive_window.h"
#include "channel/rtt_estimator.h"
#include "channel/send_window.h"

namespace ssm::channel {
namespace {

using namespace std::chrono_literals;

RttConstants no_floor() {
  RttConstants c;
  c.min_rto = 0ms;
  return c;
}

TEST(RttEstimator, ReferenceVectorWithoutTheFloor) {
  // protocol.md §3.5/§5.4: default state, R = 140 ms -> RTT 105, RTTVAR 10, RTO 145.
  RttEstimator e(no_floor());
  EXPECT_EQ(e.rto(), 200ms);
  e.add_sample(140ms);
  EXPECT_EQ(e.rtt(), 105ms);
  EXPECT_EQ(e.rttvar(), 10ms);
  EXPECT_EQ(e.rto(), 145ms);
}

TEST(RttEstimator, TheRtoNeverGoesBelowItsFloor) {
  RttEstimator e;  // 200 ms, as Linux TCP
  e.add_sample(140ms);
  EXPECT_EQ(e.rtt(), 105ms);
  EXPECT_EQ(e.rto(), 200ms);
  for (int i = 0; i < 200; ++i) e.add_sample(1ms);
  EXPECT_EQ(e.rto(), 200ms);
  for (int i = 0; i < 200; ++i) e.add_sample(300ms);
  EXPECT_GT(e.rto(), 300ms);
}

TEST(RttEstimator, BackOffDoublesUntilTheCap) {
  RttEstimator e;
  e.back_off();
  EXPECT_EQ(e.rto(), 400ms);
  for (int i = 0; i < 5; ++i) e.back_off();
  EXPECT_EQ(e.rto(), 1s);
  e.add_sample(140ms);  // a clean sample recomputes it
  EXPECT_EQ(e.rto(), 200ms);
}

TEST(RttEstimator, GranularityFloorAndCap) {
  RttEstimator e(no_floor());
  for (int i = 0; i < 200; ++i) e.add_sample(1ms);
  EXPECT_LT(e.rtt(), 2ms);
  EXPECT_GE(e.rto(), e.rtt() + 10ms);  // variance term never below the 10 ms granularity
  for (int i = 0; i < 200; ++i) e.add_sample(5s);
  EXPECT_EQ(e.rto(), 1s);
}

Frame frame_of(int n) { return std::make_shared<const std::vector<std::uint8_t>>(std::vector<std::uint8_t>(n)); }

TEST(SendWindow, AckRemovesAndFeedsEstimatorOnlyForSingleSends) {
  SendWindow w(no_floor());
  const auto t0 = Clock::time_point{} + 1h;
  w.push(0, frame_of(1));
  w.push(1, frame_of(1));
  w.mark_sent(w.entries()[0], t0);
  w.mark_sent(w.entries()[1], t0);
  w.mark_sent(w.entries()[1], t0 + 300ms);  // retransmitted: ambiguous sample
  EXPECT_TRUE(w.acknowledge(1, t0 + 900ms));
  EXPECT_EQ(w.rtt().rto(), 200ms);  // Karn: no sample taken
  EXPECT_TRUE(w.acknowledge(0, t0 + 140ms));
  EXPECT_EQ(w.rtt().rto(), 145ms);
  EXPECT_FALSE(w.acknowledge(0, t0 + 150ms));
  EXPECT_TRUE(w.empty());
}

TEST(SendWindow, CountsBytesInFlight) {
  SendWindow w;
  w.push(0, frame_of(100));
  w.push(1, frame_of(20));
  EXPECT_EQ(w.bytes(), 120u);
  w.mark_sent(w.entries()[0], Clock::now());
  w.mark_sent(w.entries()[1], Clock::now());
  w.acknowledge(0, Clock::now());
  EXPECT_EQ(w.bytes(), 20u);
  w.acknowledge(1, Clock::now());
  EXPECT_EQ(w.bytes(), 0u);
}

// A scripted ack sequence: 0..9 sent; 2 and 5 lost; acks come for the rest in order.
TEST(SendWindow, ThreeLaterAcksShowALossOnceAndOnlyThen) {
  SendWindow w;
  const auto t0 = Clock::time_point{} + 1h;
  for (int i = 0; i < 10; ++i) {
    w.push(i, frame_of(1));
    w.mark_sent(w.entries().back(), t0 + std::chrono::microseconds(i));
  }
  std::vector<std::int64_t> lost;
  auto ack = [&](std::int64_t seq) {
    lost.clear();
    EXPECT_TRUE(w.acknowledge(seq, t0 + 1ms, &lost));
    return lost;
  };
  EXPECT_TRUE(ack(0).empty());
  EXPECT_TRUE(ack(1).empty());
  EXPECT_TRUE(ack(3).empty());   // 2: one later ack (could be reordering)
  EXPECT_TRUE(ack(4).empty());   // two
  EXPECT_EQ(ack(6), (std::vector<std::int64_t>{2}));  // three: lost; 5 has one
  EXPECT_TRUE(ack(7).empty());   // 2 is not reported twice; 5 has two
  // 2 is resent now: acks of messages sent before its resend do not count against it again.
  w.mark_sent(*w.find(2), t0 + 2ms);
  EXPECT_EQ(ack(8), (std::vector<std::int64_t>{5}));
  EXPECT_TRUE(ack(9).empty());
  EXPECT_EQ(w.find(2)->later_acks, 0u);
  EXPECT_EQ(w.find(2)->transmissions, 2u);
  EXPECT_EQ(w.oldest_sent()->sequence_number, 2);
}

TEST(SendWindow, UnsentEntriesAreNotOldestSent) {
  SendWindow w;
  w.push(0, frame_of(1));
  EXPECT_EQ(w.oldest_sent(), nullptr);
  w.push(1, frame_of(1));
  w.mark_sent(w.entries()[1], Clock::now());
  EXPECT_EQ(w.oldest_sent()->sequence_number, 1);
}

wire::ClientMessage msg(std::int64_t seq) {
  wire::ClientMessage m;
  m.sequence_number = seq;
  m.payload = {static_cast<std::uint8_t>(seq)};
  return m;
}

TEST(ReceiveWindow, BoundedInBytesToo) {
  ReceiveWindow r(100, 3);
  auto m1 = msg(1), m2 = msg(2), m3 = msg(3), m4 = msg(4);
  m1.payload.assign(2, 1);
  EXPECT_EQ(r.classify(m1), ReceiveWindow::Verdict::buffered);
  EXPECT_EQ(r.classify(m2), ReceiveWindow::Verdict::buffered);  // 3 bytes: full
  EXPECT_EQ(r.classify(m3), ReceiveWindow::Verdict::overflow);
  EXPECT_EQ(r.buffered_bytes(), 3u);
  r.advance();
  ASSERT_TRUE(r.take_next());
  EXPECT_EQ(r.buffered_bytes(), 1u);
  EXPECT_EQ(r.classify(m4), ReceiveWindow::Verdict::buffered);
}

TEST(ReceiveWindow, OrdersAndBoundsAndRecognisesDuplicates) {
  ReceiveWindow r(2);
  auto m0 = msg(0), m1 = msg(1), m2 = msg(2), m3 = msg(3), m2b = msg(2);
  EXPECT_EQ(r.classify(m2), ReceiveWindow::Verdict::buffered);
  EXPECT_EQ(r.classify(m2b), ReceiveWindow::Verdict::duplicate);
  EXPECT_EQ(r.classify(m1), ReceiveWindow::Verdict::buffered);
  EXPECT_EQ(r.classify(m3), ReceiveWindow::Verdict::overflow);
  EXPECT_EQ(r.classify(m0), ReceiveWindow::Verdict::in_order);
  r.advance();
  auto next = r.take_next();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->sequence_number, 1);
  r.advance();
  EXPECT_EQ(r.take_next()->sequence_number, 2);
  r.advance();
  EXPECT_FALSE(r.take_next());
  auto old = msg(1);
  EXPECT_EQ(r.classify(old), ReceiveWindow::Verdict::duplicate);
  EXPECT_EQ(r.expected(), 3);
}

}  // namespace
}  // namespace ssm::channel
