// Batched delivery: the frames one transport read brought are handed to the handler in order,
// and the batch ends once (on_delivery_end) when the transport says so, so that the handler
// can write a whole batch to its local side at once. Batches that deliver nothing end
// silently; deliveries outside a transport batch (a retry) and the end of the channel end
// their own batch, before the handler hears of the end.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "channel/data_channel.h"

namespace ssm::channel {
namespace {

namespace asio = boost::asio;

struct NullWriter final : FrameWriter {
  void write_frame(Frame) override { ++frames; }
  int frames = 0;
};

// Records what the channel tells it, in order: "3" for the payload "3", "end", "closed".
struct Recorder final : ChannelHandler {
  Delivery on_data(const wire::ClientMessage& m) override {
    if (refuse > 0) {
      --refuse;
      return Delivery::not_ready;
    }
    events.push_back(std::string(m.payload.begin(), m.payload.end()));
    return Delivery::accepted;
  }
  void on_delivery_end() override { events.push_back("end"); }
  void on_channel_closed(const wire::ChannelClosed&) override { events.push_back("closed"); }
  void on_send_space() override {}
  void on_channel_failed(std::error_code, std::string_view) override { events.push_back("failed"); }
  std::vector<std::string> events;
  int refuse = 0;
};

std::vector<std::uint8_t> agent_data(std::int64_t seq) {
  wire::ClientMessage m;
  m.message_type = std::string(wire::message_type::output_stream_data);
  m.created_date = 1;
  m.sequence_number = seq;
  m.message_id = wire::Uuid::random_v4();
  m.payload_type = wire::PayloadType::output;
  const std::string text = std::to_string(seq);
  m.payload.assign(text.begin(), text.end());
  return wire::encode(m);
}

std::vector<std::uint8_t> channel_closed() {
  wire::ClientMessage m;
  m.message_type = std::string(wire::message_type::channel_closed);
  m.created_date = 1;
  m.message_id = wire::Uuid::random_v4();
  const std::string json = R"({"MessageType":"channel_closed","Output":""})";
  m.payload.assign(json.begin(), json.end());
  return wire::encode(m);
}

struct Client {
  asio::io_context io;
  NullWriter writer;
  Recorder seen;
  DataChannel channel{io.get_executor(), ChannelConfig{}, writer, seen};
};

using Events = std::vector<std::string>;

TEST(DeliveryBatch, EndsOnceAfterEveryMessageOfTheBatch) {
  Client c;
  for (int seq = 0; seq < 3; ++seq) c.channel.on_frame(agent_data(seq));
  EXPECT_EQ(c.seen.events, (Events{"0", "1", "2"})) << "the batch ended before the transport said so";
  EXPECT_EQ(c.writer.frames, 3) << "every message is acknowledged as it is delivered";
  c.channel.end_of_received_batch();
  c.channel.end_of_received_batch();
  EXPECT_EQ(c.seen.events, (Events{"0", "1", "2", "end"}));
}

TEST(DeliveryBatch, FramesOutOfOrderAreDeliveredInOrderWithinTheBatch) {
  Client c;
  for (int seq : {2, 3, 0, 1}) c.channel.on_frame(agent_data(seq));
  c.channel.end_of_received_batch();
  EXPECT_EQ(c.seen.events, (Events{"0", "1", "2", "3", "end"}));
  // One ack each: 2 and 3 when they arrived, 0 and 1 when delivered. Not a second one for 2
  // and 3 when drained (as the reference): the agent would time a round trip from it.
  EXPECT_EQ(c.writer.frames, 4);
}

TEST(DeliveryBatch, ABatchThatDeliversNothingEndsSilently) {
  Client c;
  c.channel.on_frame(agent_data(1));  // ahead of a gap: buffered, not delivered
  c.channel.end_of_received_batch();
  EXPECT_TRUE(c.seen.events.empty());
  c.channel.on_frame(agent_data(0));
  c.channel.on_frame(agent_data(0));  // a duplicate delivers nothing more
  c.channel.end_of_received_batch();
  EXPECT_EQ(c.seen.events, (Events{"0", "1", "end"}));
}

TEST(DeliveryBatch, ARetriedDeliveryEndsItsOwnBatch) {
  Client c;
  c.seen.refuse = 1;  // the local side is full
  c.channel.on_frame(agent_data(0));
  c.channel.on_frame(agent_data(1));
  c.channel.end_of_received_batch();
  EXPECT_TRUE(c.seen.events.empty());
  c.channel.retry_delivery();  // the local side drained: no transport batch around this one
  EXPECT_EQ(c.seen.events, (Events{"0", "1", "end"}));
}

TEST(DeliveryBatch, TheEndOfTheChannelEndsTheBatchBeforeItIsReported) {
  Client c;
  c.channel.on_frame(agent_data(0));
  c.channel.on_frame(channel_closed());
  EXPECT_EQ(c.seen.events, (Events{"0", "end", "closed"}));
}

TEST(DeliveryBatch, ALostConnectionEndsTheBatch) {
  Client c;
  c.channel.on_frame(agent_data(0));
  c.channel.detach();  // no end_of_received_batch will come from that transport
  EXPECT_EQ(c.seen.events, (Events{"0", "end"}));
}

}  // namespace
}  // namespace ssm::channel
