// DataChannel end to end in memory: a client and an agent channel joined by a Link that can
// lose, duplicate, reorder and corrupt frames, all on one io_context.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <random>
#include <set>

#include "channel/data_channel.h"

namespace ssm::channel {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

struct Faults {
  int drop = 0, duplicate = 0, reorder = 0, corrupt = 0;  // percent
};

// One direction of the wire. Frames arrive asynchronously (posted), as from a socket.
class Link final : public FrameWriter {
 public:
  Link(asio::io_context& io, unsigned seed) : io_(io), rng_(seed) {}
  void connect(DataChannel& peer) { peer_ = &peer; }
  Faults faults;
  bool cut = false;  // drop everything
  std::vector<Frame> written;
  bool record = false;
  std::function<bool(const wire::ClientMessage&)> drop_if;  // decoded; true: lost on the way
  std::size_t frames = 0;

  void write_frame(Frame f) override {
    ++frames;
    if (record) written.push_back(f);
    if (cut || roll(faults.drop)) return;
    if (drop_if) {
      wire::ClientMessage m;
      if (!wire::decode(*f, m) && drop_if(m)) return;
    }
    if (roll(faults.corrupt) && f->size() > 120) {
      auto copy = std::make_shared<std::vector<std::uint8_t>>(*f);
      (*copy)[120 + rng_() % (copy->size() - 120)] ^= 0x5a;
      f = copy;
    }
    if (roll(faults.reorder) && !held_) {
      held_ = f;
      return;
    }
    deliver(f);
    if (held_) deliver(std::exchange(held_, nullptr));
    if (roll(faults.duplicate)) deliver(f);
  }

 private:
  bool roll(int percent) { return percent > 0 && static_cast<int>(rng_() % 100) < percent; }
  void deliver(Frame f) {
    asio::post(io_, [this, f] {
      if (peer_) peer_->on_frame(*f);
    });
  }
  asio::io_context& io_;
  std::mt19937 rng_;
  DataChannel* peer_ = nullptr;
  Frame held_;
};

class Collector final : public ChannelHandler {
 public:
  std::vector<std::uint8_t> received;
  std::vector<wire::PayloadType> types;
  int space_events = 0;
  int not_ready_left = 0;
  std::optional<std::string> closed_output;
  std::optional<std::string> failure;

  Delivery on_data(const wire::ClientMessage& m) override {
    if (not_ready_left > 0) {
      --not_ready_left;
      return Delivery::not_ready;
    }
    types.push_back(m.payload_type);
    received.insert(received.end(), m.payload.begin(), m.payload.end());
    return Delivery::accepted;
  }
  void on_channel_closed(const wire::ChannelClosed& c) override { closed_output = c.output; }
  void on_send_space() override { ++space_events; }
  void on_channel_failed(std::error_code ec, std::string_view reason) override {
    failure = std::string(reason);
    failure_code = ec;
  }
  std::error_code failure_code;
};

ChannelConfig fast(ChannelRole role) {
  ChannelConfig c;
  c.role = role;
  // Small constants so that loss is repaired within milliseconds, but not so small that a
  // sanitizer build's slower round trips look like loss.
  c.rtt.initial_rtt = 5ms;
  c.rtt.initial_rto = 50ms;
  c.rtt.clock_granularity = 1ms;
  c.rtt.min_rto = 1ms;
  c.max_in_flight = 64;
  return c;
}

struct Pair {
  asio::io_context io;
  Link to_agent{io, 1}, to_client{io, 2};
  Collector client_seen, agent_seen;
  DataChannel client, agent;
  explicit Pair(ChannelConfig cc = fast(kClient), ChannelConfig ac = fast(kAgent))
      : client(io.get_executor(), cc, to_agent, client_seen), agent(io.get_executor(), ac, to_client, agent_seen) {
    to_agent.connect(agent);
    to_client.connect(client);
  }
  template <typename Pred>
  bool run_until(Pred done, std::chrono::milliseconds limit = 20s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
      io.run_for(5ms);
      io.restart();
    }
    return done();
  }
};

std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

