// lib/aws — the typed SSM and KMS clients the plugin's control plane goes through: every call
// the plugin makes about a session (StartSession, ResumeSession, TerminateSession,
// GenerateDataKey) is built, signed and retried here, with one credential provider and one
// retry policy per call kind. Callers get typed answers (a stream URL and token, a data key)
// or one line saying why not; they never build a JSON body or an X-Amz-Target themselves.
//
// Retry policy per call, as the reference's SDK clients use them (protocol-updates.md §3.1):
//   StartSession, GenerateDataKey  standard mode: 3 attempts, jittered back-off (retrying_call.h)
//   DescribeInstanceInformation     standard mode (call_api)
//   ResumeSession, TerminateSession one attempt (the resumer has its own back-off loop; an
//                                   end-of-session call must not hold the exit up)
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "aws/credential_provider.h"
#include "aws/json_client.h"
#include "aws/retrying_call.h"

namespace ssm::aws {

// Where and how the plugin reaches AWS for one session (or one standalone command).
struct ServiceSettings {
  std::string region;        // "" leaves every call failing with "no region"
  std::string ssm_endpoint;  // the CLI's --endpoint-url; "" = AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, regional
  std::string ca_bundle;     // AWS_CA_BUNDLE
  base::GetEnv env = base::Environment::process().get;
};

// The answer to any call: the body when ok, else one line (never a secret), with the HTTP
// status (0: no response) so that callers can tell a refusal from an outage.
struct CallOutcome {
  bool ok = false;
  unsigned status = 0;
  std::string body;
  std::string error;
  std::optional<Credentials> signer;  // what the call was signed with, when it was sent
  bool permanent = false;  // no response, and none will come (a certificate that failed verification)

  // The service said no (4xx other than throttling), or cannot be trusted: asking again will
  // not help.
  bool refused() const { return !ok && (permanent || (status >= 400 && status < 500 && status != 429)); }
};

// What StartSession and ResumeSession hand back: where the data channel is, and its token.
struct StreamAccess {
  std::string session_id;
  std::string stream_url;
  std::string token;
};

// The StreamUrl/TokenValue (and SessionId) out of a StartSession or ResumeSession answer;
// nullopt and `error` when they are missing.
std::optional<StreamAccess> parse_stream_access(const std::string& body, std::string& error);

class SsmClient {
 public:
  using Done = std::function<void(CallOutcome)>;

  SsmClient(boost::asio::any_io_executor ex, ServiceSettings settings, std::shared_ptr<CredentialProvider> credentials);

  // `request_json`: the StartSession request body (Target, DocumentName, Parameters, Reason).
  void start_session(std::string request_json, std::chrono::seconds timeout, Done done);
  void resume_session(const std::string& session_id, Done done);
  void terminate_session(const std::string& session_id, std::chrono::seconds timeout, Done done);
  // Any other SSM action (DescribeInstanceInformation, ...): its JSON body, standard retries.
  void call_api(const std::string& action, std::string body, Done done);

  // The endpoint the calls go to (for log lines).
  std::string endpoint_url() const;
  const ServiceSettings& settings() const { return settings_; }
  CredentialProvider& credentials() { return *credentials_; }

 private:
  void call(std::string action, std::string body, std::chrono::seconds timeout, std::optional<RetryPolicy> retries,
            Done done);

  boost::asio::any_io_executor executor_;
  ServiceSettings settings_;
  std::shared_ptr<CredentialProvider> credentials_;
};

// What KMS GenerateDataKey answered (protocol-smux-kms-aws.md §2.2).
struct DataKey {
  std::vector<std::uint8_t> plaintext;  // wiped by whoever consumes it
  std::string ciphertext_blob;          // standard base64, passed on unchanged
};

struct DataKeyOutcome {
  std::optional<DataKey> key;
  std::string error;  // one line when there is no key
};

// One encryption-context entry per pair, e.g. {"aws:ssm:SessionId", "..."}.
using EncryptionContext = std::vector<std::pair<std::string, std::string>>;

// The request body, byte for byte as §2.2 shows it (keys sorted, as the SDK marshals a map).
std::string generate_data_key_body(const std::string& key_id, const EncryptionContext& context,
                                   std::size_t number_of_bytes);
// The data key out of a GenerateDataKey answer; no key and one line when it has none.
DataKeyOutcome parse_data_key(const std::string& body);

class KmsClient {
 public:
  // The agent gives up on the HandshakeResponse after 15 s (agent-side.md §2.1): each attempt
  // must end well before.
  static constexpr std::chrono::seconds kCallTimeout{10};

  KmsClient(boost::asio::any_io_executor ex, ServiceSettings settings, std::shared_ptr<CredentialProvider> credentials);

  // Resolves credentials, calls KMS (standard retries), and hands back the key or why not.
  void generate_data_key(const std::string& key_id, const EncryptionContext& context, std::size_t number_of_bytes,
                         std::function<void(DataKeyOutcome)> done);

  // AWS_ENDPOINT_URL_KMS, else AWS_ENDPOINT_URL, else https://kms.<region>.amazonaws.com —
  // never the SSM endpoint argument.
  std::string endpoint_url() const;

 private:
  boost::asio::any_io_executor executor_;
  ServiceSettings settings_;
  std::shared_ptr<CredentialProvider> credentials_;
};

}  // namespace ssm::aws
