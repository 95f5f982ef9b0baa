#include "http/ui_files.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "mime/html_sanitize.h"

namespace postern::http {
namespace fs = std::filesystem;
namespace {

// Vite names what it emits under assets/ by content hash: a changed file
// gets a new name, so a browser may keep each one for good.
constexpr std::string_view kAssetsPrefix = "/assets/";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
// The pages that name the assets must be asked for again each time.
constexpr std::string_view kNoCache = "no-cache";

// A path whose last segment has an extension names a file; anything else
// may be one of the UI's own routes.
bool looks_like_file(std::string_view path) {
  auto last = path.substr(path.rfind('/') + 1);
  return last.find('.') != std::string_view::npos;
}

// What the gateway answers at / and /docs when web/dist was not built or not
// found: a page saying so and how to fix it, never a blank screen.
std::string not_built_page(std::string_view dir, std::string_view problem) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>Postern: the web UI is not built</title>"
         "<style>body{font:16px/1.6 system-ui,sans-serif;max-width:720px;margin:48px auto;"
         "padding:0 16px;color:#1d2330}code{background:#eef0f3;padding:2px 5px}</style>"
         "</head><body><h1>The web UI is not built</h1>"
         "<p>This gateway serves its web UI from <code>" +
         mime::escape_html(dir) +
         "</code> (<code>http.ui_dir</code>), and found no <code>index.html</code> there" +
         (problem.empty() ? std::string() : " (" + mime::escape_html(problem) + ")") +
         ".</p><p><code>make run</code> builds it; by hand, <code>npm ci &amp;&amp; npm run "
         "build</code> in <code>web/</code>, then restart the gateway.</p>"
         "<p>The API works without it: <code>/v1</code>, described by "
         "<a href=\"/openapi.json\">/openapi.json</a>; <a href=\"/metrics\">metrics</a>, "
         "<a href=\"/readyz\">readiness</a>.</p></body></html>\n";
}

}  // namespace

std::string_view ui_content_type(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  }};
  for (const auto& [ext, type] : kTypes) {
    if (name.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

UiFiles UiFiles::load(const std::string& dir, std::size_t max_total_bytes) {
  UiFiles out;
  out.dir_ = dir;
  std::error_code ec;
  fs::path root(dir);
  if (!fs::is_directory(root, ec)) {
    out.problem_ = "no such folder";
    return out;
  }
  std::size_t total = 0;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      out.problem_ = "cannot read " + it->path().string();
      continue;
    }
    total += body.size();
    if (total > max_total_bytes) {
      out.problem_ = "larger than " + std::to_string(max_total_bytes) + " bytes; files left out";
      break;
    }
    auto key = "/" + it->path().lexically_relative(root).generic_string();
    out.files_.emplace(key, File{std::string(ui_content_type(key)), std::move(body)});
  }
  if (ec) out.problem_ = ec.message();
  return out;
}

net::HttpResponse UiFiles::file_response(const std::string& key, const File& file) const {
  net::HttpResponse r;
  r.content_type = file.content_type;
  r.body = file.body;
  r.headers.emplace_back("Cache-Control",
                         std::string(key.starts_with(kAssetsPrefix) ? kImmutable : kNoCache));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

net::HttpResponse UiFiles::page(std::string_view file) const {
  if (auto it = files_.find(file); it != files_.end()) return file_response(it->first, it->second);
  net::HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = not_built_page(dir_, problem_);
  r.headers.emplace_back("Cache-Control", std::string(kNoCache));
  return r;
}

std::optional<net::HttpResponse> UiFiles::response(std::string_view path) const {
  if (path == "/" || path == "/index.html") return page("/index.html");
  if (path == "/docs" || path == "/docs/") return page("/docs.html");
  if (auto it = files_.find(path); it != files_.end()) return file_response(it->first, it->second);
  if (path.starts_with(kAssetsPrefix) || looks_like_file(path)) return std::nullopt;
  return page("/index.html");
}

}  // namespace postern::http