// Feeds `data` into the channel as fast as the window allows.
void pump(Pair& p, DataChannel& ch, Collector& own, const std::vector<std::uint8_t>& data, std::size_t& offset) {
  while (offset < data.size() && ch.has_send_space()) {
    const std::size_t n = std::min<std::size_t>(4096, data.size() - offset);
    ch.send(wire::PayloadType::output, std::span(data).subspan(offset, n));
    offset += n;
  }
  (void)p;
  (void)own;
}

void transfer_both_ways(Pair& p, std::size_t bytes) {
  const auto up = random_bytes(bytes, 11), down = random_bytes(bytes, 12);
  std::size_t up_off = 0, down_off = 0;
  const bool ok = p.run_until([&] {
    pump(p, p.client, p.client_seen, up, up_off);
    pump(p, p.agent, p.agent_seen, down, down_off);
    return p.agent_seen.received.size() >= up.size() && p.client_seen.received.size() >= down.size() &&
           p.client.all_acknowledged() && p.agent.all_acknowledged();
  });
  ASSERT_TRUE(ok) << "agent got " << p.agent_seen.received.size() << ", client got " << p.client_seen.received.size();
  EXPECT_EQ(p.agent_seen.received, up);
  EXPECT_EQ(p.client_seen.received, down);
}

TEST(DataChannel, CleanTransferBothWays) {
  // A loss-free path must not be mistaken for a lossy one: the RTO floor is set well above any
  // round trip a sanitizer build on a loaded 2-core machine takes (64 KiB in flight, each
  // message hashed twice), so that only a real defect (acks lost or ignored) shows as resends.
  auto cc = fast(kClient), ac = fast(kAgent);
  for (ChannelConfig* c : {&cc, &ac}) {
    c->rtt.initial_rto = 1s;
    c->rtt.clock_granularity = 250ms;
  }
  Pair p(cc, ac);
  transfer_both_ways(p, 1 << 20);
  EXPECT_LT(p.client.stats().retransmissions + p.agent.stats().retransmissions, 20u);
  EXPECT_EQ(p.client.next_outgoing_sequence(), 1024);  // 1 MiB in 1 KiB messages
  EXPECT_EQ(p.agent.expected_incoming_sequence(), 1024);
}

TEST(DataChannel, SurvivesLossDuplicationReorderingAndCorruption) {
  Pair p;
  for (Link* l : {&p.to_agent, &p.to_client}) l->faults = {10, 5, 5, 3};
  transfer_both_ways(p, 512 * 1024);
  EXPECT_GT(p.client.stats().retransmissions, 0u);
  EXPECT_GT(p.agent.stats().duplicates + p.client.stats().duplicates, 0u);
  EXPECT_GT(p.agent.stats().dropped_invalid + p.client.stats().dropped_invalid, 0u);
}

TEST(DataChannel, FirstAgentMessageCarriesSyn) {
  auto ac = fast(kAgent);
  ac.syn_on_first = true;
  Pair p(fast(kClient), ac);
  p.to_client.record = true;
  p.to_agent.record = true;
  const std::vector<std::uint8_t> x{1, 2};
  p.agent.send(wire::PayloadType::output, x);
  p.agent.send(wire::PayloadType::output, x);
  p.client.send(wire::PayloadType::output, x);
  ASSERT_TRUE(p.run_until([&] { return p.client_seen.received.size() == 4 && p.agent.all_acknowledged(); }));
  wire::ClientMessage m;
  ASSERT_FALSE(wire::decode(*p.to_client.written[0], m));
  EXPECT_EQ(m.flags, wire::kFlagSyn);
  EXPECT_EQ(m.message_type, "output_stream_data");
  ASSERT_FALSE(wire::decode(*p.to_client.written[1], m));
  EXPECT_EQ(m.flags, 0u);
  ASSERT_FALSE(wire::decode(*p.to_agent.written[0], m));
  EXPECT_EQ(m.message_type, "input_stream_data");
  EXPECT_EQ(m.flags, 0u);
}

