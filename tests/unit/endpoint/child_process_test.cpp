// The endpoint's child processes: command-line splitting as the agent does it, exit statuses
// reaped through SIGCHLD, start failures reported, a pty child seeing its terminal.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <string>

#include <boost/asio/io_context.hpp>

#include "endpoint/child_process.h"

namespace ssm::endpoint {
namespace {

using Words = std::vector<std::string>;

TEST(SplitCommandLine, WordsQuotesAndEscapes) {
  EXPECT_EQ(split_command_line("ls -l  /tmp"), (Words{"ls", "-l", "/tmp"}));
  EXPECT_EQ(split_command_line("sh -c 'echo a b; exit 7'"), (Words{"sh", "-c", "echo a b; exit 7"}));
  EXPECT_EQ(split_command_line(R"(echo "a \"q\" $x" b\ c '')"), (Words{"echo", R"(a "q" $x)", "b c", ""}));
  EXPECT_EQ(split_command_line("  "), Words{});
  EXPECT_EQ(split_command_line("echo 'unbalanced"), Words{});
}

// Runs `argv` on pipes or a pty, returns its status as async_wait_exit reports it.
int run(const Words& argv, bool pty) {
  boost::asio::io_context io;
  ChildStreams streams;
  std::string error;
  auto child = pty ? ChildProcess::start_on_pty(io.get_executor(), argv, streams, error)
                   : ChildProcess::start_with_pipes(io.get_executor(), argv, false, streams, error);
  EXPECT_TRUE(child) << error;
  if (!child) return -1;
  for (int fd : {streams.input, streams.output, streams.errors})
    if (fd >= 0) ::close(fd);
  int status = -1;
  child->async_wait_exit([&](int s) { status = s; });
  io.run_for(std::chrono::seconds(10));
  if (streams.terminal >= 0) ::close(streams.terminal);  // before: a hangup for the child
  return status;
}

TEST(ChildProcess, ReportsExitCodesAndSignals) {
  EXPECT_EQ(run({"sh", "-c", "exit 7"}, false), 7);
  EXPECT_EQ(run({"sh", "-c", "kill -TERM $$"}, false), 128 + 15);
  EXPECT_EQ(run({"true"}, false), 0);
}

TEST(ChildProcess, APtyChildHasATerminal) {
  EXPECT_EQ(run({"sh", "-c", "test -t 0 && test -t 1 && [ \"$TERM\" = xterm-256color ]"}, true), 0);
  EXPECT_EQ(run({"sh", "-c", "test -t 0"}, false), 1);
}

TEST(ChildProcess, ACommandThatCannotRunIsAnError) {
  boost::asio::io_context io;
  ChildStreams streams;
  std::string error;
  EXPECT_FALSE(ChildProcess::start_with_pipes(io.get_executor(), {"/nonexistent/tool"}, false, streams, error));
  EXPECT_NE(error.find("/nonexistent/tool"), std::string::npos) << error;
  EXPECT_FALSE(ChildProcess::start_on_pty(io.get_executor(), {}, streams, error));
}

}  // namespace
}  // namespace ssm::endpoint
