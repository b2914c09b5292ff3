#include <gtest/gtest.h>

#include <memory>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "endpoint/tls_identity.h"

namespace ssm::endpoint {
namespace {

struct Free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};

std::unique_ptr<X509, Free> load(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  std::unique_ptr<X509, Free> x(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return x;
}

TEST(TlsIdentity, ServerCertificateVerifiesAgainstTheCaForLocalhostAndLoopback) {
  const TlsIdentity id = make_test_identity();
  auto ca = load(id.ca_certificate_pem);
  auto server = load(id.server_certificate_pem);
  ASSERT_TRUE(ca && server);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);  // CA:TRUE
  EXPECT_EQ(X509_check_ca(server.get()), 0);

  std::unique_ptr<X509_STORE, Free> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.get());
  std::unique_ptr<X509_STORE_CTX, Free> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), server.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  EXPECT_EQ(X509_verify_cert(ctx.get()), 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));

  EXPECT_EQ(X509_check_host(server.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(server.get(), "example.com", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_ip_asc(server.get(), "10.0.0.1", 0), 1);
}

TEST(TlsIdentity, EveryCallMakesANewCa) {
  EXPECT_NE(make_test_identity().ca_certificate_pem, make_test_identity().ca_certificate_pem);
}

TEST(TlsIdentity, AnotherCaDoesNotVerifyTheServer) {
  auto other_ca = load(make_test_identity().ca_certificate_pem);
  auto server = load(make_test_identity().server_certificate_pem);
  std::unique_ptr<X509_STORE, Free> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), other_ca.get());
  std::unique_ptr<X509_STORE_CTX, Free> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), server.get(), nullptr);
  EXPECT_NE(X509_verify_cert(ctx.get()), 1);
}

}  // namespace
}  // namespace ssm::endpoint
