// lib/wire — typed, non-throwing access to fields of untrusted JSON objects. Key lookup is
// exact first, then case-insensitive (Go's encoding/json rule). Internal to lib/wire and the
// few other parsers of untrusted JSON (the CLI's StartSession response); string_member is the
// plain exact-key reading the AWS clients and the endpoint's stand-ins share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "wire/errors.h"
#include "wire/payloads.h"

namespace ssm::wire {

// The member's string value; "" when `j` is not an object, has no such member, or it is not a
// string. For the AWS APIs' answers and requests, whose keys are exact.
inline std::string string_member(const Json& j, const char* key) {
  const auto it = j.is_object() ? j.find(key) : j.end();
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

class JsonFields {
 public:
  // Parses text; check error() before reading fields.
  explicit JsonFields(std::string_view text);
  explicit JsonFields(const std::string& text) : JsonFields(std::string_view(text)) {}
  explicit JsonFields(const Json& object);

  const ParseError& error() const { return error_; }
  const Json& value() const { return *object_; }

  // Each reader leaves `out` unchanged when the key is absent and `required` is false.
  // A JSON null counts as absent.
  void string(std::string_view key, std::string& out, bool required = true);
  void int64(std::string_view key, std::int64_t& out, bool required = true);
  void uint32(std::string_view key, std::uint32_t& out, bool required = true);
  void boolean(std::string_view key, bool& out, bool required = true);
  void raw(std::string_view key, Json& out, bool required = true);
  const Json* find(std::string_view key) const;

 private:
  const Json* present(std::string_view key, bool required);
  void fail(WireError code, std::string_view key);

  Json owned_;
  const Json* object_ = &owned_;
  ParseError error_;
};

}  // namespace ssm::wire
