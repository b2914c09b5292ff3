#include "wire/json_fields.h"

#include <algorithm>
#include <limits>

#include "base/text.h"

namespace ssm::wire {
namespace {

// Nesting depth of a JSON text, counting brackets outside strings (a cheap pre-check; the
// parser still decides whether the text is JSON).
std::size_t nesting_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

JsonFields::JsonFields(std::string_view text) {
  if (text.size() > kMaxJsonPayload || nesting_depth(text) > kMaxJsonDepth) {
    error_ = {WireError::invalid_json, {}};
    return;
  }
  owned_ = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (owned_.is_discarded() || !owned_.is_object()) error_ = {WireError::invalid_json, {}};
}

JsonFields::JsonFields(const Json& object) : object_(&object) {
  if (!object.is_object()) error_ = {WireError::wrong_field_type, {}};
}

const Json* JsonFields::find(std::string_view key) const {
  if (!object_->is_object()) return nullptr;
  if (auto it = object_->find(key); it != object_->end()) return &*it;
  for (auto it = object_->begin(); it != object_->end(); ++it)
    if (base::iequals(it.key(), key)) return &*it;
  return nullptr;
}

void JsonFields::fail(WireError code, std::string_view key) {
  if (!error_) error_ = {code, std::string(key)};
}

const Json* JsonFields::present(std::string_view key, bool required) {
  if (error_) return nullptr;
  const Json* v = find(key);
  if (v == nullptr || v->is_null()) {
    if (required) fail(WireError::missing_field, key);
    return nullptr;
  }
  return v;
}

void JsonFields::string(std::string_view key, std::string& out, bool required) {
  if (auto* v = present(key, required)) {
    if (v->is_string()) out = v->get_ref<const std::string&>();
    else fail(WireError::wrong_field_type, key);
  }
}

void JsonFields::int64(std::string_view key, std::int64_t& out, bool required) {
  if (auto* v = present(key, required)) {
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
      fail(WireError::wrong_field_type, key);
    else if (v->is_number_integer()) out = v->get<std::int64_t>();
    else fail(WireError::wrong_field_type, key);
  }
}

void JsonFields::uint32(std::string_view key, std::uint32_t& out, bool required) {
  if (auto* v = present(key, required)) {
    if (v->is_number_unsigned() && v->get<std::uint64_t>() <= std::numeric_limits<std::uint32_t>::max())
      out = v->get<std::uint32_t>();
    else fail(WireError::wrong_field_type, key);
  }
}

void JsonFields::boolean(std::string_view key, bool& out, bool required) {
  if (auto* v = present(key, required)) {
    if (v->is_boolean()) out = v->get<bool>();
    else fail(WireError::wrong_field_type, key);
  }
}

void JsonFields::raw(std::string_view key, Json& out, bool required) {
  if (auto* v = present(key, required)) out = *v;
}

}  // namespace ssm::wire
