// lib/endpoint — the sessions the API has started: id, current token, document and
// parameters, whether they are over, and the agent emulator once a client has connected;
// and the KMS stand-in whose data keys their agents decrypt.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "endpoint/kms_stand_in.h"
#include "wire/payloads.h"

namespace ssm::endpoint {

class AgentSession;

struct SessionRecord {
  std::string id;
  std::string token;  // only the latest one opens the data channel
  std::string target;
  std::string document;
  wire::Json parameters;   // the StartSession Parameters object ({"name": ["value"], ...})
  bool terminated = false;  // TerminateSession was called
  bool ended = false;       // the agent finished the session
  std::shared_ptr<AgentSession> agent;
  std::shared_ptr<KmsStandIn> kms;  // the registry's, for the agent's Decrypt

  bool live() const { return !terminated && !ended; }
};

class SessionRegistry {
 public:
  // The session's ID is `id_prefix` (the target when empty) and a random suffix.
  SessionRecord& start(const std::string& target, const std::string& document, wire::Json parameters,
                       const std::string& id_prefix = "");
  // A fresh token for a live session (the old one stops working); nullptr otherwise.
  SessionRecord* resume(const std::string& id);
  SessionRecord* find(const std::string& id);
  std::map<std::string, SessionRecord>& all() { return sessions_; }
  KmsStandIn& kms() { return *kms_; }

 private:
  std::map<std::string, SessionRecord> sessions_;
  // Shared with every record: an agent may outlive the registry by a few handlers.
  std::shared_ptr<KmsStandIn> kms_ = std::make_shared<KmsStandIn>();
};

// `length` characters of [A-Za-z0-9-_] from OpenSSL's CSPRNG: tokens must not be guessable.
std::string random_token(std::size_t length);

}  // namespace ssm::endpoint
