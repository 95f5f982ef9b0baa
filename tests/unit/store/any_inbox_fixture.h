// The test inbox's storage on a store of either backend (store_fixture.h:
// SQLite in a temporary directory, or PostgreSQL on the test binary's
// private server, a database per test), with inbox_fixture.h's helpers.
#pragma once

#include <gtest/gtest.h>

#include "inbox_fixture.h"
#include "store/postgres/postgres_store.h"
#include "store_fixture.h"

namespace postern::store {

// A store opened by BackendStoreSupport, and its inbox.
class BackendInboxBase : public BackendStoreSupport {
 protected:
  // The inbox of `store` (the Store interface does not have it).
  static InboxStore& inbox_in(Store& store) {
    if (auto* s = dynamic_cast<sqlite::SqliteStore*>(&store)) return s->inbox();
    return dynamic_cast<postgres::PostgresStore&>(store).inbox();
  }

  InboxStore& inbox() { return inbox_in(*store_); }
};

using InboxTestSupport = InboxCalls<BackendInboxBase>;

class AnyInboxFixture : public ::testing::TestWithParam<Backend>, public InboxTestSupport {
 protected:
  void SetUp() override { set_up(GetParam()); }
};

}  // namespace postern::store
