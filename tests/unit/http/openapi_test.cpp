#include "http/openapi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "core/ascii.h"
#include "http/api.h"

namespace postern::http {
namespace {

TEST(OpenApi, DocumentsExactlyTheRoutesTheApiServes) {
  auto doc = boost::json::parse(openapi_document());
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object())
      documented.emplace(std::string(method), std::string(path));
  }
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& [method, path] : api_routes()) served.emplace(ascii_lowered(method), path);
  EXPECT_EQ(documented, served);
}

TEST(OpenApi, IsOpenApi31WithSchemasForErrors) {
  auto doc = boost::json::parse(openapi_document()).as_object();
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("Error"));
  // Every $ref points at something that exists.
  std::function<void(const boost::json::value&)> check = [&](const boost::json::value& v) {
    if (v.is_object()) {
      for (const auto& [k, x] : v.as_object()) {
        if (k == "$ref") {
          std::string ref(x.as_string());
          ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
          const boost::json::value* at = &doc.at("components");
          std::string rest = ref.substr(std::string("#/components/").size());
          std::size_t pos = 0;
          while (pos <= rest.size()) {
            auto slash = rest.find('/', pos);
            auto part =
                rest.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
            ASSERT_TRUE(at->is_object() && at->as_object().contains(part)) << ref;
            at = &at->as_object().at(part);
            if (slash == std::string::npos) break;
            pos = slash + 1;
          }
        } else {
          check(x);
        }
      }
    } else if (v.is_array()) {
      for (const auto& x : v.as_array()) check(x);
    }
  };
  check(doc);
}

TEST(OpenApi, DocsPagesAreSelfContained) {
  EXPECT_NE(docs_html().find("/openapi.json"), std::string_view::npos);
  EXPECT_EQ(docs_html().find("https://"), std::string_view::npos);  // no external assets
}

}  // namespace
}  // namespace postern::http
