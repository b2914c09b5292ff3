#include "session/session_phase.h"

namespace ssm::session {
namespace {

// One row per Event, one column per Phase, in declaration order: the header's table, letter
// for letter (tests/unit/session/session_phase_test.cpp checks the two agree).
constexpr std::array<std::string_view, kEventCount> kAnswers = {
    // conn await hand run term resum fin end closed
    "A----A---",  // connected
    "AAAAAA---",  // connection_lost
    "-A-------",  // agent_silent
    "-AAA-----",  // handshake_request
    "--A------",  // data_key
    "--A------",  // enc_challenge
    "-AA------",  // handshake_complete
    "--A------",  // handshake_timeout
    "-ADAAAA--",  // agent_data
    "--AAA-A--",  // all_acknowledged
    "-AAAA----",  // channel_closed
    "-AAAAAA--",  // channel_failed
    "-AAAAA---",  // budget_spent
    "-AAAAAA--",  // kind_done
    "-AAAAAA--",  // kind_failed
    "AAAAAAAA-",  // signal
    "-AAAAA---",  // user_escape
    "---AA----",  // kind_terminate
    "----A--A-",  // terminate_answered
    "-----A---",  // resume_answered
    "-----A---",  // resume_timeout
};

// Rows: from; columns: to.
constexpr std::array<std::string_view, kPhaseCount> kMoves = {
    // conn await hand run term resum fin end closed
    "-A-----AA",  // connecting
    "--AA-A-AA",  // awaiting_agent
    "---A-A-AA",  // handshaking
    "--A-AAAAA",  // running
    "------AAA",  // terminating
    "-AAA--AAA",  // resuming
    "-------AA",  // finishing
    "--------A",  // ending
    "---------",  // closed
};

constexpr std::array<std::string_view, kPhaseCount> kPhaseNames = {
    "connecting", "awaiting_agent", "handshaking", "running", "terminating",
    "resuming",   "finishing",      "ending",      "closed",
};

constexpr std::array<std::string_view, kEventCount> kEventNames = {
    "connected",         "connection_lost",   "agent_silent",    "handshake_request", "data_key",
    "enc_challenge",     "handshake_complete", "handshake_timeout", "agent_data",      "all_acknowledged",
    "channel_closed",    "channel_failed",    "budget_spent",    "kind_done",         "kind_failed",
    "signal",            "user_escape",       "kind_terminate",  "terminate_answered", "resume_answered",
    "resume_timeout",
};

constexpr std::size_t index(Phase p) { return static_cast<std::size_t>(p); }
constexpr std::size_t index(Event e) { return static_cast<std::size_t>(e); }

}  // namespace

Answer answer(Phase phase, Event event) {
  switch (kAnswers[index(event)][index(phase)]) {
    case 'A': return Answer::act;
    case 'D': return Answer::defer;
    default: return Answer::ignore;
  }
}

bool may_enter(Phase from, Phase to) { return kMoves[index(from)][index(to)] == 'A'; }

std::string_view name(Phase phase) { return kPhaseNames[index(phase)]; }
std::string_view name(Event event) { return kEventNames[index(event)]; }

}  // namespace ssm::session
