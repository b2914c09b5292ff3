// The one-minute cache of resolved names: what is stored is found for 60 s and no longer, only
// under its own scope (region, profile, endpoint); the file is private (0600 in a 0700
// directory) because it names a user's nodes; a file that is not the cache's JSON is no cache
// and is replaced by the next store; and with nowhere to put it there is no cache at all.
#include "standalone/target_cache.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace ssm::standalone {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kScope = "us-east-1|default|";
const std::chrono::system_clock::time_point kT0{std::chrono::seconds(1'764'950'400)};

class TargetCacheTest : public ::testing::Test {
 protected:
  TargetCacheTest() {
    std::string tmpl = (fs::temp_directory_path() / "target-cache-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
  }
  ~TargetCacheTest() override { fs::remove_all(dir_); }

  // XDG_CACHE_HOME not yet made: the cache makes it.
  std::string xdg() const { return dir_ + "/xdg"; }
  TargetCache cache(std::map<std::string, std::string> vars, const std::string& scope = kScope) const {
    return TargetCache(base::Environment::of(std::move(vars)).get, scope);
  }
  TargetCache xdg_cache(const std::string& scope = kScope) const { return cache({{"XDG_CACHE_HOME", xdg()}}, scope); }

  static unsigned mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 0777;
  }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_;
};

TEST_F(TargetCacheTest, PathUnderXdgCacheHomeElseHome) {
  EXPECT_EQ(xdg_cache().path(), xdg() + "/session-manager-plugin/targets.json");
  EXPECT_EQ(cache({{"HOME", dir_}}).path(), dir_ + "/.cache/session-manager-plugin/targets.json");
  EXPECT_EQ(cache({{"HOME", dir_}, {"XDG_CACHE_HOME", ""}}).path(), dir_ + "/.cache/session-manager-plugin/targets.json");
  EXPECT_EQ(cache({{"HOME", "/elsewhere"}, {"XDG_CACHE_HOME", xdg()}}).path(), xdg() + "/session-manager-plugin/targets.json");
}

TEST_F(TargetCacheTest, FoundForSixtySecondsAndNoLonger) {
  const TargetCache c = xdg_cache();
  EXPECT_EQ(c.find("web-1", kT0), std::nullopt);
  c.store("web-1", "i-0123456789abcdef0", kT0);
  EXPECT_EQ(c.find("web-1", kT0), "i-0123456789abcdef0");
  EXPECT_EQ(c.find("web-1", kT0 + 59s), "i-0123456789abcdef0");
  EXPECT_EQ(c.find("web-1", kT0 + 60s), std::nullopt);
  EXPECT_EQ(c.find("web-1", kT0 + 1h), std::nullopt);
  EXPECT_EQ(c.find("web-2", kT0), std::nullopt);
  // Another command (another TargetCache) reads what this one stored: the file is the cache.
  EXPECT_EQ(xdg_cache().find("web-1", kT0 + 1s), "i-0123456789abcdef0");
}

TEST_F(TargetCacheTest, AStoreAgainStartsTheMinuteAgain) {
  const TargetCache c = xdg_cache();
  c.store("web-1", "i-0aaaaaaaaaaaaaaaa", kT0);
  c.store("web-1", "i-0bbbbbbbbbbbbbbbb", kT0 + 50s);
  EXPECT_EQ(c.find("web-1", kT0 + 100s), "i-0bbbbbbbbbbbbbbbb");
}

TEST_F(TargetCacheTest, OnlyUnderItsOwnScope) {
  xdg_cache("us-east-1|default|").store("web-1", "i-0aaaaaaaaaaaaaaaa", kT0);
  xdg_cache("eu-west-1|default|").store("web-1", "i-0bbbbbbbbbbbbbbbb", kT0);
  EXPECT_EQ(xdg_cache("us-east-1|default|").find("web-1", kT0), "i-0aaaaaaaaaaaaaaaa");
  EXPECT_EQ(xdg_cache("eu-west-1|default|").find("web-1", kT0), "i-0bbbbbbbbbbbbbbbb");
  EXPECT_EQ(xdg_cache("us-east-1|prod|").find("web-1", kT0), std::nullopt);
  EXPECT_EQ(xdg_cache("us-east-1|default|http://127.0.0.1:4566").find("web-1", kT0), std::nullopt);
}

TEST_F(TargetCacheTest, PrivateFileInAPrivateDirectory) {
  const TargetCache c = xdg_cache();
  c.store("web-1", "i-0123456789abcdef0", kT0);
  ASSERT_TRUE(fs::exists(c.path()));
  EXPECT_EQ(mode_of(c.path()), 0600u);
  EXPECT_EQ(mode_of(xdg() + "/session-manager-plugin"), 0700u);
  EXPECT_EQ(mode_of(xdg()), 0700u);  // made by the cache, as ~/.cache would be
  // No temporary file is left beside it.
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(xdg() + "/session-manager-plugin")) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "targets.json");
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(TargetCacheTest, HomeCacheDirectoryIsMadeToo) {
  const TargetCache c = cache({{"HOME", dir_}});
  c.store("web-1", "i-0123456789abcdef0", kT0);
  EXPECT_EQ(c.find("web-1", kT0), "i-0123456789abcdef0");
  EXPECT_EQ(mode_of(dir_ + "/.cache/session-manager-plugin"), 0700u);
  EXPECT_EQ(mode_of(c.path()), 0600u);
}

TEST_F(TargetCacheTest, ACorruptFileIsEmptyAndThenOverwritten) {
  const TargetCache c = xdg_cache();
  fs::create_directories(xdg() + "/session-manager-plugin");
  for (const char* corrupt : {"{not json", "[1, 2]", "\"text\"", "", R"({"us-east-1|default||web-1": "i-0123abcd"})",
                              R"({"us-east-1|default||web-1": {"id": 7, "at": 1764950400}})",
                              R"({"us-east-1|default||web-1": {"id": "i-0123abcd", "at": "1764950400"}})"}) {
    std::ofstream(c.path()) << corrupt;
    EXPECT_EQ(c.find("web-1", kT0), std::nullopt) << corrupt;
    c.store("web-2", "i-0bbbbbbbbbbbbbbbb", kT0);
    EXPECT_EQ(c.find("web-2", kT0), "i-0bbbbbbbbbbbbbbbb") << corrupt;
    EXPECT_EQ(c.find("web-1", kT0), std::nullopt) << corrupt;
    EXPECT_TRUE(nlohmann::json::parse(read(c.path()), nullptr, false).is_object()) << corrupt;
  }
}

TEST_F(TargetCacheTest, ExpiredEntriesLeaveTheFileOnTheNextStore) {
  const TargetCache c = xdg_cache();
  c.store("old", "i-0aaaaaaaaaaaaaaaa", kT0);
  c.store("recent", "i-0bbbbbbbbbbbbbbbb", kT0 + 30s);
  c.store("new", "i-0cccccccccccccccc", kT0 + 61s);
  const auto j = nlohmann::json::parse(read(c.path()));
  EXPECT_EQ(j.size(), 2u) << j.dump();
  EXPECT_FALSE(j.contains(kScope + "|old")) << j.dump();
  EXPECT_EQ(c.find("recent", kT0 + 61s), "i-0bbbbbbbbbbbbbbbb");
}

TEST_F(TargetCacheTest, NoHomeNoCache) {
  const TargetCache c = cache({});
  EXPECT_EQ(c.path(), "");
  c.store("web-1", "i-0123456789abcdef0", kT0);
  EXPECT_EQ(c.find("web-1", kT0), std::nullopt);
  const TargetCache empty = cache({{"HOME", ""}, {"XDG_CACHE_HOME", ""}});
  EXPECT_EQ(empty.path(), "");
  empty.store("web-1", "i-0123456789abcdef0", kT0);
  EXPECT_EQ(empty.find("web-1", kT0), std::nullopt);
}

}  // namespace
}  // namespace ssm::standalone
