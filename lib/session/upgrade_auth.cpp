#include "session/upgrade_auth.h"

#include <chrono>
#include <utility>

#include "log/log.h"

namespace ssm::session {

UpgradeAuth::UpgradeAuth(std::string region, const base::GetEnv& env)
    : region_(std::move(region)), skip_configure_(env("SSM_PLUGIN_SKIP_CLIENT_CONFIGURE") == "true") {}

bool UpgradeAuth::wants_credentials(const std::string& stream_url) const {
  if (skip_configure_) {
    SSM_LOG(debug, "SSM_PLUGIN_SKIP_CLIENT_CONFIGURE=true: the data channel is opened unsigned");
    return false;
  }
  if (aws::is_presigned_url(stream_url)) {
    SSM_LOG(debug, "the StreamUrl is presigned, skipping credential lookup");
    return false;
  }
  return true;
}

void UpgradeAuth::start(const aws::ResolvedCredentials& found) {
  awaiting_ = false;
  if (!found.credentials) {
    SSM_LOG(warn, "no credentials to sign the data channel upgrade with (" + found.error + "); opening it unsigned");
  } else {
    SSM_LOG(debug, "the data channel upgrade is signed with credentials from " + found.source);
    credentials_ = found.credentials;
  }
  if (auto ready = std::exchange(waiting_, {})) ready(headers_for(waiting_url_));
}

void UpgradeAuth::when_ready(std::string url, std::function<void(aws::HeaderList)> ready) {
  if (!awaiting_) return ready(headers_for(url));
  waiting_url_ = std::move(url);
  waiting_ = std::move(ready);
}

void UpgradeAuth::update(const aws::Credentials& credentials) {
  if (credentials_) credentials_ = credentials;
}

aws::HeaderList UpgradeAuth::headers_for(const std::string& url) const {
  if (!credentials_ || aws::is_presigned_url(url)) return {};
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  auto headers = aws::sign_stream_upgrade(url, region_, *credentials_, now.count());
  if (!headers) {
    SSM_LOG(warn, "the StreamUrl could not be signed; opening it unsigned");
    return {};
  }
  return std::move(*headers);
}

}  // namespace ssm::session
