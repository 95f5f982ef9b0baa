// The API's OpenAPI 3.1 description, kept in one place (openapi_document.cpp)
// and checked against the real routes by a test, and the pages that show it.
#pragma once

#include <string_view>

namespace postern::http {

std::string_view openapi_document();
std::string_view docs_html();
std::string_view index_html();

}  // namespace postern::http
