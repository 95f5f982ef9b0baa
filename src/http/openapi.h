// The API's OpenAPI 3.1 description (/docs shows it: Swagger UI, web/). The document
// is docs/openapi.yaml, turned into compact JSON by the build
// (cmake/openapi_to_cpp.py); a unit test checks it against the routes and
// scripts/openapi-lint.sh validates and lints it.
#pragma once

#include <string_view>

namespace postern::http {

std::string_view openapi_document();
// The same bytes, gzip-compressed by the build.
std::string_view openapi_document_gzip();

}  // namespace postern::http
