// The generic reader: typed keys, environment overrides, keys nobody read,
// reserved keys and sections. No module's settings are known here.
#include "core/config.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

ConfigFile parse(std::string_view toml, Environment env = {}) {
  auto file = ConfigFile::parse(toml, std::move(env));
  EXPECT_TRUE(file) << file.error().to_string();
  return std::move(*file);
}

struct Options {
  std::string name = "default";
  bool on = false;
  unsigned count = 7;
  std::size_t bytes = 1;
  std::chrono::seconds wait{5};
  double share = 0.5;
  std::vector<std::string> items;
  std::string listen;
};

void read(ConfigFile& file, Options& o) {
  file.section("s")
      .text("name", o.name)
      .flag("on", o.on)
      .count("count", o.count)
      .bytes("bytes", o.bytes)
      .duration("wait", o.wait)
      .number("share", o.share)
      .list("items", o.items)
      .listen("listen", o.listen);
}

// A file and environment that a reader refuses, naming `key`.
struct Case {
  const char* toml;
  Environment env;
  const char* key;
};

TEST(ConfigFile, KeysNotGivenKeepTheirDefaults) {
  auto file = parse("");
  Options o;
  read(file, o);
  ASSERT_TRUE(file.finish());
  EXPECT_EQ(o.name, "default");
  EXPECT_EQ(o.count, 7u);
  EXPECT_EQ(o.wait, std::chrono::seconds(5));
}

TEST(ConfigFile, ReadsEveryKindFromTheFile) {
  auto file = parse(R"([s]
name = "x"
on = true
count = 3
bytes = "2KiB"
wait = "2m"
share = 0.25
items = ["a", "b"]
listen = "127.0.0.1:0"
)");
  Options o;
  read(file, o);
  ASSERT_TRUE(file.finish()) << file.finish().error().to_string();
  EXPECT_EQ(o.name, "x");
  EXPECT_TRUE(o.on);
  EXPECT_EQ(o.count, 3u);
  EXPECT_EQ(o.bytes, 2048u);
  EXPECT_EQ(o.wait, std::chrono::minutes(2));
  EXPECT_DOUBLE_EQ(o.share, 0.25);
  EXPECT_EQ(o.items, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o.listen, "127.0.0.1:0");
}

TEST(ConfigFile, TheEnvironmentWinsOverTheFile) {
  auto file = parse("[s]\ncount = 3\nitems = [\"a\"]\n",
                    {{"POSTERN_S_COUNT", "9"}, {"POSTERN_S_ITEMS", "x, y"}});
  Options o;
  read(file, o);
  ASSERT_TRUE(file.finish());
  EXPECT_EQ(o.count, 9u);
  EXPECT_EQ(o.items, (std::vector<std::string>{"x", "y"}));
}

TEST(ConfigFile, ErrorsNameTheKeyOrTheVariable) {
  const Case cases[] = {
      {"[s]\ncount = -1\n", {}, "s.count"},
      {"[s]\ncount = 5000000000\n", {}, "s.count"},  // more than an unsigned holds
      {"[s]\nwait = \"soon\"\n", {}, "s.wait"},
      {"[s]\nlisten = \"nohost\"\n", {}, "s.listen"},
      {"[s]\ntypo = 1\n", {}, "s.typo"},
      {"[t]\n", {}, "t"},
      {"s = 1\n", {}, "s"},
      {"", {{"POSTERN_S_ON", "perhaps"}}, "POSTERN_S_ON"},
      {"", {{"POSTERN_S_TYPO", "1"}}, "POSTERN_S_TYPO"},
  };
  for (const auto& c : cases) {
    auto file = parse(c.toml, c.env);
    Options o;
    read(file, o);
    auto done = file.finish();
    ASSERT_FALSE(done) << c.toml;
    EXPECT_EQ(done.error().key, c.key) << done.error().to_string();
  }
}

TEST(ConfigFile, VariablesOfSectionsNobodyReadsAreLeftAlone) {
  auto file = parse("", {{"POSTERN_SCRIPT_THING", "1"}, {"POSTERN_S_NAME", "n"}});
  Options o;
  read(file, o);
  EXPECT_TRUE(file.finish());
}

TEST(ConfigFile, ChecksAndResultsReportTheFirstError) {
  auto file = parse("[s]\ncount = 0\nwait = \"x\"\n");
  Options o;
  auto s = file.section("s");
  s.count("count", o.count).check(o.count > 0, "count", "must be at least 1");
  s.duration("wait", o.wait);
  auto r = file.result(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().key, "s.count");
}

TEST(ConfigFile, ArraysOfTablesComeAsText) {
  auto file = parse("[[p]]\nname = \"a\"\nweight = 3\nprobe = false\n[[p]]\nname = \"b\"\n");
  auto tables = file.tables("p");
  ASSERT_TRUE(file.finish());
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].path, "p[0]");
  ASSERT_EQ(tables[0].entries.size(), 3u);
  EXPECT_EQ(tables[0].entries[0].key, "name");
  EXPECT_TRUE(tables[0].entries[0].is_string);
  EXPECT_EQ(tables[0].entries[2].text, "3");
  EXPECT_FALSE(tables[0].entries[2].is_string);

  auto nested = parse("[[p]]\nname = { a = 1 }\n");
  nested.tables("p");
  ASSERT_FALSE(nested.finish());
  EXPECT_EQ(nested.finish().error().key, "p[0].name");
}

TEST(ConfigFile, ReservedKeysAreRefusedWhenGiven) {
  auto quiet = parse("");
  quiet.section("s").reserved("later", "not yet");
  quiet.reserve_section("r", "not yet either");
  EXPECT_TRUE(quiet.finish());

  const Case cases[] = {
      {"[s]\nlater = \"x\"\n", {}, "s.later"},
      {"", {{"POSTERN_S_LATER", "x"}}, "POSTERN_S_LATER"},
      {"[r]\nlisten = \"127.0.0.1:1\"\n", {}, "r.listen"},
      {"[r]\n", {}, "r"},
      {"", {{"POSTERN_R_LISTEN", "127.0.0.1:1"}}, "POSTERN_R_LISTEN"},
  };
  for (const auto& c : cases) {
    auto file = parse(c.toml, c.env);
    file.section("s").reserved("later", "not yet");
    file.reserve_section("r", "not yet either");
    auto done = file.finish();
    ASSERT_FALSE(done) << c.toml;
    EXPECT_EQ(done.error().key, c.key);
    EXPECT_NE(done.error().message.find("not yet"), std::string::npos);
  }
}

TEST(ConfigFile, SyntaxErrorsGiveTheLine) {
  auto r = ConfigFile::parse("[s]\nname = \n", {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 2"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace postern
