#include "endpoint/child_process.h"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <boost/asio/post.hpp>

extern char** environ;

namespace ssm::endpoint {
namespace {

// The pty's size until the client's first Size payload arrives.
constexpr unsigned short kInitialRows = 24, kInitialCols = 80;

// Owns a descriptor until released.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  ~Fd() { reset(); }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

bool make_pipe(Fd& read_end, Fd& write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return false;
  read_end = Fd(p[0]);
  write_end = Fd(p[1]);
  return true;
}

// Built before fork(): the child may only make async-signal-safe calls.
struct ExecImage {
  std::vector<std::string> args, env;
  std::vector<char*> argv, envp;

  explicit ExecImage(const std::vector<std::string>& a) : args(a) {
    bool has_lang = false;
    for (char** e = environ; *e; ++e) {
      const std::string_view v(*e);
      if (v.rfind("TERM=", 0) == 0) continue;
      if (v.rfind("LANG=", 0) == 0) has_lang = true;
      env.emplace_back(v);
    }
    env.emplace_back("TERM=xterm-256color");
    if (!has_lang) env.emplace_back("LANG=C.UTF-8");
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : env) envp.push_back(s.data());
    envp.push_back(nullptr);
  }
};

// In the child, after fork(): default signal handling (the endpoint's own handlers and
// ignored SIGPIPE must not leak into the shell), then exec. On failure, errno goes to the
// parent through `report` and the child exits 127.
[[noreturn]] void exec_child(const ExecImage& image, int report) {
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU}) ::signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Asio opens its sockets without close-on-exec: the endpoint's listeners and every other
  // session's connections would be the shell's too. All but stdio and `report` go.
  if (report > 3) ::close_range(3, static_cast<unsigned>(report) - 1, 0);
  ::close_range(static_cast<unsigned>(report) + 1, ~0U, 0);
  ::execvpe(image.argv[0], image.argv.data(), image.envp.data());
  const int err = errno;
  [[maybe_unused]] auto n = ::write(report, &err, sizeof err);
  ::_exit(127);
}

}  // namespace

std::unique_ptr<ChildProcess> ChildProcess::start_on_pty(boost::asio::any_io_executor ex,
                                                         const std::vector<std::string>& argv, ChildStreams& streams,
                                                         std::string& error) {
  return start(std::move(ex), argv, /*pty=*/true, false, streams, error);
}

std::unique_ptr<ChildProcess> ChildProcess::start_with_pipes(boost::asio::any_io_executor ex,
                                                             const std::vector<std::string>& argv, bool merge_errors,
                                                             ChildStreams& streams, std::string& error) {
  return start(std::move(ex), argv, /*pty=*/false, merge_errors, streams, error);
}

std::unique_ptr<ChildProcess> ChildProcess::start(boost::asio::any_io_executor ex, const std::vector<std::string>& argv,
                                                  bool pty, bool merge_errors, ChildStreams& streams,
                                                  std::string& error) {
  if (argv.empty() || argv[0].empty()) {
    error = "no command to run";
    return nullptr;
  }
  const ExecImage image(argv);
  Fd report_read, report_write;
  if (!make_pipe(report_read, report_write)) {
    error = std::string("pipe: ") + std::strerror(errno);
    return nullptr;
  }
  // The parent's and the child's ends of the standard streams.
  Fd master, slave, in_r, in_w, out_r, out_w, err_r, err_w;
  if (pty) {
    int m = -1, s = -1;
    winsize ws{};
    ws.ws_row = kInitialRows;
    ws.ws_col = kInitialCols;
    if (::openpty(&m, &s, nullptr, nullptr, &ws) != 0) {
      error = std::string("openpty: ") + std::strerror(errno);
      return nullptr;
    }
    master = Fd(m);
    slave = Fd(s);
    ::fcntl(m, F_SETFD, FD_CLOEXEC);
    ::fcntl(s, F_SETFD, FD_CLOEXEC);
  } else if (!make_pipe(in_r, in_w) || !make_pipe(out_r, out_w) || (!merge_errors && !make_pipe(err_r, err_w))) {
    error = std::string("pipe: ") + std::strerror(errno);
    return nullptr;
  }

  const pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return nullptr;
  }
  if (pid == 0) {
    ::setsid();  // its own session and process group: signals and hangups reach all of it
    if (pty) {
      ::ioctl(slave.get(), TIOCSCTTY, 0);
      for (int fd = 0; fd < 3; ++fd) ::dup2(slave.get(), fd);
    } else {
      ::dup2(in_r.get(), 0);
      ::dup2(out_w.get(), 1);
      ::dup2(merge_errors ? out_w.get() : err_w.get(), 2);
    }
    exec_child(image, report_write.get());  // closes every other descriptor
  }

  report_write.reset();
  int exec_errno = 0;
  ssize_t n;
  do n = ::read(report_read.get(), &exec_errno, sizeof exec_errno);
  while (n < 0 && errno == EINTR);
  std::unique_ptr<ChildProcess> child(new ChildProcess(std::move(ex), pid));
  if (n == sizeof exec_errno) {
    error = argv[0] + ": " + std::strerror(exec_errno);
    return nullptr;  // reaped by the destructor
  }
  if (pty) {
    streams.terminal = master.release();
  } else {
    streams.input = in_w.release();
    streams.output = out_r.release();
    streams.errors = merge_errors ? -1 : err_r.release();
  }
  return child;
}

ChildProcess::ChildProcess(boost::asio::any_io_executor ex, pid_t pid) : pid_(pid), sigchld_(std::move(ex), SIGCHLD) {}

ChildProcess::~ChildProcess() {
  if (status_) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);  // in case it has not reached setsid() yet
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

void ChildProcess::async_wait_exit(std::function<void(int)> done) {
  done_ = std::move(done);
  if (reap_if_exited()) {
    auto d = std::move(done_);
    done_ = nullptr;
    // Not from inside the caller: post, as any completion would be.
    boost::asio::post(sigchld_.get_executor(), [d = std::move(d), code = *status_] { d(code); });
    return;
  }
  wait_sigchld();
}

void ChildProcess::wait_sigchld() {
  sigchld_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;  // destroyed or cancelled: `this` may be gone
    if (!reap_if_exited()) return wait_sigchld();  // another child of the endpoint
    if (auto d = std::move(done_)) {
      done_ = nullptr;
      d(*status_);
    }
  });
}

bool ChildProcess::reap_if_exited() {
  if (status_) return true;
  int status = 0;
  pid_t r;
  do r = ::waitpid(pid_, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r != pid_) return false;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
  return true;
}

void ChildProcess::signal(int signo) {
  if (!status_) ::kill(-pid_, signo);
}

std::vector<std::string> split_command_line(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < line.size() &&
                 (line[i + 1] == '"' || line[i + 1] == '\\' || line[i + 1] == '$' || line[i + 1] == '`')) {
        word += line[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) return {};
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace ssm::endpoint
