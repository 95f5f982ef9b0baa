// The message log's search (store.h ListFilter, store/sqlite/message_search.h):
// each filter and their combinations, keyset paging while mail arrives, the
// query plan of every shape, and the search terms of rows written before
// schema version 15.
#include "store/sqlite/message_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "store/migrations/sqlite_migrations.h"
#include "store/sqlite/database.h"
#include "store_fixture.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using test::await_completion;

class MessageSearchTest : public StoreFixture {
 protected:
  MessageId add(std::vector<std::string> to, std::vector<std::string> tags = {}) {
    clock_.advance(1ms);
    NewMessage m;
    m.content = R"({"from":"a@x.org","to":"b@x.org","text":"x"})";
    m.envelope.sender = "a@x.org";
    for (auto& a : to) m.envelope.recipients.push_back({a, RecipientKind::to});
    m.tags = std::move(tags);
    m.source = "http";
    auto r = await_completion<EnqueueResult>([&](auto done) { store_->enqueue(m, done); });
    EXPECT_TRUE(r);
    return r->id;
  }

  // Leases every queued message and gives each the outcome `decide` says.
  void deliver(const std::function<std::pair<MessageStatus, std::string>(MessageId)>& decide) {
    auto leased = await_completion<std::vector<LeasedMessage>>(
        [&](auto done) { store_->lease("w", clock_.now(), 60s, 100000, done); });
    ASSERT_TRUE(leased);
    for (const auto& l : *leased) {
      auto [status, provider] = decide(l.id);
      AttemptRecord rec{l.id, status, clock_.now() + 1h, provider, "ok", "250"};
      ASSERT_TRUE(
          await_completion<void>([&](auto done) { store_->record_attempt("w", rec, done); }));
    }
  }

  std::vector<MessageId> search(ListFilter f) {
    std::vector<MessageId> seen;
    for (;;) {
      auto page = store_->list_messages(f);
      EXPECT_TRUE(page) << page.error().message();
      if (!page) break;
      for (auto& m : *page) seen.push_back(m.id);
      if (page->size() < f.limit) break;
      f.before = page->back().id;
    }
    return seen;
  }

  static std::vector<MessageId> newest_first(std::vector<MessageId> ids) {
    std::sort(ids.rbegin(), ids.rend());
    return ids;
  }
};

TEST_F(MessageSearchTest, ARecipientIsFoundExactlyButForTheCaseOfItsDomain) {
  auto a = add({"Ann@Example.ORG"});
  auto b = add({"bob@example.org", "ann@example.org"});
  add({"ann@example.org.evil"});
  add({"nn@example.org"});
  ListFilter f;
  f.limit = 1;
  f.recipient = "Ann@example.org";
  EXPECT_EQ(search(f), std::vector<MessageId>{a});
  f.recipient = "ann@EXAMPLE.org";
  EXPECT_EQ(search(f), std::vector<MessageId>{b});
  f.recipient = "bob@example.org";
  EXPECT_EQ(search(f), std::vector<MessageId>{b});
  f.recipient = "ann@";
  EXPECT_TRUE(search(f).empty());
}

