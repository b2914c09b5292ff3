// lib/endpoint — a throw-away test CA and a server certificate it signs (for localhost and
// 127.0.0.1), made in memory at start-up, so that wss:// can be tested with real verification.
#pragma once

#include <string>

namespace ssm::endpoint {

struct TlsIdentity {
  std::string ca_certificate_pem;
  std::string server_certificate_pem;  // followed by nothing else: the CA is the only issuer
  std::string server_key_pem;
};

// Throws std::runtime_error if OpenSSL fails.
TlsIdentity make_test_identity();

}  // namespace ssm::endpoint
