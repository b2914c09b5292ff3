// lib/endpoint — which KMS keys the stand-in knows, and its throttling fault: what decides,
// before any key material is made, whether a GenerateDataKey call gets a data key or KMS's
// NotFoundException / ThrottlingException (HTTP 400, as KMS answers them).
#pragma once

#include <optional>
#include <set>
#include <string>

#include "endpoint/api_handler.h"

namespace ssm::endpoint {

class KmsKeyRules {
 public:
  // `known`: the key ids, key ARNs or aliases that exist (empty ones are ignored).
  // `throttled_calls`: that many first calls are throttled (--kms-throttle).
  KmsKeyRules(std::set<std::string> known, int throttled_calls);

  // nullopt: go ahead; otherwise KMS's refusal. Every call counts toward the throttle.
  std::optional<ApiResponse> admit(const std::string& key_id);

 private:
  bool knows(const std::string& key_id) const;

  std::set<std::string> known_;
  int throttled_left_;
};

}  // namespace ssm::endpoint
