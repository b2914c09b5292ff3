// What an ApiHandler under test needs beside the SSM API: an STS credential store, KMS key
// rules (knowing only `kKnownKey`, no throttling unless asked), and event lines to read back.
#pragma once

#include <set>
#include <sstream>
#include <string>

#include "endpoint/api_handler.h"
#include "endpoint/issued_credentials.h"
#include "endpoint/kms_key_rules.h"

namespace ssm::endpoint {

inline const std::string kKnownKey = "alias/k";

struct StandInsForTests {
  explicit StandInsForTests(std::set<std::string> known = {kKnownKey}, int throttled = 0)
      : kms_keys(std::move(known), throttled) {}

  AwsStandIns refs() { return {issued, kms_keys, out}; }
  std::string lines() const { return events.str(); }

  IssuedCredentials issued;
  KmsKeyRules kms_keys;
  std::ostringstream events, errors;
  Diagnostics out{events, errors, false};
};

}  // namespace ssm::endpoint
