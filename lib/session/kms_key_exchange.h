// lib/session — the plugin's one KMS call (protocol-smux-kms-aws.md §2.2, §3.3–3.4):
// GenerateDataKey for the key the agent named, 64 bytes, bound to this session's id and
// target by the encryption context, on the KMS endpoint: AWS_ENDPOINT_URL_KMS, else
// AWS_ENDPOINT_URL, else https://kms.<region>.amazonaws.com — never the SSM endpoint argument.
// The answer is the data key the handshake needs, or one line saying why there is none.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "aws/credential_provider.h"
#include "channel/client_handshake.h"

namespace ssm::session {

struct SessionSpec;

// The agent gives up on the HandshakeResponse after 15 s (§2.1); the call must end well before.
inline constexpr std::chrono::seconds kKmsCallTimeout{10};

std::string kms_endpoint_url(const std::string& region, const aws::GetEnv& env);

// The request body, byte for byte as §2.2 shows it.
std::string generate_data_key_body(const std::string& session_id, const std::string& target, const std::string& key_id);

// The data key out of a GenerateDataKey response; nullopt and `error` when it has none.
std::optional<channel::KmsDataKey> parse_data_key(const std::string& body, std::string& error);

using DataKeyDone = std::function<void(std::optional<channel::KmsDataKey>, const std::string& error)>;

// Resolves credentials, calls KMS, and hands back the data key or why not (never a key in it).
void async_generate_data_key(boost::asio::any_io_executor ex, const SessionSpec& spec,
                             aws::CredentialProvider& credentials, const std::string& key_id, DataKeyDone done);

}  // namespace ssm::session
