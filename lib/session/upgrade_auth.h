// lib/session — whether the data channel's WebSocket upgrade is signed, and with what
// (protocol-updates.md §2.1): not with SSM_PLUGIN_SKIP_CLIENT_CONFIGURE=true, not for a
// presigned StreamUrl, otherwise with the credentials found at session start. Signing is best
// effort, as in the reference: without credentials the session goes on unsigned. Each dial
// gets a fresh signature; a resume hands in the credentials it used.
//
// The first lookup runs beside the first dial: TCP and TLS do not wait for credentials, only
// the upgrade request does (when_ready), and only until the lookup has its answer.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/upgrade_signing.h"

namespace ssm::session {

class UpgradeAuth {
 public:
  UpgradeAuth(std::string region, const base::GetEnv& env);

  // Whether credentials are worth looking up for this StreamUrl at all.
  bool wants_credentials(const std::string& stream_url) const;
  // The lookup has begun: upgrades wait in when_ready until start() has its result.
  void expect_credentials() { awaiting_ = true; }
  // The result of that lookup: credentials turn signing on; an error leaves it off (logged).
  // An upgrade waiting for it goes on.
  void start(const aws::ResolvedCredentials& found);
  // Credentials a resume obtained; only used if the session signs at all (as the reference).
  void update(const aws::Credentials& credentials);

  // Extra headers for the next upgrade of `url`: empty when unsigned or presigned.
  aws::HeaderList headers_for(const std::string& url) const;
  // Calls `ready` with headers_for(url): at once, or when the lookup under way ends. One
  // upgrade waits at a time; a newer one replaces it (its connection replaced the other).
  void when_ready(std::string url, std::function<void(aws::HeaderList)> ready);
  bool signing() const { return credentials_.has_value(); }

 private:
  std::string region_;
  bool skip_configure_;
  std::optional<aws::Credentials> credentials_;
  bool awaiting_ = false;  // between expect_credentials() and start()
  std::string waiting_url_;
  std::function<void(aws::HeaderList)> waiting_;  // the upgrade that waits for start()
};

}  // namespace ssm::session
