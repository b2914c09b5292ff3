// Every phase × every event the harness can fire: each session is driven to a phase, one event
// is fired, and the phase it ends in (with the exit status once closed) is checked against the
// table below. Where session_phase.h says "ignore", nothing may change: no phase, no frame, no
// control-plane call, no line. Timer events (agent_silent, handshake_timeout), control-plane
// answers and budget_spent have their own tests in client_session_test.cpp.
#include <csignal>
#include <sstream>

#include "session_harness.h"

namespace ssm::session {
namespace {

using namespace ssm::session::testing;

constexpr Phase kPhases[] = {Phase::connecting, Phase::awaiting_agent, Phase::handshaking,
                             Phase::running,    Phase::terminating,    Phase::resuming,
                             Phase::finishing,  Phase::ending,         Phase::closed};

// Where each event leaves each phase. "=": unchanged (ignored or handled in place);
// "-": cannot happen there (no connection or no kind to fire it from); otherwise the phase,
// and for closed the exit status. Columns: conn await hand run term resum fin end closed.
const std::vector<std::pair<Event, std::string>> kExpected = {
    {Event::connected,          "awaiting_agent -  -  -  -  -  -  -  -"},
    {Event::connection_lost,    "closed/255 resuming resuming resuming closed/0 -  -  -  -"},
    {Event::handshake_request,  "-  handshaking handshaking handshaking =  -  -  -  -"},
    {Event::enc_challenge,      "-  =  closed/255 =  =  -  -  -  -"},
    {Event::handshake_complete, "-  closed/255 running =  =  -  -  -  -"},
    {Event::agent_data,         "-  running =  =  =  -  -  -  -"},
    {Event::all_acknowledged,   "-  =  =  =  =  -  -  -  -"},
    {Event::channel_closed,     "-  closed/255 closed/255 closed/0 closed/0 -  -  -  -"},
    {Event::kind_done,          "-  closed/7 closed/7 closed/7 closed/7 closed/7 closed/7 =  ="},
    {Event::kind_failed,        "-  closed/255 closed/255 closed/255 closed/255 closed/255 closed/255 =  ="},
    {Event::signal,             "closed/130 closed/130 closed/130 closed/130 closed/130 closed/130 closed/130 closed/0 ="},
    {Event::user_escape,        "-  ending ending ending closed/255 ending =  =  ="},
    {Event::kind_terminate,     "-  =  =  terminating terminating =  =  =  ="},
};

// A session in `phase`, started from a shell document.
std::unique_ptr<Harness> session_in(Phase phase) {
  auto h = std::make_unique<Harness>();
  if (phase == Phase::ending) h->spec.terminate_at_end = true;
  h->start();
  if (phase == Phase::connecting) return h;
  h->open();
  if (phase == Phase::awaiting_agent) return h;
  if (phase == Phase::handshaking) {
    h->from_agent(h->agent.handshake_request(Agent::request("Standard_Stream")));
    return h;
  }
  h->from_agent(h->agent.output("$ "));
  switch (phase) {
    case Phase::terminating: h->kind()->events.terminate_session([](bool) {}); break;
    case Phase::resuming: h->lose(); break;
    case Phase::finishing:
      h->kind()->done_on_finish = false;
      h->from_agent(Agent::channel_closed(""));
      break;
    case Phase::ending: h->kind()->events.on_kind_done(0); break;
    case Phase::closed: h->session->on_signal(SIGTERM); break;
    default: break;
  }
  return h;
}

// Fires `event`; false when it cannot happen in this harness state.
bool fire(Harness& h, Event event) {
  FakeKind* kind = h.kind();
  switch (event) {
    case Event::connected:  // a socket opens once
      if (!h.dialing() || h.socket().opened) return false;
      h.open();
      return true;
    case Event::connection_lost:
      if (!h.dialing()) return false;
      h.lose();
      return true;
    case Event::handshake_request:
      if (!h.live()) return false;
      h.from_agent(h.agent.handshake_request(Agent::request("Standard_Stream")));
      return true;
    case Event::enc_challenge:
      if (!h.live()) return false;
      h.from_agent(h.agent.data(wire::PayloadType::enc_challenge_request, R"({"Challenge":"AAAA"})"));
      return true;
    case Event::handshake_complete:
      if (!h.live()) return false;
      h.from_agent(h.agent.handshake_complete());
      return true;
    case Event::agent_data:
      if (!h.live()) return false;
      h.from_agent(h.agent.output("data"));
      return true;
    case Event::all_acknowledged:
      if (!h.live()) return false;
      h.ack_all();
      return true;
    case Event::channel_closed:
      if (!h.live()) return false;
      h.from_agent(Agent::channel_closed(""));
      return true;
    case Event::kind_done:
      if (!kind) return false;
      kind->events.on_kind_done(7);
      return true;
    case Event::kind_failed:
      if (!kind) return false;
      kind->events.on_kind_failed("the kind broke");
      return true;
    case Event::signal:
      h.session->on_signal(SIGINT);
      return true;
    case Event::user_escape:
      if (!kind) return false;
      kind->control.on_user_terminate();
      return true;
    case Event::kind_terminate:
      if (!kind) return false;
      kind->events.terminate_session([](bool) {});
      return true;
    default:
      return false;
  }
}

std::vector<std::string> cells(const std::string& row) {
  std::istringstream in(row);
  std::vector<std::string> out;
  for (std::string cell; in >> cell;) out.push_back(cell);
  return out;
}

TEST(ClientSessionPhases, EveryEventInEveryPhase) {
  int checked = 0;
  for (const auto& [event, row] : kExpected) {
    const auto expected = cells(row);
    ASSERT_EQ(expected.size(), kPhaseCount) << name(event);
    for (std::size_t p = 0; p < kPhaseCount; ++p) {
      const Phase phase = kPhases[p];
      const std::string where = std::string(name(event)) + " in " + std::string(name(phase));
      auto h = session_in(phase);
      ASSERT_EQ(h->phase(), phase) << "could not reach " << name(phase);
      const std::size_t frames = h->dialing() ? h->socket().sent.size() : 0;
      const std::size_t calls = h->plane->calls.size();
      const std::string err = h->err;
      const bool fired = fire(*h, event);
      if (expected[p] == "-") {
        EXPECT_FALSE(fired) << where << " was expected not to be fireable";
        continue;
      }
      ASSERT_TRUE(fired) << where;
      ++checked;
      if (expected[p] == "=") {
        EXPECT_EQ(h->phase(), phase) << where;
        if (answer(phase, event) == Answer::ignore) {
          // Ignored means untouched (all_acknowledged's acks and data's ack aside: the channel
          // acknowledges what it receives whatever the session does with it).
          const bool acked = event == Event::agent_data || event == Event::handshake_request ||
                             event == Event::handshake_complete || event == Event::enc_challenge;
          if (h->live() && !acked) {
            EXPECT_EQ(h->socket().sent.size(), frames) << where;
          }
          EXPECT_EQ(h->plane->calls.size(), calls) << where;
          EXPECT_EQ(h->err, err) << where;
        }
        continue;
      }
      const auto slash = expected[p].find('/');
      EXPECT_EQ(std::string(name(h->phase())), expected[p].substr(0, slash)) << where;
      if (slash != std::string::npos) {
        EXPECT_EQ(h->session->exit_code(), std::stoi(expected[p].substr(slash + 1))) << where;
      }
    }
  }
  EXPECT_GE(checked, 70) << "the harness fires most cells";
}

// The table's "ignore" cells for the events fired above are exactly the "=" cells that must
// leave everything untouched: a cell the decision table ignores must not move the phase.
TEST(ClientSessionPhases, IgnoredCellsNeverMoveThePhase) {
  for (const auto& [event, row] : kExpected) {
    const auto expected = cells(row);
    for (std::size_t p = 0; p < kPhaseCount; ++p) {
      if (answer(kPhases[p], event) != Answer::ignore) continue;
      EXPECT_TRUE(expected[p] == "=" || expected[p] == "-") << name(event) << " in " << name(kPhases[p]);
    }
  }
}

}  // namespace
}  // namespace ssm::session
