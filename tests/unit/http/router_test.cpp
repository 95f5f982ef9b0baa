#include "http/router.h"

#include <gtest/gtest.h>

namespace postern::http {
namespace {

TEST(Router, MatchesLiteralsAndCaptures) {
  Router<int> r;
  r.add("GET", "/v1/messages", 1);
  r.add("POST", "/v1/messages", 2);
  r.add("GET", "/v1/messages/{id}", 3);
  r.add("GET", "/v1/messages/{id}/raw", 4);
  auto m = r.match("GET", "/v1/messages/abc/raw");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(*m.route, 4);
  EXPECT_EQ(m.params.get("id"), "abc");
  EXPECT_EQ(*r.match("POST", "/v1/messages").route, 2);
  EXPECT_EQ(*r.match("GET", "/v1/messages/").route, 1);  // trailing slash
  EXPECT_EQ(*r.match("HEAD", "/v1/messages").route, 1);
}

TEST(Router, TellsUnknownPathsFromWrongMethods) {
  Router<int> r;
  r.add("GET", "/v1/messages", 1);
  r.add("POST", "/v1/messages", 2);
  auto wrong = r.match("DELETE", "/v1/messages");
  EXPECT_FALSE(wrong.route);
  EXPECT_TRUE(wrong.path_known);
  EXPECT_EQ(r.allowed_methods("/v1/messages"), "GET, POST");
  auto unknown = r.match("GET", "/v2/nothing");
  EXPECT_FALSE(unknown.route);
  EXPECT_FALSE(unknown.path_known);
  EXPECT_FALSE(r.match("GET", "/v1/messages/x/y/z").route);
}

}  // namespace
}  // namespace postern::http
