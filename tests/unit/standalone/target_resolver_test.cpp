// What a target is taken as before any call: IDs (i-/mi- and 8 or 17 lowercase hex digits)
// and ecs: targets pass as they are, tag:KEY=VALUE is a tag lookup, and anything else, the
// near misses of both included, is a name to look up.
#include "standalone/target_resolver.h"

#include <gtest/gtest.h>

namespace ssm::standalone {
namespace {

TEST(IsNodeId, InstanceAndManagedNodeIdsOfBothLengths) {
  for (const char* id : {"i-0123abcd", "i-0123456789abcdef0", "mi-0123abcd", "mi-0123456789abcdef0", "i-ffffffff"})
    EXPECT_TRUE(is_node_id(id)) << id;
}

TEST(IsNodeId, AnythingElseIsNot) {
  for (const char* text : {"", "i-", "mi-", "i-0123abc", "i-0123abcde", "i-0123456789abcdef", "i-0123456789abcdef01",
                           "i-0123ABCD", "i-0123456789ABCDEF0", "i-0123abcg", "I-0123abcd", "MI-0123abcd",
                           "x-0123abcd", "ami-0123abcd", "mi0123abcd", " i-0123abcd", "i-0123abcd ", "i-web-1",
                           "web-1", "ecs:c_t_r"})
    EXPECT_FALSE(is_node_id(text)) << '"' << text << '"';
}

TEST(ClassifyTarget, NodeIdsPassAsTheyAre) {
  const TargetQuery q = classify_target("i-0123456789abcdef0");
  EXPECT_EQ(q.kind, TargetKind::node_id);
  EXPECT_EQ(q.text, "i-0123456789abcdef0");
  EXPECT_EQ(classify_target("mi-0123abcd").kind, TargetKind::node_id);
}

TEST(ClassifyTarget, EcsTargets) {
  const TargetQuery q = classify_target("ecs:prod_0123abcd_0123abcd-1234567890");
  EXPECT_EQ(q.kind, TargetKind::ecs);
  EXPECT_EQ(q.text, "ecs:prod_0123abcd_0123abcd-1234567890");
}

TEST(ClassifyTarget, TagKeyAndValue) {
  TargetQuery q = classify_target("tag:Role=web");
  EXPECT_EQ(q.kind, TargetKind::tag);
  EXPECT_EQ(q.tag_key, "Role");
  EXPECT_EQ(q.tag_value, "web");
  EXPECT_EQ(q.text, "tag:Role=web");
  // The key ends at the first '=': the value may hold more.
  q = classify_target("tag:Query=a=b==");
  EXPECT_EQ(q.kind, TargetKind::tag);
  EXPECT_EQ(q.tag_key, "Query");
  EXPECT_EQ(q.tag_value, "a=b==");
  // Tags may have empty values.
  q = classify_target("tag:Flag=");
  EXPECT_EQ(q.kind, TargetKind::tag);
  EXPECT_EQ(q.tag_key, "Flag");
  EXPECT_EQ(q.tag_value, "");
  q = classify_target("tag:aws:cloudformation:stack-name=web stack");
  EXPECT_EQ(q.tag_key, "aws:cloudformation:stack-name");
  EXPECT_EQ(q.tag_value, "web stack");
}

TEST(ClassifyTarget, NamesIncludingNearMissesOfTheOtherKinds) {
  for (const char* text : {"web-1", "tag:=x", "tag:K", "tag:", "i-0123abc", "ip-10-0-0-5", "10.0.0.5", "ecs", "web=1"}) {
    const TargetQuery q = classify_target(text);
    EXPECT_EQ(q.kind, TargetKind::name) << text;
    EXPECT_EQ(q.text, text);
    EXPECT_EQ(q.tag_key, "") << text;
    EXPECT_EQ(q.tag_value, "") << text;
  }
}

TEST(OnlineNodes, ThePingStatusFilter) {
  const aws::NodeFilter f = online_nodes();
  EXPECT_EQ(f.key, "PingStatus");
  EXPECT_EQ(f.values, std::vector<std::string>{"Online"});
}

}  // namespace
}  // namespace ssm::standalone
