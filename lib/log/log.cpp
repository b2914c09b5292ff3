#include "log/log.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace ssm::log {
namespace {

struct Sink {
  std::mutex mutex;  // the endpoint may log from a test thread too
  std::FILE* file = nullptr;
  Level level = Level::off;
};

Sink& sink() {
  static Sink s;
  return s;
}

Level parse_level(const char* text) {
  const std::string_view v = text ? text : "";
  if (v == "trace") return Level::trace;
  if (v == "debug") return Level::debug;
  if (v == "warn") return Level::warn;
  if (v == "error") return Level::error;
  if (v == "off") return Level::off;
  return Level::info;
}

}  // namespace

std::string_view level_name(Level level) {
  switch (level) {
    case Level::trace: return "TRACE";
    case Level::debug: return "DEBUG";
    case Level::info: return "INFO";
    case Level::warn: return "WARN";
    case Level::error: return "ERROR";
    case Level::off: return "OFF";
  }
  return "?";
}

void configure(const std::string& path, Level level) {
  Sink& s = sink();
  std::lock_guard lock(s.mutex);
  if (s.file) std::fclose(s.file);
  s.file = path.empty() || level == Level::off ? nullptr : std::fopen(path.c_str(), "a");
  s.level = s.file ? level : Level::off;
}

void configure_from_environment() {
  const char* path = std::getenv("SSM_PLUGIN_LOG_FILE");
  configure(path ? path : "", parse_level(std::getenv("SSM_PLUGIN_LOG_LEVEL")));
}

bool enabled(Level level) { return level != Level::off && level >= sink().level && sink().level != Level::off; }

void write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  const std::string line = redact(message);
  Sink& s = sink();
  std::lock_guard lock(s.mutex);
  if (!s.file) return;
  std::fprintf(s.file, "%s.%03dZ %s %s\n", stamp, static_cast<int>(millis), std::string(level_name(level)).c_str(),
               line.c_str());
  std::fflush(s.file);
}

}  // namespace ssm::log
