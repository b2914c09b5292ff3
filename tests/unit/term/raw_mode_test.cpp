// Raw mode against a real pseudo-terminal: applied, restored by the destructor, and
// suspend/resume as SIGTSTP/SIGCONT use them.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include "term/raw_mode.h"
#include "term/window_size.h"

namespace ssm::term {
namespace {

class Pty : public ::testing::Test {
 protected:
  void SetUp() override {
    winsize ws{};
    ws.ws_col = 132;
    ws.ws_row = 43;
    ASSERT_EQ(::openpty(&master_, &slave_, nullptr, nullptr, &ws), 0);
  }
  void TearDown() override {
    ::close(master_);
    ::close(slave_);
  }
  termios attrs() {
    termios t{};
    ::tcgetattr(slave_, &t);
    return t;
  }
  int master_ = -1, slave_ = -1;
};

bool same(const termios& a, const termios& b) {
  return a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag && a.c_lflag == b.c_lflag && a.c_cflag == b.c_cflag &&
         a.c_cc[VMIN] == b.c_cc[VMIN] && a.c_cc[VTIME] == b.c_cc[VTIME];
}

TEST_F(Pty, RawIsFullRawAndRestored) {
  const termios before = attrs();
  ASSERT_TRUE(before.c_lflag & ICANON);
  {
    RawMode raw(slave_);
    ASSERT_TRUE(raw.active());
    const termios t = attrs();
    EXPECT_FALSE(t.c_lflag & (ICANON | ECHO | ISIG | IEXTEN));
    EXPECT_FALSE(t.c_iflag & (ICRNL | IXON));
    EXPECT_FALSE(t.c_oflag & OPOST);
    EXPECT_EQ(t.c_cc[VMIN], 1);
    raw.suspend();
    EXPECT_TRUE(same(attrs(), before));
    raw.resume();
    EXPECT_FALSE(attrs().c_lflag & ICANON);
  }
  EXPECT_TRUE(same(attrs(), before));
}

TEST_F(Pty, WindowSizeOfATerminalAndFallback) {
  EXPECT_EQ(query_window_size(slave_), (WindowSize{132, 43}));
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EXPECT_EQ(query_window_size(fds[1]), kFallbackWindowSize);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_F(Pty, LinesOnARawTerminalNeedTheirOwnCarriageReturns) {
  EXPECT_FALSE(RawMode::needs_carriage_returns(slave_));
  {
    RawMode raw(slave_);
    EXPECT_TRUE(RawMode::needs_carriage_returns(slave_));
  }
  EXPECT_FALSE(RawMode::needs_carriage_returns(slave_)) << "restored";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EXPECT_FALSE(RawMode::needs_carriage_returns(fds[1])) << "a pipe is not a terminal";
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(RawModeText, EveryBareNewlineGetsACarriageReturn) {
  EXPECT_EQ(RawMode::with_carriage_returns("a\nb\r\nc\n\n"), "a\r\nb\r\nc\r\n\r\n");
  EXPECT_EQ(RawMode::with_carriage_returns("\nstart"), "\r\nstart");
  EXPECT_EQ(RawMode::with_carriage_returns("none"), "none");
}

TEST(RawModeNoTty, DoesNothingOnAPipe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  RawMode raw(fds[0]);
  EXPECT_FALSE(raw.active());
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace ssm::term
