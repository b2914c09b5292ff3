// The phase table: the header comment people read and the data the coordinator follows must
// be the same table, and its moves must hang together.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "session/session_phase.h"

namespace ssm::session {
namespace {

constexpr Phase kPhases[] = {Phase::connecting, Phase::awaiting_agent, Phase::handshaking,
                             Phase::running,    Phase::terminating,    Phase::resuming,
                             Phase::finishing,  Phase::ending,         Phase::closed};

Event event_at(std::size_t i) { return static_cast<Event>(i); }

// The rows of the header's "Events × phases" table: event name -> its nine letters.
std::map<std::string, std::string> header_table() {
  std::ifstream in(SSM_SOURCE_DIR "/lib/session/session_phase.h");
  std::map<std::string, std::string> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string slashes, event;
    words >> slashes >> event;
    if (slashes != "//") continue;
    std::string letters, cell;
    for (int i = 0; i < 9 && words >> cell; ++i) letters += cell;
    if (letters.size() == 9 && letters.find_first_not_of("AD-") == std::string::npos) rows[event] = letters;
  }
  return rows;
}

TEST(SessionPhase, TheHeaderCommentIsTheTable) {
  const auto rows = header_table();
  ASSERT_EQ(rows.size(), kEventCount) << "every event has one row in the header";
  for (std::size_t e = 0; e < kEventCount; ++e) {
    const std::string event(name(event_at(e)));
    ASSERT_TRUE(rows.count(event)) << event;
    for (std::size_t p = 0; p < kPhaseCount; ++p) {
      const char letter = rows.at(event)[p];
      const Answer expected = letter == 'A' ? Answer::act : letter == 'D' ? Answer::defer : Answer::ignore;
      EXPECT_EQ(answer(kPhases[p], event_at(e)), expected) << event << " in " << name(kPhases[p]);
    }
  }
}

TEST(SessionPhase, ClosedIgnoresEverythingAndLeadsNowhere) {
  for (std::size_t e = 0; e < kEventCount; ++e) EXPECT_EQ(answer(Phase::closed, event_at(e)), Answer::ignore);
  for (Phase to : kPhases) EXPECT_FALSE(may_enter(Phase::closed, to));
}

TEST(SessionPhase, EveryLivePhaseCanEndAndOnlyAHandshakeDefers) {
  for (Phase p : kPhases) {
    if (p == Phase::closed) continue;
    EXPECT_TRUE(may_enter(p, Phase::closed)) << name(p);
    EXPECT_EQ(answer(p, Event::signal), Answer::act) << "a signal is never lost, in " << name(p);
    for (std::size_t e = 0; e < kEventCount; ++e) {
      if (answer(p, event_at(e)) != Answer::defer) continue;
      EXPECT_TRUE(p == Phase::handshaking && event_at(e) == Event::agent_data) << name(p) << " " << name(event_at(e));
    }
  }
}

TEST(SessionPhase, ResumingReturnsOnlyWhereItCameFromOrFinishesWhatWasAcknowledged) {
  for (Phase p : kPhases) {
    const bool resumable = p == Phase::awaiting_agent || p == Phase::handshaking || p == Phase::running;
    EXPECT_EQ(may_enter(p, Phase::resuming), resumable) << name(p);
    if (p == Phase::ending || p == Phase::closed) continue;  // every phase can end
    // A failed resume still writes out what the agent was told we have.
    EXPECT_EQ(may_enter(Phase::resuming, p), resumable || p == Phase::finishing) << name(p);
  }
}

TEST(SessionPhase, NamesAreDistinct) {
  std::set<std::string_view> seen;
  for (Phase p : kPhases) EXPECT_TRUE(seen.insert(name(p)).second);
  for (std::size_t e = 0; e < kEventCount; ++e) EXPECT_TRUE(seen.insert(name(event_at(e))).second);
}

}  // namespace
}  // namespace ssm::session
