// The built web UI (web/dist, docs/ui.md), read into memory when the
// gateway starts and served at / by the gateway itself: index.html for the
// UI's own routes, hashed /assets/* cached for a year, docs.html (Swagger
// UI) at /docs. Lookups are exact matches against the files read, so no
// request path can reach outside the folder.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "net/http_message.h"

namespace postern::http {

class UiFiles {
 public:
  // Every regular file under `dir` (symbolic links are not followed), keyed
  // by its path from `dir` ("/assets/index-3f2a.js"). A missing folder
  // gives an empty set: the pages then say how to build the UI. Files past
  // `max_total_bytes` are left out and reported by problem().
  static UiFiles load(const std::string& dir, std::size_t max_total_bytes = 64 << 20);

  // The answer for GET `path` (not percent-decoded), or nullopt for a 404:
  // "/" and any path that is not a file and does not look like one (the
  // UI's client routes, "/messages/0ABC") get index.html; "/docs" gets
  // docs.html; a file gets itself; a missing asset or file-like path none.
  std::optional<net::HttpResponse> response(std::string_view path) const;

  bool built() const { return files_.count("/index.html") > 0; }
  std::size_t file_count() const { return files_.size(); }
  const std::string& dir() const { return dir_; }
  // Why the folder could not be read in full; "" when it was.
  const std::string& problem() const { return problem_; }

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  net::HttpResponse file_response(const std::string& key, const File& file) const;
  net::HttpResponse page(std::string_view file) const;

  std::string dir_;
  std::map<std::string, File, std::less<>> files_;
  std::string problem_;
};

// The Content-Type for a file name by its extension;
// application/octet-stream for one not known.
std::string_view ui_content_type(std::string_view name);

}  // namespace postern::http
