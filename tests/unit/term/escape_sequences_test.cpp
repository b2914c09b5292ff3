#include <gtest/gtest.h>

#include <string>

#include "term/escape_sequences.h"

namespace ssm::term {
namespace {

using Action = EscapeProcessor::Action;

struct Out {
  std::string forward;
  Action action;
};

Out feed(EscapeProcessor& p, std::string_view s) {
  auto r = p.process({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  return {std::string(r.forward.begin(), r.forward.end()), r.action};
}

TEST(EscapeProcessor, DocumentedExamples) {
  {
    EscapeProcessor p;
    auto o = feed(p, "\n~?");
    EXPECT_EQ(o.forward, "\n");
    EXPECT_EQ(o.action, Action::help);
  }
  {
    EscapeProcessor p;
    EXPECT_EQ(feed(p, "\n~~").forward, "\n~");
  }
  {
    EscapeProcessor p;
    EXPECT_EQ(feed(p, "\n~x").forward, "\n~x");
  }
}

TEST(EscapeProcessor, TildeFirstIsNotAnEscape) {
  EscapeProcessor p;
  auto o = feed(p, "~.");
  EXPECT_EQ(o.forward, "~.");
  EXPECT_EQ(o.action, Action::none);
}

TEST(EscapeProcessor, TerminateAcrossReadsDiscardsTheChunk) {
  EscapeProcessor p;
  EXPECT_EQ(feed(p, "ls\r").forward, "ls\r");
  auto held = feed(p, "~");
  EXPECT_EQ(held.forward, "");  // held, not sent
  auto o = feed(p, ".more");
  EXPECT_EQ(o.action, Action::terminate);
  EXPECT_EQ(o.forward, "");
  EscapeProcessor q;
  auto same_chunk = feed(q, "abc\n~.");
  EXPECT_EQ(same_chunk.action, Action::terminate);
  EXPECT_EQ(same_chunk.forward, "");  // even the bytes before it
}

TEST(EscapeProcessor, DisableForwardsTheRestUnprocessed) {
  EscapeProcessor p;
  auto o = feed(p, "\n~-x\n~.");
  EXPECT_EQ(o.action, Action::disabled);
  EXPECT_EQ(o.forward, "\nx\n~.");
  EXPECT_FALSE(p.enabled());
  EXPECT_EQ(feed(p, "\n~.").forward, "\n~.");
}

TEST(EscapeProcessor, OtherBytesResetTheNewlineState) {
  EscapeProcessor p;
  EXPECT_EQ(feed(p, "\na~.").forward, "\na~.");
  EXPECT_EQ(feed(p, "\r~\n").forward, "\r~\n");  // the escaped byte itself resets
  EXPECT_EQ(feed(p, "~.").forward, "~.");
}

TEST(EscapeProcessor, HelpTextIsCrlfFramed) {
  auto help = EscapeProcessor::help_text();
  EXPECT_EQ(help.substr(0, 2), "\r\n");
  EXPECT_NE(help.find("~."), std::string_view::npos);
  EXPECT_EQ(EscapeProcessor::disabled_notice(), "\r\nEscape sequences disabled for this session.\r\n");
}

}  // namespace
}  // namespace ssm::term
