// apply_environment: which variables fill which SessionSpec fields, and what leaves the
// defaults alone (unset, empty, not a positive whole number of seconds).
#include <gtest/gtest.h>

#include "base/environment.h"
#include "session/run.h"

namespace ssm::session {
namespace {

using namespace std::chrono_literals;

SessionSpec applied(std::map<std::string, std::string> variables) {
  SessionSpec spec;
  apply_environment(spec, base::Environment::of(std::move(variables)).get);
  return spec;
}

TEST(ApplyEnvironment, NothingSetKeepsTheDefaults) {
  const SessionSpec defaults;
  const SessionSpec spec = applied({});
  EXPECT_EQ(spec.ca_bundle, defaults.ca_bundle);
  EXPECT_EQ(spec.local_host, defaults.local_host);
  EXPECT_EQ(spec.keepalive, defaults.keepalive);
  EXPECT_EQ(spec.resend_timeout, defaults.resend_timeout);
}

TEST(ApplyEnvironment, EachVariableFillsItsField) {
  const SessionSpec spec = applied({{"AWS_CA_BUNDLE", "/etc/ca.pem"},
                                    {"SSM_PLUGIN_LOCAL_HOST", "0.0.0.0"},
                                    {"SSM_PLUGIN_KEEPALIVE_SECONDS", "7"},
                                    {"SSM_PLUGIN_RESEND_TIMEOUT_SECONDS", "42"}});
  EXPECT_EQ(spec.ca_bundle, "/etc/ca.pem");
  EXPECT_EQ(spec.local_host, "0.0.0.0");
  EXPECT_EQ(spec.keepalive, 7s);
  EXPECT_EQ(spec.resend_timeout, 42s);
}

TEST(ApplyEnvironment, EmptyOrUnusableValuesKeepTheDefaults) {
  const SessionSpec defaults;
  for (const char* bad : {"", "0", "-5", "1.5", "10s", " 10", "99999999999"}) {
    const SessionSpec spec = applied({{"AWS_CA_BUNDLE", ""},
                                      {"SSM_PLUGIN_LOCAL_HOST", ""},
                                      {"SSM_PLUGIN_KEEPALIVE_SECONDS", bad},
                                      {"SSM_PLUGIN_RESEND_TIMEOUT_SECONDS", bad}});
    EXPECT_EQ(spec.ca_bundle, defaults.ca_bundle) << bad;
    EXPECT_EQ(spec.local_host, defaults.local_host) << bad;
    EXPECT_EQ(spec.keepalive, defaults.keepalive) << bad;
    EXPECT_EQ(spec.resend_timeout, defaults.resend_timeout) << bad;
  }
}

}  // namespace
}  // namespace ssm::session
