#include <gtest/gtest.h>

#include "channel/receive_window.h"
#include "channel/rtt_estimator.h"
#include "channel/send_window.h"

namespace ssm::channel {
namespace {

using namespace std::chrono_literals;

TEST(RttEstimator, ReferenceVector) {
  // protocol.md §3.5/§5.4: default state, R = 140 ms -> RTT 105, RTTVAR 10, RTO 145.
  RttEstimator e;
  EXPECT_EQ(e.rto(), 200ms);
  e.add_sample(140ms);
  EXPECT_EQ(e.rtt(), 105ms);
  EXPECT_EQ(e.rttvar(), 10ms);
  EXPECT_EQ(e.rto(), 145ms);
}

TEST(RttEstimator, BackOffDoublesUntilTheCap) {
  RttEstimator e;
  e.back_off();
  EXPECT_EQ(e.rto(), 400ms);
  for (int i = 0; i < 5; ++i) e.back_off();
  EXPECT_EQ(e.rto(), 1s);
  e.add_sample(140ms);  // a clean sample recomputes it
  EXPECT_EQ(e.rto(), 145ms);
}

TEST(RttEstimator, GranularityFloorAndCap) {
  RttEstimator e;
  for (int i = 0; i < 200; ++i) e.add_sample(1ms);
  EXPECT_LT(e.rtt(), 2ms);
  EXPECT_GE(e.rto(), e.rtt() + 10ms);  // variance term never below the 10 ms granularity
  for (int i = 0; i < 200; ++i) e.add_sample(5s);
  EXPECT_EQ(e.rto(), 1s);
}

Frame frame_of(int n) { return std::make_shared<const std::vector<std::uint8_t>>(std::vector<std::uint8_t>(n)); }

TEST(SendWindow, AckRemovesAndFeedsEstimatorOnlyForSingleSends) {
  SendWindow w;
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

TEST(SendWindow, BackoffDoublesUpToOneSecond) {
  SendWindow w;
  const auto t0 = Clock::time_point{} + 1h;
  w.push(0, frame_of(1));
  auto& e = w.entries()[0];
  w.mark_sent(e, t0);
  EXPECT_EQ(e.deadline - t0, 200ms);
  w.mark_sent(e, t0);
  EXPECT_EQ(e.deadline - t0, 400ms);
  w.mark_sent(e, t0);
  EXPECT_EQ(e.deadline - t0, 800ms);
  w.mark_sent(e, t0);
  EXPECT_EQ(e.deadline - t0, 1s);
  w.mark_sent(e, t0);
  EXPECT_EQ(e.deadline - t0, 1s);
  EXPECT_EQ(e.first_sent, t0);
  EXPECT_EQ(*w.next_deadline(), t0 + 1s);
}

TEST(SendWindow, UnsentEntriesHaveNoDeadline) {
  SendWindow w;
  w.push(0, frame_of(1));
  EXPECT_FALSE(w.next_deadline());
}

wire::ClientMessage msg(std::int64_t seq) {
  wire::ClientMessage m;
  m.sequence_number = seq;
  m.payload = {static_cast<std::uint8_t>(seq)};
  return m;
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
