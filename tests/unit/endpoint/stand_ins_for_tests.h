// What an ApiHandler under test needs beside the SSM API: an STS credential store, KMS key
// rules (knowing only `kKnownKey`, no throttling unless asked), no managed nodes, identity
// stand-ins that accept no token, and event lines to read back.
#pragma once

#include <set>
#include <sstream>
#include <string>

#include "endpoint/api_handler.h"
#include "endpoint/identity_stand_ins.h"
#include "endpoint/issued_credentials.h"
#include "endpoint/kms_key_rules.h"
#include "endpoint/node_directory.h"

namespace ssm::endpoint {

inline const std::string kKnownKey = "alias/k";

struct StandInsForTests {
  explicit StandInsForTests(std::set<std::string> known = {kKnownKey}, int throttled = 0)
      : kms_keys(std::move(known), throttled) {}

  AwsStandIns refs() { return {issued, kms_keys, nodes, identity, out}; }
  std::string lines() const { return events.str(); }

  IssuedCredentials issued;
  KmsKeyRules kms_keys;
  std::ostringstream events, errors;
  Diagnostics out{events, errors, false};
  NodeDirectory nodes{{}, true, "3.3.987.0"};
  IdentityStandIns identity{{}, std::chrono::seconds(3600), issued, out};
};

}  // namespace ssm::endpoint
