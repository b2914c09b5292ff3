// lib/endpoint — where the endpoint writes: result lines (the ready line, one line per ended
// session, the summary) to `events`, and diagnostics to `errors` only when verbose. Tests
// pass their own streams to read the lines back.
#pragma once

#include <iostream>
#include <string_view>

namespace ssm::endpoint {

class Diagnostics {
 public:
  Diagnostics(std::ostream& events, std::ostream& errors, bool verbose)
      : events_(events), errors_(errors), verbose_(verbose) {}

  // One result line, flushed at once: scripts wait for it.
  void event(std::string_view line) const { events_ << line << std::endl; }
  void log(std::string_view line) const {
    if (verbose_) errors_ << "ssm-local-endpoint: " << line << "\n";
  }

 private:
  std::ostream& events_;
  std::ostream& errors_;
  bool verbose_;
};

}  // namespace ssm::endpoint
