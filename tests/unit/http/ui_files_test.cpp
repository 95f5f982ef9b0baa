#include "http/ui_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

// A GET of `path` with these request headers.
std::optional<net::HttpResponse> get(const UiFiles& ui, std::string_view path,
                                     net::HttpHeaders headers = {}) {
  net::HttpRequest request;
  request.method = "GET";
  request.path = std::string(path);
  request.target = request.path;
  request.headers = std::move(headers);
  return ui.response(request);
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
  auto r = get(ui_, "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r->body, "<!doctype html><title>Postern</title>");
  EXPECT_EQ(header(*r, "Cache-Control"), "no-cache");
}

TEST_F(UiFilesTest, HashedAssetsAreCachedForAYear) {
  auto js = get(ui_, "/assets/index-3f2a9c.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(header(*js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto css = get(ui_, "/assets/index-77aa01.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
}

TEST_F(UiFilesTest, ClientRoutesGetTheEntryPage) {
  for (auto path : {"/messages", "/messages/0ABCDEF", "/inbox/alice/3", "/providers/"}) {
    auto r = get(ui_, path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->body, "<!doctype html><title>Postern</title>") << path;
  }
}

TEST_F(UiFilesTest, DocsIsSwaggerUisPage) {
  auto r = get(ui_, "/docs");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "<!doctype html><title>Postern API</title>");
  EXPECT_EQ(header(*r, "Cache-Control"), "no-cache");
}

TEST_F(UiFilesTest, MissingFilesAreNotFound) {
  EXPECT_FALSE(get(ui_, "/assets/index-000000.js"));
  EXPECT_FALSE(get(ui_, "/assets/"));
  EXPECT_FALSE(get(ui_, "/favicon.ico"));
}

TEST_F(UiFilesTest, NoPathReachesOutsideTheFolder) {
  for (auto path :
       {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
        "/link.txt", "//secret.txt", "/assets/../../../etc/passwd"}) {
    auto r = get(ui_, path);
    if (!r) continue;
    EXPECT_EQ(r->body.find("SECRET"), std::string::npos) << path;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << path;
  }
  EXPECT_FALSE(get(ui_, "/link.txt"));  // symbolic links are not followed
}

// The build's compressed forms beside a file (web/vite-precompress.ts);
// their bytes need not be real gzip here: the gateway sends them as they are.
class UiFilesCompressedTest : public UiFilesTest {
 protected:
  void SetUp() override {
    write(dist() / "index.html", "<!doctype html><title>Postern</title>");
    write(dist() / "assets" / "app-1.js", std::string(400, 'x'));
    write(dist() / "assets" / "app-1.js.gz", "GZIP-FORM");
    write(dist() / "assets" / "app-1.js.br", "BR");
    write(dist() / "assets" / "small-2.js", "1;");
    write(dist() / "assets" / "small-2.js.gz", "LARGER THAN THE FILE");
    ui_ = UiFiles::load(dist().string());
  }
};

TEST_F(UiFilesCompressedTest, TheFormIsChosenByAcceptEncoding) {
  struct Case {
    std::string accept;
    std::string_view coding;  // "" for the file as built
  };
  for (const auto& c : std::vector<Case>{{"gzip, deflate, br, zstd", "br"},
                                         {"gzip", "gzip"},
                                         {"br;q=0.5, gzip", "gzip"},
                                         {"br;q=0, gzip;q=0.1", "gzip"},
                                         {"*", "br"},
                                         {"identity", ""},
                                         {"deflate", ""},
                                         {"gzip;q=0.5, identity", ""},
                                         {"", ""}}) {
    auto r = get(ui_, "/assets/app-1.js", {{"Accept-Encoding", c.accept}});
    ASSERT_TRUE(r) << c.accept;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(header(*r, "Content-Encoding"), c.coding) << c.accept;
    EXPECT_EQ(r->body, c.coding == "br"     ? "BR"
                       : c.coding == "gzip" ? "GZIP-FORM"
                                            : std::string(400, 'x'))
        << c.accept;
    EXPECT_EQ(header(*r, "Vary"), "Accept-Encoding");
    EXPECT_EQ(r->content_type, "text/javascript; charset=utf-8");
  }
  // No header: the file as built.
  auto plain = get(ui_, "/assets/app-1.js");
  EXPECT_EQ(header(*plain, "Content-Encoding"), "");
  // The compressed forms are not files of their own.
  EXPECT_FALSE(get(ui_, "/assets/app-1.js.gz"));
  EXPECT_FALSE(get(ui_, "/assets/app-1.js.br"));
}

TEST_F(UiFilesCompressedTest, AFormLargerThanTheFileIsNotSent) {
  auto r = get(ui_, "/assets/small-2.js", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "1;");
  EXPECT_EQ(header(*r, "Content-Encoding"), "");
  EXPECT_EQ(header(*r, "Vary"), "");
}

TEST_F(UiFilesCompressedTest, EachFormHasItsETagAndACacheRevalidates) {
  auto gz = get(ui_, "/assets/app-1.js", {{"Accept-Encoding", "gzip"}});
  auto plain = get(ui_, "/assets/app-1.js");
  auto etag = std::string(header(*gz, "ETag"));
  ASSERT_TRUE(etag.starts_with('"') && etag.ends_with('"')) << etag;
  EXPECT_NE(etag, header(*plain, "ETag"));
  auto last_modified = std::string(header(*gz, "Last-Modified"));
  EXPECT_TRUE(last_modified.ends_with(" GMT")) << last_modified;

  auto again = get(ui_, "/assets/app-1.js",
                   {{"Accept-Encoding", "gzip"}, {"If-None-Match", "\"other\", W/" + etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_EQ(again->body, "");
  EXPECT_EQ(header(*again, "ETag"), etag);
  EXPECT_EQ(header(*again, "Vary"), "Accept-Encoding");
  // The tag of the gzip form does not stand for the file as built.
  auto other_form = get(ui_, "/assets/app-1.js", {{"If-None-Match", etag}});
  EXPECT_EQ(other_form->status, 200);
  EXPECT_EQ(other_form->body, std::string(400, 'x'));

  auto page = get(ui_, "/");
  auto page_time = std::string(header(*page, "Last-Modified"));
  EXPECT_EQ(get(ui_, "/", {{"If-Modified-Since", page_time}})->status, 304);
  EXPECT_EQ(get(ui_, "/", {{"If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"}})->status, 200);
  EXPECT_EQ(get(ui_, "/", {{"If-Modified-Since", "not a date"}})->status, 200);
  // If-None-Match wins over If-Modified-Since.
  EXPECT_EQ(
      get(ui_, "/", {{"If-None-Match", "\"other\""}, {"If-Modified-Since", page_time}})->status,
      200);
}

TEST(UiFiles, WithoutABuildThePagesSayHowToBuildIt) {
  auto ui = UiFiles::load("/nonexistent/web/dist");
  EXPECT_FALSE(ui.built());
  EXPECT_EQ(ui.problem(), "no such folder");
  for (auto path : {"/", "/docs", "/messages/0ABC"}) {
    auto r = get(ui, path);
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
