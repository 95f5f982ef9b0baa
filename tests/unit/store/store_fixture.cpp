#include "store_fixture.h"

#include "store/postgres/connection.h"
#include "store/sqlite/database.h"
#include "support/await_completion.h"

namespace postern::store {

using namespace std::chrono_literals;
using test::await_completion;

NewMessage StoreTestSupport::message(const std::string& subject, const std::string& key,
                                     const std::string& hash) {
  NewMessage m;
  m.format = ContentFormat::json;
  m.content = R"({"from":"a@x.org","to":"b@x.org","text":")" + subject + "\"}";
  m.envelope.sender = "a@x.org";
  m.envelope.recipients = {{"b@x.org", RecipientKind::to}, {"c@x.org", RecipientKind::bcc}};
  m.subject = subject;
  m.tags = {"t1", "t2"};
  m.source = "http";
  m.idempotency_key = key;
  m.request_hash = hash;
  return m;
}

Result<EnqueueResult> StoreTestSupport::enqueue(NewMessage m) {
  return await_completion<EnqueueResult>([&](auto done) { store_->enqueue(std::move(m), done); });
}

std::vector<LeasedMessage> StoreTestSupport::lease(LeaseLimits limits, const std::string& owner) {
  auto r = await_completion<std::vector<LeasedMessage>>(
      [&](auto done) { store_->lease(owner, clock_.now(), 60s, limits, done); });
  EXPECT_TRUE(r);
  return r ? *r : std::vector<LeasedMessage>{};
}

Result<void> StoreTestSupport::record(const AttemptRecord& rec, const std::string& owner) {
  return await_completion<void>([&](auto done) { store_->record_attempt(owner, rec, done); });
}

std::vector<MessageId> StoreTestSupport::all_pages(ListFilter f) {
  std::vector<MessageId> seen;
  for (;;) {
    auto page = store_->list_messages(f);
    EXPECT_TRUE(page);
    if (!page) break;
    for (auto& m : *page) seen.push_back(m.id);
    if (page->size() < f.limit) break;
    f.before = page->back().id;
  }
  return seen;
}

std::int64_t BackendStoreSupport::count_rows(const std::string& table) {
  const auto sql = "SELECT count(*) FROM " + table;
  if (backend_ == Backend::postgres) {
    auto c = postgres::Connection::open(pg_->conninfo(database_));
    EXPECT_TRUE(c);
    if (!c) return -1;
    auto rows = (*c)->query(sql);
    EXPECT_TRUE(rows) << (*c)->last_error();
    return rows ? rows->integer(0, 0) : -1;
  }
  auto db = sqlite::Database::open(dir_.file("postern.db"), false);
  EXPECT_TRUE(db);
  if (!db) return -1;
  auto count = (*db)->prepare(sql);
  EXPECT_TRUE(count);
  if (!count) return -1;
  auto stepped = count->step();
  if (!stepped || !*stepped) return -1;
  return count->column_int(0);
}

}  // namespace postern::store
