// The API's OpenAPI 3.1 description and the pages that show it. The document
// is docs/openapi.yaml, turned into compact JSON by the build
// (cmake/openapi_to_cpp.py); a unit test checks it against the routes and
// scripts/openapi-lint.sh validates and lints it.
#pragma once

#include <string_view>

namespace postern::http {

std::string_view openapi_document();
std::string_view docs_html();
std::string_view index_html();

}  // namespace postern::http