TEST(DataChannel, AcksCarryTheReferenceShape) {
  Pair p;
  p.to_client.record = true;
  const std::vector<std::uint8_t> x{'h', 'i'};
  p.client.send(wire::PayloadType::output, x);
  ASSERT_TRUE(p.run_until([&] { return p.client.all_acknowledged(); }));
  ASSERT_EQ(p.to_client.written.size(), 1u);
  wire::ClientMessage ack;
  ASSERT_FALSE(wire::decode(*p.to_client.written[0], ack));
  EXPECT_EQ(ack.message_type, "acknowledge");
  EXPECT_EQ(ack.sequence_number, 0);
  EXPECT_EQ(ack.flags, 3u);
  EXPECT_EQ(ack.payload_type, wire::PayloadType::undefined);
  wire::Acknowledge content;
  ASSERT_FALSE(wire::parse(ack.payload_text(), content));
  EXPECT_EQ(content.acknowledged_message_type, "input_stream_data");
  EXPECT_EQ(content.acknowledged_message_sequence_number, 0);
}

TEST(DataChannel, BackPressureNeverDropsAndWakesTheSource) {
  auto cc = fast(kClient);
  cc.max_in_flight = 8;
  Pair p(cc);
  p.to_client.cut = true;  // no acks come back
  const std::vector<std::uint8_t> x{7};
  int sent = 0;
  while (p.client.has_send_space()) {
    p.client.send(wire::PayloadType::output, x);
    ++sent;
  }
  EXPECT_EQ(sent, 8);
  p.client.send(wire::PayloadType::output, x);  // over the window: still accepted, not dropped
  ASSERT_TRUE(p.run_until([&] { return p.agent_seen.received.size() == 9; }));
  EXPECT_EQ(p.client_seen.space_events, 0);
  p.to_client.cut = false;  // acks flow again (the retransmissions get re-acked)
  ASSERT_TRUE(p.run_until([&] { return p.client.all_acknowledged(); }));
  EXPECT_EQ(p.client_seen.space_events, 1);
  EXPECT_EQ(p.agent_seen.received, std::vector<std::uint8_t>(9, 7));
}

TEST(DataChannel, NotReadyHoldsTheMessageUntilRetried) {
  Pair p;
  p.agent_seen.not_ready_left = 1000000;
  const std::vector<std::uint8_t> a{'a'}, b{'b'};
  p.client.send(wire::PayloadType::output, a);
  p.client.send(wire::PayloadType::output, b);
  p.run_until([] { return false; }, 60ms);
  EXPECT_TRUE(p.agent_seen.received.empty());
  EXPECT_FALSE(p.client.all_acknowledged());  // seq 0 unacked: the client keeps resending it
  p.agent_seen.not_ready_left = 0;
  p.agent.retry_delivery();
  ASSERT_TRUE(p.run_until([&] { return p.client.all_acknowledged(); }));
  EXPECT_EQ(p.agent_seen.received, (std::vector<std::uint8_t>{'a', 'b'}));
}

TEST(DataChannel, AcknowledgedDataIsStillDeliveredAfterClose) {
  // channel_closed can overtake data the client acked while its output was full.
  Pair p;
  p.client_seen.not_ready_left = 1000000;
  const std::vector<std::uint8_t> a{'a'}, b{'b'};
  p.agent.send(wire::PayloadType::output, a);
  p.agent.send(wire::PayloadType::output, b);
  p.run_until([] { return false; }, 30ms);
  p.client.close();
  EXPECT_TRUE(p.client.has_deliverable());
  p.client_seen.not_ready_left = 0;
  p.client.retry_delivery();
  EXPECT_EQ(p.client_seen.received, (std::vector<std::uint8_t>{'a', 'b'}));
  EXPECT_FALSE(p.client.has_deliverable());
}

TEST(DataChannel, ResendBudgetEndsTheChannel) {
  auto cc = fast(kClient);
  cc.resend_budget = 100ms;
  Pair p(cc);
  p.to_agent.cut = true;
  const std::vector<std::uint8_t> x{1};
  p.client.send(wire::PayloadType::output, x);
  ASSERT_TRUE(p.run_until([&] { return p.client_seen.failure.has_value(); }, 5s));
  EXPECT_NE(p.client_seen.failure->find("resend budget"), std::string::npos);
  // The session calls TerminateSession for this failure only.
  EXPECT_EQ(p.client_seen.failure_code, std::errc::timed_out);
}

