// Query strings of API requests, percent-decoded (core/percent.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace postern::http {

class QueryParams {
 public:
  // Errc::invalid_argument for a malformed query (bad percent-encoding).
  static Result<QueryParams> parse(std::string_view query);
  std::optional<std::string> get(std::string_view key) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return values_; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

}  // namespace postern::http