TEST_F(MessageSearchTest, TagsProvidersAndStatusesFilterAloneAndTogether) {
  std::vector<MessageId> ids;
  for (int i = 0; i < 40; ++i) {
    std::vector<std::string> tags = {i % 2 ? "odd" : "even"};
    if (i % 5 == 0) tags.push_back("fifth");
    ids.push_back(add({"r" + std::to_string(i % 3) + "@x.org"}, tags));
  }
  auto index = [&](MessageId id) { return std::find(ids.begin(), ids.end(), id) - ids.begin(); };
  // Even ones go through "east", odd ones through "west"; every fourth fails.
  deliver([&](MessageId id) {
    auto i = index(id);
    return std::pair{i % 4 == 0 ? MessageStatus::failed : MessageStatus::sent,
                     std::string(i % 2 ? "west" : "east")};
  });
  ids.push_back(add({"r0@x.org"}, {"even"}));  // queued, no provider yet
  auto expect = [&](const ListFilter& f, auto pred) {
    std::vector<MessageId> want;
    for (std::size_t i = 0; i < ids.size(); ++i)
      if (pred(static_cast<int>(i))) want.push_back(ids[i]);
    for (std::size_t limit : {3u, 50u}) {
      auto g = f;
      g.limit = limit;
      EXPECT_EQ(search(g), newest_first(want)) << "limit " << limit;
    }
  };
  const int kQueued = 40;
  auto failed = [&](int i) { return i != kQueued && i % 4 == 0; };
  ListFilter f;
  f.tag = "fifth";
  expect(f, [](int i) { return i < 40 && i % 5 == 0; });
  f = {};
  f.provider = "west";
  expect(f, [](int i) { return i < 40 && i % 2 == 1; });
  f.tag = "odd";
  expect(f, [](int i) { return i < 40 && i % 2 == 1; });
  f = {};
  f.status = MessageStatus::failed;
  expect(f, failed);
  f.provider = "east";
  expect(f, failed);
  f.tag = "fifth";
  expect(f, [&](int i) { return failed(i) && i % 5 == 0; });
  f.recipient = "r0@x.org";
  expect(f, [&](int i) { return failed(i) && i % 5 == 0 && i % 3 == 0; });
  f = {};
  f.status = MessageStatus::queued;
  f.tag = "even";
  expect(f, [&](int i) { return i == kQueued; });
  f.recipient = "r0@x.org";
  expect(f, [&](int i) { return i == kQueued; });
  f = {};
  f.recipient = "r1@x.org";
  f.status = MessageStatus::sent;
  expect(f, [&](int i) { return i < 40 && i % 3 == 1 && !failed(i); });
  f.provider = "nowhere";
  expect(f, [](int) { return false; });
  // A time range bounds every search.
  f = {};
  f.tag = "even";
  f.since = ids[10].timestamp();
  f.until = ids[30].timestamp();
  expect(f, [](int i) { return i >= 10 && i < 30 && i % 2 == 0; });
  f.status = MessageStatus::sent;
  expect(f, [&](int i) { return i >= 10 && i < 30 && i % 2 == 0 && !failed(i); });
}

// Keyset paging: mail that arrives while a reader pages on comes before
// its first page, so the pages it reads have no duplicate and no gap.
TEST_F(MessageSearchTest, PagesHaveNoDuplicatesNorGapsWhileMailArrives) {
  std::vector<MessageId> before;
  for (int i = 0; i < 30; ++i) before.push_back(add({"p@x.org"}, {"t"}));
  for (auto lead : {0, 1, 2}) {
    ListFilter f;
    f.limit = 4;
    if (lead == 1) f.recipient = "p@x.org";
    if (lead == 2) f.tag = "t";
    std::vector<MessageId> seen;
    for (;;) {
      auto page = store_->list_messages(f);
      ASSERT_TRUE(page);
      for (auto& m : *page) seen.push_back(m.id);
      add({"p@x.org"}, {"t"});  // arrives between two pages
      if (page->size() < f.limit) break;
      f.before = page->back().id;
    }
    std::vector<MessageId> want = newest_first(before);
    // The messages added before this pass's first page are in it too.
    ASSERT_GE(seen.size(), want.size());
    EXPECT_TRUE(std::equal(want.begin(), want.end(), seen.end() - static_cast<long>(want.size())));
    EXPECT_EQ(std::set<MessageId>(seen.begin(), seen.end()).size(), seen.size());
    EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend()));
    // Every message there was when the pass began, none missing.
    auto all = search(ListFilter{});
    auto first = std::find(all.begin(), all.end(), seen.front());
    EXPECT_TRUE(std::equal(first, all.end(), seen.begin(), seen.end()));
  }
}

TEST_F(MessageSearchTest, RetentionDeletesAMessagesTerms) {
  auto id = add({"gone@x.org"}, {"old"});
  deliver([](MessageId) { return std::pair{MessageStatus::sent, std::string("east")}; });
  clock_.advance(48h);
  auto purged = await_completion<std::size_t>(
      [&](auto done) { store_->purge_ended(clock_.now() - 24h, 100, done); });
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1u);
  EXPECT_EQ(store_->get_message(id).error(), Errc::not_found);
  store_->close();
  auto db = sqlite::Database::open(dir_.file("postern.db"), false);
  ASSERT_TRUE(db);
  auto left = (*db)->prepare("SELECT count(*) FROM message_terms");
  ASSERT_TRUE(left);
  ASSERT_TRUE(left->step().value());
  EXPECT_EQ(left->column_int(0), 0);
}

