// lib/log — optional file logging, off by default (as the reference: protocol.md §10).
// SSM_PLUGIN_LOG_FILE=<path> turns it on, SSM_PLUGIN_LOG_LEVEL picks the level (trace, debug,
// info, warn, error; default info). Every line passes through redact(): tokens, signatures
// and keys never reach the file.
//
// The sink is the one process-wide object here: main configures it once, before any work
// starts, and it never changes afterwards.
#pragma once

#include <string>
#include <string_view>

namespace ssm::log {

enum class Level { trace, debug, info, warn, error, off };

// Reads SSM_PLUGIN_LOG_FILE and SSM_PLUGIN_LOG_LEVEL. Call once, first thing in main.
void configure_from_environment();
// The same, explicitly (tests).
void configure(const std::string& path, Level level);

bool enabled(Level level);
// Appends one redacted line. Write errors are ignored: logging never ends a session.
void write(Level level, std::string_view message);

// Masks secrets in free text: values of JSON keys such as TokenValue and SecretAccessKey,
// SigV4 signatures and security tokens in headers and query strings, and credentials-file
// lines. Public for tests.
std::string redact(std::string_view text);

std::string_view level_name(Level level);

}  // namespace ssm::log

// Formats nothing unless the level is on.
#define SSM_LOG(level, message)                                                   \
  do {                                                                            \
    if (::ssm::log::enabled(::ssm::log::Level::level)) ::ssm::log::write(::ssm::log::Level::level, (message)); \
  } while (0)
