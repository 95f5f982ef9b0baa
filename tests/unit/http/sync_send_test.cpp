#include "http/sync_send.h"

#include <gtest/gtest.h>

namespace postern::http {
namespace {

net::HttpRequest with_prefer(std::string prefer) {
  net::HttpRequest r;
  if (!prefer.empty()) r.headers.emplace_back("Prefer", std::move(prefer));
  return r;
}

TEST(SyncSend, ReadsWaitFromPreferOrQuery) {
  auto none = QueryParams::parse("").value();
  EXPECT_EQ(requested_wait(with_prefer(""), none, std::chrono::seconds(60)),
            std::chrono::seconds(0));
  EXPECT_EQ(requested_wait(with_prefer("wait=5"), none, std::chrono::seconds(60)),
            std::chrono::seconds(5));
  EXPECT_EQ(requested_wait(with_prefer("respond-async, wait=7"), none, std::chrono::seconds(60)),
            std::chrono::seconds(7));
  EXPECT_EQ(requested_wait(with_prefer("wait=500"), none, std::chrono::seconds(60)),
            std::chrono::seconds(60));
  auto q = QueryParams::parse("wait=3").value();
  EXPECT_EQ(requested_wait(with_prefer("wait=9"), q, std::chrono::seconds(60)),
            std::chrono::seconds(3));
  EXPECT_FALSE(requested_wait(with_prefer("wait=soon"), none, std::chrono::seconds(60)));
  EXPECT_FALSE(requested_wait(with_prefer("wait=-1"), none, std::chrono::seconds(60)));
}

TEST(SyncSend, QueryParamsArePercentDecoded) {
  auto q = QueryParams::parse("since=2026-01-01T00%3A00%3A00Z&tag=a+b&tag=c").value();
  EXPECT_EQ(q.get("since"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(q.get("tag"), "a b");
  EXPECT_EQ(q.all().size(), 3u);
  EXPECT_FALSE(QueryParams::parse("a=%zz"));
}

}  // namespace
}  // namespace postern::http
