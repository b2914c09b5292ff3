// lib/log — secret masking for log lines. Every line the logger writes passes through
// redact(); it is public so that tests (and any other text that might reach a user's disk)
// can use it too.
#pragma once

#include <string>
#include <string_view>

namespace ssm::log {

inline constexpr std::string_view kRedacted = "<redacted>";

// Replaces with "<redacted>" the values of
//  - JSON keys (any case, also inside escaped JSON such as {\"TokenValue\":\"...\"}):
//    TokenValue, Token, SecretAccessKey, SessionToken, CiphertextBlob, Plaintext,
//    KMSCipherTextKey;
//  - Signature= (the Authorization header's last component) and the X-Amz-Signature and
//    X-Amz-Security-Token query parameters or headers (X-Amz-Credential is kept: its key id
//    and scope are not secret and help debugging);
//  - aws_secret_access_key, aws_session_token and aws_security_token assignments (ini lines,
//    environment dumps).
// Everything else is returned unchanged.
std::string redact(std::string_view text);

}  // namespace ssm::log