TEST(DataChannel, DetachHoldsDataAndAttachResendsIt) {
  Pair p;
  p.client.detach();
  p.to_agent.record = true;
  const std::vector<std::uint8_t> x{'z'};
  p.client.send(wire::PayloadType::output, x);
  p.run_until([] { return false; }, 30ms);
  EXPECT_TRUE(p.to_agent.written.empty());
  p.client.attach();
  ASSERT_TRUE(p.run_until([&] { return p.client.all_acknowledged(); }));
  EXPECT_EQ(p.agent_seen.received, x);
}

TEST(DataChannel, PausePublicationHoldsNewData) {
  Pair p;
  p.to_agent.record = true;
  p.client.pause();
  const std::vector<std::uint8_t> x{'p'};
  p.client.send(wire::PayloadType::output, x);
  p.run_until([] { return false; }, 30ms);
  EXPECT_TRUE(p.to_agent.written.empty());
  p.client.resume_publication();
  ASSERT_TRUE(p.run_until([&] { return p.client.all_acknowledged(); }));
  EXPECT_EQ(p.agent_seen.received, x);
}

wire::ClientMessage control(std::string_view type, std::string payload = {}) {
  wire::ClientMessage m;
  m.message_type = std::string(type);
  m.created_date = 1;
  m.message_id = wire::Uuid::random_v4();
  m.flags = 3;
  m.payload.assign(payload.begin(), payload.end());
  return m;
}

// A writer that says it is full: data messages wait in the window, unwritten, and go in order
// once it takes more; acks never wait.
struct CongestedWriter final : FrameWriter {
  void write_frame(Frame f) override {
    wire::ClientMessage m;
    ASSERT_FALSE(wire::decode(*f, m));
    if (m.message_type == wire::message_type::acknowledge) ++acks;
    else sequence_numbers.push_back(m.sequence_number);
  }
  bool congested() const override { return full; }
  bool full = true;
  int acks = 0;
  std::vector<std::int64_t> sequence_numbers;
};

