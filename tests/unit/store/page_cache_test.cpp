#include "store/sqlite/page_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <random>
#include <string>

#include "store/sqlite/database.h"
#include "support/temp_dir.h"

namespace postern::store::sqlite {
namespace {

TEST(PageCacheTest, IsSQLitesBeforeTheFirstConnection) {
  // Every connection of the process opens through Database::open, which
  // installs it first; installing again answers the same.
  test::TempDir dir;
  auto db = Database::open(dir.file("a.db"), true);
  ASSERT_TRUE(db);
  EXPECT_TRUE(install_page_cache());
}

// Drives one cache as SQLite's pager does: takes pages, swaps two through
// the parking place as a split does, moves one far up, and drops the pages
// past an end.
class CacheCalls {
 public:
  explicit CacheCalls(const sqlite3_pcache_methods2& m) : m_(m), cache_(m.xCreate(4096, 64, 1)) {
    m_.xCachesize(cache_, 100);
  }
  ~CacheCalls() { m_.xDestroy(cache_); }
  void take(unsigned page) {
    auto* p = m_.xFetch(cache_, page, 2);
    ASSERT_NE(p, nullptr) << page;
    m_.xUnpin(cache_, p, 0);
  }
  void move(unsigned from, unsigned to) {
    auto* p = m_.xFetch(cache_, from, 0);
    ASSERT_NE(p, nullptr) << from;
    m_.xRekey(cache_, p, from, to);
    m_.xUnpin(cache_, p, 0);
  }
  bool holds(unsigned page) {
    auto* p = m_.xFetch(cache_, page, 0);
    if (p) m_.xUnpin(cache_, p, 0);
    return p != nullptr;
  }
  void truncate(unsigned limit) { m_.xTruncate(cache_, limit); }
  int count() { return m_.xPagecount(cache_); }

 private:
  const sqlite3_pcache_methods2& m_;
  sqlite3_pcache* cache_;
};

TEST(PageCacheTest, DropsEveryPagePastTheEndAndNoneBefore) {
  test::TempDir dir;
  ASSERT_TRUE(Database::open(dir.file("init.db"), true));  // SQLite initialized
  CacheCalls cache(page_cache_methods());
  for (unsigned page = 1; page <= 10; ++page) cache.take(page);
  const unsigned parking = 0x40000000 / 4096 + 1;
  cache.move(3, parking);  // a split swapping pages 3 and 4
  cache.move(4, 3);
  cache.move(parking, 4);
  cache.truncate(11);  // nothing past the end
  EXPECT_EQ(cache.count(), 10);
  for (unsigned page = 1; page <= 10; ++page) EXPECT_TRUE(cache.holds(page)) << page;

  cache.truncate(7);
  EXPECT_EQ(cache.count(), 6);
  for (unsigned page = 1; page <= 6; ++page) EXPECT_TRUE(cache.holds(page)) << page;
  for (unsigned page = 7; page <= 10; ++page) EXPECT_FALSE(cache.holds(page)) << page;

  cache.move(6, 40);  // moved past the end: dropped by the next truncate
  cache.truncate(7);
  EXPECT_FALSE(cache.holds(40));
  EXPECT_EQ(cache.count(), 5);
  cache.take(9);  // taken past the end
  cache.truncate(8);
  EXPECT_FALSE(cache.holds(9));
  EXPECT_EQ(cache.count(), 5);
  cache.truncate(1);  // a rollback's reset
  EXPECT_EQ(cache.count(), 0);
}

// Random keys split pages out of order (the splits that park a page past
// the lock byte), transactions that grow the file are rolled back, and a
// small cache evicts: what the table holds stays exactly what was
// committed, and the file stays sound.
TEST(PageCacheTest, KeepsCommittedRowsThroughSplitsRollbacksAndEviction) {
  test::TempDir dir;
  auto opened = Database::open(dir.file("splits.db"), true);
  ASSERT_TRUE(opened);
  auto& db = **opened;
  ASSERT_TRUE(db.exec("PRAGMA journal_mode = WAL"));
  ASSERT_TRUE(db.exec("PRAGMA cache_size = 40"));
  ASSERT_TRUE(db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID"));
  auto insert = db.prepare("INSERT OR REPLACE INTO t(k, v) VALUES (?1, ?2)");
  auto read = db.prepare("SELECT v FROM t WHERE k = ?1");
  ASSERT_TRUE(insert && read);

  std::mt19937_64 random(28);
  std::map<std::string, std::string> committed;
  std::map<std::string, std::string> pending;
  for (int round = 0; round < 200; ++round) {
    ASSERT_TRUE(db.exec("BEGIN IMMEDIATE"));
    pending = committed;
    const int rows = 20 + static_cast<int>(random() % 200);
    for (int i = 0; i < rows; ++i) {
      const auto key = std::to_string(random());
      const std::string value(50 + random() % 300, static_cast<char>('a' + round % 26));
      ASSERT_TRUE(insert->bind(1, key).bind(2, value).run());
      pending[key] = value;
    }
    if (random() % 3 == 0) {
      ASSERT_TRUE(db.exec("ROLLBACK"));
    } else {
      ASSERT_TRUE(db.exec("COMMIT"));
      committed = pending;
    }
    // A sample of what was committed reads back as it was written.
    for (int probe = 0; probe < 10 && !committed.empty(); ++probe) {
      auto it = committed.begin();
      std::advance(it, static_cast<long>(random() % committed.size()));
      auto value = read->bind(1, it->first).one_row(Errc::not_found, [](Statement& s) {
        return s.column_text(0);
      });
      ASSERT_TRUE(value) << "round " << round << " key " << it->first;
      EXPECT_EQ(*value, it->second);
    }
  }

  std::map<std::string, std::string> stored;
  auto all = db.prepare("SELECT k, v FROM t");
  ASSERT_TRUE(all);
  ASSERT_TRUE(all->each_row([&](Statement& s) { stored[s.column_text(0)] = s.column_text(1); }));
  EXPECT_EQ(stored, committed);
  auto check = db.prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check);
  auto verdict = check->one_row(Errc::internal, [](Statement& s) { return s.column_text(0); });
  ASSERT_TRUE(verdict);
  EXPECT_EQ(*verdict, "ok");
}

}  // namespace
}  // namespace postern::store::sqlite
