// The built web UI (web/dist, docs/ui.md), read into memory when the
// gateway starts and served at / by the gateway itself: index.html for the
// UI's own routes, hashed /assets/* cached for a year, docs.html (Swagger
// UI) at /docs. Lookups are exact matches against the files read, so no
// request path can reach outside the folder.
//
// The build writes beside each large file its gzip and Brotli forms
// (name.gz, name.br; web/vite-precompress.ts): those are not files of their
// own here but the compressed forms of theirs, sent with Content-Encoding
// when the request's Accept-Encoding allows (http/accept_encoding.h). Each
// form has its strong ETag; with Last-Modified (the file's time) a cache
// revalidates and gets a 304 (http/conditional_get.h).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "net/http_message.h"

namespace postern::http {

class UiFiles {
 public:
  // Every regular file under `dir` (symbolic links are not followed), keyed
  // by its path from `dir` ("/assets/index-3f2a.js"). A missing folder
  // gives an empty set: the pages then say how to build the UI. Files past
  // `max_total_bytes` are left out and reported by problem().
  static UiFiles load(const std::string& dir, std::size_t max_total_bytes = 64 << 20);

  // The answer for a GET of `request.path` (not percent-decoded), or
  // nullopt for a 404: "/" and any path that is not a file and does not
  // look like one (the UI's client routes, "/messages/0ABC") get
  // index.html; "/docs" gets docs.html; a file gets itself; a missing
  // asset or file-like path none. Accept-Encoding picks the form sent,
  // If-None-Match and If-Modified-Since may make it a 304.
  std::optional<net::HttpResponse> response(const net::HttpRequest& request) const;

  bool built() const { return files_.count("/index.html") > 0; }
  std::size_t file_count() const { return files_.size(); }
  const std::string& dir() const { return dir_; }
  // Why the folder could not be read in full; "" when it was.
  const std::string& problem() const { return problem_; }

 private:
  // One form of a file: as built, gzip or Brotli.
  struct Form {
    std::string coding;  // "" (identity), "gzip" or "br"
    std::string body;
    std::string etag;  // strong, quotes included
  };
  struct File {
    std::string content_type;
    std::string last_modified;  // IMF-fixdate
    SystemTime modified;
    std::vector<Form> forms;  // identity first, then in order of preference
  };
  struct RawFile;
  // Pairs each file with the compressed forms read beside it.
  void pair_forms(std::map<std::string, RawFile, std::less<>> raw);
  net::HttpResponse file_response(const std::string& key, const File& file,
                                  const net::HttpRequest& request) const;
  net::HttpResponse page(std::string_view file, const net::HttpRequest& request) const;

  std::string dir_;
  std::map<std::string, File, std::less<>> files_;
  std::string problem_;
};

// The Content-Type for a file name by its extension;
// application/octet-stream for one not known.
std::string_view ui_content_type(std::string_view name);

}  // namespace postern::http
