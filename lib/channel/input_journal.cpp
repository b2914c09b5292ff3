#include "channel/input_journal.h"

namespace ssm::channel {

bool InputJournal::keep(wire::PayloadType type, std::span<const std::uint8_t> payload) {
  if (mode_ == Mode::off || !is_input(type)) return true;
  if (mode_ == Mode::recording) held_from_ = entries_.size() + 1;
  entries_.push_back({type, {payload.begin(), payload.end()}});
  bytes_ += payload.size();
  return mode_ == Mode::recording;
}

std::vector<InputJournal::Entry> InputJournal::release() {
  std::vector<Entry> held(entries_.begin() + static_cast<std::ptrdiff_t>(held_from_), entries_.end());
  held_from_ = entries_.size();
  mode_ = Mode::recording;
  return held;
}

std::vector<InputJournal::Entry> InputJournal::take() {
  std::vector<Entry> all = std::move(entries_);
  forget();
  return all;
}

}  // namespace ssm::channel
