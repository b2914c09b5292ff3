#include "aws/query_protocol.h"

#include "aws/sigv4.h"

namespace ssm::aws {

std::string encode_form(const Form& form) {
  std::string body;
  for (const auto& [name, value] : form)
    body += (body.empty() ? "" : "&") + uri_encode(name, false) + "=" + uri_encode(value, false);
  return body;
}

std::string xml_unescape(std::string s) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}, {"&amp;", '&'}};
  // One pass, left to right: what an entity became is never read again ("&amp;lt;" is "&lt;").
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&')
      for (const auto& [entity, ch] : kEntities)
        if (std::string_view(s).substr(i, entity.size()) == entity) {
          out += ch;
          i += entity.size();
          replaced = true;
          break;
        }
    if (!replaced) out += s[i++];
  }
  return out;
}

std::optional<std::string> xml_first_element(const std::string& xml, const std::string& tag) {
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  const auto begin = xml.find(open);
  if (begin == std::string::npos) return std::nullopt;
  const auto end = xml.find(close, begin + open.size());
  if (end == std::string::npos) return std::nullopt;
  return xml.substr(begin + open.size(), end - begin - open.size());
}

void xml_for_each_leaf(std::string_view xml, const XmlLeaf& on_leaf) {
  std::vector<std::string> path;
  bool leaf = false;  // nothing but text since the innermost element opened
  std::size_t text_from = 0;
  for (std::size_t at = xml.find('<'); at != std::string_view::npos; at = xml.find('<', at)) {
    const std::size_t end = xml.find('>', at);
    if (end == std::string_view::npos) return;
    const std::string_view tag = xml.substr(at + 1, end - at - 1);
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') {
      at = end + 1;
      continue;
    }
    if (tag[0] == '/') {
      if (path.empty()) return;
      if (leaf) on_leaf(path, xml_unescape(std::string(xml.substr(text_from, at - text_from))));
      path.pop_back();
      leaf = false;
    } else if (tag.back() == '/') {
      const std::string_view name = tag.substr(0, std::min(tag.find(' '), tag.size() - 1));
      path.emplace_back(name);
      on_leaf(path, {});
      path.pop_back();
      leaf = false;
    } else {
      path.emplace_back(tag.substr(0, tag.find(' ')));
      leaf = true;
      text_from = end + 1;
    }
    at = end + 1;
  }
}

}  // namespace ssm::aws
