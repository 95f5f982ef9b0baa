// Maps method + path to a route of the API. Patterns are literal segments
// and {name} captures ("/v1/messages/{id}/raw").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::http {

struct PathParams {
  std::vector<std::pair<std::string, std::string>> values;
  std::string_view get(std::string_view name) const;
};

template <class Route>
class Router {
 public:
  struct Match {
    const Route* route = nullptr;
    PathParams params;
    bool path_known = false;  // some route has this path (for 405 vs 404)
  };

  void add(std::string method, std::string pattern, Route route) {
    entries_.push_back({std::move(method), split(pattern), std::move(route)});
  }

  Match match(std::string_view method, std::string_view path) const {
    Match out;
    auto segments = split(path);
    for (const auto& e : entries_) {
      PathParams params;
      if (!matches(e.segments, segments, params)) continue;
      out.path_known = true;
      if (e.method == method || (method == "HEAD" && e.method == "GET")) {
        out.route = &e.route;
        out.params = std::move(params);
        return out;
      }
    }
    return out;
  }

  // Methods registered for a path (for the Allow header of a 405).
  std::string allowed_methods(std::string_view path) const {
    std::string out;
    auto segments = split(path);
    for (const auto& e : entries_) {
      PathParams ignored;
      if (matches(e.segments, segments, ignored)) out += (out.empty() ? "" : ", ") + e.method;
    }
    return out;
  }

 private:
  struct Entry {
    std::string method;
    std::vector<std::string> segments;
    Route route;
  };

  static std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < path.size()) {
      if (path[start] == '/') {
        ++start;
        continue;
      }
      auto end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      out.emplace_back(path.substr(start, end - start));
      start = end;
    }
    return out;
  }

  static bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                      PathParams& params) {
    if (pattern.size() != path.size()) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      const auto& p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        params.values.emplace_back(p.substr(1, p.size() - 2), path[i]);
      } else if (p != path[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<Entry> entries_;
};

}  // namespace postern::http
