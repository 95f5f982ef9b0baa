// Query strings of API requests, percent-decoded (core/percent.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/field_error.h"

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

// The page size of a listing: `limit` from 1 to `max`, `fallback` when
// absent. The error names the field.
Result<std::size_t, FieldError> page_limit(const QueryParams& q, std::size_t fallback,
                                           std::size_t max);

}  // namespace postern::http
