#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "endpoint/agent_session.h"
#include "endpoint/api_handler.h"
#include "endpoint/fault_injector.h"
#include "endpoint/stream_target.h"
#include "endpoint/tls_identity.h"

namespace ssm::endpoint {
namespace {

wire::Json body(const ApiResponse& r) { return wire::Json::parse(r.body); }

TEST(ApiHandler, StartResumeTerminate) {
  SessionRegistry registry;
  std::vector<std::string> terminated;
  ApiHandler api(registry, "ws://127.0.0.1:9", [&](SessionRecord& r) { terminated.push_back(r.id); });
  auto start = api.handle("AmazonSSM.StartSession",
                          R"({"Target":"i-0abc","DocumentName":"AWS-StartSSHSession","Parameters":{"portNumber":["22"]}})");
  ASSERT_EQ(start.status, 200u) << start.body;
  const auto s = body(start);
  const std::string id = s["SessionId"];
  EXPECT_EQ(id.rfind("i-0abc-", 0), 0u);
  EXPECT_EQ(s["StreamUrl"], "ws://127.0.0.1:9/v1/data-channel/" + id + "?role=publish_subscribe");
  const std::string token = s["TokenValue"];
  EXPECT_GE(token.size(), 64u);
  EXPECT_EQ(registry.find(id)->document, "AWS-StartSSHSession");

  auto resume = api.handle("AmazonSSM.ResumeSession", R"({"SessionId":")" + id + R"("})");
  ASSERT_EQ(resume.status, 200u);
  EXPECT_NE(body(resume)["TokenValue"], token);  // a fresh token; the old one stops working
  EXPECT_EQ(registry.find(id)->token, body(resume)["TokenValue"]);

  auto term = api.handle("AmazonSSM.TerminateSession", R"({"SessionId":")" + id + R"("})");
  ASSERT_EQ(term.status, 200u);
  EXPECT_EQ(terminated, std::vector<std::string>{id});
  EXPECT_EQ(api.handle("AmazonSSM.ResumeSession", R"({"SessionId":")" + id + R"("})").status, 400u);
}

TEST(ApiHandler, AwsShapedErrors) {
  SessionRegistry registry;
  ApiHandler api(registry, "ws://h:1", nullptr);
  auto r = api.handle("AmazonSSM.StartSession", R"({"DocumentName":"x"})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.error_type, "ValidationException");
  EXPECT_EQ(body(r)["__type"], "ValidationException");
  EXPECT_EQ(api.handle("AmazonSSM.StartSession", "{not json").error_type, "SerializationException");
  EXPECT_EQ(api.handle("AmazonSSM.Reboot", "{}").error_type, "UnknownOperationException");
  EXPECT_EQ(api.handle("AmazonSSM.TerminateSession", R"({"SessionId":"nope"})").error_type, "DoesNotExistException");
}

TEST(AgentSession, SessionTypesAndPortProperties) {
  const wire::Json none = wire::Json::object();
  EXPECT_EQ(AgentSession::session_type_for("", none), "Standard_Stream");
  EXPECT_EQ(AgentSession::session_type_for("AWS-StartSSHSession", none), "Port");
  EXPECT_EQ(AgentSession::session_type_for("AWS-StartPortForwardingSessionToRemoteHost", none), "Port");
  EXPECT_EQ(AgentSession::session_type_for("AWS-StartInteractiveCommand", none), "InteractiveCommands");
  EXPECT_EQ(AgentSession::session_type_for("AWS-StartNonInteractiveCommand", none), "NonInteractiveCommands");
  EXPECT_EQ(AgentSession::session_type_for("Custom", wire::Json::parse(R"({"portNumber":["80"]})")), "Port");

  EXPECT_EQ(AgentSession::port_properties("AWS-StartSSHSession", wire::Json::parse(R"({"portNumber":["2222"]})")).dump(),
            R"({"portNumber":"2222"})");
  EXPECT_EQ(AgentSession::port_properties("AWS-StartPortForwardingSession", wire::Json::parse(R"({"portNumber":["80"]})")).dump(),
            R"({"localPortNumber":"0","portNumber":"80","type":"LocalPortForwarding"})");
  EXPECT_EQ(AgentSession::port_properties("AWS-StartPortForwardingSessionToRemoteHost",
                                          wire::Json::parse(R"({"portNumber":["5432"],"localPortNumber":["15432"],"host":["db"]})"))
                .dump(),
            R"({"localPortNumber":"15432","portNumber":"5432","type":"LocalPortForwarding","host":"db"})");
}

TEST(StreamTarget, Specs) {
  for (auto ok : {"echo", "sink", "source:0", "source:104857600", "dial:127.0.0.1:22", "dial:[::1]:80"})
    EXPECT_TRUE(valid_target_spec(ok)) << ok;
  for (auto bad : {"", "echo2", "source:", "source:-1", "source:1e9", "dial:", "dial:host", "dial:host:"})
    EXPECT_FALSE(valid_target_spec(bad)) << bad;
}

TEST(FaultInjector, ReproducibleWithASeed) {
  Faults f;
  f.seed = 42;
  FaultInjector a(f), b(f);
  int hits = 0;
  for (int i = 0; i < 10000; ++i) {
    const bool x = a.roll(5);
    EXPECT_EQ(x, b.roll(5));
    hits += x;
  }
  EXPECT_GT(hits, 350);
  EXPECT_LT(hits, 650);
  EXPECT_FALSE(a.roll(0));
  EXPECT_TRUE(a.roll(100));
  std::vector<std::uint8_t> frame(130, 0);
  a.corrupt(frame);
  int changed = 0;
  for (std::size_t i = 0; i < frame.size(); ++i) changed += frame[i] != 0 ? (i >= 120 ? 1 : 100) : 0;
  EXPECT_EQ(changed, 1);  // exactly one payload byte, never the header
}

TEST(TlsIdentity, ServerCertificateVerifiesAgainstTheCaForLocalhostAndLoopback) {
  const TlsIdentity id = make_test_identity();
  auto load = [](const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    return x;
  };
  X509* ca = load(id.ca_certificate_pem);
  X509* server = load(id.server_certificate_pem);
  ASSERT_TRUE(ca && server);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, server, nullptr);
  EXPECT_EQ(X509_verify_cert(ctx), 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  EXPECT_EQ(X509_check_host(server, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(server, "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(server, "example.com", 0, 0, nullptr), 1);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(ca);
  X509_free(server);
}

}  // namespace
}  // namespace ssm::endpoint
