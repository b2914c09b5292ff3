// File logging (log/log.h): off by default, level filtering, line format, redaction, and
// failures that must not matter. Each test leaves logging off again.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "log/log.h"

namespace ssm::log {
namespace {

class Logging : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "ssm-log-test-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".log";
    std::remove(path_.c_str());
  }
  void TearDown() override {
    configure("", Level::off);
    also_to_stderr(Level::off);
    std::remove(path_.c_str());
  }

  std::vector<std::string> lines() const {
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  // "2026-11-28T23:59:59.123Z LEVEL message" → "LEVEL message", after checking the stamp.
  static std::string without_timestamp(const std::string& line) {
    const std::string shape = "dddd-dd-ddTdd:dd:dd.dddZ ";
    EXPECT_GT(line.size(), shape.size()) << line;
    if (line.size() <= shape.size()) return line;
    for (std::size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 'd') EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(line[i]))) << line;
      else EXPECT_EQ(line[i], shape[i]) << line;
    }
    return line.substr(shape.size());
  }

  std::string path_;
};

TEST_F(Logging, OffByDefault) {
  configure_from_environment(base::Environment::of({}).get);  // neither variable set
  for (Level level : {Level::trace, Level::debug, Level::info, Level::warn, Level::error, Level::off})
    EXPECT_FALSE(enabled(level));
}

TEST_F(Logging, LevelWithoutAFileIsStillOff) {
  configure_from_environment(base::Environment::of({{"SSM_PLUGIN_LOG_LEVEL", "trace"}}).get);
  EXPECT_FALSE(enabled(Level::error));
}

TEST_F(Logging, FileFromTheEnvironmentAtInfoByDefault) {
  configure_from_environment(base::Environment::of({{"SSM_PLUGIN_LOG_FILE", path_}}).get);
  EXPECT_FALSE(enabled(Level::debug));
  EXPECT_TRUE(enabled(Level::info));
  write(Level::info, "hello");
  const auto got = lines();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(without_timestamp(got[0]), "INFO hello");
}

TEST_F(Logging, EachLevelWritesItselfAndAbove) {
  const std::vector<Level> levels = {Level::trace, Level::debug, Level::info, Level::warn, Level::error};
  for (std::size_t threshold = 0; threshold < levels.size(); ++threshold) {
    std::remove(path_.c_str());
    configure(path_, levels[threshold]);
    for (Level level : levels) write(level, "m");
    configure("", Level::off);
    std::vector<std::string> expected;
    for (std::size_t i = threshold; i < levels.size(); ++i) expected.push_back(std::string(level_name(levels[i])) + " m");
    std::vector<std::string> got;
    for (const auto& line : lines()) got.push_back(without_timestamp(line));
    EXPECT_EQ(got, expected) << level_name(levels[threshold]);
  }
}

TEST_F(Logging, LevelNamesFromTheEnvironment) {
  EXPECT_EQ(level_from_name("trace"), Level::trace);
  EXPECT_EQ(level_from_name("DEBUG"), Level::debug);
  EXPECT_EQ(level_from_name("Info"), Level::info);
  EXPECT_EQ(level_from_name("warn"), Level::warn);
  EXPECT_EQ(level_from_name("error"), Level::error);
  EXPECT_EQ(level_from_name("off"), Level::off);
  EXPECT_EQ(level_from_name("verbose"), Level::info);
  EXPECT_EQ(level_from_name(""), Level::info);

  configure_from_environment(base::Environment::of({{"SSM_PLUGIN_LOG_FILE", path_}, {"SSM_PLUGIN_LOG_LEVEL", "WARN"}}).get);
  EXPECT_FALSE(enabled(Level::info));
  EXPECT_TRUE(enabled(Level::warn));
  configure_from_environment(base::Environment::of({{"SSM_PLUGIN_LOG_FILE", path_}, {"SSM_PLUGIN_LOG_LEVEL", "off"}}).get);
  EXPECT_FALSE(enabled(Level::error));
}

TEST_F(Logging, DisabledLevelsDoNotFormatTheMessage) {
  configure(path_, Level::warn);
  int formatted = 0;
  auto message = [&formatted] {
    ++formatted;
    return std::string("expensive");
  };
  SSM_LOG(debug, message());
  SSM_LOG(info, message());
  EXPECT_EQ(formatted, 0);
  SSM_LOG(error, message());
  EXPECT_EQ(formatted, 1);
  ASSERT_EQ(lines().size(), 1u);
  EXPECT_EQ(without_timestamp(lines()[0]), "ERROR expensive");
}

TEST_F(Logging, EveryLineIsRedacted) {
  configure(path_, Level::trace);
  SSM_LOG(info, R"(open {"TokenValue":"SECRET-TOKEN-123","RequestId":"r"})");
  SSM_LOG(trace, "GET /?X-Amz-Signature=SECRET-SIG");
  const auto got = lines();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(without_timestamp(got[0]), R"(INFO open {"TokenValue":"<redacted>","RequestId":"r"})");
  EXPECT_EQ(without_timestamp(got[1]), "TRACE GET /?X-Amz-Signature=<redacted>");
}

TEST_F(Logging, NewFilesArePrivate) {
  configure(path_, Level::info);
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(Logging, AppendsToAnExistingFile) {
  { std::ofstream(path_) << "earlier line\n"; }
  configure(path_, Level::info);
  write(Level::info, "one");
  configure(path_, Level::info);
  write(Level::info, "two");
  const auto got = lines();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "earlier line");
  EXPECT_EQ(without_timestamp(got[2]), "INFO two");
}

TEST_F(Logging, UnopenableFileTurnsLoggingOff) {
  configure(::testing::TempDir() + "no-such-directory/x/ssm.log", Level::trace);
  EXPECT_FALSE(enabled(Level::error));
  write(Level::error, "goes nowhere");  // and does not crash
}

TEST_F(Logging, VerboseCopiesLinesToStderrBesideTheFile) {
  configure(path_, Level::warn);
  ::testing::internal::CaptureStderr();
  also_to_stderr(Level::debug);  // -v: stderr gets debug and up, the file keeps its own level
  EXPECT_TRUE(enabled(Level::debug));
  EXPECT_FALSE(enabled(Level::trace));
  write(Level::debug, "details");
  write(Level::warn, "trouble");
  also_to_stderr(Level::off);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("DEBUG details\n"), std::string::npos) << err;
  EXPECT_NE(err.find("WARN trouble\n"), std::string::npos) << err;
  const auto file = lines();
  ASSERT_EQ(file.size(), 1u);
  EXPECT_EQ(without_timestamp(file[0]), "WARN trouble");
}

TEST_F(Logging, WriteErrorsAreIgnored) {
  configure("/dev/full", Level::info);  // every write fails with ENOSPC
  ASSERT_TRUE(enabled(Level::info));
  for (int i = 0; i < 3; ++i) write(Level::info, "lost");
}

}  // namespace
}  // namespace ssm::log
