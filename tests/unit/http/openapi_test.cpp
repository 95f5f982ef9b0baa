#include "http/openapi.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "core/ascii.h"
#include "http/api.h"

namespace postern::http {
namespace {

namespace json = boost::json;
using Key = std::pair<std::string, std::string>;  // (lower-case method, path)

// The scopes each documented operation names in its security (alternatives
// of one scope each); an empty set for an operation open to anyone.
std::map<Key, std::set<std::string>> documented_operations() {
  auto doc = json::parse(openapi_document()).as_object();
  std::map<Key, std::set<std::string>> out;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      const auto* security = op.as_object().if_contains("security");
      if (!security) security = &doc.at("security");
      std::set<std::string> scopes;
      for (const auto& requirement : security->as_array()) {
        for (const auto& [scheme, names] : requirement.as_object()) {
          for (const auto& name : names.as_array()) scopes.emplace(name.as_string());
        }
      }
      out.emplace(Key{std::string(method), std::string(path)}, std::move(scopes));
    }
  }
  return out;
}

TEST(OpenApi, DocumentsExactlyTheRoutesTheApiServes) {
  std::set<Key> documented, served;
  for (const auto& [key, scopes] : documented_operations()) documented.insert(key);
  for (const auto& r : api_routes()) served.emplace(ascii_lowered(r.method), r.pattern);
  EXPECT_EQ(documented, served);
}

// An operation's security names exactly the scopes that grant its route: a
// key holding any one of them is let in, a key holding none is refused.
TEST(OpenApi, SecurityNamesTheScopesThatGrantEachRoute) {
  auto documented = documented_operations();
  for (const auto& r : api_routes()) {
    auto op = documented.find({ascii_lowered(r.method), r.pattern});
    if (op == documented.end()) continue;  // reported by the test above
    std::set<std::string> granting;
    if (r.scope) {
      for (const auto& s : auth::kScopeNames) {
        auth::Scopes only;
        only.add(s.scope);
        if (only.grants(*r.scope)) granting.emplace(s.name);
      }
    }
    EXPECT_EQ(op->second, granting) << r.method << " " << r.pattern;
  }
}

// The rest of the document's form is checked by scripts/openapi-lint.sh.
TEST(OpenApi, IsTheEmbeddedOpenApi31Document) {
  auto doc = json::parse(openapi_document()).as_object();
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
}

}  // namespace
}  // namespace postern::http
