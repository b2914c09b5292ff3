// The Query protocol pieces STS and EC2 calls go through: the form body as SigV4 signs it
// (every reserved byte percent-encoded, pairs in the caller's order), XML entities decoded
// exactly once, the first element of a name taken raw, and every leaf element seen with its
// path, whatever AWS puts around it (the <?xml?> header, xmlns and other attributes,
// self-closing elements, comments).
#include "aws/query_protocol.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace ssm::aws {
namespace {

using Leaves = std::vector<std::pair<std::string, std::string>>;

// Each leaf as "outer/inner/leaf" and its text, in document order.
Leaves leaves_of(std::string_view xml) {
  Leaves out;
  xml_for_each_leaf(xml, [&](const std::vector<std::string>& path, const std::string& text) {
    std::string joined;
    for (const std::string& name : path) joined += (joined.empty() ? "" : "/") + name;
    out.emplace_back(joined, text);
  });
  return out;
}

TEST(EncodeForm, PairsInOrderWithReservedBytesPercentEncoded) {
  EXPECT_EQ(encode_form({{"Action", "DescribeInstances"}, {"Version", "2016-11-15"}, {"InstanceId.1", "i-0abc"}}),
            "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-0abc");
  // Space as %20 (not '+'), '/' encoded too: the body is what SigV4 hashes, byte for byte.
  EXPECT_EQ(encode_form({{"RoleArn", "arn:aws:iam::1:role/a b"}, {"x&y", "1=2+3~._-"}}),
            "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b&x%26y=1%3D2%2B3~._-");
  EXPECT_EQ(encode_form({{"Name", "\xC3\xA9"}}), "Name=%C3%A9");
  EXPECT_EQ(encode_form({{"Empty", ""}}), "Empty=");
  EXPECT_EQ(encode_form({}), "");
}

TEST(XmlUnescape, TheFivePredefinedEntities) {
  EXPECT_EQ(xml_unescape("a &lt;b&gt; &quot;c&quot; &apos;d&apos; &amp; e"), "a <b> \"c\" 'd' & e");
  EXPECT_EQ(xml_unescape("no entities"), "no entities");
  EXPECT_EQ(xml_unescape(""), "");
  // Not an entity: left as it is.
  EXPECT_EQ(xml_unescape("AT&T; &unknown;"), "AT&T; &unknown;");
}

TEST(XmlUnescape, AnEscapedEntityIsDecodedOnce) {
  // The text "&lt;" is sent as "&amp;lt;": one decoding gives the text back, not "<".
  EXPECT_EQ(xml_unescape("&amp;lt;tag&amp;gt;"), "&lt;tag&gt;");
  EXPECT_EQ(xml_unescape("&amp;quot;"), "&quot;");
}

// The '&' that "&amp;" becomes is not read again: the text "&amp;" (sent as "&amp;amp;")
// comes back as "&amp;", not "&".
TEST(XmlUnescape, AnEscapedAmpersandEntityIsDecodedOnce) {
  EXPECT_EQ(xml_unescape("&amp;amp;"), "&amp;");
  EXPECT_EQ(xml_unescape("R&amp;amp;D"), "R&amp;D");
}

TEST(XmlFirstElement, TheRawTextOfTheFirstOne) {
  const std::string error =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
      "<Message>a &amp; b</Message></Error><Error><Code>Second</Code></Error></Errors></Response>";
  EXPECT_EQ(xml_first_element(error, "Code"), "UnauthorizedOperation");
  EXPECT_EQ(xml_first_element(error, "Message"), "a &amp; b");  // raw: the caller unescapes
  EXPECT_EQ(xml_first_element(error, "Errors").value_or("").rfind("<Error><Code>UnauthorizedOperation", 0), 0u);
  EXPECT_EQ(xml_first_element("<Code></Code>", "Code"), "");
}

TEST(XmlFirstElement, OnlyThatExactNameAndOnlyWhenClosed) {
  // <CodeX> is another element, not <Code> with more text.
  EXPECT_EQ(xml_first_element("<CodeX>no</CodeX><Code>yes</Code>", "Code"), "yes");
  EXPECT_EQ(xml_first_element("<Other>x</Other>", "Code"), std::nullopt);
  EXPECT_EQ(xml_first_element("<Code>never closed", "Code"), std::nullopt);
  EXPECT_EQ(xml_first_element("", "Code"), std::nullopt);
}

TEST(XmlForEachLeaf, PathsAndTextsInDocumentOrder) {
  const Leaves leaves = leaves_of(
      "<Root><a>1</a><list><item><k>x</k><v>y</v></item><item><k>z</k></item></list><b>2</b></Root>");
  EXPECT_EQ(leaves, (Leaves{{"Root/a", "1"},
                            {"Root/list/item/k", "x"},
                            {"Root/list/item/v", "y"},
                            {"Root/list/item/k", "z"},
                            {"Root/b", "2"}}));
}

TEST(XmlForEachLeaf, HeaderAttributesCommentsAndWhitespaceAsAwsSendsThem) {
  const Leaves leaves = leaves_of(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
      "  <!-- a comment -->\n"
      "  <requestId>r-1</requestId>\n"
      "  <item attr=\"7\" other='x'>\n"
      "    <value lang=\"en\">with attribute</value>\n"
      "  </item>\n"
      "</DescribeInstancesResponse>\n");
  EXPECT_EQ(leaves, (Leaves{{"DescribeInstancesResponse/requestId", "r-1"},
                            {"DescribeInstancesResponse/item/value", "with attribute"}}));
}

TEST(XmlForEachLeaf, SelfClosingAndEmptyElementsAreLeavesWithNoText) {
  const Leaves leaves = leaves_of("<r><groupSet/><reason /><placement kind=\"x\"/><empty></empty><after>1</after></r>");
  EXPECT_EQ(leaves, (Leaves{{"r/groupSet", ""}, {"r/reason", ""}, {"r/placement", ""}, {"r/empty", ""}, {"r/after", "1"}}));
}

TEST(XmlForEachLeaf, TextIsUnescaped) {
  EXPECT_EQ(leaves_of("<r><v>db &amp; cache &lt;1&gt;</v></r>"), (Leaves{{"r/v", "db & cache <1>"}}));
}

TEST(XmlForEachLeaf, ElementsWithChildrenAreNotLeaves) {
  // <outer> holds text and an element: only the element is a leaf.
  EXPECT_EQ(leaves_of("<outer>text<inner>i</inner></outer>"), (Leaves{{"outer/inner", "i"}}));
}

TEST(XmlForEachLeaf, BrokenInputEndsQuietly) {
  EXPECT_TRUE(leaves_of("").empty());
  EXPECT_TRUE(leaves_of("no xml at all").empty());
  EXPECT_TRUE(leaves_of("<a>1</a></extra></more>").size() == 1u);
  EXPECT_TRUE(leaves_of("<a>1").empty());
  EXPECT_TRUE(leaves_of("<a>1</a").empty());
}

}  // namespace
}  // namespace ssm::aws