TEST(DataChannel, ACongestedWriterHoldsDataInTheWindowAndGetsItInOrder) {
  asio::io_context io;
  CongestedWriter writer;
  Collector seen;
  DataChannel channel(io.get_executor(), fast(kClient), writer, seen);
  const std::vector<std::uint8_t> x{'x'};
  for (int i = 0; i < 3; ++i) channel.send(wire::PayloadType::output, x);
  EXPECT_TRUE(writer.sequence_numbers.empty()) << "written to a writer that is full";
  writer.full = false;
  channel.on_writer_ready();
  EXPECT_EQ(writer.sequence_numbers, (std::vector<std::int64_t>{0, 1, 2}));
  writer.full = true;
  channel.send(wire::PayloadType::output, x);
  writer.full = false;
  channel.send(wire::PayloadType::output, x);  // the writer has room, but 3 waits: both go, in order
  EXPECT_EQ(writer.sequence_numbers, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  writer.full = true;
  wire::ClientMessage data = control(wire::message_type::output_stream_data, "y");
  data.flags = 0;
  data.payload_type = wire::PayloadType::output;
  channel.on_frame(wire::encode(data));
  EXPECT_EQ(writer.acks, 1) << "an ack waited for a full writer";
  channel.close();
}

TEST(DataChannel, PublicationFramesFromThePeerPauseAndResume) {
  Pair p;
  p.to_agent.record = true;
  p.client.on_frame(wire::encode(control(wire::message_type::pause_publication)));
  const std::vector<std::uint8_t> x{'q'};
  p.client.send(wire::PayloadType::output, x);
  EXPECT_TRUE(p.to_agent.written.empty());
  p.client.on_frame(wire::encode(control(wire::message_type::start_publication)));
  EXPECT_EQ(p.to_agent.written.size(), 1u);
}

TEST(DataChannel, ChannelClosedReachesTheHandler) {
  Pair p;
  wire::ChannelClosed c;
  c.output = "bye";
  p.client.on_frame(wire::encode(control(wire::message_type::channel_closed, wire::to_json(c))));
  ASSERT_TRUE(p.client_seen.closed_output);
  EXPECT_EQ(*p.client_seen.closed_output, "bye");
  // Unparsable content still closes, with an empty Output.
  Pair q;
  q.client.on_frame(wire::encode(control(wire::message_type::channel_closed, "{not json")));
  ASSERT_TRUE(q.client_seen.closed_output);
  EXPECT_EQ(*q.client_seen.closed_output, "");
}

TEST(DataChannel, GarbageIsDroppedAndOnlyPersistentGarbageFails) {
  Pair p;
  const std::vector<std::uint8_t> junk(200, 0xee);
  for (int i = 0; i < 10; ++i) p.client.on_frame(junk);
  EXPECT_FALSE(p.client_seen.failure);
  EXPECT_EQ(p.client.stats().dropped_invalid, 10u);
  for (int i = 0; i < 64; ++i) p.client.on_frame(junk);
  ASSERT_TRUE(p.client_seen.failure);
}

TEST(DataChannel, DuplicatesAreReackedNotRedelivered) {
  Pair p;
  p.to_client.record = true;
  const std::vector<std::uint8_t> x{'d'};
  wire::ClientMessage m = control(wire::message_type::input_stream_data);
  m.flags = 0;
  m.sequence_number = 0;
  m.payload_type = wire::PayloadType::output;
  m.payload = x;
  const auto frame = wire::encode(m);
  p.agent.on_frame(frame);
  p.agent.on_frame(frame);
  EXPECT_EQ(p.agent_seen.received, x);
  EXPECT_EQ(p.to_client.written.size(), 3u);  // its ack, then the duplicate's twice (our ack was lost)
  EXPECT_EQ(p.agent.stats().duplicates, 1u);
}

}  // namespace
}  // namespace ssm::channel

namespace ssm::channel {
namespace {

// The project's constants (200 ms RTO floor): what a real session uses.
ChannelConfig real(ChannelRole role) {
  ChannelConfig c;
  c.role = role;
  return c;
}

std::vector<std::uint8_t> one_kib(int i) { return std::vector<std::uint8_t>(1024, static_cast<std::uint8_t>(i)); }

TEST(Retransmission, ACleanPathResendsNothing) {
  Pair p(real(kClient), real(kAgent));
  for (int i = 0; i < 4000; ++i) {
    p.client.send(wire::PayloadType::output, one_kib(i));
    p.agent.send(wire::PayloadType::output, one_kib(i));
    if (i % 256 == 0) p.run_until([&] { return p.client.has_send_space() && p.agent.has_send_space(); });
  }
  ASSERT_TRUE(p.run_until([&] { return p.client.all_acknowledged() && p.agent.all_acknowledged(); }));
  EXPECT_EQ(p.client.stats().retransmissions, 0u);
  EXPECT_EQ(p.agent.stats().retransmissions, 0u);
  EXPECT_EQ(p.agent_seen.received.size(), 4000u * 1024);
}

TEST(Retransmission, OneLossIsRepairedByLaterAcksWellBeforeTheRto) {
  Pair p(real(kClient), real(kAgent));
  bool dropped = false;
  p.to_agent.drop_if = [&](const wire::ClientMessage& m) {
    if (dropped || m.message_type != wire::message_type::input_stream_data || m.sequence_number != 3) return false;
    return dropped = true;
  };
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) p.client.send(wire::PayloadType::output, one_kib(i));
  ASSERT_TRUE(p.run_until([&] { return p.client.all_acknowledged(); }));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(dropped);
  EXPECT_EQ(p.client.stats().retransmissions, 1u);
  EXPECT_EQ(p.client.stats().fast_retransmissions, 1u);
  EXPECT_LT(took, RttConstants{}.min_rto / 2) << "repaired by fast retransmit, not by the timer";
  EXPECT_EQ(p.agent_seen.received.size(), 10u * 1024);
}

TEST(Retransmission, ALostTailIsResentOneAtATimeByTheTimer) {
  // The last two messages are lost once each: no later acks can show it, so the timer resends
  // the oldest, and its ack clocks out the next.
  Pair p(real(kClient), real(kAgent));
  std::set<std::int64_t> dropped;
  p.to_agent.drop_if = [&](const wire::ClientMessage& m) {
    if (m.message_type != wire::message_type::input_stream_data || m.sequence_number < 8) return false;
    return dropped.insert(m.sequence_number).second;
  };
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) p.client.send(wire::PayloadType::output, one_kib(i));
  ASSERT_TRUE(p.run_until([&] { return p.client.all_acknowledged(); }));
  EXPECT_EQ(p.client.stats().retransmissions, 2u) << "each lost message once, nothing else";
  EXPECT_LT(std::chrono::steady_clock::now() - start, RttConstants{}.min_rto * 3 / 2) << "one timeout, not two";
  EXPECT_EQ(p.client.stats().fast_retransmissions, 0u);
}

