#include "http/ui_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace postern::http {
namespace {

namespace fs = std::filesystem;

std::string_view header(const net::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

void write(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A built UI as Vite leaves it, beside a file it must never serve.
class UiFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write(dist() / "index.html", "<!doctype html><title>Postern</title>");
    write(dist() / "docs.html", "<!doctype html><title>Postern API</title>");
    write(dist() / "assets" / "index-3f2a9c.js", "console.log(1)");
    write(dist() / "assets" / "index-77aa01.css", "body{}");
    write(dir_.path() / "secret.txt", "SECRET");
    fs::create_symlink(dir_.path() / "secret.txt", dist() / "link.txt");
    ui_ = UiFiles::load(dist().string());
  }
  fs::path dist() const { return dir_.path() / "dist"; }

  test::TempDir dir_;
  UiFiles ui_;
};

TEST_F(UiFilesTest, TheEntryPageIsAskedForAgainEachTime) {
  ASSERT_TRUE(ui_.built());
  auto r = ui_.response("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r->body, "<!doctype html><title>Postern</title>");
  EXPECT_EQ(header(*r, "Cache-Control"), "no-cache");
}

TEST_F(UiFilesTest, HashedAssetsAreCachedForAYear) {
  auto js = ui_.response("/assets/index-3f2a9c.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(header(*js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto css = ui_.response("/assets/index-77aa01.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
}

TEST_F(UiFilesTest, ClientRoutesGetTheEntryPage) {
  for (auto path : {"/messages", "/messages/0ABCDEF", "/inbox/alice/3", "/providers/"}) {
    auto r = ui_.response(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->body, "<!doctype html><title>Postern</title>") << path;
  }
}

TEST_F(UiFilesTest, DocsIsSwaggerUisPage) {
  auto r = ui_.response("/docs");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "<!doctype html><title>Postern API</title>");
  EXPECT_EQ(header(*r, "Cache-Control"), "no-cache");
}

TEST_F(UiFilesTest, MissingFilesAreNotFound) {
  EXPECT_FALSE(ui_.response("/assets/index-000000.js"));
  EXPECT_FALSE(ui_.response("/assets/"));
  EXPECT_FALSE(ui_.response("/favicon.ico"));
}

TEST_F(UiFilesTest, NoPathReachesOutsideTheFolder) {
  for (auto path :
       {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
        "/link.txt", "//secret.txt", "/assets/../../../etc/passwd"}) {
    auto r = ui_.response(path);
    if (!r) continue;
    EXPECT_EQ(r->body.find("SECRET"), std::string::npos) << path;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << path;
  }
  EXPECT_FALSE(ui_.response("/link.txt"));  // symbolic links are not followed
}

TEST(UiFiles, WithoutABuildThePagesSayHowToBuildIt) {
  auto ui = UiFiles::load("/nonexistent/web/dist");
  EXPECT_FALSE(ui.built());
  EXPECT_EQ(ui.problem(), "no such folder");
  for (auto path : {"/", "/docs", "/messages/0ABC"}) {
    auto r = ui.response(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->body.find("The web UI is not built"), std::string::npos);
    EXPECT_NE(r->body.find("/nonexistent/web/dist"), std::string::npos);
    EXPECT_NE(r->body.find("/openapi.json"), std::string::npos);
  }
}

TEST(UiFiles, ContentTypesFollowTheExtension) {
  EXPECT_EQ(ui_content_type("a.svg"), "image/svg+xml");
  EXPECT_EQ(ui_content_type("a.woff2"), "font/woff2");
  EXPECT_EQ(ui_content_type("a.json"), "application/json");
  EXPECT_EQ(ui_content_type("README"), "application/octet-stream");
}

}  // namespace
}  // namespace postern::http
