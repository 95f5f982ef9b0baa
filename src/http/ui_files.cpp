#include "http/ui_files.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "core/sha256.h"
#include "core/time_format.h"
#include "http/accept_encoding.h"
#include "http/conditional_get.h"
#include "http/request_headers.h"
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

// The compressed forms the build writes beside a file (name + suffix), in
// the order the gateway prefers them: Brotli is the smaller.
struct Coding {
  std::string_view suffix;
  std::string_view name;
};
constexpr std::array<Coding, 2> kCodings{{{".br", "br"}, {".gz", "gzip"}}};
constexpr std::array<std::string_view, 2> kCodingNames{"br", "gzip"};

// Strong: the bytes' digest, so a rebuild that changes nothing keeps it.
std::string etag_of(std::string_view body) { return "\"" + sha256_hex(body).substr(0, 32) + "\""; }

SystemTime modified_time(const fs::path& path) {
  std::error_code ec;
  auto t = fs::last_write_time(path, ec);
  if (ec) return SystemTime{};
  return std::chrono::time_point_cast<SystemTime::duration>(std::chrono::file_clock::to_sys(t));
}

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

// A file as read, before its compressed forms are paired with it.
struct UiFiles::RawFile {
  std::string body;
  SystemTime modified;
};

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
  std::map<std::string, RawFile, std::less<>> raw;
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
    raw.emplace(std::move(key), RawFile{std::move(body), modified_time(it->path())});
  }
  if (ec) out.problem_ = ec.message();
  out.pair_forms(std::move(raw));
  return out;
}

void UiFiles::pair_forms(std::map<std::string, RawFile, std::less<>> raw) {
  auto compressed_form_of = [&](std::string_view key) {
    for (const auto& c : kCodings) {
      if (key.ends_with(c.suffix) && raw.count(key.substr(0, key.size() - c.suffix.size())))
        return true;
    }
    return false;
  };
  for (auto& [key, file] : raw) {
    if (compressed_form_of(key)) continue;
    File f{std::string(ui_content_type(key)),
           format_utc(file.modified, "%a, %d %b %Y %H:%M:%S GMT"),
           file.modified,
           {}};
    f.forms.push_back(Form{"", std::move(file.body), ""});
    for (const auto& c : kCodings) {
      auto it = raw.find(key + std::string(c.suffix));
      // A form no smaller than the file is not worth its decoding.
      if (it == raw.end() || it->second.body.size() >= f.forms.front().body.size()) continue;
      f.forms.push_back(Form{std::string(c.name), it->second.body, ""});
    }
    for (auto& form : f.forms) form.etag = etag_of(form.body);
    files_.emplace(key, std::move(f));
  }
}

net::HttpResponse UiFiles::file_response(const std::string& key, const File& file,
                                         const net::HttpRequest& request) const {
  const Form* form = &file.forms.front();
  if (file.forms.size() > 1) {
    auto coding = choose_content_coding(find_header(request, "Accept-Encoding"), kCodingNames);
    for (const auto& f : file.forms) {
      if (f.coding == coding) form = &f;
    }
  }
  net::HttpResponse r;
  r.headers.emplace_back("Cache-Control",
                         std::string(key.starts_with(kAssetsPrefix) ? kImmutable : kNoCache));
  r.headers.emplace_back("ETag", form->etag);
  r.headers.emplace_back("Last-Modified", file.last_modified);
  // Caches must keep each form apart.
  if (file.forms.size() > 1) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (not_modified(find_header(request, "If-None-Match"), find_header(request, "If-Modified-Since"),
                   form->etag, file.modified)) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.content_type = file.content_type;
  r.body = form->body;
  if (!form->coding.empty()) r.headers.emplace_back("Content-Encoding", form->coding);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

net::HttpResponse UiFiles::page(std::string_view file, const net::HttpRequest& request) const {
  if (auto it = files_.find(file); it != files_.end())
    return file_response(it->first, it->second, request);
  net::HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = not_built_page(dir_, problem_);
  r.headers.emplace_back("Cache-Control", std::string(kNoCache));
  return r;
}

std::optional<net::HttpResponse> UiFiles::response(const net::HttpRequest& request) const {
  std::string_view path = request.path;
  if (path == "/" || path == "/index.html") return page("/index.html", request);
  if (path == "/docs" || path == "/docs/") return page("/docs.html", request);
  if (auto it = files_.find(path); it != files_.end())
    return file_response(it->first, it->second, request);
  if (path.starts_with(kAssetsPrefix) || looks_like_file(path)) return std::nullopt;
  return page("/index.html", request);
}

}  // namespace postern::http
