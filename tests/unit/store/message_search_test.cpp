// The message log's search (store.h ListFilter; store/sqlite/message_search.h,
// store/postgres/message_search.h): each filter and their combinations and
// keyset paging while mail arrives, on both backends; the query plans of
// each backend; and the search terms of rows written before the schema had
// them (SQLite's version 15, PostgreSQL's 3).
#include "store/sqlite/message_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <set>

#include "store/migrations/sqlite_migrations.h"
#include "store/postgres/connection.h"
#include "store/postgres/message_search.h"
#include "store/postgres/migrations.h"
#include "store/sqlite/database.h"
#include "store_fixture.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using test::await_completion;

class MessageSearchTest : public AnyStoreFixture {
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

INSTANTIATE_TEST_SUITE_P(Sqlite, MessageSearchTest, ::testing::Values(Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, MessageSearchTest, ::testing::Values(Backend::postgres));

TEST_P(MessageSearchTest, ARecipientIsFoundExactlyButForTheCaseOfItsDomain) {
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

TEST_P(MessageSearchTest, TagsProvidersAndStatusesFilterAloneAndTogether) {
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
TEST_P(MessageSearchTest, PagesHaveNoDuplicatesNorGapsWhileMailArrives) {
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

TEST_P(MessageSearchTest, RetentionDeletesAMessagesTerms) {
  auto id = add({"gone@x.org"}, {"old"});
  deliver([](MessageId) { return std::pair{MessageStatus::sent, std::string("east")}; });
  clock_.advance(48h);
  auto purged = await_completion<std::size_t>(
      [&](auto done) { store_->purge_ended(clock_.now() - 24h, 100, done); });
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1u);
  EXPECT_EQ(store_->get_message(id).error(), Errc::not_found);
  store_->close();
  EXPECT_EQ(count_rows("message_terms"), 0);
}

// Every shape of search reads an index range (or the ids' range) and
// sorts nothing: its cost is one page's rows, whatever the store holds.
class MessageSearchPlan : public StoreFixture {};

TEST_F(MessageSearchPlan, EveryShapeReadsAnIndexAndSortsNothing) {
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

// Message 42, written before the schema had search terms (recipients
// Bob@Mail.Example, "a@b"@X.ORG, plain and Zoë@ÉX.org; tags news and q3),
// is found by its recipients (the domain's case folded as suppression_key
// folds it: ASCII only) and tags. old_row_lists gives its tags and
// recipients columns as SQL, with `nl` the backend's newline expression.
std::string old_row_lists(const std::string& nl) {
  return "'news' || " + nl + " || 'q3', '0Bob@Mail.Example' || " + nl + " || '1\"a@b\"@X.ORG' || " +
         nl + " || '2plain' || " + nl + " || '0Zoë@ÉX.org'";
}

void expect_old_rows_found(Store& store) {
  auto find = [&](auto set) {
    ListFilter f;
    set(f);
    auto page = store.list_messages(f);
    EXPECT_TRUE(page);
    std::vector<std::uint64_t> ids;
    if (!page) return ids;
    for (auto& m : *page) ids.push_back(m.id.value());
    return ids;
  };
  const std::vector<std::uint64_t> just42 = {42}, none = {};
  EXPECT_EQ(find([](ListFilter& f) { f.recipient = "Bob@mail.example"; }), just42);
  EXPECT_EQ(find([](ListFilter& f) { f.recipient = "bob@mail.example"; }), none);
  EXPECT_EQ(find([](ListFilter& f) { f.recipient = "\"a@b\"@x.org"; }), just42);
  EXPECT_EQ(find([](ListFilter& f) { f.recipient = "plain"; }), just42);
  EXPECT_EQ(find([](ListFilter& f) { f.recipient = "Zoë@Éx.ORG"; }), just42);
  EXPECT_EQ(find([](ListFilter& f) { f.recipient = "Zoë@éx.org"; }), none);
  EXPECT_EQ(find([](ListFilter& f) { f.tag = "news"; }), just42);
  EXPECT_EQ(find([](ListFilter& f) { f.tag = "q3"; }), just42);
  EXPECT_EQ(find([](ListFilter& f) { f.tag = "q"; }), none);
}

// Messages written before SQLite's version 15 are found by their
// recipients and tags.
TEST(MessageSearchMigration, RowsWrittenBeforeHaveTheirTerms) {
  test::TempDir dir;
  {
    auto db = sqlite::Database::open(dir.file("old.db"), true);
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrations::migrate_sqlite(**db, 14));
    ASSERT_TRUE((*db)->exec(
        "INSERT INTO messages(id, status, created_at, updated_at, window_start, next_attempt_at, "
        "sender, subject, submitted_by, format, size, tags, recipients) VALUES "
        "(42, 2, 0, 0, 0, 0, 'a@x.org', 's', 'k', 1, 5, " +
        old_row_lists("char(10)") +
        "),"
        "(43, 2, 0, 0, 0, 0, 'a@x.org', 's', 'k', 1, 5, '', '');"
        "UPDATE status_counts SET n = 2 WHERE status = 2;"));
  }
  test::FakeClock clock;
  MetricsRegistry metrics;
  auto store = sqlite::SqliteStore::open({dir.file("old.db")}, clock, metrics);
  ASSERT_TRUE(store) << store.error().message();
  expect_old_rows_found(**store);
}

// On a database of 50,000 messages, analyzed, each search's plan reads an
// index range, never the whole table: PostgreSQL's planner picks among the
// indexes of migration 3 from its statistics, so this checks that it finds
// one for each kind of search. A search whose matches are many reads them
// newest first from an index and stops at the page (no sort); one whose
// matches are few may read them all and sort them, which the planner
// rightly finds cheaper.
class MessageSearchPgPlan : public ::testing::Test, public BackendStoreSupport {
 protected:
  void SetUp() override { set_up(Backend::postgres); }
};

TEST_F(MessageSearchPgPlan, EverySearchReadsAnIndexAndSortsNothing) {
  auto c = postgres::Connection::open(pg_->conninfo(database_));
  ASSERT_TRUE(c);
  const auto sent = std::to_string(static_cast<int>(MessageStatus::sent));
  const auto failed = std::to_string(static_cast<int>(MessageStatus::failed));
  ASSERT_TRUE((*c)->script(
      "INSERT INTO messages(id, status, created_at, updated_at, window_start, next_attempt_at, "
      "sender, subject, tags, submitted_by, source, format, size, recipients, provider) "
      "SELECT i, CASE WHEN i % 100 = 0 THEN " +
      failed + " ELSE " + sent +
      " END, now(), now(), now(), now(), 'a@x.org', 's', 't' || (i % 10), 'k', 'http', 1, 5, "
      "'0r' || (i % 1000) || '@x.org', CASE WHEN i % 2 = 0 THEN 'east' ELSE 'west' END "
      "FROM generate_series(1, 50000) AS i;"
      "INSERT INTO message_terms(term, message_id) SELECT t, m.id FROM messages m, "
      "postern_message_terms(m.recipients, m.tags) AS t;"
      "ANALYZE;"))
      << (*c)->last_error();
  struct Case {
    ListFilter filter;
    std::string index;  // that it reads
    bool sorts;         // whether it may sort its matches (they are few)
  };
  auto with = [](auto set) {
    ListFilter f;
    set(f);
    return f;
  };
  const std::vector<Case> cases = {
      {with([](ListFilter&) {}), "messages_pkey", false},
      {with([](ListFilter& f) { f.recipient = "r7@X.org"; }), "message_terms_pkey", true},
      {with([](ListFilter& f) { f.tag = "t3"; }), "message_terms_pkey", false},
      {with([](ListFilter& f) { f.provider = "east"; }), "messages_", false},
      {with([](ListFilter& f) { f.status = MessageStatus::failed; }), "messages_by_status", true},
      {with([](ListFilter& f) {
         f.status = MessageStatus::failed;
         f.tag = "t0";
       }),
       "messages_by_status", true},
      {with([](ListFilter& f) {
         f.recipient = "r7@x.org";
         f.tag = "t7";
         f.provider = "west";
       }),
       "message_terms_pkey", true},
  };
  for (const auto& [f, index, sorts] : cases) {
    auto sql = postgres::search_sql(f, "m.id, m.status");
    postgres::Params params;
    params.integer(0).integer(std::numeric_limits<std::int64_t>::max()).integer(50);
    if (f.provider) params.text(*f.provider);
    if (f.recipient) params.text(*f.recipient);
    if (f.tag) params.text(*f.tag);
    auto plan = (*c)->query("EXPLAIN " + sql, params);
    ASSERT_TRUE(plan) << (*c)->last_error();
    std::string text;
    for (int i = 0; i < plan->size(); ++i) text += plan->text(i, 0) + "\n";
    SCOPED_TRACE(sql + "\n" + text);
    EXPECT_EQ(text.find("Seq Scan"), std::string::npos);
    EXPECT_NE(text.find(index), std::string::npos);
    if (!sorts) {
      EXPECT_EQ(text.find("Sort"), std::string::npos);
    }
    // And the search finds what it should.
    auto page = (*c)->query(sql, params);
    ASSERT_TRUE(page) << (*c)->last_error();
    EXPECT_GT(page->size(), 0);
  }
}

// Messages written before PostgreSQL's version 3 are found by their
// recipients and tags.
TEST_F(MessageSearchPgPlan, RowsWrittenBeforeHaveTheirTerms) {
  // A database of its own, at version 2.
  std::string why;
  auto old_db = pg_->create_database(why);
  ASSERT_FALSE(old_db.empty()) << why;
  {
    auto c = postgres::Connection::open(pg_->conninfo(old_db));
    ASSERT_TRUE(c);
    ASSERT_TRUE(postgres::migrate_postgres(**c, 2));
    ASSERT_TRUE((*c)->script(
        "INSERT INTO messages(id, status, created_at, updated_at, window_start, next_attempt_at, "
        "sender, subject, submitted_by, source, format, size, tags, recipients) VALUES "
        "(42, 2, now(), now(), now(), now(), 'a@x.org', 's', 'k', 'http', 1, 5, " +
        old_row_lists("chr(10)") +
        "),"
        "(43, 2, now(), now(), now(), now(), 'a@x.org', 's', 'k', 'http', 1, 5, '', '');"))
        << (*c)->last_error();
  }
  database_ = old_db;
  open();
  expect_old_rows_found(*store_);
}

}  // namespace
}  // namespace postern::store
