// The signed upgrade and the credential lookup beside the dial: UpgradeAuth hands an upgrade
// its headers at once or when the lookup ends (signed, or unsigned without credentials), and
// ClientSession dials before the credentials arrive, so that only the upgrade request waits.
#include "session/upgrade_auth.h"

#include "session_harness.h"

namespace ssm::session {
namespace {

using namespace ssm::session::testing;

constexpr const char* kUrl = "ws://127.0.0.1:1/v1/data-channel/s-test?role=publish_subscribe";

base::GetEnv no_environment() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

aws::ResolvedCredentials keys() { return {aws::Credentials{"AKIDEXAMPLE", "secret", "", std::nullopt}, "environment", ""}; }
aws::ResolvedCredentials none() { return {std::nullopt, "", "no credentials anywhere"}; }

bool has_header(const aws::HeaderList& headers, const std::string& name) {
  for (const auto& [n, v] : headers)
    if (n == name) return true;
  return false;
}

// Records when_ready's answer.
struct Waiter {
  std::optional<aws::HeaderList> headers;
  std::function<void(aws::HeaderList)> ready() {
    return [this](aws::HeaderList h) { headers = std::move(h); };
  }
};

TEST(UpgradeAuth, AnUpgradeWaitsForTheLookupAndIsSignedWhenItFindsCredentials) {
  UpgradeAuth auth("us-east-1", no_environment());
  ASSERT_TRUE(auth.wants_credentials(kUrl));
  auth.expect_credentials();
  Waiter w;
  auth.when_ready(kUrl, w.ready());
  EXPECT_FALSE(w.headers) << "answered before the credentials were known";
  auth.start(keys());
  ASSERT_TRUE(w.headers);
  EXPECT_TRUE(has_header(*w.headers, "Authorization"));
  EXPECT_TRUE(has_header(*w.headers, "X-Amz-Date"));
  EXPECT_TRUE(auth.signing());
}

TEST(UpgradeAuth, WithoutCredentialsTheWaitingUpgradeGoesOnUnsigned) {
  UpgradeAuth auth("us-east-1", no_environment());
  auth.expect_credentials();
  Waiter w;
  auth.when_ready(kUrl, w.ready());
  auth.start(none());
  ASSERT_TRUE(w.headers);
  EXPECT_TRUE(w.headers->empty());
  EXPECT_FALSE(auth.signing());
}

TEST(UpgradeAuth, OnceTheLookupEndedOrWithoutOneUpgradesAreAnsweredAtOnce) {
  UpgradeAuth unsigned_auth("us-east-1", no_environment());
  Waiter first;
  unsigned_auth.when_ready(kUrl, first.ready());
  ASSERT_TRUE(first.headers);
  EXPECT_TRUE(first.headers->empty());

  UpgradeAuth auth("us-east-1", no_environment());
  auth.expect_credentials();
  auth.start(keys());
  Waiter second;
  auth.when_ready(kUrl, second.ready());
  ASSERT_TRUE(second.headers);
  EXPECT_TRUE(has_header(*second.headers, "Authorization"));
}

TEST(UpgradeAuth, ANewerUpgradeReplacesTheOneWaiting) {
  UpgradeAuth auth("us-east-1", no_environment());
  auth.expect_credentials();
  Waiter old_dial, new_dial;
  auth.when_ready(kUrl, old_dial.ready());
  auth.when_ready(kUrl, new_dial.ready());
  auth.start(keys());
  EXPECT_FALSE(old_dial.headers);
  ASSERT_TRUE(new_dial.headers);
  EXPECT_TRUE(has_header(*new_dial.headers, "Authorization"));
}

// A control plane whose credential lookup waits for the test; nothing else is called here.
class SlowCredentials final : public ControlPlane {
 public:
  void upgrade_credentials(std::function<void(aws::ResolvedCredentials)> done) override { lookups.push_back(std::move(done)); }
  void resume_session(const std::string&, std::function<void(aws::CallOutcome)>) override { ADD_FAILURE(); }
  void terminate_session(const std::string&, std::chrono::seconds, std::function<void(aws::CallOutcome)>) override {}
  void generate_data_key(const std::string&, const aws::EncryptionContext&, std::function<void(aws::DataKeyOutcome)>) override {
    ADD_FAILURE();
  }
  std::vector<std::function<void(aws::ResolvedCredentials)>> lookups;
};

TEST(ClientSession, DialsBeforeTheCredentialsArriveAndOnlyTheUpgradeWaitsForThem) {
  asio::io_context io;
  SessionSpec spec;
  spec.session_id = "s-test";
  spec.stream_url = kUrl;
  spec.token_value = "token";
  spec.region = "us-east-1";
  spec.client_version = "1.2.835.0";
  auto plane = std::make_shared<SlowCredentials>();
  std::vector<transport::ConnectOptions> dials;
  std::vector<std::shared_ptr<FakeSocket>> sockets;
  SessionParts parts;
  parts.control_plane = plane;
  parts.kinds = std::make_shared<FakeKinds>();
  parts.dial = [&](asio::any_io_executor, transport::ConnectOptions options, transport::ConnectionListener& l) {
    dials.push_back(std::move(options));
    sockets.push_back(std::make_shared<FakeSocket>(l));
    return sockets.back();
  };
  parts.out = [](std::string_view) {};
  parts.err = [](std::string_view) {};
  ClientSession session(io.get_executor(), spec, nullptr, std::move(parts));
  session.start();
  io.poll();

  ASSERT_EQ(dials.size(), 1u) << "the dial waited for the credentials";
  ASSERT_EQ(plane->lookups.size(), 1u);
  ASSERT_TRUE(dials[0].late_headers);
  // The connection is ready for its upgrade: the request waits for the signature.
  Waiter upgrade;
  dials[0].late_headers([&](transport::HeaderList h) { upgrade.headers = std::move(h); });
  EXPECT_FALSE(upgrade.headers);
  plane->lookups[0](keys());
  io.poll();
  ASSERT_TRUE(upgrade.headers);
  EXPECT_TRUE(has_header(*upgrade.headers, "Authorization"));
  EXPECT_EQ(session.phase(), Phase::connecting);
}

}  // namespace
}  // namespace ssm::session
