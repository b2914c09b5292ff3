#include "log/log.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <fcntl.h>
#include <unistd.h>

#include "base/text.h"
#include "log/redact.h"
#include "term/raw_mode.h"

namespace ssm::log {
namespace {

// Owns one open file descriptor.
class LogFile {
 public:
  LogFile() = default;
  static LogFile duplicate(int fd) {
    LogFile f;
    f.fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    return f;
  }
  explicit LogFile(const std::string& path)
      // 0600: even redacted, the log names sessions, targets and endpoints. O_CLOEXEC: shells
      // and commands started later (the endpoint's agent emulator) must not inherit it.
      : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) {}
  LogFile(const LogFile&) = delete;
  LogFile(LogFile&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  LogFile& operator=(const LogFile&) = delete;
  LogFile& operator=(LogFile&& other) noexcept {
    if (this != &other) {
      close();
      fd_ = other.fd_;
      other.fd_ = -1;
    }
    return *this;
  }
  ~LogFile() { close(); }

  bool is_open() const { return fd_ >= 0; }
  // A terminal the shell session put in raw mode turns no \n into \r\n: lines bring their own.
  bool is_raw_terminal() const { return term::RawMode::needs_carriage_returns(fd_); }

  // One write per line, so O_APPEND keeps lines whole even with several writers. Failures
  // (disk full, file removed) are deliberately dropped.
  void append(std::string_view line) const {
    while (!line.empty()) {
      const ssize_t n = ::write(fd_, line.data(), line.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      line.remove_prefix(static_cast<std::size_t>(n));
    }
  }

 private:
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

struct Sink {
  std::mutex mutex;  // orders lines from several threads (the endpoint logs from its own)
  LogFile file, err;
  Level file_level = Level::off, err_level = Level::off;
  // The lower of the two, read without the mutex on every enabled() check.
  std::atomic<Level> level{Level::off};

  void update_threshold() {
    const Level f = file.is_open() ? file_level : Level::off;
    const Level e = err.is_open() ? err_level : Level::off;
    level.store(f == Level::off ? e : e == Level::off ? f : std::min(f, e), std::memory_order_relaxed);
  }
};

bool passes(Level level, Level threshold) { return threshold != Level::off && level >= threshold; }

Sink& sink() {
  static Sink instance;
  return instance;
}

// "2026-11-28T23:59:59.123Z"
std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(millis));
  return text;
}

}  // namespace

Level level_from_name(std::string_view name) {
  for (Level level : {Level::trace, Level::debug, Level::info, Level::warn, Level::error, Level::off})
    if (base::iequals(name, level_name(level))) return level;
  return Level::info;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::trace: return "TRACE";
    case Level::debug: return "DEBUG";
    case Level::info: return "INFO";
    case Level::warn: return "WARN";
    case Level::error: return "ERROR";
    case Level::off: return "OFF";
  }
  return "OFF";
}

void configure(const std::string& path, Level level) {
  Sink& s = sink();
  std::lock_guard lock(s.mutex);
  s.file = (path.empty() || level == Level::off) ? LogFile() : LogFile(path);
  s.file_level = level;
  s.update_threshold();
}

void also_to_stderr(Level level) {
  Sink& s = sink();
  std::lock_guard lock(s.mutex);
  s.err = level == Level::off ? LogFile() : LogFile::duplicate(STDERR_FILENO);
  s.err_level = level;
  s.update_threshold();
}

void configure_from_environment(const base::GetEnv& env) {
  const auto level = env("SSM_PLUGIN_LOG_LEVEL");
  configure(env("SSM_PLUGIN_LOG_FILE").value_or(""), level ? level_from_name(*level) : Level::info);
}

bool enabled(Level level) {
  const Level threshold = sink().level.load(std::memory_order_relaxed);
  return level != Level::off && threshold != Level::off && level >= threshold;
}

void write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  std::string line = utc_timestamp();
  line += ' ';
  line += level_name(level);
  line += ' ';
  line += redact(message);
  line += '\n';
  Sink& s = sink();
  std::lock_guard lock(s.mutex);
  if (s.file.is_open() && passes(level, s.file_level)) s.file.append(line);
  if (s.err.is_open() && passes(level, s.err_level))
    s.err.append(s.err.is_raw_terminal() ? term::RawMode::with_carriage_returns(line) : line);
}

}  // namespace ssm::log