TEST(Retransmission, TheAgentsPolicyResendsOnlyTheOldestPerTick) {
  auto agent = real(kAgent);
  agent.resend = ResendPolicy::oldest_per_tick;
  Pair p(real(kClient), agent);
  std::set<std::int64_t> dropped;
  p.to_client.drop_if = [&](const wire::ClientMessage& m) {
    if (m.message_type != wire::message_type::output_stream_data || m.sequence_number % 10 != 0) return false;
    return dropped.insert(m.sequence_number).second;  // 0, 10, 20 lost once each
  };
  for (int i = 0; i < 30; ++i) p.agent.send(wire::PayloadType::output, one_kib(i));
  ASSERT_TRUE(p.run_until([&] { return p.agent.all_acknowledged(); }));
  EXPECT_EQ(p.agent.stats().retransmissions, 3u);
  EXPECT_EQ(p.agent.stats().fast_retransmissions, 0u);
  EXPECT_EQ(p.client_seen.received.size(), 30u * 1024) << "everything after each gap was kept";
}

TEST(Retransmission, AcksGoTwiceOnlyAfterTheyWereLost) {
  Pair p(real(kClient), real(kAgent));
  for (int i = 0; i < 20; ++i) p.agent.send(wire::PayloadType::output, one_kib(i));
  ASSERT_TRUE(p.run_until([&] { return p.agent.all_acknowledged(); }));
  EXPECT_EQ(p.client.stats().acks_sent, 20u) << "a clean path: one ack each";
  bool lost = false;
  p.to_agent.drop_if = [&](const wire::ClientMessage& m) {
    if (lost || m.message_type != wire::message_type::acknowledge) return false;
    return lost = true;
  };
  for (int i = 0; i < 20; ++i) p.agent.send(wire::PayloadType::output, one_kib(i));
  ASSERT_TRUE(p.run_until([&] { return p.agent.all_acknowledged(); }));
  EXPECT_EQ(p.client.stats().duplicates, 1u);
  // 20 acks, one of them lost; the agent's resend draws a duplicate, re-acked twice.
  EXPECT_EQ(p.client.stats().acks_sent, 20u + 20u + 2u);
  for (int i = 0; i < 5; ++i) p.agent.send(wire::PayloadType::output, one_kib(i));
  ASSERT_TRUE(p.run_until([&] { return p.agent.all_acknowledged(); }));
  EXPECT_EQ(p.client.stats().acks_sent, 42u + 10u) << "and for a while after, every ack twice";
}

TEST(Retransmission, TheWindowIsBoundedInBytes) {
  auto cc = real(kClient);
  cc.send_window_bytes = 16 * 1024;
  Pair p(cc, real(kAgent));
  p.to_agent.cut = true;
  int sent = 0;
  while (p.client.has_send_space()) {
    p.client.send(wire::PayloadType::output, one_kib(sent));
    ++sent;
  }
  // Each 1 KiB payload is a 1,144-byte frame: 15 fit under 16 KiB, the 15th crosses it.
  EXPECT_EQ(sent, 15);
}

}  // namespace
}  // namespace ssm::channel
