#include "session/status_lines.h"

#include "session/console.h"

namespace ssm::session {

StatusLines::StatusLines(std::string session_id, bool quiet, Writer out, Writer err)
    : session_id_(std::move(session_id)),
      quiet_(quiet),
      out_(out ? std::move(out) : Writer(print_out)),
      err_(err ? std::move(err) : Writer(print_err)) {}

void StatusLines::starting() {
  if (started_) return;
  started_ = true;
  status("\nStarting session with SessionId: " + session_id_ + "\n");
}

void StatusLines::customer_message(std::string_view text) {
  if (!text.empty()) status(std::string(text) + "\n");
}

void StatusLines::closed_by_service(std::string_view output) {
  // On a stdio session stdout is the data (ssh's): the service's reason, if it gave one,
  // goes to stderr, as ssh says "closed by remote host".
  if (stdout_is_data_ && !output.empty() && !quiet_) return err_("session-manager-plugin: " + std::string(output) + "\n");
  status(output.empty() ? "\n\nExiting session with sessionId: " + session_id_ + ".\n\n"
                        : "\n\nSessionId: " + session_id_ + " : " + std::string(output) + "\n\n");
}

void StatusLines::error(std::string_view message) { err_("session-manager-plugin: " + std::string(message) + "\n"); }

void StatusLines::resuming(std::string_view why, std::chrono::milliseconds timeout) {
  if (quiet_) return;
  err_("session-manager-plugin: the connection was lost (" + std::string(why) + "); resuming the session, for up to " +
       seconds(timeout) + "\n");
}

void StatusLines::resumed() {
  if (!quiet_) err_("session-manager-plugin: session resumed\n");
}

std::string StatusLines::seconds(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000);
  return text;
}

void StatusLines::connection_closed_by_user(std::string_view target) {
  err_("Connection to " + std::string(target) + " closed.\n");
}

void StatusLines::status(std::string_view text) {
  if (quiet_ || stdout_is_data_) return;
  out_(text);
}

}  // namespace ssm::session
