// lib/endpoint — text for the XML answers of the Query-protocol stand-ins (STS, EC2): escaped
// character data and one-element strings.
#pragma once

#include <string>
#include <string_view>

namespace ssm::endpoint {

inline std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

// <tag>text</tag>, the text escaped.
inline std::string xml_element(std::string_view tag, std::string_view text) {
  return "<" + std::string(tag) + ">" + xml_escape(text) + "</" + std::string(tag) + ">";
}

}  // namespace ssm::endpoint
