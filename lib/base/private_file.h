// lib/base — small files that hold secrets or caches (the SSO and sign-in token caches, the
// target cache): read whole, and written whole with mode 0600 through a temporary file
// renamed over the old one, so that a reader never sees half a file and nobody else can read
// the new one.
#pragma once

#include <optional>
#include <string>

namespace ssm::base {

// The file's contents; nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string& path);

// Creates the file's directory (and its parent) with mode 0700 when missing. false when the
// file could not be written; the old one, if any, is then untouched.
bool write_private_file(const std::string& path, const std::string& contents);

}  // namespace ssm::base
