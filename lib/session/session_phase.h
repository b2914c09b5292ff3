// lib/session — the phases of one client session and the events that move it: the decision
// table ClientSession follows. Every event has a defined answer in every phase:
//   act     the coordinator handles it (the column "does" below says how)
//   defer   kept for later: agent data during a handshake is left unacknowledged (not_ready)
//           and delivered once HandshakeComplete arrived
//   ignore  dropped (logged at debug level): it belongs to an earlier phase or to a call or
//           connection the session no longer waits for
//
// Phases
//   connecting      dialing the first connection (upgrade, OpenDataChannel)
//   awaiting_agent  connected, nothing from the agent yet. Shell documents: the shell kind runs
//                   locally and its input is held, not sent (an agent may hand-shake first)
//   handshaking     a HandshakeRequest arrived: answered, or waiting for KMS; waiting for the
//                   EncChallengeRequest and HandshakeComplete. Nothing but the handshake's own
//                   answers goes to the agent; input is held
//   running         the session kind runs; data flows both ways
//   terminating     the user asked a basic port session to end (Ctrl-C, agents <= 2.3.722.0):
//                   TerminateSession is on its way and the service's channel_closed ends it
//   resuming        the connection dropped after it was up: ResumeSession, then dial again;
//                   returns to the phase it left (awaiting_agent, handshaking or running)
//   finishing       channel_closed arrived, or resuming failed: the kind writes out what was
//                   acknowledged (the agent will not send it again), then reports done
//   ending          the exit status is decided; TerminateSession (if any) is on its way
//   closed          the exit status is final
//
// Events × phases (A act, D defer, - ignore). Columns: conn await hand run term resum fin end closed
//   connected           A  -  -  -  -  A  -  -  -   first: awaiting_agent (shell docs start the
//                                                    kind, input held); resumed: back where it was
//   connection_lost     A  A  A  A  A  A  -  -  -   never up/token refused: fail; up: resuming;
//                                                    terminating: end 0; resuming: next attempt
//   agent_silent        -  A  -  -  -  -  -  -  -   no word from the agent for kAgentSilence:
//                                                    send held input, keep a copy (§2.5)
//   handshake_request   -  A  A  A  -  -  -  -  -   answer (afresh if the agent restarted it):
//                                                    handshaking, input held
//   data_key            -  -  A  -  -  -  -  -  -   KMS answered: HandshakeResponse goes out
//   enc_challenge       -  -  A  -  -  -  -  -  -   answer it sealed with the data key
//   handshake_complete  -  A  A  -  -  -  -  -  -   await: fail (no request came); hand:
//                                                    running, kind started, held input sent
//   handshake_timeout   -  -  A  -  -  -  -  -  -   fail: no HandshakeComplete in time
//   agent_data          -  A  D  A  A  A  A  -  -   await: no handshake, so running (input
//                                                    released); else to the kind
//   all_acknowledged    -  -  A  A  A  -  A  -  -   hand: a refused handshake fails once the
//                                                    agent has our answer; else to the kind
//   channel_closed      -  A  A  A  A  -  -  -  -   before running: fail (the session never
//                                                    started); running/term: finishing
//   channel_failed      -  A  A  A  A  A  A  -  -   fail with its reason
//   budget_spent        -  A  A  A  A  A  -  -  -   TerminateSession, then fail
//   kind_done           -  A  A  A  A  A  A  -  -   end with the kind's exit status
//   kind_failed         -  A  A  A  A  A  A  -  -   fail with the kind's reason
//   signal              A  A  A  A  A  A  A  A  -   the kind may take it (Ctrl-C to a shell);
//                                                    else end 128+n; ending: leave at once
//                                                    (a hangup waits for TerminateSession)
//   user_escape         -  A  A  A  A  A  -  -  -   `~.`: TerminateSession, then end 255 (ssh)
//   kind_terminate      -  -  -  A  A  -  -  -  -   run: TerminateSession, terminating;
//                                                    term: already asked, answer false
//   terminate_answered  -  -  -  -  A  -  -  A  -   term: to the kind; ending: closed
//   resume_answered     -  -  -  -  -  A  -  -  -   fresh URL: dial; refused/spent: fail
//                                                    after the output (finishing, then 255)
//   resume_timeout      -  -  -  -  -  A  -  -  -   no connection again within the resume
//                                                    timeout of the loss: fail after the
//                                                    output, saying so
//
// "fail" prints one line on stderr and ends with status 255 (ssh's); "end" closes the kind and
// the connection, calls TerminateSession first when the session asks for it (standalone, or a
// failed session handed over in argv), and then the status is final.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace ssm::session {

enum class Phase {
  connecting,
  awaiting_agent,
  handshaking,
  running,
  terminating,
  resuming,
  finishing,
  ending,
  closed,
};
inline constexpr std::size_t kPhaseCount = 9;

enum class Event {
  connected,
  connection_lost,
  agent_silent,
  handshake_request,
  data_key,
  enc_challenge,
  handshake_complete,
  handshake_timeout,
  agent_data,
  all_acknowledged,
  channel_closed,
  channel_failed,
  budget_spent,
  kind_done,
  kind_failed,
  signal,
  user_escape,
  kind_terminate,
  terminate_answered,
  resume_answered,
  resume_timeout,
};
inline constexpr std::size_t kEventCount = 21;

enum class Answer { ignore, defer, act };

// The table above, as data: answer(phase, event).
Answer answer(Phase phase, Event event);

// Whether the coordinator may go from one phase to the other (it checks every move).
bool may_enter(Phase from, Phase to);

std::string_view name(Phase phase);
std::string_view name(Event event);

}  // namespace ssm::session
