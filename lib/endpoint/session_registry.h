// lib/endpoint — the sessions the API has started: id, current token, document and
// parameters, and the agent emulator once a client has connected.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "wire/payloads.h"

namespace ssm::endpoint {

class AgentSession;

struct SessionRecord {
  std::string id;
  std::string token;
  std::string target;
  std::string document;
  wire::Json parameters;  // the StartSession Parameters object ({"name": ["value"], ...})
  bool terminated = false;
  std::shared_ptr<AgentSession> agent;
};

class SessionRegistry {
 public:
  SessionRecord& start(const std::string& target, const std::string& document, wire::Json parameters);
  // A fresh token for an existing, live session; nullptr otherwise.
  SessionRecord* resume(const std::string& id);
  SessionRecord* find(const std::string& id);
  std::map<std::string, SessionRecord>& all() { return sessions_; }

 private:
  std::map<std::string, SessionRecord> sessions_;
};

std::string random_token(std::size_t length);

}  // namespace ssm::endpoint
