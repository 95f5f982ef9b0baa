// Provider events and the suppression list, with blocking helpers for the
// asynchronous writes and a message sent through a provider that answered
// a provider message id: EventFixture on a SQLite store in a temporary
// directory, AnyEventFixture on the backend a test's parameter names
// (store_fixture.h: SQLite, or PostgreSQL in a database of the test's own).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>

#include "message_calls.h"
#include "store/event_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store_fixture.h"
#include "support/await_completion.h"
#include "support/fake_clock.h"
#include "support/sqlite_store.h"
#include "support/temp_dir.h"

namespace postern::store {

// A SQLite store (the stores only it has yet: routing, webhooks).
class SqliteEventBase : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  // Opens the store, closing the one open before (a restart).
  void open() {
    store_.reset();
    store_ = test::open_sqlite_store(dir_, clock_, metrics_);
    ASSERT_TRUE(store_);
  }

  EventStore& events() { return store_->events(); }

  test::TempDir dir_;
  test::FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<sqlite::SqliteStore> store_;
};

// A store of either backend (the test's parameter).
class AnyEventBase : public ::testing::TestWithParam<Backend>, public BackendStoreSupport {
 protected:
  void SetUp() override {
    set_up(GetParam());
    if (store_) bind_events();
  }

  // Opens the store, closing the one open before (a restart).
  void open() {
    events_ = nullptr;
    BackendStoreSupport::open();
    bind_events();
  }

  EventStore& events() { return *events_; }

  EventStore* events_ = nullptr;  // of store_

 private:
  void bind_events() {
    if (auto* s = dynamic_cast<sqlite::SqliteStore*>(store_.get())) events_ = &s->events();
    if (auto* s = dynamic_cast<postgres::PostgresStore*>(store_.get())) events_ = &s->events();
    ASSERT_TRUE(events_);
  }
};

template <class Base>
class EventCalls : public Base {
 protected:
  using Base::clock_;
  using Base::events;
  using Base::store_;

  MessageId enqueue(std::vector<std::string> to, std::vector<std::string> suppressed = {}) {
    return test_calls::enqueue(*store_, std::move(to), std::move(suppressed));
  }

  std::vector<LeasedMessage> lease() { return test_calls::lease(*store_, clock_.now()); }

  // Records an attempt of a leased message at `provider` whose send call
  // answered `provider_id`.
  void record_attempt(MessageId id, const std::string& provider, const std::string& provider_id,
                      MessageStatus next = MessageStatus::sent,
                      std::vector<std::string> settled = {}) {
    test_calls::record_attempt(*store_, clock_.now(), id, provider, provider_id, next,
                               std::move(settled));
  }

  // A message to `to`, leased and sent at `provider`, which answered `provider_id`.
  MessageId sent_message(std::vector<std::string> to, const std::string& provider,
                         const std::string& provider_id) {
    auto id = enqueue(std::move(to));
    auto leased = lease();
    EXPECT_EQ(leased.size(), 1u);
    record_attempt(id, provider, provider_id);
    return id;
  }

  events::ProviderEvent event(const std::string& provider, const std::string& dedupe_key,
                              const std::string& provider_id, const std::string& recipient,
                              events::RecipientEventType type) {
    return test_calls::provider_event(clock_.now(), provider, dedupe_key, provider_id, recipient,
                                      type);
  }

  std::vector<EventOutcome> record(std::vector<events::ProviderEvent> batch) {
    auto r = test::await_completion<std::vector<EventOutcome>>(
        [&](auto done) { events().record_provider_events(std::move(batch), done); });
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : std::vector<EventOutcome>{};
  }

  Result<std::size_t> add(std::vector<Suppression> entries) {
    return test::await_completion<std::size_t>(
        [&](auto done) { events().add_suppressions(std::move(entries), done); });
  }

  Result<bool> remove(const std::string& address) {
    return test::await_completion<bool>(
        [&](auto done) { events().remove_suppression(address, done); });
  }

  MessageDetail message(MessageId id) {
    auto r = store_->get_message(id);
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : MessageDetail{};
  }

  // The message's timeline events of provider reports.
  std::vector<Event> provider_events_of(MessageId id) {
    auto all = message(id).events;
    std::erase_if(all, [](const Event& e) { return e.recipient.empty(); });
    return all;
  }

  bool suppressed(const std::string& address) {
    return events().suppressed_among({address}).value() == std::vector<std::string>{address};
  }
};

using EventFixture = EventCalls<SqliteEventBase>;
using AnyEventFixture = EventCalls<AnyEventBase>;

}  // namespace postern::store