// Every shape of search reads an index range (or the ids' range) and
// sorts nothing: its cost is one page's rows, whatever the store holds.
TEST_F(MessageSearchTest, EveryShapeReadsAnIndexAndSortsNothing) {
  auto db = sqlite::Database::open(dir_.file("postern.db"), false);
  ASSERT_TRUE(db);
  for (auto shape : sqlite::all_search_shapes()) {
    auto sql = sqlite::search_sql(shape, "id, status");
    auto plan = (*db)->prepare("EXPLAIN QUERY PLAN " + sql);
    ASSERT_TRUE(plan) << sql;
    std::string text;
    ASSERT_TRUE(
        plan->each_row([&](const sqlite::Statement& row) { text += row.column_text(3) + "\n"; }));
    SCOPED_TRACE(sql + "\n" + text);
    EXPECT_EQ(text.find("SCAN"), std::string::npos);
    EXPECT_EQ(text.find("TEMP B-TREE"), std::string::npos);
    std::string lead = "USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)";
    if (shape.lead == sqlite::by_status)
      lead = "INDEX messages_by_status (status=? AND id>? AND id<?)";
    if (shape.lead == sqlite::by_provider)
      lead = "INDEX messages_by_provider (provider=? AND id>? AND id<?)";
    if (shape.lead == sqlite::by_recipient || shape.lead == sqlite::by_tag)
      lead = "USING PRIMARY KEY (term=? AND message_id>? AND message_id<?)";
    EXPECT_NE(text.find(lead), std::string::npos);
  }
}

// Messages written before version 15 are found by their recipients (the
// domain's case folded as suppression_key does) and tags.
TEST(MessageSearchMigration, RowsWrittenBeforeHaveTheirTerms) {
  test::TempDir dir;
  {
    auto db = sqlite::Database::open(dir.file("old.db"), true);
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrations::migrate_sqlite(**db, 14));
    ASSERT_TRUE((*db)->exec(
        "INSERT INTO messages(id, status, created_at, updated_at, window_start, next_attempt_at, "
        "sender, subject, tags, submitted_by, format, size, recipients) VALUES "
        "(42, 2, 0, 0, 0, 0, 'a@x.org', 's', 'news' || char(10) || 'q3', 'k', 1, 5, "
        "'0Bob@Mail.Example' || char(10) || '1\"a@b\"@X.ORG' || char(10) || '2plain'),"
        "(43, 2, 0, 0, 0, 0, 'a@x.org', 's', '', 'k', 1, 5, '');"
        "UPDATE status_counts SET n = 2 WHERE status = 2;"));
  }
  test::FakeClock clock;
  MetricsRegistry metrics;
  auto store = sqlite::SqliteStore::open({dir.file("old.db")}, clock, metrics);
  ASSERT_TRUE(store) << store.error().message();
  auto find = [&](auto set) {
    ListFilter f;
    set(f);
    auto page = (*store)->list_messages(f);
    EXPECT_TRUE(page);
    std::vector<std::uint64_t> ids;
    for (auto& m : *page) ids.push_back(m.id.value());
    return ids;
  };
  const std::vector<std::uint64_t> just42 = {42};
  EXPECT_EQ(find([](ListFilter& f) { f.recipient = "Bob@mail.example"; }), just42);
  EXPECT_EQ(find([](ListFilter& f) { f.recipient = "bob@mail.example"; }),
            std::vector<std::uint64_t>{});
  EXPECT_EQ(find([](ListFilter& f) { f.recipient = "\"a@b\"@x.org"; }), just42);
  EXPECT_EQ(find([](ListFilter& f) { f.recipient = "plain"; }), just42);
  EXPECT_EQ(find([](ListFilter& f) { f.tag = "news"; }), just42);
  EXPECT_EQ(find([](ListFilter& f) { f.tag = "q3"; }), just42);
  EXPECT_EQ(find([](ListFilter& f) { f.tag = "q"; }), std::vector<std::uint64_t>{});
}

}  // namespace
}  // namespace postern::store
