#include "session/control_plane.h"

#include "crypto/session_cipher.h"

namespace ssm::session {

AwsControlPlane::AwsControlPlane(boost::asio::any_io_executor ex, aws::ServiceSettings settings,
                                 std::shared_ptr<aws::CredentialProvider> credentials)
    : credentials_(credentials), ssm_(ex, settings, credentials), kms_(ex, settings, credentials) {}

void AwsControlPlane::upgrade_credentials(std::function<void(aws::ResolvedCredentials)> done) {
  credentials_->async_get(std::move(done));
}

void AwsControlPlane::resume_session(const std::string& session_id, std::function<void(aws::CallOutcome)> done) {
  ssm_.resume_session(session_id, std::move(done));
}

void AwsControlPlane::terminate_session(const std::string& session_id, std::chrono::seconds timeout,
                                        std::function<void(aws::CallOutcome)> done) {
  ssm_.terminate_session(session_id, timeout, std::move(done));
}

void AwsControlPlane::generate_data_key(const std::string& key_id, const aws::EncryptionContext& context,
                                        std::function<void(aws::DataKeyOutcome)> done) {
  kms_.generate_data_key(key_id, context, crypto::kDataKeySize, std::move(done));
}

}  // namespace ssm::session
