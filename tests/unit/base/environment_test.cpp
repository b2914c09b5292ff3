// The one environment type: a fake map behind get/unset (what every unit test injects), and
// the process's own getenv/unsetenv behind Environment::process().
#include <gtest/gtest.h>

#include <cstdlib>

#include "base/environment.h"

namespace ssm::base {
namespace {

TEST(Environment, FakeReadsItsMap) {
  const Environment env = Environment::of({{"AWS_REGION", "eu-west-1"}, {"EMPTY", ""}});
  EXPECT_EQ(env.get("AWS_REGION"), "eu-west-1");
  EXPECT_EQ(env.get("EMPTY"), "");  // set but empty is not unset
  EXPECT_EQ(env.get("aws_region"), std::nullopt);  // names are case-sensitive
  EXPECT_EQ(env.get("UNSET"), std::nullopt);
}

TEST(Environment, FakeUnsetIsSeenByEveryCopy) {
  const Environment env = Environment::of({{"AWS_SSM_START_SESSION_RESPONSE", "{}"}, {"OTHER", "x"}});
  const Environment copy = env;
  const GetEnv reader = env.get;  // a read-only user keeps just the reader
  env.unset("AWS_SSM_START_SESSION_RESPONSE");
  EXPECT_EQ(env.get("AWS_SSM_START_SESSION_RESPONSE"), std::nullopt);
  EXPECT_EQ(copy.get("AWS_SSM_START_SESSION_RESPONSE"), std::nullopt);
  EXPECT_EQ(reader("AWS_SSM_START_SESSION_RESPONSE"), std::nullopt);
  EXPECT_EQ(reader("OTHER"), "x");
  env.unset("NEVER_SET");  // nothing to remove is fine
}

TEST(Environment, FakesAreIndependent) {
  const Environment a = Environment::of({{"V", "a"}});
  const Environment b = Environment::of({{"V", "b"}});
  a.unset("V");
  EXPECT_EQ(a.get("V"), std::nullopt);
  EXPECT_EQ(b.get("V"), "b");
}

TEST(Environment, ProcessReadsAndUnsetsTheRealEnvironment) {
  const char* name = "SSM_BASE_ENVIRONMENT_TEST_VARIABLE";
  ASSERT_EQ(::setenv(name, "value with spaces", 1), 0);
  const Environment env = Environment::process();
  EXPECT_EQ(env.get(name), "value with spaces");
  env.unset(name);
  EXPECT_EQ(std::getenv(name), nullptr);
  EXPECT_EQ(env.get(name), std::nullopt);
  ASSERT_EQ(::setenv(name, "", 1), 0);
  EXPECT_EQ(env.get(name), "");
  ::unsetenv(name);
}

}  // namespace
}  // namespace ssm::base
