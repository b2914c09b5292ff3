// lib/endpoint — the temporary credentials the STS stand-in has handed out (AssumeRole), so
// that the SigV4 verifier accepts calls signed with them, as AWS accepts an assumed role's
// keys until they expire. Keyed by access key id; the secret and session token never leave
// this object except to the verifier and in the one AssumeRole response that issued them.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4.h"

namespace ssm::endpoint {

class IssuedCredentials {
 public:
  using Clock = std::chrono::system_clock;

  // A fresh key pair and session token (access key id "ASIA…", as STS's), valid for
  // `lifetime` from `now`. Throws std::runtime_error when no randomness can be drawn.
  aws::Credentials issue(std::chrono::seconds lifetime, Clock::time_point now);

  // The credentials issued under this access key id, expired ones included (the verifier
  // tells an expired token from an unknown one, as AWS does).
  std::optional<aws::Credentials> find(std::string_view access_key_id) const;

  std::size_t size() const { return by_access_key_.size(); }

 private:
  // Long-expired entries go, so that a long-running endpoint does not grow without bound.
  void forget_expired_before(Clock::time_point when);

  std::map<std::string, aws::Credentials, std::less<>> by_access_key_;
};

}  // namespace ssm::endpoint
