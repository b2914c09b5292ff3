// lib/aws — the pieces of AWS's Query protocol (STS, EC2) the plugin needs: a form-encoded
// request body, and reading the XML that answers it (entities, the first element of a name,
// every leaf element with its path). Enough for AWS's answers, which have no CDATA, no
// comments inside the elements read, and attributes only where nothing is read.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssm::aws {

inline constexpr const char* kFormContentType = "application/x-www-form-urlencoded; charset=utf-8";

using Form = std::vector<std::pair<std::string, std::string>>;
std::string encode_form(const Form& form);

std::string xml_unescape(std::string s);

// The raw text of the first <tag>...</tag> in `xml`.
std::optional<std::string> xml_first_element(const std::string& xml, const std::string& tag);

// Calls `on_leaf` for every element without child elements, in document order, with the
// names of the elements it is in (outermost first, itself last) and its unescaped text.
using XmlLeaf = std::function<void(const std::vector<std::string>& path, const std::string& text)>;
void xml_for_each_leaf(std::string_view xml, const XmlLeaf& on_leaf);

}  // namespace ssm::aws
