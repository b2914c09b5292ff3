#include "session/status_lines.h"

#include "session/console.h"

namespace ssm::session {

StatusLines::StatusLines(std::string session_id, bool quiet, Writer out, Writer err)
    : session_id_(std::move(session_id)),
      quiet_(quiet),
      out_(out ? std::move(out) : Writer(print_out)),
      err_(err ? std::move(err) : Writer(print_err)) {}

void StatusLines::starting() { status("\nStarting session with SessionId: " + session_id_ + "\n"); }

void StatusLines::customer_message(std::string_view text) {
  if (!text.empty()) status(std::string(text) + "\n");
}

void StatusLines::closed_by_service(std::string_view output) {
  status(output.empty() ? "\n\nExiting session with sessionId: " + session_id_ + ".\n\n"
                        : "\n\nSessionId: " + session_id_ + " : " + std::string(output) + "\n\n");
}

void StatusLines::error(std::string_view message) { err_("session-manager-plugin: " + std::string(message) + "\n"); }

void StatusLines::connection_closed_by_user(std::string_view target) {
  err_("Connection to " + std::string(target) + " closed.\n");
}

void StatusLines::status(std::string_view text) {
  if (quiet_ || stdout_is_data_) return;
  out_(text);
}

}  // namespace ssm::session
