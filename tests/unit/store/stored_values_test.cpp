// Numbers the store writes to disk. A store keeps a status, a content format
// and a recipient kind as numbers; renumbering an enumerator would make every
// existing store mean something else by them. These tests pin each number,
// so a renumbering fails here first.
#include <gtest/gtest.h>

#include <string>

#include "core/message.h"
#include "core/status.h"
#include "event_fixture.h"
#include "events/provider_event.h"
#include "store/sqlite/database.h"
#include "store/status_sql.h"
#include "store/webhook_store.h"
#include "store_fixture.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

template <class Enum>
int stored(Enum e) {
  return static_cast<int>(e);
}

TEST(StoredValues, MessageStatusNumbersNeverChange) {
  EXPECT_EQ(stored(MessageStatus::queued), 0);
  EXPECT_EQ(stored(MessageStatus::sending), 1);
  EXPECT_EQ(stored(MessageStatus::sent), 2);
  EXPECT_EQ(stored(MessageStatus::deferred), 3);
  EXPECT_EQ(stored(MessageStatus::failed), 4);
  EXPECT_EQ(stored(MessageStatus::cancelled), 5);
  EXPECT_EQ(stored(MessageStatus::quarantined), 6);
  EXPECT_EQ(kMessageStatusCount, 7);
}

TEST(StoredValues, ContentFormatNumbersNeverChange) {
  EXPECT_EQ(stored(ContentFormat::json), 0);
  EXPECT_EQ(stored(ContentFormat::mime), 1);
}

TEST(StoredValues, RecipientKindDigitsNeverChange) {
  EXPECT_EQ(stored(RecipientKind::to), 0);
  EXPECT_EQ(stored(RecipientKind::cc), 1);
  EXPECT_EQ(stored(RecipientKind::bcc), 2);
}

// SQL text names statuses; each name must give its enumerator's number.
TEST(StoredValues, SqlStatusNamesGiveTheEnumeratorsNumbers) {
  EXPECT_STREQ("{queued} {sending} {sent} {deferred} {failed} {cancelled} {quarantined}"_status_sql,
               "0 1 2 3 4 5 6");
  for (int s = 0; s < kMessageStatusCount; ++s) {
    auto status = static_cast<MessageStatus>(s);
    EXPECT_EQ(parse_message_status(to_string(status)), status) << s;
  }
  EXPECT_STREQ("status IN ({queued}, {deferred}, {quarantined})"_status_sql, "status IN (0, 3, 6)");
}

// What a store writes is the enumerators' numbers, read back from the file
// itself rather than through the store.
TEST_F(StoreFixture, TheFileHoldsTheEnumeratorsNumbers) {
  NewMessage m;
  m.format = ContentFormat::mime;
  m.content = "From: a@x.org\r\n\r\nx\r\n";
  m.envelope.sender = "a@x.org";
  m.envelope.recipients = {{"b@x.org", RecipientKind::to}, {"c@x.org", RecipientKind::bcc}};
  m.source = "smtp";
  auto id =
      test::await_completion<EnqueueResult>([&](auto done) { store_->enqueue(std::move(m), done); })
          .value()
          .id;
  ASSERT_TRUE(test::await_completion<MessageStatus>([&](auto done) { store_->cancel(id, done); }));
  store_->close();

  auto db = sqlite::Database::open(dir_.file("postern.db"), false);
  ASSERT_TRUE(db);
  auto row = (*db)->prepare(
      "SELECT m.status, m.format, m.recipients, e.status FROM messages m "
      "JOIN events e ON e.message_id = m.id WHERE m.id = ?1 ORDER BY e.seq DESC LIMIT 1");
  ASSERT_TRUE(row);
  row->bind(1, static_cast<std::int64_t>(id.value()));
  ASSERT_TRUE(row->step().value());
  EXPECT_EQ(row->column_int(0), 5);  // cancelled
  EXPECT_EQ(row->column_int(1), 1);  // mime
  EXPECT_EQ(row->column_text(2), "0b@x.org\n2c@x.org");
  EXPECT_EQ(row->column_int(3), 5);  // the cancel event's status
  row->reset();
}

// Provider events are stored by type name (provider_events.type,
// recipient_states.state, events.type, suppressions.reason): a renamed
// type would leave every stored event unreadable.
TEST(StoredValues, RecipientEventTypeNamesNeverChange) {
  using events::RecipientEventType;
  const std::pair<RecipientEventType, std::string_view> names[] = {
      {RecipientEventType::delivered, "delivered"},
      {RecipientEventType::bounced, "bounced"},
      {RecipientEventType::soft_bounced, "soft_bounced"},
      {RecipientEventType::complained, "complained"},
      {RecipientEventType::deferred, "deferred"},
  };
  for (const auto& [type, name] : names) {
    EXPECT_EQ(events::to_str(type), name);
    EXPECT_EQ(events::parse_recipient_event_type(name), type) << name;
  }
}

