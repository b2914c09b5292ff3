// lib/session — what a client session asks of AWS's control plane, as an interface: the
// session coordinator calls it, production wires it to lib/aws's SsmClient and KmsClient
// (AwsControlPlane), and unit tests script its answers and their timing.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "aws/credential_provider.h"
#include "aws/ssm_client.h"

namespace ssm::session {

class ControlPlane {
 public:
  virtual ~ControlPlane() = default;
  // Credentials to sign the data channel's WebSocket upgrade with (best effort).
  virtual void upgrade_credentials(std::function<void(aws::ResolvedCredentials)> done) = 0;
  virtual void resume_session(const std::string& session_id, std::function<void(aws::CallOutcome)> done) = 0;
  virtual void terminate_session(const std::string& session_id, std::chrono::seconds timeout,
                                 std::function<void(aws::CallOutcome)> done) = 0;
  virtual void generate_data_key(const std::string& key_id, const aws::EncryptionContext& context,
                                 std::function<void(aws::DataKeyOutcome)> done) = 0;
};

// The real one: one credential provider (shared with the caller's other sessions) behind
// the SSM and KMS clients.
class AwsControlPlane final : public ControlPlane {
 public:
  AwsControlPlane(boost::asio::any_io_executor ex, aws::ServiceSettings settings,
                  std::shared_ptr<aws::CredentialProvider> credentials);

  void upgrade_credentials(std::function<void(aws::ResolvedCredentials)> done) override;
  void resume_session(const std::string& session_id, std::function<void(aws::CallOutcome)> done) override;
  void terminate_session(const std::string& session_id, std::chrono::seconds timeout,
                         std::function<void(aws::CallOutcome)> done) override;
  void generate_data_key(const std::string& key_id, const aws::EncryptionContext& context,
                         std::function<void(aws::DataKeyOutcome)> done) override;

 private:
  std::shared_ptr<aws::CredentialProvider> credentials_;
  aws::SsmClient ssm_;
  aws::KmsClient kms_;
};

}  // namespace ssm::session
