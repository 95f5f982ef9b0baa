// A SQLite store in a temporary directory, on a fake clock, for the tests of
// the store and of what runs on top of it.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "store/sqlite/sqlite_store.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace postern::store {

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  // Opens the store, closing the one open before (a restart).
  void open(sqlite::SqliteOptions options = {}) {
    store_.reset();
    options.path = dir_.file("postern.db");
    auto s = sqlite::SqliteStore::open(options, clock_, metrics_);
    ASSERT_TRUE(s) << s.error().message();
    store_ = std::move(*s);
  }

  test::TempDir dir_;
  test::FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<Store> store_;
};

}  // namespace postern::store
