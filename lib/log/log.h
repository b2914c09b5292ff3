// lib/log — optional file logging, off by default (as the reference: protocol.md §10).
// SSM_PLUGIN_LOG_FILE=<path> turns it on; SSM_PLUGIN_LOG_LEVEL picks the lowest level written
// (trace, debug, info, warn, error, off; any case; default info). One line per message:
//   2026-11-28T23:59:59.123Z INFO message
// Every line passes through redact() (log/redact.h): tokens, signatures and keys never reach
// the file. Write errors are ignored: logging never ends a session.
//
// The sink is the one piece of process-wide mutable state in the project: main configures it
// once, before any other work starts (no threads, no sessions yet), and it never changes
// afterwards. write() may then be called from any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/environment.h"

namespace ssm::log {

enum class Level { trace, debug, info, warn, error, off };

// Reads SSM_PLUGIN_LOG_FILE and SSM_PLUGIN_LOG_LEVEL from `env` (main passes the process
// environment). Call once, first thing in main.
void configure_from_environment(const base::GetEnv& env);
// The same with explicit values: an empty path or Level::off turns logging off. For main and
// tests only, under the same once-before-any-work rule. A file that cannot be opened turns
// logging off too.
void configure(const std::string& path, Level level);

// Lines at `level` and above go to standard error as well (-v), whether or not a file is
// configured. Same once-before-any-work rule.
void also_to_stderr(Level level);

// "debug" → Level::debug (case-insensitive); anything unrecognised is Level::info.
Level level_from_name(std::string_view name);
std::string_view level_name(Level level);  // "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"

bool enabled(Level level);
// Appends one redacted, time-stamped line if `level` is enabled.
void write(Level level, std::string_view message);

}  // namespace ssm::log

// SSM_LOG(info, "opened " + url): the message expression is evaluated only when the level is
// on, so disabled logging costs one atomic load and no formatting.
#define SSM_LOG(level, message)                                        \
  do {                                                                 \
    if (::ssm::log::enabled(::ssm::log::Level::level))                 \
      ::ssm::log::write(::ssm::log::Level::level, (message));          \
  } while (0)