TEST_F(EventFixture, TheFileHoldsTheEventTypeNames) {
  auto id = sent_message({"b@x.org"}, "mailgun", "<m1@mg>");
  ASSERT_EQ(
      record(
          {event("mailgun", "t1", "<m1@mg>", "b@x.org", events::RecipientEventType::soft_bounced),
           event("mailgun", "t2", "<m1@mg>", "b@x.org", events::RecipientEventType::complained)}),
      (std::vector<EventOutcome>(2, EventOutcome::recorded)));
  store_->close();

  auto db = sqlite::Database::open(dir_.file("postern.db"), false);
  ASSERT_TRUE(db);
  auto row = (*db)->prepare(
      "SELECT (SELECT group_concat(type, ' ') FROM (SELECT type FROM provider_events ORDER BY id)),"
      " (SELECT state FROM recipient_states WHERE message_id = ?1),"
      " (SELECT group_concat(type, ' ') FROM (SELECT type FROM events WHERE message_id = ?1 "
      "AND recipient <> '' ORDER BY seq)),"
      " (SELECT reason FROM suppressions WHERE key = 'b@x.org'),"
      " (SELECT suppressed FROM messages WHERE id = ?1)");
  ASSERT_TRUE(row);
  row->bind(1, static_cast<std::int64_t>(id.value()));
  ASSERT_TRUE(row->step().value());
  EXPECT_EQ(row->column_text(0), "soft_bounced complained");
  EXPECT_EQ(row->column_text(1), "complained");  // both at one time: the later one
  EXPECT_EQ(row->column_text(2), "soft_bounced complained");
  EXPECT_EQ(row->column_text(3), "complained");
  EXPECT_EQ(row->column_text(4), "");
  row->reset();
}

// The suppressed recipients are a line each, as settled and refused.
TEST_F(EventFixture, TheFileHoldsSuppressedRecipientsALineEach) {
  auto id = enqueue({"a@x.org", "b@x.org", "c@x.org"}, {"b@x.org", "c@x.org"});
  store_->close();
  auto db = sqlite::Database::open(dir_.file("postern.db"), false);
  ASSERT_TRUE(db);
  auto row = (*db)->prepare("SELECT suppressed FROM messages WHERE id = ?1");
  ASSERT_TRUE(row);
  row->bind(1, static_cast<std::int64_t>(id.value()));
  ASSERT_TRUE(row->step().value());
  EXPECT_EQ(row->column_text(0), "b@x.org\nc@x.org");
  row->reset();
}

// The text of the first `columns` columns of the first row `sql` answers,
// read from the file itself rather than through the store.
std::vector<std::string> first_row(const std::string& file, const std::string& sql, int columns) {
  auto db = sqlite::Database::open(file, false);
  EXPECT_TRUE(db);
  if (!db) return {};
  auto row = (*db)->prepare(sql);
  EXPECT_TRUE(row);
  if (!row) return {};
  auto stepped = row->step();
  EXPECT_TRUE(stepped && *stepped);
  if (!stepped || !*stepped) return {};
  std::vector<std::string> out;
  for (int i = 0; i < columns; ++i) out.push_back(row->column_text(i));
  return out;
}

// Webhook deliveries are stored by state name (webhook_deliveries.state,
// whose names the SQL of store/sqlite/webhook_*.cpp also spells), webhook
// events by type name and the message's status by its name.
TEST(StoredValues, WebhookDeliveryStateNamesNeverChange) {
  const std::pair<WebhookDeliveryState, std::string_view> names[] = {
      {WebhookDeliveryState::pending, "pending"},
      {WebhookDeliveryState::delivered, "delivered"},
      {WebhookDeliveryState::failed, "failed"},
  };
  for (const auto& [state, name] : names) {
    EXPECT_EQ(to_str(state), name);
    EXPECT_EQ(parse_webhook_delivery_state(name), state) << name;
  }
  EXPECT_EQ(parse_webhook_delivery_state("sent"), std::nullopt);
}

TEST_F(EventFixture, TheFileHoldsTheWebhookNames) {
  WebhookEndpoint ep;
  ep.id = "ep_1";
  ep.events = {"message.accepted", "message.cancelled"};
  ASSERT_TRUE(test::await_completion<void>(
      [&](auto done) { store_->webhooks().create_endpoint(ep, done); }));
  auto id = enqueue({"b@x.org"});
  ASSERT_TRUE(test::await_completion<MessageStatus>([&](auto done) { store_->cancel(id, done); }));
  ASSERT_EQ(test::await_completion<std::size_t>([&](auto done) {
              store_->webhooks().fan_out("ep_1", clock_.now(), 10, done);
            }).value(),
            2u);
  auto first = store_->webhooks().deliveries("ep_1", 0, 10).value().back();
  WebhookAttempt delivered{first.id, clock_.now(), true, 204, "", {}, std::nullopt};
  ASSERT_TRUE(test::await_completion<void>(
      [&](auto done) { store_->webhooks().record_delivery_attempt(delivered, done); }));
  store_->close();

  EXPECT_EQ(first_row(dir_.file("postern.db"),
                      "SELECT group_concat(row, ', '), (SELECT events FROM webhook_endpoints) "
                      "FROM (SELECT e.type || ' ' || e.status || ' ' || d.state AS row FROM "
                      "webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id "
                      "ORDER BY d.id)",
                      2),
            (std::vector<std::string>{
                "message.accepted queued delivered, message.cancelled cancelled pending",
                "message.accepted\nmessage.cancelled"}));
}

}  // namespace
}  // namespace postern::store
