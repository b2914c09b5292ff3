// lib/channel — the client's input while it cannot know whether the agent will hand-shake
// (agent-side.md §2.1, §2.5). An agent that hand-shakes acknowledges and discards all input
// but the handshake's own messages until it has sent HandshakeComplete. A plain shell has no
// handshake, so a client that starts a shell at once (the shell documents) sends input that
// such an agent keeps, and a KMS-encrypted shell's agent throws away. The journal keeps a
// copy of input sent in that window (recording), holds new input back once the handshake
// began (holding), and hands everything over to be sent again once it completed; or forgets
// it when the agent turned out to start without one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "wire/client_message.h"

namespace ssm::channel {

class InputJournal {
 public:
  struct Entry {
    wire::PayloadType type;
    std::vector<std::uint8_t> payload;
  };

  // Bytes kept before the journal asks for back-pressure: far more than anyone types before a
  // handshake; a file piped into the session waits, instead of growing memory.
  static constexpr std::size_t kLimit = 64 * 1024;

  // Whether a payload of this type is input the agent may discard (everything the client
  // sends but the handshake's own answers).
  static bool is_input(wire::PayloadType type) {
    return type != wire::PayloadType::handshake_response && type != wire::PayloadType::enc_challenge_response;
  }

  void start_recording() { mode_ = Mode::recording; }
  void start_holding() { mode_ = Mode::holding; }
  // The held entries, to be sent now; copies stay, and the journal goes on recording.
  std::vector<Entry> release();
  // Keeps a copy of input on its way out; false when it is held instead (not to be sent).
  bool keep(wire::PayloadType type, std::span<const std::uint8_t> payload);
  // Everything recorded and held, in the order it was first given; the journal stops.
  std::vector<Entry> take();
  void forget() {
    entries_.clear();
    held_from_ = bytes_ = 0;
    mode_ = Mode::off;
  }

  bool active() const { return mode_ != Mode::off; }
  bool holding() const { return mode_ == Mode::holding; }
  // Input given to the journal and not sent since it began holding.
  bool has_held() const { return held_from_ < entries_.size(); }
  bool full() const { return bytes_ >= kLimit; }

 private:
  enum class Mode { off, recording, holding };
  Mode mode_ = Mode::off;
  std::vector<Entry> entries_;
  std::size_t held_from_ = 0;  // entries_[held_from_...] were never sent
  std::size_t bytes_ = 0;
};

}  // namespace ssm::channel
